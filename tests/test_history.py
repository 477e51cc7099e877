"""History: day index, local days, loads (worked by hand), suspect runs, incremental helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from test_rules_kit import UTC_PROFILE, act, at, day, hist, run, strength

from syncd.domain import CheckIn
from syncd.history import Profile, build_history, first_changed_day, session_load
from syncd.merge import group_sessions

REST, TOP = 50, 190


def test_day_index_is_complete_and_days_without_activity_are_zero() -> None:
    h = hist([run(0, 5000), run(10, 7000), strength(4)])
    assert (h.first, h.last, h.n_days) == (day(0), day(10), 11)
    assert h.run_m(day(9), 9) == 0
    assert h.run_m(day(10), 11) == 12000
    assert isinstance(h.run_m(day(10), 11), int)
    assert h.daily_loads(day(10), 11) == [30.0, 0, 0, 0, 30.0, 0, 0, 0, 0, 0, 42.0]
    assert h.daily_loads(day(1), 4) == [0.0, 0.0, 30.0, 0.0]  # before the index: zero
    assert h.strength_count(day(10), 7) == 1 and h.strength_count(day(10), 6) == 0


def test_until_extends_the_index_and_later_days_are_refused() -> None:
    h = hist([run(0, 5000)], until=day(5))
    assert h.days_known(day(5)) == 6 and h.days_known(day(-3)) == 0
    with pytest.raises(ValueError, match="until="):
        h.days_known(day(6))


def test_local_day_follows_the_athletes_time_zone() -> None:
    late = act(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), 5000)
    assert hist([late]).first == datetime(2026, 3, 1).date()
    amsterdam = hist([late], Profile(timezone="Europe/Amsterdam"))
    assert amsterdam.first == datetime(2026, 3, 2).date()  # 00:30 local


def test_profile_refuses_unknown_zone_sex_and_inverted_hr() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Profile(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="sex"):
        Profile(sex="other")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rest_hr"):
        Profile(rest_hr=190, max_hr=50)


def _load(profile: Profile, **fields: Any) -> tuple[float, str]:
    (s,) = group_sessions([act(at(0), 10000, moving_s=3600, **fields)])
    return session_load(s, profile)


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        # 60 min, avg 150, rest 50, max 190: HRr = 100/140 = 0.714286
        ("male", 108.0954),  # 60 * 0.714286 * 0.64 * e^(1.92 * 0.714286 = 1.371429 -> 3.940977)
        ("female", 121.4991),  # 60 * 0.714286 * 0.86 * e^(1.67 * 0.714286 = 1.192857 -> 3.296486)
        (None, 115.8543),  # 60 * 0.714286 * 0.75 * e^(1.795 * 0.714286 = 1.282143 -> 3.604355)
    ],
)
def test_trimp_worked_by_hand(sex: str | None, expected: float) -> None:
    load, kind = _load(Profile(sex=sex, rest_hr=REST, max_hr=TOP), avg_hr=150)  # type: ignore[arg-type]
    assert kind == "trimp"
    assert load == pytest.approx(expected, abs=1e-4)


def test_trimp_clamps_hr_below_rest_to_zero_load() -> None:
    assert _load(Profile(sex="male", rest_hr=REST, max_hr=TOP), avg_hr=40) == (0.0, "trimp")


def test_load_prefers_rpe_then_trimp_then_duration() -> None:
    p = Profile(sex="male", rest_hr=REST, max_hr=TOP)
    assert _load(p, avg_hr=150, rpe=5) == (300.0, "session_rpe")
    assert _load(Profile(sex="male"), avg_hr=150) == (60.0, "duration")  # no rest/max HR


def test_window_load_kind_is_the_kind_with_most_load_ties_to_the_richer() -> None:
    p = Profile(rest_hr=REST, max_hr=TOP)
    h = build_history(
        group_sessions(
            [
                act(at(0), 5000, moving_s=3600, rpe=2),  # 120 session_rpe
                act(at(1), 5000, moving_s=3600),  # 60 duration
                act(at(2), 5000, moving_s=3600),  # 60 duration
                act(at(3), 5000, moving_s=3600),  # 60 duration -> 180 > 120
            ]
        ),
        p,
    )
    assert h.load_kind(day(3), 4) == "duration"
    assert h.load_kind(day(2), 3) == "session_rpe"  # 120 vs 120: the richer kind wins
    assert h.load_kind(day(0), 1) == "session_rpe"
    assert h.load_kind(day(-5), 2) == "duration"  # empty window


@pytest.mark.parametrize(
    ("metres", "seconds", "suspect"),
    [
        (50_000, 6000, True),  # 2:00 min/km over 50 km
        (1000, 120, False),  # 2:00 min/km but not more than 1 km
        (1001, 120, True),  # just over 1 km
        (10_000, 1500, False),  # exactly 2:30 min/km is not faster than 2:30
        (10_000, 1499, True),
        (1000, 1200, False),  # exactly 20 min/km is not slower
        (1000, 1201, True),
        (100_000, 43_201, False),  # longer than 12 h: an ultra is real (RULES.md)
        (99_900, 70_560, False),  # 99.9 km in 19.6 h, 11:46 min/km
    ],
)
def test_suspect_runs_are_listed_and_excluded(metres: int, seconds: int, suspect: bool) -> None:
    h = hist([act(at(0), metres, moving_s=seconds)])
    assert (len(h.suspects) == 1) is suspect
    assert (len(h.runs) == 0) is suspect
    assert h.run_m(day(0), 1) == (0 if suspect else metres)
    assert h.daily_loads(day(0), 1)[0] == (0.0 if suspect else seconds / 60)
    if suspect:
        assert h.suspects[0].suspect and h.sessions_on(day(0), include_suspect=True)


def test_pace_is_judged_on_moving_time_so_a_watch_left_running_is_counted() -> None:
    # 10 km in 50 min of moving time, the watch stopped four hours later: 29 min/km elapsed
    h = hist([act(at(0), 10_000, moving_s=3000, elapsed_s=4 * 3600 + 3000)])
    assert not h.suspects and h.run_m(day(0), 1) == 10_000


def test_without_moving_time_elapsed_time_can_only_show_a_run_too_fast() -> None:
    too_fast = replace(act(at(0), 10_000, elapsed_s=1200), moving_s=None)  # 2:00 min/km elapsed
    slow_on_elapsed = replace(act(at(1), 5_000, elapsed_s=5 * 3600), moving_s=None)  # the watch ran on
    h = hist([too_fast, slow_on_elapsed])
    assert [f.session.activities[0].key for f in h.suspects] == [too_fast.key]
    assert h.run_m(day(1), 1) == 5_000


def test_the_runner_can_confirm_a_suspect_run_or_leave_a_run_out() -> None:
    fast = act(at(0), 10_000, moving_s=1400)  # 2:20 min/km
    ordinary = act(at(1), 8_000)
    said = datetime(2026, 2, 1, tzinfo=UTC)
    real = CheckIn("sam", "real", day(0), said, about=fast.key)
    out = CheckIn("sam", "left_out", day(1), said, about=ordinary.key)
    sessions = group_sessions([fast, ordinary])
    h = build_history(sessions, UTC_PROFILE, checkins=[real, out])
    assert h.run_m(day(0), 1) == 10_000 and not h.run_m(day(1), 1)
    assert [f.suspect for f in h.suspects] == ["you marked it as not a run to count"]
    undo = CheckIn("sam", "left_out", day(0), said.replace(day=2), about=fast.key)
    later = build_history(sessions, UTC_PROFILE, checkins=[real, out, undo], previous=h)
    assert later.run_m(day(0), 1) == 0  # the latest word wins, and the cache does not hide it


def test_strength_marked_done_counts_once_a_day_beside_logged_sessions() -> None:
    said = datetime(2026, 2, 1, tzinfo=UTC)
    done = [CheckIn("sam", "strength_done", day(d), said) for d in (2, 2, 4)]
    h = build_history(group_sessions([run(0, 5000), strength(4), run(6, 5000)]), UTC_PROFILE, checkins=done)
    assert h.strength_count(day(6), 7) == 2  # day 2 once, day 4 logged and marked: once


def test_suspect_thresholds_are_configurable() -> None:
    p = Profile(suspect_fastest_s_per_km=100)
    assert not hist([act(at(0), 50_000, moving_s=6000)], p).suspects


def test_hard_day_reasons() -> None:
    p = Profile(max_hr=200)
    h = build_history(
        group_sessions(
            [
                act(at(0), 5000, rpe=7),
                act(at(1), 5000, rpe=6),
                act(at(2), 5000, hr_zone45_s=600),
                act(at(3), 5000, hr_zone45_s=599),
                act(at(4), 5000, moving_s=1200, avg_hr=176),  # 88 % of 200 for 20 min
                act(at(5), 5000, moving_s=1199, avg_hr=176),
                act(at(6), 5000, moving_s=1200, avg_hr=175.9),
            ]
        ),
        p,
    )
    assert [h.hard_reasons(day(i)) for i in range(7)] == [
        ("rpe",),
        (),
        ("hr_zones_4_5",),
        (),
        ("avg_hr_88pct",),
        (),
        (),
    ]


def test_effort_top_20_percent_of_12_weeks_needs_ten_scores() -> None:
    scores = [10, 20, 30, 40, 50, 60, 70, 80, 90]
    acts = [run(i, 5000, effort_score=s) for i, s in enumerate(scores)]
    h = hist([*acts, run(9, 5000, effort_score=95)])
    assert h.hard_reasons(day(8)) == ()  # 9 scores: too few to rank
    assert h.hard_reasons(day(9)) == ("effort_top_20pct",)  # 0 of 10 above it
    h = hist([*acts, run(9, 5000, effort_score=85)])
    assert h.hard_reasons(day(9)) == ("effort_top_20pct",)  # 1 of 10 above: 10 % < 20 %
    h = hist([*acts, run(9, 5000, effort_score=75)])
    assert h.hard_reasons(day(9)) == ()  # 2 of 10 above: not fewer than a fifth


def test_evaluation_of_a_day_ignores_later_days() -> None:
    early = [run(i, 5000 + 100 * i, effort_score=i, rpe=1 + i % 9) for i in range(0, 40, 2)]
    later = [run(i, 9000, effort_score=99, rpe=9) for i in range(40, 60)]
    a, b = hist(early, until=day(39)), hist(early + later)
    for i in range(40):
        d = day(i)
        assert a.daily_loads(d, 28) == b.daily_loads(d, 28)
        assert a.ewma(d, 7) == b.ewma(d, 7) and a.ewma(d, 28) == b.ewma(d, 28)
        assert a.hard_reasons(d) == b.hard_reasons(d)
        assert a.streak(d) == b.streak(d) and a.run_days(d, 7) == b.run_days(d, 7)


def test_previous_history_reuse_gives_the_same_history() -> None:
    acts = [run(i, 5000 + i, avg_hr=150) for i in range(30)] + [strength(3)]
    old = build_history(group_sessions(acts[:-5]), UTC_PROFILE)
    fresh = build_history(group_sessions(acts), UTC_PROFILE)
    reused = build_history(group_sessions(acts), UTC_PROFILE, previous=old)
    assert reused.sessions == fresh.sessions
    assert reused.daily_loads(day(29), 30) == fresh.daily_loads(day(29), 30)


def test_first_changed_day() -> None:
    acts = [run(i, 5000) for i in range(10)]
    old = group_sessions(acts)
    assert first_changed_day(old, old, UTC_PROFILE) is None
    edited = [*acts[:7], act(at(7), 5200), *acts[8:]]  # an edit three days ago
    assert first_changed_day(old, group_sessions(edited), UTC_PROFILE) == day(7)
    assert first_changed_day(old, group_sessions([*acts, run(12, 1)]), UTC_PROFILE) == day(12)
    assert first_changed_day(old, group_sessions(acts[:3] + acts[4:]), UTC_PROFILE) == day(3)


def test_history_refuses_two_athletes() -> None:
    other = replace(act(at(1), 5000), athlete="kim")
    with pytest.raises(ValueError, match="one athlete"):
        hist([run(0, 5000), other])


def test_empty_history_answers_zero() -> None:
    h = build_history([], UTC_PROFILE)
    assert h.n_days == 0 and h.days_known(day(0)) == 0 and h.runs_on(day(0)) == []
    assert h.ewma(day(0), 7) == 0.0 and h.sessions == ()
