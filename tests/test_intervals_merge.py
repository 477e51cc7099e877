"""One run, one session: intervals.icu copies of Garmin or Strava activities merge with them,
by the link intervals.icu gives (the Garmin activity id, the Strava id) even when the numbers
were corrected on one side, else by the usual time and distance match; order never matters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from factories import run
from fakes.garmin_fake import GarminAccount, item, resumer
from fakes.intervals_server import FakeIntervals
from hypothesis import given
from hypothesis import strategies as st

from syncd.config import parse
from syncd.domain import Activity
from syncd.engine import Context, run_once
from syncd.merge import copies_match, group_sessions, linked
from syncd.notifiers.base import Message, Notifier
from syncd.plugins import provider_ranks
from syncd.providers.garmin import GarminProvider
from syncd.providers.intervals import IntervalsProvider
from syncd.providers.intervals.listing import account_key
from syncd.registry import load_rules
from syncd.store import Store
from syncd.tokens import token_store

RANK = {"garmin": 0, "strava": 1, "intervals": 2}


def keys(sessions: list) -> list[list[str]]:
    return sorted(sorted(a.key for a in s.activities) for s in sessions)


def test_a_linked_copy_merges_even_after_a_correction_on_one_side() -> None:
    garmin = run("garmin", "18234567890", "2026-05-04T06:00:00", 10.0, avg_hr=150.0)
    # the runner fixed the GPS distance on intervals.icu: 12 % off, beyond the 5 % match
    copy = run("intervals", "i401", "2026-05-04T06:00:00", 8.8, rpe=6, same_as=("garmin:18234567890",))
    assert not copies_match(garmin, copy) and linked(garmin, copy) and linked(copy, garmin)
    [session] = group_sessions([copy, garmin], rank=RANK)
    assert session.distance_m == 10000  # equally rich: the watch's own copy (rank) supplies numbers
    assert session.rpe == 6 and session.avg_hr == 150.0  # the numbers each copy adds
    assert len(group_sessions([replace(copy, same_as=()), garmin], rank=RANK)) == 2


def test_an_unlinked_copy_merges_on_time_and_distance() -> None:
    garmin = run("garmin", "g1", "2026-05-04T06:00:00", 10.0)
    upload = run("intervals", "i402", "2026-05-04T06:00:03", 10.02)  # a FIT file uploaded by hand
    assert keys(group_sessions([upload, garmin])) == [["garmin:g1", "intervals:i402"]]


def test_a_copy_naming_both_originals_joins_all_three() -> None:
    garmin = run("garmin", "g1", "2026-05-04T06:00:00", 10.0)
    strava = run("strava", "s1", "2026-05-04T06:00:40", 9.0)  # trimmed on Strava: no match on numbers
    copy = run("intervals", "i403", "2026-05-04T06:00:00", 10.0, same_as=("garmin:g1", "strava:s1"))
    for order in ([garmin, strava, copy], [copy, strava, garmin]):
        assert keys(group_sessions(order)) == [["garmin:g1", "intervals:i403", "strava:s1"]]


def test_two_copies_naming_one_original_give_it_to_one_of_them() -> None:
    garmin = run("garmin", "g1", "2026-05-04T06:00:00", 10.0)
    first = run("intervals", "i404", "2026-05-04T06:00:00", 10.0, same_as=("garmin:g1",))
    again = run("intervals", "i405", "2026-05-04T06:00:00", 10.0, same_as=("garmin:g1",))  # uploaded twice
    expected = [["garmin:g1", "intervals:i404"], ["intervals:i405"]]
    assert (
        keys(group_sessions([again, first, garmin]))
        == keys(group_sessions([garmin, first, again]))
        == expected
    )


def test_a_link_to_an_activity_syncd_does_not_hold_changes_nothing() -> None:
    copy = run("intervals", "i406", "2026-05-04T06:00:00", 10.0, same_as=("garmin:999",))
    other = run("garmin", "g2", "2026-05-04T09:00:00", 10.0)
    assert keys(group_sessions([copy, other])) == [["garmin:g2"], ["intervals:i406"]]


@st.composite
def watch_runs(draw: st.DrawFn) -> list[Activity]:
    """Garmin runs, each maybe with a linked intervals.icu copy (numbers changed freely), an
    unlinked intervals.icu upload and a Strava copy (numbers close)."""
    base = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    out: list[Activity] = []
    for i in range(draw(st.integers(1, 10))):
        start = base + timedelta(minutes=draw(st.integers(0, 60 * 24 * 2)))
        metres = draw(st.integers(3000, 30000))
        garmin = run("garmin", f"g{i}", start.isoformat(), metres / 1000)
        out.append(garmin)
        shift = draw(st.integers(-1500, 1500))
        if draw(st.booleans()):
            out.append(
                replace(
                    garmin,
                    provider="intervals",
                    provider_id=f"i{i}",
                    start_utc=start + timedelta(seconds=shift),
                    distance_m=metres + draw(st.integers(-3000, 3000)),
                    same_as=(garmin.key,),
                )
            )
        elif draw(st.booleans()):
            out.append(replace(garmin, provider="intervals", provider_id=f"u{i}", start_utc=start))
        if draw(st.booleans()):
            out.append(
                replace(
                    garmin,
                    provider="strava",
                    provider_id=f"s{i}",
                    start_utc=start + timedelta(seconds=draw(st.integers(-400, 400))),
                    distance_m=metres + draw(st.integers(-800, 800)),
                )
            )
    return out


@given(watch_runs(), st.randoms(use_true_random=False))
def test_merging_with_links_is_order_independent(acts: list[Activity], rnd: Any) -> None:
    shuffled = list(acts)
    rnd.shuffle(shuffled)
    assert keys(group_sessions(acts, rank=RANK)) == keys(group_sessions(shuffled, rank=RANK))


@given(watch_runs())
def test_linked_copies_share_a_session_and_a_session_holds_one_copy_per_provider(
    acts: list[Activity],
) -> None:
    sessions = group_sessions(acts, rank=RANK)
    where = {a.key: s.id for s in sessions for a in s.activities}
    assert sorted(where) == sorted(a.key for a in acts)  # every copy in exactly one session
    for a in acts:
        for other in a.same_as:
            assert where[a.key] == where[other]
    for s in sessions:
        providers = [a.provider for a in s.activities]
        assert len(providers) == len(set(providers))
        assert all(
            linked(x, y) or copies_match(x, y) for x in s.activities for y in s.activities if x is not y
        )


# -- through the engine: a Garmin account and the same runs arriving from intervals.icu ----------

TODAY = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)


class Phone(Notifier):
    name: ClassVar[str] = "push"

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals(timezone="Europe/Amsterdam") as server:
        yield server


class BothWorld:
    """sam's watch syncs to Garmin Connect, and Garmin Connect to intervals.icu; syncd reads both."""

    def __init__(self, tmp: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fake = fake
        self.store = Store(tmp / "state", rank=provider_ranks())
        self.config = parse(
            {
                "providers": {"intervals": {"base_url": fake.base_url}},
                "athletes": [
                    {
                        "name": "sam",
                        "timezone": "Europe/Amsterdam",
                        "providers": ["garmin", "intervals"],
                        "notes": {"garmin": True, "intervals": True},
                    }
                ],
            },
            "test",
        )
        athlete = self.config.athlete("sam")
        self.garmin = GarminAccount()
        token_store(self.store.path.parent).save("garmin", "sam", {"session": self.garmin.session()})
        garmin = GarminProvider.create(
            self.config, athlete, self.store, client_factory=resumer(self.garmin), clock=lambda: TODAY
        )
        monkeypatch.setenv("SAM_INTERVALS_KEY", fake.key)
        self.store.ensure_athlete("sam", "Europe/Amsterdam")
        self.store.set_provider_value("intervals", account_key("sam"), {"key": "env:SAM_INTERVALS_KEY"})
        intervals = IntervalsProvider.create(self.config, athlete, self.store)
        intervals.clock = lambda: TODAY
        self.phone = Phone()
        self.ctx = Context(
            config=self.config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"garmin": garmin, "intervals": intervals},
            notifiers=lambda a: [self.phone],
            now=lambda: TODAY,
        )

    def both(self, ident: int, start: datetime, km: float, *, linked: bool = True, **fields: Any) -> str:
        """One run on the watch: in Garmin Connect, and forwarded to intervals.icu. A linked copy
        has its distance recomputed 8 % longer (only the link can merge it); an unlinked one,
        a FIT file uploaded by hand, has the watch's numbers."""
        self.garmin.put(item(ident, start.replace(tzinfo=None), km=km, minutes=km * 6, offset_h=1, **fields))
        copy = self.fake.add_activity(
            start,
            km * 1.08 if linked else km,
            minutes=km * 6,
            garmin_id=ident,
            description=fields.get("description"),
            **({} if linked else {"source": "UPLOAD", "external_id": None}),
        )
        return str(copy["id"])


