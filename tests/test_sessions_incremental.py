"""The sessions a pass regroups from the change numbers are the ones a full regroup gives."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.domain import Activity
from syncd.sports import Sport
from syncd.store import Store

BASE = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
RANK = {"garmin": 0, "strava": 1}

# (provider, id, start minute, distance in 10 m, deleted): starts bunched so copies merge and chain
op = st.tuples(
    st.sampled_from(["garmin", "strava"]),
    st.integers(0, 7),
    st.integers(0, 40),
    st.integers(980, 1020),
    st.booleans(),
)


def activity(provider: str, ident: int, minute: int, dist: int, deleted: bool) -> Activity:
    start = BASE + timedelta(minutes=minute * 2)
    return Activity(
        provider=provider,
        provider_id=f"{provider[0]}{ident}",
        athlete="sam",
        start_utc=start,
        sport=Sport.RUN,
        distance_m=dist * 10,
        moving_s=3000,
        deleted=deleted,
    )


def table(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    sessions = store.conn.execute(
        "SELECT id, start_utc, sport, distance_m, members FROM sessions ORDER BY id"
    )
    members = store.conn.execute(
        "SELECT session_id, provider, provider_id FROM session_members ORDER BY provider, provider_id"
    )
    return [tuple(r) for r in sessions], [tuple(r) for r in members]


def shape(store: Store) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.id, tuple(a.key for a in s.activities)) for s in store.sessions("sam")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(op, min_size=1, max_size=3), min_size=1, max_size=12))
def test_regrouping_what_changed_equals_regrouping_everything(batches: list[list[tuple]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kept = Store(Path(tmp) / "kept", rank=RANK)  # one process, groupings kept in memory
        kept.ensure_athlete("sam", "UTC")
        fresh_dir = Path(tmp) / "fresh"
        for batch in batches:
            acts = [activity(*item) for item in batch]
            kept.upsert_activities(acts)
            kept.rebuild_sessions("sam")
            with Store(fresh_dir, rank=RANK) as fresh:  # a new process each time: everything regrouped
                fresh.ensure_athlete("sam", "UTC")
                fresh.upsert_activities(acts)
                fresh.rebuild_sessions("sam")
                assert shape(kept) == shape(fresh)
                assert table(kept) == table(fresh)
        kept.close()


def test_a_change_regroups_only_its_neighbourhood(tmp_path: Path) -> None:
    store = Store(tmp_path, rank=RANK)
    store.ensure_athlete("sam", "UTC")
    runs = [activity("garmin", i, 0, 1000, False) for i in range(1)]
    far = [
        replace(
            activity("garmin", 0, 0, 1000, False), provider_id=f"g-day{d}", start_utc=BASE - timedelta(days=d)
        )
        for d in range(1, 200)
    ]
    store.upsert_activities([*runs, *far])
    store.rebuild_sessions("sam")
    before = {s.id: s for s in store.sessions("sam")}
    # the Strava copy of today's run arrives: it joins the watch's session, nothing else moves
    store.upsert_activities([activity("strava", 0, 1, 1003, False)])
    _, merged = store.rebuild_sessions("sam")
    after = {s.id: s for s in store.sessions("sam")}
    assert merged == 1 and after.keys() == before.keys()
    changed = [sid for sid in after if after[sid] is not before[sid]]
    assert len(changed) == 1 and len(after[changed[0]].activities) == 2


def test_a_copy_moved_away_from_its_session_gets_an_id_of_its_own(tmp_path: Path) -> None:
    """The session the two copies shared keeps its id; the moved copy would compute the same
    one (ids come from the earliest copy), and two sessions with one id cannot be stored."""
    store = Store(tmp_path, rank=RANK)
    store.ensure_athlete("sam", "UTC")
    store.upsert_activities([activity("garmin", 0, 0, 1000, False), activity("strava", 0, 0, 1000, False)])
    [shared] = store.rebuild_sessions("sam")[0]
    store.upsert_activities([activity("garmin", 0, 30, 1000, False)])  # its start corrected by an hour
    sessions, _ = store.rebuild_sessions("sam")
    assert [s.id for s in sessions] == [shared.id, shared.id + "b"]
    with Store(tmp_path, rank=RANK) as again:  # a full regroup in another process agrees
        assert [s.id for s in again.rebuild_sessions("sam")[0]] == [shared.id, shared.id + "b"]
