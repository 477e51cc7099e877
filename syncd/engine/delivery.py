"""Delivering what the ledger queued: note blocks on activities (here), then push (`pushes`).

Notes are idempotent: the intended block is saved before the write and found again after a
crash, so a note is never written twice. Push is at-least-once: a crash after the message
left but before it was marked sent sends it again on the next pass (README, "Delivery").
"""

from __future__ import annotations

import logging
from collections import defaultdict

from syncd.coach.wording import note_block
from syncd.config import AthleteConfig
from syncd.domain import Finding, Session
from syncd.engine.context import Context, PassSummary
from syncd.engine.policy import wants_note
from syncd.engine.pushes import deliver_push
from syncd.engine.strength import session_of
from syncd.engine.workouts import deliver_workouts
from syncd.errors import ProviderError, RateLimited
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.base import Provider
from syncd.store import outbox

log = logging.getLogger("syncd.delivery")


def _block(ctx: Context, athlete: AthleteConfig, findings: list[Finding]) -> str:
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.rule, f.key))
    return note_block(ordered, athlete.units, session_of(ctx, athlete, ordered))


def deliver_notes(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Write one block per (provider, session) that has pending note deliveries."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in outbox.due(ctx.store, athlete.name, "note:", ctx.now()):
        groups[(item.channel, item.target or "")].append(item.finding)
    if not groups:
        return
    sessions = {s.id: s for s in ctx.store.sessions(athlete.name)}
    providers = ctx.providers(athlete)
    for (channel, target), due in sorted(groups.items()):
        name = channel.removeprefix("note:")
        _deliver_note(ctx, athlete, summary, channel, providers.get(name), sessions.get(target), due)


def _channel_gone(ctx: Context, athlete: AthleteConfig, name: str, session: Session | None) -> str | None:
    """Why the note can never be written (the activity is gone, the provider is no longer
    configured for the athlete or cannot write notes, notes are off), or None. A provider
    that only failed to set up for this pass is not gone: its notes wait for the next one."""
    if session is None:
        return "the activity is no longer stored"
    from syncd.plugins import installed_providers

    cls = installed_providers().get(name)
    if name not in athlete.providers or cls is None or not cls.writes_notes:
        return f"{name} is no longer configured for {athlete.name}"
    if not athlete.notes.get(name, False):
        return f"notes on {name} are turned off"
    return None


def _deliver_note(
    ctx: Context,
    athlete: AthleteConfig,
    summary: PassSummary,
    channel: str,
    provider: Provider | None,
    session: Session | None,
    due: list[Finding],
) -> None:
    """Write the block of one note: every live finding queued for it, not only the due ones;
    withdrawn ones (a corrected or deleted run) and ones whose severity dropped below what
    earns a note drop out, and the block is rewritten."""
    store, now, name = ctx.store, ctx.now(), channel.removeprefix("note:")
    gone = _channel_gone(ctx, athlete, name, session)
    if gone is not None:
        with store.transaction() as tx:
            for f in due:
                outbox.mark(tx, f.key, channel, "skipped", now=now, error=gone)
        return
    assert session is not None
    if provider is None or not provider.writes_notes:
        return  # the account could not be set up this pass: the note stays queued
    findings = [
        f for f in outbox.note_findings(store, channel, session.id) if wants_note(f, ctx.rule_class(f.rule))
    ]
    live = {f.key for f in findings}
    block = _block(ctx, athlete, findings) if findings else ""
    copies = [a for a in session.activities if a.provider == name]
    if ctx.dry_run:
        for a in copies:
            print(f"[dry run] note on {name} activity {a.provider_id}:\n{block}\n")
        return
    try:
        for activity in copies:
            _write_one(ctx, athlete, provider, name, activity.provider_id, block)
    except RateLimited as exc:
        _wait_for_budget(ctx, athlete, summary, channel, due, exc)
        return
    except ProviderError as exc:
        with store.transaction() as tx:
            states = [
                outbox.failed_attempt(
                    tx,
                    f.key,
                    channel,
                    str(exc),
                    retryable=True,
                    now=now,
                    max_attempts=ctx.config.daemon.max_delivery_attempts,
                )
                for f in due
            ]
        summary.failed += states[-1] == "failed"
        return
    with store.transaction() as tx:
        for f in due:
            outbox.mark(tx, f.key, channel, "sent" if f.key in live else "withdrawn", now=now)
    summary.delivered += sum(f.key in live for f in due)


def _wait_for_budget(
    ctx: Context,
    athlete: AthleteConfig,
    summary: PassSummary,
    channel: str,
    due: list[Finding],
    exc: RateLimited,
) -> None:
    """A rate-limited write is no failed attempt: the note waits until the budget allows
    (`retry_at`), however often that happens, and is never given up because of it."""
    now = ctx.now()
    with ctx.store.transaction() as tx:
        for f in due:
            outbox.hold(tx, f.key, channel, max(exc.retry_at, now))
    summary.held += len(due)
    log.debug("%s/%s: note waits for the rate limit (%s)", athlete.name, channel, exc)


def _write_one(
    ctx: Context, athlete: AthleteConfig, provider: Provider, provider_name: str, provider_id: str, block: str
) -> None:
    store = ctx.store
    confirmed, unconfirmed, abandoned = store.note_state(athlete.name, provider_name, provider_id)
    if abandoned:
        return
    store.note_intent(athlete.name, provider_name, provider_id, block)
    outcome: list[NoteOutcome] = []

    def edit(current: str) -> str | None:
        # the newest block whose write may have landed before a crash is the one to replace;
        # only when none of them (nor the confirmed one) is there did the runner remove it
        present = next((b for b in unconfirmed if b and b in (current or "")), None)
        result = apply_block(current, block, confirmed, present)
        outcome.append(result.outcome)
        return result.description if result.outcome is NoteOutcome.WRITE else None

    provider.write_note(provider_id, edit)
    ctx.checkpoint("note_written")
    if outcome and outcome[0] is NoteOutcome.ABANDONED:
        log.info(
            "%s/%s %s: the runner removed syncd's note; it will not be written again",
            athlete.name,
            provider_name,
            provider_id,
        )
        store.note_done(athlete.name, provider_name, provider_id, None, abandoned=True)
    else:
        store.note_done(athlete.name, provider_name, provider_id, block)


def deliver(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Deliver everything due for the athlete: notes first (no quiet hours), then push."""
    deliver_notes(ctx, athlete, summary)
    deliver_workouts(ctx, athlete, summary)  # before push, which takes every other channel
    deliver_push(ctx, athlete, summary)
