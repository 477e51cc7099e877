"""The strength session a strength prompt offers, the same in its note and its push."""

from __future__ import annotations

from datetime import date

from syncd.coach.session import StrengthSession, offered_session
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.engine.context import Context


def strength_for(athlete: AthleteConfig, day: date, *, gentle: bool = False) -> StrengthSession:
    """The strength session offered on `day` with the athlete's options: deterministic for
    athlete and day (`gentle`: the knee-friendly one after knee pain)."""
    options = athlete.strength
    return offered_session(
        athlete.name, day, minutes=options.minutes, exclude=frozenset(options.exclude), gentle=gentle
    )


def session_for(ctx: Context, athlete: AthleteConfig, finding: Finding) -> StrengthSession | None:
    """The session `finding` carries, if its rule offers one (`Rule.offers_session`)."""
    if not ctx.rule_class(finding.rule).offers_session:
        return None
    return strength_for(athlete, finding.day, gentle=bool(finding.metrics.get("gentle")))


def session_of(ctx: Context, athlete: AthleteConfig, findings: list[Finding]) -> StrengthSession | None:
    """The strength session the first finding that offers one carries (None: no such finding)."""
    for f in findings:
        session = session_for(ctx, athlete, f)
        if session is not None:
            return session
    return None