@pytest.mark.parametrize("linked_copies", [True, False], ids=["linked", "time-and-distance"])
def test_the_same_runs_from_garmin_and_intervals_are_one_session_each(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch, linked_copies: bool
) -> None:
    world = BothWorld(tmp_path, fake, monkeypatch)
    first = TODAY - timedelta(days=36)
    for i in range(0, 35, 2):  # 35 days of 8 km runs on both
        world.both(18_000_001_000 + i, first + timedelta(days=i), 8.0, linked=linked_copies)
    world.both(
        18_000_777_000,
        TODAY - timedelta(hours=2),
        16.0,
        linked=linked_copies,
        description="Great hills today.",
    )
    summary = run_once(world.ctx, "sam")
    assert summary.providers["garmin"].new == summary.providers["intervals"].new == 19
    sessions = world.store.sessions("sam")
    assert len(sessions) == 19
    assert all({a.provider for a in s.activities} == {"garmin", "intervals"} for s in sessions)
    spikes = [m for m in world.phone.messages if "session_spike:" in m.key]
    assert len(spikes) == 1  # one run, one finding, one push
    intervals_id = world.fake.requests("/api/v1/activity/", "PUT")[0].path.rsplit("/", 1)[1]
    for note in (world.garmin.description(18_000_777_000), world.fake.description(intervals_id) or ""):
        assert note.startswith("Great hills today.\n\n— syncd —\n") and note.count("— syncd —") == 1
