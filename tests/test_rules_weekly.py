"""Window rules speak once a period (an ISO week, or 7 days), and again only when severity rises."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from factories import run

from syncd.domain import Severity
from syncd.history import Profile, build_history
from syncd.merge import group_sessions
from syncd.registry import evaluate_range
from syncd.rules.recovery import Monotony
from syncd.rules.windows import Acwr, WeeklyProgression


def history(days: list[tuple[date, float]]):  # type: ignore[no-untyped-def]
    acts = [
        run("garmin", f"g{i}", f"{d.isoformat()}T07:00:00", km, minutes=km * 6)
        for i, (d, km) in enumerate(days)
    ]
    return build_history(group_sessions(acts), Profile())


def test_weekly_progression_is_raised_once_in_seven_days_while_the_rise_holds() -> None:
    start = date(2026, 3, 2)  # a Monday
    easy = [(start + timedelta(days=i), 5.0) for i in range(0, 14, 2)]  # 5 km every other day
    build_up = [(start + timedelta(days=14 + i), 8.0) for i in range(14)]  # then 8 km daily
    h = history(easy + build_up)
    rule = WeeklyProgression()
    holds = [d for d in (start + timedelta(days=14 + i) for i in range(14)) if rule._holds(h, d)]
    assert len(holds) >= 8  # the condition holds on many days, across a Monday
    findings, _ = evaluate_range([rule], h, start + timedelta(days=14), start + timedelta(days=27))
    days = [f.day for f in findings]
    assert days[0] == holds[0] and all((b - a).days >= 7 for a, b in itertools.pairwise(days))


def test_severity_rise_in_the_same_week_is_raised_again() -> None:
    start = date(2026, 3, 2)
    same_every_day = [(start + timedelta(days=i), 6.0 + (0.5 if i % 2 else 0)) for i in range(16)]
    h = history(same_every_day)
    rule = Monotony()
    findings, _ = evaluate_range([rule], h, start + timedelta(days=7), start + timedelta(days=15))
    by_week: dict[str, list[Severity]] = {}
    for f in findings:
        by_week.setdefault(f.key, []).append(f.severity)
    for severities in by_week.values():
        assert severities == sorted(set(severities))  # each repeat is a rise, never the same level


def test_acwr_once_a_week_and_never_above_info() -> None:
    start = date(2026, 1, 5)
    h = history([(start + timedelta(days=i), 5.0 + (i % 3)) for i in range(70)])
    findings, _ = evaluate_range([Acwr()], h, start, start + timedelta(days=69))
    weeks = [f.key for f in findings]
    assert len(weeks) == len(set(weeks)) >= 5
    assert all(f.severity is Severity.INFO for f in findings)
