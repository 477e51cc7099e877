"""Ramp-up rules pinned at their boundaries with worked examples."""

from __future__ import annotations

import pytest
from test_rules_kit import act, at, day, hist, only, run

from syncd.domain import Activity, Severity, Sport
from syncd.rules.rampup import (
    ReturnFromBreak,
    SessionSpike,
    next_run_cap_km,
)
from syncd.rules.windows import Acwr, WeeklyProgression

SPIKE = SessionSpike()


def stored(*acts: Activity) -> list[Activity]:
    """The activities after a walk 40 days before the first test day: syncd holds 30 days."""
    return [act(at(-40), 3000, sport=Sport.WALK), *acts]


@pytest.mark.parametrize(
    ("metres", "severity"),
    [
        (11_000, None),  # exactly +10 %: none (float division says 10.000000000000002)
        (11_001, Severity.CAUTION),
        (13_000, Severity.CAUTION),  # exactly +30 %
        (13_001, Severity.WARNING),
        (20_000, Severity.WARNING),  # exactly +100 %
        (20_010, Severity.ALERT),  # +100.1 %
        (9_000, None),
    ],
)
def test_spike_bands_are_upper_inclusive(metres: int, severity: Severity | None) -> None:
    h = hist(stored(run(0, 10_000), run(3, metres)))
    f = only(SPIKE, h, day(3))
    assert (f.severity if f else None) == severity
    if f is not None:
        assert f.metrics["pct_over_reference"] == pytest.approx(100 * (metres / 10_000 - 1))
        assert f.metrics["distance_km"] == metres / 1000
        assert f.metrics["reference_km"] == 10.0


def test_spike_worked_example_from_rules_md() -> None:
    ref, long = run(0, 11_000), run(5, 16_000)
    h = hist(stored(ref, long))
    f = only(SPIKE, h, day(5))
    assert f is not None and f.severity is Severity.WARNING
    assert f.metrics == {
        "distance_km": 16.0,
        "reference_km": 11.0,
        "reference_activity": h.runs[0].id,
        "pct_over_reference": pytest.approx(45.4545, abs=1e-4),
        "next_run_cap_km": 17.6,
        "typical_run_km": 11.0,
        "race": False,
        "min_reference_km": 5.0,
        "recovery_first": True,  # a warning: recovery comes first, no bigger number
    }
    assert f.session == h.runs[1].id and f.key == f"session_spike:sam:{h.runs[1].id}"
    assert f.citation == "frandsen2025" and f.day == day(5)


def test_a_reference_under_5_km_counts_as_5_km() -> None:
    # RULES.md: 3.7 km after a 1.6 km longest run is no spike; 6 km after it is +20 % of 5 km
    assert only(SPIKE, hist(stored(run(0, 1_600), run(3, 3_700))), day(3)) is None
    h = hist(stored(run(0, 1_600), run(6, 6_000)))
    f = only(SPIKE, h, day(6))
    assert f is not None and f.severity is Severity.CAUTION
    assert f.metrics["reference_km"] == 1.6 and f.metrics["min_reference_km"] == 5.0
    assert f.metrics["pct_over_reference"] == pytest.approx(20.0)
    assert f.metrics["next_run_cap_km"] == 6.6  # 10 % over the longest run so far, 6 km
    assert "5.0 km" in f.message and "1.6" not in f.message


def test_no_spike_until_syncd_holds_30_days_before_the_run() -> None:
    # the second run of a history, or any run in its first 30 days, is context, not an alarm
    h = hist([run(0, 5_000), run(2, 8_000), run(29, 5_000), run(30, 15_000)])
    assert only(SPIKE, h, day(2)) is None and only(SPIKE, h, day(29)) is None
    assert only(SPIKE, h, day(30)) is not None  # the first activity is exactly 30 days before


def test_spike_after_a_warning_race_or_pain_says_recover_with_the_typical_run() -> None:
    runs = [run(0, 6_000), run(3, 8_000), run(6, 7_000), run(9, 10_000)]
    calm = only(SPIKE, hist(stored(*runs, run(12, 11_500))), day(12))
    assert calm is not None and calm.severity is Severity.CAUTION and not calm.metrics["recovery_first"]
    assert calm.metrics["typical_run_km"] == 7.5  # median of 6, 8, 7, 10
    raced = only(SPIKE, hist(stored(*runs, run(12, 11_500, race=True))), day(12))
    assert raced is not None and raced.metrics["race"] and raced.metrics["recovery_first"]
    sore = [*runs[:3], run(9, 10_000, title="Achilles a bit sore")]
    after_pain = only(SPIKE, hist(stored(*sore, run(12, 11_500))), day(12))
    assert after_pain is not None and after_pain.metrics["recovery_first"]
    for f in (raced, after_pain):
        assert "under" not in f.message and "7.5 km" in f.message


