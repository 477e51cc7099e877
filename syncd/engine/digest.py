"""Sending the weekly digest: once per athlete and ISO week, to every push channel.

The state records each week's digest as sent, so a restart, a missed run or a coalesced
job never sends it twice. The chart is attached where the service takes attachments.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from syncd.config import AthleteConfig
from syncd.engine.context import Context, profile_of
from syncd.engine.notices import is_notice
from syncd.errors import DeliveryFailed, SyncdError
from syncd.notifiers.base import Message
from syncd.rules.base import Rule
from syncd.store.ledger import findings_between, folded_between

log = logging.getLogger(__name__)


def digest_schedule(athlete: AthleteConfig) -> tuple[str, int, int]:
    """(weekday, hour, minute) of the athlete's digest, e.g. ('sun', 19, 0)."""
    day, clock = athlete.digest.split()
    hour, minute = clock.split(":")
    return day, int(hour), int(minute)


def digest_cap_pct(rules: list[Rule], default: int = 10) -> int:
    """The "keep the next runs under" cap the digest quotes: the setting named by the first
    enabled rule whose class sets `digest_cap_setting`, else `default`."""
    for rule in rules:
        if rule.digest_cap_setting is not None:
            return int(getattr(rule.config, rule.digest_cap_setting))
    return default


def _page_link(ctx: Context, athlete: AthleteConfig) -> str | None:
    """A link to the runner's page for the digest (None without `[daemon] public_url`)."""
    if not ctx.config.daemon.public_url or ctx.dry_run or not ctx.store.signs_links:
        return None  # a dry run or a replay signs nothing (and creates no key)
    from syncd.web.keys import state_key
    from syncd.web.links import page_link

    try:  # the key kept with this state's tokens
        return page_link(ctx.config, athlete.name, ctx.now(), key=state_key(ctx.store.token_state))
    except SyncdError as exc:
        log.warning("%s: digest without a link to the page: %s", athlete.name, exc)
        return None


def send_digest(ctx: Context, athlete: AthleteConfig, day: date) -> bool:
    """Send the digest of the week ending on `day` unless it went out already; True if sent."""
    from syncd.coach.chart import matplotlib_available, render_png
    from syncd.coach.digest import build_digest, should_send
    from syncd.evaluation import stored_history

    year, week, _ = day.isocalendar()
    marker = f"digest:{year}-W{week:02d}"
    if ctx.store.engine_value(athlete.name, marker):
        return False
    history = stored_history(ctx.store, athlete.name, profile_of(ctx.config, athlete), until=day)
    if not should_send(history, day):
        return False  # DESIGN.md: weeks with a run, and one quiet week after the last run
    findings = [  # syncd's own notices are for the server's owner, not the runner's week
        f
        for f in findings_between(ctx.store, athlete.name, day - timedelta(weeks=12), day)
        if not is_notice(f)
    ]
    folded_keys = {f.key for f in folded_between(ctx.store, athlete.name, day - timedelta(days=6), day)}
    folded = [f for f in findings if f.key in folded_keys]
    digest = build_digest(
        history,
        findings,
        athlete=athlete.name,
        day=day,
        units=athlete.units,
        folded=folded,
        cap_pct=digest_cap_pct(ctx.rules),
    )
    if ctx.dry_run:
        print(f"[dry run] weekly digest for {athlete.name}:\n{digest.title}\n{digest.text}")
        return False
    with tempfile.TemporaryDirectory(prefix="syncd-digest-") as tmp:
        chart = None
        if matplotlib_available() and any(n.takes_attachments for n in ctx.notifiers(athlete)):
            chart = str(render_png(digest, Path(tmp) / f"syncd-{athlete.name}-{day}.png"))
        message = Message(
            athlete.name,
            digest.title,
            digest.text,
            "low",
            f"digest:{athlete.name}:{year}-W{week:02d}",
            attach=chart,
            click=_page_link(ctx, athlete),
        )
        failed = []
        for notifier in ctx.notifiers(athlete):
            try:
                notifier.send(message)
            except DeliveryFailed as exc:
                failed.append(notifier.channel)
                log.warning("%s: weekly digest via %s failed: %s", athlete.name, notifier.channel, exc)
    if failed and len(failed) == len(ctx.notifiers(athlete)):
        return False  # nothing got through: the next run tries again
    ctx.store.set_engine_value(
        athlete.name, marker, {"sent_at": datetime.now().isoformat(), "failed": failed}
    )
    return True
