"""Duplicate merging: one run from two providers is one session, whatever the order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from factories import run
from hypothesis import given
from hypothesis import strategies as st

from syncd.domain import Activity
from syncd.merge import copies_match, group_sessions
from syncd.sports import Sport
from syncd.store import Store


def shape(sessions: list) -> list[tuple[tuple[str, ...], int | None]]:
    return [(tuple(a.key for a in s.activities), s.distance_m) for s in sessions]


def test_watch_run_forwarded_to_strava_is_one_session() -> None:
    garmin = run("garmin", "g1", "2025-05-04T08:00:00", 10.00, avg_hr=150.0, max_hr=172.0)
    strava = run("strava", "s1", "2025-05-04T08:00:20", 10.04)
    [session] = group_sessions([strava, garmin])
    assert {a.provider for a in session.activities} == {"garmin", "strava"}
    assert session.distance_m == 10000  # the richer (Garmin, with HR) copy supplies numbers


def test_match_edges() -> None:
    base = run("garmin", "g", "2025-05-04T08:00:00", 10.0)
    assert copies_match(base, run("strava", "s", "2025-05-04T08:05:00", 10.5))  # exactly 5 min, 5 %
    assert not copies_match(base, run("strava", "s", "2025-05-04T08:05:01", 10.0))
    assert not copies_match(base, run("strava", "s", "2025-05-04T08:00:00", 10.53))
    assert not copies_match(base, run("strava", "s", "2025-05-04T08:00:00", 10.0, sport=Sport.CYCLING))
    assert copies_match(base, run("strava", "s", "2025-05-04T08:00:00", 10.0, sport=Sport.TRAIL_RUN))
    assert not copies_match(base, replace(base, provider_id="other"))  # same provider: two runs


def test_one_providers_copies_stay_apart_even_when_they_name_each_other() -> None:
    # two runs a watch uploaded at the same minute, one naming the other and a copy never stored
    first = run("strava", "1", "2025-05-04T08:00:00", 10.0)
    second = replace(run("strava", "2", "2025-05-04T08:00:00", 10.0), same_as=("strava:1", "garmin:9"))
    sessions = group_sessions([second, first], {"strava:1": "kept", "strava:2": "kept"})
    assert [[a.key for a in s.activities] for s in sessions] == [["strava:1"], ["strava:2"]]
    assert sessions[0].id == "kept" and sessions[1].id != "kept"  # an id is never given twice


def test_no_distance_matches_on_duration() -> None:
    lift = run("garmin", "g", "2025-05-04T18:00:00", None, minutes=30, sport=Sport.STRENGTH)
    assert copies_match(
        lift, run("strava", "s", "2025-05-04T18:01:00", None, minutes=33, sport=Sport.STRENGTH)
    )
    assert not copies_match(
        lift, run("strava", "s", "2025-05-04T18:01:00", None, minutes=34, sport=Sport.STRENGTH)
    )


def test_two_runs_on_one_day_stay_two_sessions() -> None:
    morning = run("garmin", "g1", "2025-05-04T07:00:00", 8)
    evening = run("garmin", "g2", "2025-05-04T18:00:00", 8)
    assert len(group_sessions([morning, evening])) == 2


def test_correction_on_strava_updates_the_session(store: Store) -> None:
    store.ensure_athlete("sam", "UTC")
    garmin = run("garmin", "g1", "2025-05-04T08:00:00", 10.3, avg_hr=150.0)
    strava = run("strava", "s1", "2025-05-04T08:00:00", 10.3)
    store.upsert_activities([garmin, strava])
    store.upsert_activities([replace(strava, distance_m=10000)])  # the runner fixed the GPS
    [session] = store.sessions("sam")
    assert session.distance_m == 10000
    assert session.avg_hr == 150.0  # numbers Strava lacks still come from the watch


def _activities() -> st.SearchStrategy[list[Activity]]:
    base = run("garmin", "0", "2025-05-01T07:00:00", 10)

    @st.composite
    def build(draw: st.DrawFn) -> list[Activity]:
        out: list[Activity] = []
        for i in range(draw(st.integers(1, 12))):
            start = base.start_utc + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
            km = draw(st.integers(3000, 30000))
            garmin = replace(base, provider_id=f"g{i}", start_utc=start, distance_m=km)
            out.append(garmin)
            if draw(st.booleans()):
                shift = timedelta(seconds=draw(st.integers(-400, 400)))
                out.append(
                    replace(
                        garmin,
                        provider="strava",
                        provider_id=f"s{i}",
                        start_utc=start + shift,
                        distance_m=km + draw(st.integers(-800, 800)),
                    )
                )
        return out

    return build()


@given(_activities(), st.randoms(use_true_random=False))
def test_grouping_is_order_independent(acts: list[Activity], rnd) -> None:
    shuffled = list(acts)
    rnd.shuffle(shuffled)
    assert shape(group_sessions(acts)) == shape(group_sessions(shuffled))


@given(_activities())
def test_every_activity_in_exactly_one_session_one_copy_per_provider(acts: list[Activity]) -> None:
    sessions = group_sessions(acts)
    keys = [a.key for s in sessions for a in s.activities]
    assert sorted(keys) == sorted(a.key for a in acts)
    for s in sessions:
        providers = [a.provider for a in s.activities]
        assert len(providers) == len(set(providers))
        assert all(copies_match(x, y) for x in s.activities for y in s.activities if x is not y)


def test_session_keeps_its_id_when_the_garmin_copy_arrives_later(store: Store) -> None:
    store.ensure_athlete("sam", "UTC")
    strava = run("strava", "s1", "2025-05-04T08:00:00", 10.0)
    store.upsert_activities([strava])
    [first], _ = store.rebuild_sessions("sam")
    store.upsert_activities([run("garmin", "g1", "2025-05-04T08:00:00", 10.0, avg_hr=150.0)])
    [merged], count = store.rebuild_sessions("sam")
    assert count == 1 and len(merged.activities) == 2
    assert merged.id == first.id


def test_a_copy_equally_close_to_two_sessions_joins_the_first() -> None:
    """Ties go to the session that started first in the sorted order (start, rank, id), so
    the grouping never depends on which equal candidate was looked at last."""
    first = run("garmin", "g1", "2025-05-04T08:00:00", 10.0)
    second = run("garmin", "g2", "2025-05-04T08:00:00", 10.0)  # two watches, one start
    copy = run("strava", "s1", "2025-05-04T08:01:00", 10.0)
    for order in ([first, second, copy], [copy, second, first]):
        sessions = group_sessions(order)
        assert sorted(a.key for a in sessions[0].activities) == ["garmin:g1", "strava:s1"]
        assert [a.key for a in sessions[1].activities] == ["garmin:g2"]