def test_digest_cap_as_of_a_day() -> None:
    h = hist([run(0, 16_000), run(10, 9_000)], until=day(31))
    assert next_run_cap_km(h, day(10)) == 17.6
    assert next_run_cap_km(h, day(29)) == 17.6  # day 0 is the first of the 30 days
    assert next_run_cap_km(h, day(30)) == 9.9
    assert next_run_cap_km(h, day(-1)) == 0.0


def test_reference_exactly_30_days_earlier_is_inside_one_second_more_is_outside() -> None:
    inside = hist(stored(act(at(0), 10_000), act(at(30), 15_000)))
    assert only(SPIKE, inside, day(30)) is not None
    outside = hist(stored(act(at(0), 10_000), act(at(30, seconds=1), 15_000)))
    assert only(SPIKE, outside, day(30)) is None


def test_no_reference_after_30_days_without_running_then_the_first_run_back_is_one() -> None:
    h = hist(stored(run(0, 10_000), run(40, 15_000), run(42, 17_000)))
    assert only(SPIKE, h, day(40)) is None
    back = only(ReturnFromBreak(), h, day(40))
    assert back is not None and back.severity is Severity.CAUTION
    f = only(SPIKE, h, day(42))
    assert f is not None and f.metrics["reference_km"] == 15.0


def test_two_runs_on_one_day_the_second_is_compared_with_the_first() -> None:
    h = hist(stored(run(0, 8_000), act(at(5), 10_000), act(at(5, hours=10), 12_000)))
    morning, evening = SPIKE.evaluate(h, day(5))
    assert morning.metrics["reference_km"] == 8.0 and morning.severity is Severity.CAUTION
    assert evening.metrics["reference_activity"] == h.runs[1].id  # the morning run
    assert evening.metrics["pct_over_reference"] == pytest.approx(20.0)
    assert evening.metrics["next_run_cap_km"] == 13.2


def test_a_run_is_never_its_own_reference_and_equal_starts_are_not_references() -> None:
    h = hist([run(0, 10_000), run(0, 30_000, provider="import")])  # same start, two sessions
    assert len(h.runs) == 2
    for r in h.runs:
        assert h.reference_run(r) is None


def test_suspect_run_is_not_a_reference() -> None:
    fake = act(at(2), 50_000, moving_s=6000)  # 50 km at 2:00 min/km
    h = hist(stored(run(0, 10_000), fake, run(4, 12_000)))
    f = only(SPIKE, h, day(4))
    assert f is not None and f.metrics["reference_km"] == 10.0
    assert only(SPIKE, h, day(2)) is None and len(h.suspects) == 1


def test_spike_thresholds_come_from_config() -> None:
    h = hist(stored(run(0, 10_000), run(3, 11_000)))
    f = only(SessionSpike(SessionSpike.Config(caution_pct=5)), h, day(3))
    assert f is not None and f.severity is Severity.CAUTION


def _weeks(previous_m: int, last_m: int) -> list[Activity]:
    return [run(0, previous_m), run(7, last_m)]


@pytest.mark.parametrize(
    ("w0", "w1", "fires"),
    [
        (4_999, 10_000, False),  # W0 = 4.999 km: under the 5 km floor
        (5_000, 6_500, False),  # exactly +30 %
        (5_000, 6_501, True),
        (10_000, 13_000, False),
        (10_000, 13_001, True),
    ],
)
def test_weekly_progression(w0: int, w1: int, fires: bool) -> None:
    h = hist(_weeks(w0, w1), until=day(13))
    f = only(WeeklyProgression(), h, day(13))
    assert (f is not None) is fires
    if f is not None:
        assert f.severity is Severity.INFO and f.key == "weekly_progression:sam:2026-01-18"
        assert f.metrics == {
            "last_7d_km": w1 / 1000,
            "previous_7d_km": w0 / 1000,
            "pct_change": pytest.approx(100 * (w1 / w0 - 1)),
        }


