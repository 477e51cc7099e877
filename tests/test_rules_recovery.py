"""Recovery rules pinned at their boundaries with worked examples."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from test_rules_kit import act, at, day, hist, only, run, strength

from syncd.domain import Activity, Severity
from syncd.rules.recovery import (
    BackToBackHard,
    Monotony,
    RunStreak,
    StrengthFrequency,
    nearest_rank,
)


def week(*minutes: int) -> list[Activity]:
    """One run a day from day 0 with these durations (0 = rest day), at 6:00 min/km; a
    zero-load marker the day before starts the history, so leading rest days count."""
    marker = act(at(-1), 1, moving_s=0)
    return [marker, *(act(at(i), m * 1000 // 6, moving_s=m * 60) for i, m in enumerate(minutes) if m)]


def monotony_of(*minutes: int) -> Severity | None:
    f = only(Monotony(), hist(week(*minutes)), day(6))
    return f.severity if f else None


def test_monotony_uses_population_sd_worked_example() -> None:
    # mean 150/7, population variance 63000/343: monotony = sqrt(2.5) = 1.5811 -> info.
    # The sample SD would give sqrt(15/7) = 1.4639: no finding.
    f = only(Monotony(), hist(week(0, 0, 30, 30, 30, 30, 30)), day(6))
    assert f is not None and f.severity is Severity.INFO
    assert f.metrics["monotony"] == pytest.approx(math.sqrt(2.5))
    assert f.metrics["strain"] == pytest.approx(150 * math.sqrt(2.5))
    assert f.metrics["load_kind"] == f.load_kind == "duration"
    assert f.key == "monotony:sam:2026-W02"


def test_monotony_zero_sd_is_inf_and_caution() -> None:
    f = only(Monotony(), hist(week(30, 30, 30, 30, 30, 30, 30)), day(6))
    assert f is not None and f.severity is Severity.CAUTION
    assert f.metrics["monotony"] == math.inf and f.metrics["strain"] == math.inf


def test_monotony_boundaries_and_history_needed() -> None:
    assert monotony_of(0, 0, 15, 20, 20, 25, 25) is Severity.INFO  # exactly 1.5
    assert monotony_of(0, 10, 25, 25, 25, 25, 30) is Severity.INFO  # exactly 2.0: not above
    assert monotony_of(0, 0, 0, 30, 0, 60, 90) is None
    assert only(Monotony(), hist(week(30, 30, 30, 30, 30, 30)), day(4)) is None  # 6 days


def test_nearest_rank_percentile() -> None:
    assert nearest_rank([], 90) == 0
    assert nearest_rank([5], 90) == 5
    assert nearest_rank([1, 2], 90) == 2
    assert nearest_rank(list(range(10, 0, -1)), 90) == 9  # rank ceil(9.0) = 9
    assert nearest_rank([8, 3, 5, 3, 4], 90) == 8  # rank ceil(4.5) = 5


def runs_on_days(days: range | list[int]) -> list[Activity]:
    return [run(i, 5000) for i in days]


def streak_history(old_streak_end: int) -> list[Activity]:
    # earlier streaks 3, 3, 4, 5, 8 in the 84 days before day 100; a 20-day streak ending
    # on `old_streak_end`; the current streak starts on day 100
    days = [
        *range(old_streak_end - 19, old_streak_end + 1),
        20,
        21,
        22,
        30,
        31,
        32,
        *range(40, 44),
        *range(50, 55),
        *range(60, 68),
        *range(100, 112),
    ]
    return runs_on_days(days)


def test_run_streak_personal_p90_worked_example() -> None:
    h = hist(streak_history(old_streak_end=10))  # the 20-day streak ended before the window
    rule = RunStreak()
    assert only(rule, h, day(102)) is None  # 3 days: below min_streak_days
    f = only(rule, h, day(103))
    assert f is not None and f.severity is Severity.INFO
    assert f.metrics == {"streak_days": 4, "rest_days_last_7": 3, "personal_p90_streak": 8}
    f8 = only(rule, h, day(107))
    assert f8 is not None and f8.severity is Severity.INFO  # 8 is not longer than p90 8
    f9 = only(rule, h, day(108))
    assert f9 is not None and f9.severity is Severity.CAUTION
    assert f.key == f8.key == f9.key == f"run_streak:sam:streak-{day(100)}"


def test_run_streak_window_includes_a_streak_ending_84_days_before() -> None:
    h = hist(streak_history(old_streak_end=16))  # day 100 - 84
    f = only(RunStreak(), h, day(108))
    assert f is not None and f.metrics["personal_p90_streak"] == 20
    assert f.severity is Severity.INFO


def test_run_streak_without_earlier_streaks_p90_is_zero() -> None:
    h = hist(runs_on_days(range(7)))
    assert only(RunStreak(), h, day(5)).severity is Severity.INFO  # type: ignore[union-attr]
    f = only(RunStreak(), h, day(6))
    assert f is not None and f.severity is Severity.CAUTION
    assert f.metrics == {"streak_days": 7, "rest_days_last_7": 0, "personal_p90_streak": 0}


def test_back_to_back_hard() -> None:
    h = hist(
        [
            run(0, 5000, rpe=7),
            run(1, 5000, hr_zone45_s=600),
            run(2, 5000, rpe=3),
            run(4, 5000, rpe=9),
            run(6, 5000, rpe=9),
        ]
    )
    f = only(BackToBackHard(), h, day(1))
    assert f is not None and f.severity is Severity.INFO
    assert f.metrics == {"hard_days": f"{day(0)},{day(1)}", "reasons": "rpe,hr_zones_4_5"}
    assert f.key == f"back_to_back_hard:sam:{day(1)}"
    assert [only(BackToBackHard(), h, day(i)) for i in (0, 2, 4, 5, 6)] == [None] * 5


def _even(first: date) -> date:
    return first if first.toordinal() % 2 == 0 else first + timedelta(days=1)


def test_strength_frequency_bands_and_prompt_spacing() -> None:
    rule = StrengthFrequency()
    d = _even(day(20))
    n = (d - day(0)).days
    base = runs_on_days(range(n + 1))
    f = only(rule, hist(base), d)
    assert f is not None and f.severity is Severity.WARNING
    assert f.metrics == {"strength_last_7d": 0, "strength_last_14d": 0, "target_per_week": 2}
    assert only(rule, hist(base), d - timedelta(days=1)) is None  # odd day: no prompt
    one = only(rule, hist([*base, strength(n - 10), strength(n - 3)]), d)
    assert one is not None and one.severity is Severity.CAUTION
    assert one.metrics["strength_last_7d"] == 1 and one.metrics["strength_last_14d"] == 2
    assert only(rule, hist([*base, strength(n - 3), strength(n)]), d) is None
    assert one.key == f"strength_frequency:sam:{d}"


def test_strength_frequency_leaves_inactive_and_new_athletes_alone() -> None:
    rule = StrengthFrequency()
    d = _even(day(40))
    assert only(rule, hist(runs_on_days(range(10)), until=d), d) is None  # no run in 14 days
    d = _even(day(10))
    assert only(rule, hist(runs_on_days(range(12))), d) is None  # under 14 days of history
