"""Sending the weekly digest: once per athlete and ISO week, to every push channel.

The state records each week's digest as sent, so a restart, a missed run or a coalesced
job never sends it twice. The chart is attached where the service takes attachments.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.config import AthleteConfig
from syncd.errors import DeliveryFailed
from syncd.ledger import findings_between
from syncd.notifiers.base import Message

if TYPE_CHECKING:
    from syncd.engine import Context

log = logging.getLogger(__name__)


def digest_schedule(athlete: AthleteConfig) -> tuple[str, int, int]:
    """(weekday, hour, minute) of the athlete's digest, e.g. ('sun', 19, 0)."""
    day, clock = athlete.digest.split()
    hour, minute = clock.split(":")
    return day, int(hour), int(minute)


def folded_between(ctx: Context, athlete: str, first: date, last: date) -> list[str]:
    """Keys of findings whose push was folded into the digest (daily cap, spacing)."""
    rows = ctx.store.conn.execute(
        "SELECT DISTINCT f.key FROM deliveries d JOIN findings f ON f.key = d.finding_key "
        "WHERE f.athlete = ? AND d.status = 'folded' AND f.day BETWEEN ? AND ?",
        (athlete, first.isoformat(), last.isoformat()),
    )
    return [r[0] for r in rows]


def send_digest(ctx: Context, athlete: AthleteConfig, day: date) -> bool:
    """Send the digest of the week ending on `day` unless it went out already; True if sent."""
    from syncd.coach.chart import matplotlib_available, render_png
    from syncd.coach.digest import build_digest
    from syncd.engine import profile_of
    from syncd.history import build_history

    year, week, _ = day.isocalendar()
    marker = f"digest:{athlete.name}:{year}-W{week:02d}"
    if ctx.store.provider_value("syncd", marker):
        return False
    history = build_history(ctx.store.sessions(athlete.name), profile_of(ctx.config, athlete), until=day)
    findings = findings_between(ctx.store, athlete.name, day - timedelta(weeks=12), day)
    folded_keys = set(folded_between(ctx, athlete.name, day - timedelta(days=6), day))
    folded = [f for f in findings if f.key in folded_keys]
    digest = build_digest(
        history, findings, athlete=athlete.name, day=day, units=athlete.units, folded=folded
    )
    if ctx.dry_run:
        print(f"[dry run] weekly digest for {athlete.name}:\n{digest.title}\n{digest.text}")
        return False
    with tempfile.TemporaryDirectory(prefix="syncd-digest-") as tmp:
        chart = None
        if matplotlib_available():
            chart = str(render_png(digest, Path(tmp) / f"syncd-{athlete.name}-{day}.png"))
        message = Message(athlete.name, digest.title, digest.text, "low", marker, attach=chart)
        failed = []
        for notifier in ctx.notifiers(athlete):
            try:
                notifier.send(message)
            except DeliveryFailed as exc:
                failed.append(notifier.channel)
                log.warning("%s: weekly digest via %s failed: %s", athlete.name, notifier.channel, exc)
    if failed and len(failed) == len(ctx.notifiers(athlete)):
        return False  # nothing got through: the next run tries again
    ctx.store.set_provider_value("syncd", marker, {"sent_at": datetime.now().isoformat(), "failed": failed})
    return True