def test_weekly_progression_speaks_at_most_once_in_any_7_days_across_a_monday() -> None:
    # 10 km a week, then a run every day from Friday day 11: the rise holds from Saturday on
    acts = [run(i, 1_430) for i in range(7)] + [run(i, 3_000) for i in range(11, 22)]
    h = hist(acts, until=day(21))
    fired = [d for d in range(14, 22) if only(WeeklyProgression(), h, day(d))]
    assert fired == [14, 21]  # Monday day 14 is not a fresh start: once in 7 days


def test_window_rules_are_quiet_in_a_week_without_a_run() -> None:
    rides = [act(at(i), 30_000, sport=Sport.CYCLING, moving_s=3600) for i in range(40)]
    h = hist([run(0, 5_000), *rides], until=day(39))
    assert not any(only(r, h, day(39)) for r in (Acwr(), WeeklyProgression()))
    with_run = hist([run(0, 5_000), *rides, run(39, 3_000)], until=day(39))
    assert only(Acwr(), with_run, day(39)) is not None  # the load still counts every sport


def test_weekly_progression_needs_two_full_weeks() -> None:
    h = hist([run(0, 6000), run(7, 10_000)], until=day(12))
    assert only(WeeklyProgression(), h, day(12)) is None


def test_acwr_needs_28_days_and_never_exceeds_info() -> None:
    acts = [run(i, 5000) for i in range(27)] + [run(27, 30_000, moving_s=10_000)]
    h = hist(acts)
    assert only(Acwr(), h, day(26)) is None  # 27 days of history
    f = only(Acwr(), h, day(27))
    assert f is not None and f.severity is Severity.INFO
    assert f.metrics["acwr_ewma"] > 1.3 and f.load_kind == f.metrics["load_kind"] == "duration"
    # rolling uncoupled: last 7 days / (21 days before / 3) = (6*30 + 10000/60) / (21*30/3)
    assert f.metrics["acwr_rolling_uncoupled"] == pytest.approx((180 + 10_000 / 60) / 210)


def test_acwr_ewma_seeded_with_the_first_day() -> None:
    # loads 60, 0, 0, ...: both EWMAs start at 60 and decay by (1 - lambda) a day
    h = hist([act(at(0), 10_000, moving_s=3600), run(27, 1, moving_s=0)])
    acute = 60 * (1 - 2 / 8) ** 27
    chronic = 60 * (1 - 2 / 29) ** 27
    f = only(Acwr(), h, day(27))
    assert f is not None and f.metrics["acwr_ewma"] == pytest.approx(acute / chronic)
    assert f.metrics["acwr_rolling_uncoupled"] == 0.0


@pytest.mark.parametrize(
    ("gap_days", "severity"), [(6, None), (7, Severity.INFO), (30, Severity.INFO), (31, Severity.CAUTION)]
)
def test_return_from_break(gap_days: int, severity: Severity | None) -> None:
    h = hist([run(-20, 6000), run(-10, 9000), run(0, 8000), run(gap_days, 5000)])
    f = only(ReturnFromBreak(), h, day(gap_days))
    assert (f.severity if f else None) == severity
    if f is not None:
        assert f.metrics == {
            "days_since_previous_run": gap_days,
            "typical_run_km_before_break": 8.0,
        }  # median of 6, 9, 8
        assert f.session == h.runs[-1].id


def test_return_from_break_caution_matches_the_spike_window_to_the_second() -> None:
    h = hist([act(at(0), 8000), act(at(30), 5000)])
    assert only(ReturnFromBreak(), h, day(30)).severity is Severity.INFO  # type: ignore[union-attr]
    h = hist([act(at(0), 8000), act(at(30, seconds=1), 5000)])
    assert only(ReturnFromBreak(), h, day(30)).severity is Severity.CAUTION  # type: ignore[union-attr]


def test_return_from_break_only_on_the_first_run_back_never_on_the_first_run_ever() -> None:
    h = hist([run(0, 5000), act(at(9), 5000), act(at(9, hours=8), 5000)])
    assert only(ReturnFromBreak(), h, day(0)) is None
    f = only(ReturnFromBreak(), h, day(9))
    assert f is not None and f.session == h.runs[1].id
