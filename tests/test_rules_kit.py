"""Shared builders for the history and rule tests (no tests of its own)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncd.domain import Activity, Finding, Sport
from syncd.history import History, Profile, build_history
from syncd.merge import group_sessions
from syncd.rules.base import Rule, WeeklyRule

T0 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday, 07:00 UTC
D0 = T0.date()
UTC_PROFILE = Profile(timezone="UTC")
_ids = itertools.count()

#: Metric names per rule, copied from RULES.md (not from the code).
RULES_MD_METRICS = {
    "session_spike": {
        "distance_km",
        "reference_km",
        "reference_activity",
        "pct_over_reference",
        "next_run_cap_km",
        "typical_run_km",
        "race",
        # added by syncd: the floor compared with, and whether the advice is to recover first
        "min_reference_km",
        "recovery_first",
    },
    "weekly_progression": {"last_7d_km", "previous_7d_km", "pct_change"},
    "acwr": {"acwr_ewma", "acwr_rolling_uncoupled", "load_kind"},
    "return_from_break": {"days_since_previous_run", "typical_run_km_before_break"},
    "monotony": {"monotony", "strain", "load_kind"},
    "run_streak": {"streak_days", "rest_days_last_7", "personal_p90_streak"},
    "back_to_back_hard": {"hard_days", "reasons"},
    "strength_frequency": {
        "strength_last_7d",
        "strength_last_14d",
        "target_per_week",
        # added by syncd: how the weekly cadence learns to be quiet, and the knee-gentle session
        "prompt_streak",
        "quiet_next",
        "digest_only",
        "gentle",
    },
    "pain_reported": {"matched_text", "activity", "site"},
    "knee_check": {
        "pain_during",
        "next_morning",
        "days_active",
        "checkins",
        # added by syncd: the question asked or the advice given
        "ask",
        "advice",
    },
}


def at(days: float = 0, **delta: float) -> datetime:
    """T0 plus `days` days and any other timedelta parts."""
    return T0 + timedelta(days=days, **delta)


def day(n: int) -> date:
    """D0 plus `n` days."""
    return D0 + timedelta(days=n)


def act(
    start: datetime,
    metres: int | None = None,
    *,
    sport: Sport = Sport.RUN,
    provider: str = "garmin",
    moving_s: int | None = None,
    **fields: Any,
) -> Activity:
    """An activity; runs default to a 6:00 min/km pace, others to 30 minutes."""
    if moving_s is None:
        moving_s = metres * 360 // 1000 if metres else 1800
    return Activity(
        provider=provider,
        provider_id=f"{provider[0]}{next(_ids)}",
        athlete="sam",
        start_utc=start,
        sport=sport,
        distance_m=metres,
        moving_s=moving_s,
        **fields,
    )


def run(days: float, metres: int, **fields: Any) -> Activity:
    """A run starting `days` days after T0."""
    return act(at(days), metres, **fields)


def strength(days: float, **fields: Any) -> Activity:
    """A 30-minute strength session `days` days after T0, in the afternoon."""
    return act(at(days, hours=9), sport=Sport.STRENGTH, **fields)


def hist(acts: Iterable[Activity], profile: Profile = UTC_PROFILE, until: date | None = None) -> History:
    """The History of activities merged into sessions."""
    return build_history(group_sessions(acts), profile, until=until)


def only(rule: Rule, history: History, on: date) -> Finding | None:
    """The single finding of `rule` on `on`, or None; fails when there are several.

    For a weekly rule this is the window's finding on that day before the once-a-week
    de-duplication (tested on its own in test_rules_weekly.py)."""
    if isinstance(rule, WeeklyRule):
        day_finding = rule.evaluate_day(history, on)
        return day_finding
    found = rule.evaluate(history, on)
    assert len(found) <= 1, found
    return found[0] if found else None
