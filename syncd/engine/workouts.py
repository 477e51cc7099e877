"""The strength session on the watch: the `workout:<provider>` delivery channel.

A provider that can put a workout on the runner's calendar says so with a class method
`wants_workouts(config, athlete)` (its own settings decide, e.g. `[providers.garmin] workouts`)
and, once made, the methods of `WorkoutCalendar`. When a finding whose rule offers a strength
session earns a push (not a prompt sent to the digest only), `workout_channels` plans one more
delivery for it on each such provider; `deliver_workouts` puts the session on the calendar
through the provider, which keeps one syncd workout at a time and does it exactly once across
crashes. The ledger row is the channel's record: sent once, retried with backoff on a provider
error, skipped for a day already past. A finding withdrawn after its workout went up (a
corrected or deleted run) takes the workout off the calendar again, and its row says
'withdrawn'. The engine never imports a concrete provider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from syncd.coach.session import StrengthSession
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.engine.context import Context, PassSummary, local_today
from syncd.engine.strength import session_for
from syncd.errors import AuthRequired, ProviderError, RateLimited, Unavailable
from syncd.providers.base import Provider
from syncd.store import ledger, outbox

log = logging.getLogger("syncd.delivery")

PREFIX = "workout:"


@runtime_checkable
class WorkoutCalendar(Protocol):
    """What a provider offers to put a strength session on the runner's calendar."""

    def scheduled_workout(self) -> tuple[str, date] | None: ...
    def put_workout(self, key: str, session: StrengthSession, checkpoint: Callable[[str], None]) -> None: ...
    def remove_workout(self, key: str) -> None: ...


def _wanted(ctx: Context, athlete: AthleteConfig, name: str) -> bool:
    from syncd.plugins import installed_providers

    wants = getattr(installed_providers().get(name), "wants_workouts", None)
    try:
        return bool(wants(ctx.config, athlete)) if callable(wants) else False
    except ValueError:  # a broken [providers.<name>] table: the config check reports it
        return False


def workout_channels(
    ctx: Context, athlete: AthleteConfig, finding: Finding, now: datetime
) -> list[tuple[str, str | None, datetime]]:
    """(channel, None, due) for each provider that puts this finding's session on the watch."""
    kind = ctx.rule_class(finding.rule)
    if not kind.offers_session or (kind.digest_only_metric and finding.metrics.get(kind.digest_only_metric)):
        return []
    return [(PREFIX + name, None, now) for name in athlete.providers if _wanted(ctx, athlete, name)]


def deliver_workouts(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Withdraw a workout whose finding was withdrawn, then put due sessions on calendars."""
    providers = {n: p for n, p in ctx.providers(athlete).items() if isinstance(p, WorkoutCalendar)}
    for name, provider in providers.items():
        _withdraw_gone(ctx, athlete, name, provider)
    for item in outbox.due(ctx.store, athlete.name, PREFIX, ctx.now()):
        name = item.channel.removeprefix(PREFIX)
        _deliver(ctx, athlete, summary, item.channel, ctx.providers(athlete).get(name), item.finding)


def _withdraw_gone(ctx: Context, athlete: AthleteConfig, name: str, provider: WorkoutCalendar) -> None:
    current = provider.scheduled_workout()
    if current is None or ctx.dry_run:
        return
    key, day = current
    if any(f.key == key for f in ledger.findings_between(ctx.store, athlete.name, day, day)):
        return
    try:
        provider.remove_workout(key)
    except ProviderError as exc:
        log.warning("%s: could not take the withdrawn workout off %s yet (%s)", athlete.name, name, exc)
        return
    with ctx.store.transaction() as tx:
        outbox.mark(tx, key, PREFIX + name, "withdrawn", now=ctx.now())
    log.info("%s: took the strength workout of a withdrawn finding off %s", athlete.name, name)


def _skip(ctx: Context, finding: Finding, channel: str, why: str) -> None:
    with ctx.store.transaction() as tx:
        outbox.mark(tx, finding.key, channel, "skipped", now=ctx.now(), error=why)


def _deliver(
    ctx: Context,
    athlete: AthleteConfig,
    summary: PassSummary,
    channel: str,
    provider: Provider | None,
    finding: Finding,
) -> None:
    """Put one finding's session on the calendar and record the outcome."""
    now = ctx.now()
    session = session_for(ctx, athlete, finding)
    if session is None or not _wanted(ctx, athlete, channel.removeprefix(PREFIX)):
        return _skip(ctx, finding, channel, "no session to put on the watch, or workouts turned off")
    if finding.day < local_today(ctx.config, athlete, now):
        return _skip(ctx, finding, channel, "a session for an earlier day")
    if ctx.dry_run:
        print(f"[dry run] workout on {channel.removeprefix(PREFIX)} for {finding.day}: {session.one_line()}")
        return None
    try:
        if not isinstance(provider, WorkoutCalendar):
            raise getattr(provider, "error", None) or Unavailable("the account is not available")
        provider.put_workout(finding.key, session, ctx.checkpoint)
    except ProviderError as exc:
        with ctx.store.transaction() as tx:
            state = outbox.failed_attempt(
                tx,
                finding.key,
                channel,
                str(exc),
                retryable=isinstance(exc, (AuthRequired, RateLimited, Unavailable)),
                now=now,
                max_attempts=ctx.config.daemon.max_delivery_attempts,
            )
        summary.failed += state == "failed"
        log.warning("%s: the strength workout via %s failed (%s)", athlete.name, channel, exc)
        return None
    ctx.checkpoint("workout_sent")
    with ctx.store.transaction() as tx:
        outbox.mark(tx, finding.key, channel, "sent", now=now)
    summary.delivered += 1
    return None
