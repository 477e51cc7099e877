"""Builders for test data."""

from __future__ import annotations

from datetime import UTC, datetime

from syncd.domain import Activity
from syncd.sports import Sport


def run(
    provider: str,
    pid: str,
    start: str,
    km: float | None,
    *,
    minutes: float = 50,
    athlete: str = "sam",
    sport: Sport = Sport.RUN,
    **extra: object,
) -> Activity:
    """A run starting at ISO `start` (UTC if no offset) of `km` kilometres."""
    when = datetime.fromisoformat(start)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return Activity(
        provider=provider,
        provider_id=pid,
        athlete=athlete,
        start_utc=when,
        sport=sport,
        distance_m=None if km is None else round(km * 1000),
        moving_s=round(minutes * 60),
        elapsed_s=round(minutes * 60) + 60,
        **extra,
    )  # type: ignore[arg-type]
