"""The strength session a strength prompt offers, the same in its note and its push."""

from __future__ import annotations

from datetime import date

from syncd.coach.session import StrengthSession, offered_session
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.engine.context import Context


def strength_for(athlete: AthleteConfig, day: date) -> StrengthSession:
    """The strength session offered on `day`: deterministic for athlete and day, and never
    the same squat as the session offered on the previous possible prompt day."""
    options = athlete.strength
    return offered_session(athlete.name, day, minutes=options.minutes, exclude=frozenset(options.exclude))


def session_of(ctx: Context, athlete: AthleteConfig, findings: list[Finding]) -> StrengthSession | None:
    """The strength session the first finding that offers one carries (None: no such finding)."""
    for f in findings:
        if ctx.rule_class(f.rule).offers_strength_session:
            return strength_for(athlete, f.day)
    return None
