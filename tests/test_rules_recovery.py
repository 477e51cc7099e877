"""Recovery rules pinned at their boundaries with worked examples."""

from __future__ import annotations

import math

import pytest
from test_rules_kit import UTC_PROFILE, act, at, day, hist, only, run, strength

from syncd.domain import Activity, CheckIn, Finding, Severity, Sport
from syncd.history import build_history
from syncd.merge import group_sessions
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


def runs_on_days(days: range | list[int], metres: int = 5000) -> list[Activity]:
    return [run(i, metres) for i in days]


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


def _prompts(acts: list[Activity], last: int, checkins: tuple[CheckIn, ...] = ()) -> dict[int, Finding]:
    """The strength prompts of days 0..last, by day number."""
    h = build_history(group_sessions(acts), UTC_PROFILE, until=day(last), checkins=checkins)
    rule = StrengthFrequency()
    return {n: f for n in range(last + 1) for f in rule.evaluate(h, day(n))}


EVERY_OTHER_DAY = runs_on_days(range(0, 84, 2))  # 12 weeks of running, day 0 a Monday


def test_strength_prompt_is_a_caution_once_per_iso_week_on_its_first_day() -> None:
    prompts = _prompts(EVERY_OTHER_DAY, 41)
    assert sorted(prompts) == [14, 21, 28, 35]  # once 14 complete days are known, every Monday
    f = prompts[14]
    assert f.severity is Severity.CAUTION and f.key == "strength_frequency:sam:2026-W04"
    assert f.metrics == {
        "strength_last_7d": 0,
        "strength_last_14d": 0,
        "target_per_week": 2,
        "prompt_streak": 1,
        "quiet_next": False,
        "digest_only": False,
        "gentle": False,
    }


def test_strength_prompt_speaks_on_monday_about_the_week_before_never_on_a_mid_week_dip() -> None:
    prompts = _prompts([*EVERY_OTHER_DAY, strength(12), strength(13)], 27)
    # two sessions the weekend before day 14: no prompt that week, though the rolling count dips
    assert [n for n in sorted(prompts) if n >= 14] == [21]
    assert prompts[21].metrics["strength_last_7d"] == 0


def test_strength_marked_done_counts_like_a_logged_session() -> None:
    said = at(13, hours=12)
    done = (CheckIn("sam", "strength_done", day(12), said), CheckIn("sam", "strength_done", day(13), said))
    assert [n for n in sorted(_prompts(EVERY_OTHER_DAY, 27, done)) if n >= 14] == [21]


def test_strength_prompts_learn_to_be_quiet_and_come_back_with_a_session() -> None:
    prompts = _prompts(EVERY_OTHER_DAY, 62)
    streaks = [
        (n, f.metrics["prompt_streak"], f.metrics["quiet_next"], f.metrics["digest_only"])
        for n, f in sorted(prompts.items())
    ]
    assert streaks == [
        (14, 1, False, False),
        (21, 2, False, False),
        (28, 3, False, False),
        (35, 4, True, False),  # the last one pushed says the next ones come with the digest
        (42, 5, False, True),
        (49, 5, False, True),
        (56, 5, False, True),
    ]
    # a session after weeks without: one prompt comes back (pushed, saying the digest follows) ...
    back = _prompts([*EVERY_OTHER_DAY, strength(51)], 70)
    assert back[56].metrics["prompt_streak"] == 4 and not back[56].metrics["digest_only"]
    assert back[56].metrics["quiet_next"]
    assert back[63].metrics["digest_only"]  # ... and, let pass too, the digest again
    # a runner who restarts before going quiet starts the count afresh
    early = _prompts([*EVERY_OTHER_DAY, strength(30)], 50)
    assert [early[n].metrics["prompt_streak"] for n in (14, 21, 28, 35, 42, 49)] == [1, 2, 3, 1, 2, 3]


def test_a_break_from_running_does_not_bring_the_prompts_back_only_strength_does() -> None:
    # runs until day 20, none from day 21 to 49 (no prompts from day 35), runs again from 50
    acts = [r for r in EVERY_OTHER_DAY if r.start_utc < at(22)]
    acts += [run(d, 5000) for d in (50, 52, 54, 56, 58, 60)]
    prompts = _prompts(acts, 63)
    streaks = [(n, f.metrics["prompt_streak"]) for n, f in sorted(prompts.items())]
    assert streaks == [(14, 1), (21, 2), (28, 3), (56, 4), (63, 5)]  # the count goes on after the break


def test_one_session_a_week_below_the_aim_also_goes_quiet_until_a_week_at_the_aim() -> None:
    weekly = [strength(d) for d in range(2, 84, 7)]  # every Wednesday, one session
    prompts = _prompts([*EVERY_OTHER_DAY, *weekly], 83)
    quiet = [n for n, f in sorted(prompts.items()) if f.metrics["digest_only"]]
    assert [n for n, f in sorted(prompts.items()) if f.metrics["quiet_next"]] == [35]
    assert quiet == [42, 49, 56, 63, 70, 77]
    picked_up = _prompts([*EVERY_OTHER_DAY, *weekly, strength(52)], 83)  # two in the week of day 49
    assert [n for n, f in sorted(picked_up.items()) if f.metrics["digest_only"]] == [42, 49]
    assert 56 not in picked_up and picked_up[63].metrics["prompt_streak"] == 1  # at the aim, then back


@pytest.mark.parametrize(
    "moment",
    [
        run(13, 6000, race=True),  # a race on Sunday
        run(13, 6000, title="calf a bit sore"),  # a pain mention
        run(13, 12_000),  # +100 % on the 6 km runs: a warning spike
    ],
)
def test_no_strength_prompt_in_the_48_hours_after_a_race_pain_or_big_spike(moment: Activity) -> None:
    acts = [run(-40, 3000, sport=Sport.WALK), *runs_on_days(range(0, 13, 2), 6000), moment, run(15, 6000)]
    assert [n for n in sorted(_prompts(acts, 20)) if n >= 14] == []  # Monday is for recovery
    calm = [a for a in acts if a is not moment]
    assert [n for n in sorted(_prompts(calm, 20)) if n >= 14] == [14]


def test_strength_prompt_needs_two_runs_in_14_days_and_respects_not_this_week() -> None:
    few = [run(0, 5000), run(1, 5000), run(10, 5000), act(at(16), 5000, sport=Sport.WALK)]
    assert sorted(_prompts(few, 27)) == [14]  # from day 25 on: one run in the 14 days before
    skip = (CheckIn("sam", "strength_skip_week", day(14), at(14, hours=1)),)
    assert sorted(_prompts(EVERY_OTHER_DAY, 27, skip)) == [21]


def test_after_knee_pain_the_session_is_the_gentle_one_until_the_knee_settles() -> None:
    sore = [*EVERY_OTHER_DAY, run(19, 5000, description="left knee sore")]
    prompts = _prompts(sore, 41)
    assert 21 not in prompts  # two days after the mention: recovery first
    assert [n for n, f in sorted(prompts.items()) if f.metrics["gentle"]] == [28]
    settled = (CheckIn("sam", "knee_settled", day(25), at(25, hours=3)),)
    assert [n for n, f in sorted(_prompts(sore, 41, settled).items()) if f.metrics["gentle"]] == []


def test_strength_frequency_leaves_inactive_and_new_athletes_alone() -> None:
    rule = StrengthFrequency()
    assert only(rule, hist(runs_on_days(range(10)), until=day(42)), day(42)) is None  # not running
    assert only(rule, hist(runs_on_days(range(12))), day(7)) is None  # under 14 days of history
