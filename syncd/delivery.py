"""Delivering what the ledger queued: note blocks on activities, then push messages.

Notes are idempotent: the intended block is saved before the write and found again after a
crash, so a note is never written twice. Push is at-least-once: a crash after the message
left but before it was marked sent sends it again on the next pass (README, "Delivery").
"""

from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from syncd import ledger
from syncd.coach.session import StrengthSession, build_session
from syncd.coach.wording import note_block, push
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.errors import DeliveryFailed, ProviderError
from syncd.notes import NoteOutcome, apply_block
from syncd.notifiers.base import Message
from syncd.policy import PAIN_RULE, STRENGTH_RULE, quiet_until
from syncd.providers.base import Provider
from syncd.store import Store

if TYPE_CHECKING:
    from syncd.engine import Context, PassSummary

log = logging.getLogger(__name__)
STRENGTH_PUSH_SPACING = timedelta(hours=48)


def strength_for(athlete: AthleteConfig, day: date) -> StrengthSession:
    """The strength session offered on `day`: deterministic for athlete and day, and never
    the same squat as the session offered on the previous possible prompt day."""
    options = athlete.strength
    exclude = frozenset(options.exclude)
    previous = build_session(athlete.name, day - timedelta(days=2), minutes=options.minutes, exclude=exclude)
    return build_session(athlete.name, day, previous=previous, minutes=options.minutes, exclude=exclude)


def _block(ctx: Context, athlete: AthleteConfig, findings: list[Finding]) -> str:
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.rule, f.key))
    strength = next((strength_for(athlete, f.day) for f in ordered if f.rule == STRENGTH_RULE), None)
    return note_block(ordered, athlete.units, strength)


def deliver_notes(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Write one block per (provider, session) that has pending note deliveries."""
    store, now = ctx.store, ctx.now()
    due = ledger.due(store, athlete.name, "note:", now)
    groups: dict[tuple[str, str], list[tuple[sqlite3.Row, Finding]]] = defaultdict(list)
    for row, finding in due:
        groups[(row["channel"], row["target"])].append((row, finding))
    if not groups:
        return
    sessions = {s.id: s for s in store.sessions(athlete.name)}
    providers = ctx.providers(athlete)
    for (channel, target), items in sorted(groups.items()):
        provider_name = channel.removeprefix("note:")
        provider, session = providers.get(provider_name), sessions.get(target)
        # the block covers every finding ever queued for this note, not only the due ones
        keys = [
            r["finding_key"]
            for r in store.conn.execute(
                "SELECT finding_key FROM deliveries WHERE channel = ? AND target = ? "
                "AND status IN ('pending', 'sent')",
                (channel, target),
            )
        ]
        findings = [
            ledger.finding_from_row(r)
            for r in store.conn.execute(
                f"SELECT * FROM findings WHERE key IN ({','.join('?' * len(keys))})", keys
            )
        ]
        if provider is None or session is None or not provider.writes_notes:
            status = "skipped"
            with store.transaction() as tx:
                for _row, f in items:
                    ledger.mark(
                        tx, f.key, channel, status, now=now, error="activity or provider no longer available"
                    )
            continue
        block = _block(ctx, athlete, findings)
        copies = [a for a in session.activities if a.provider == provider_name]
        if ctx.dry_run:
            for a in copies:
                print(f"[dry run] note on {provider_name} activity {a.provider_id}:\n{block}\n")
            continue
        try:
            for activity in copies:
                _write_one(ctx, athlete, provider, provider_name, activity.provider_id, block)
        except ProviderError as exc:
            with store.transaction() as tx:
                for _row, f in items:
                    state = ledger.failed_attempt(
                        tx,
                        f.key,
                        channel,
                        str(exc),
                        retryable=True,
                        now=now,
                        max_attempts=ctx.config.daemon.max_delivery_attempts,
                    )
            summary.failed += state == "failed"
            continue
        with store.transaction() as tx:
            for _row, f in items:
                ledger.mark(tx, f.key, channel, "sent", now=now)
        summary.delivered += len(items)


def _write_one(
    ctx: Context, athlete: AthleteConfig, provider: Provider, provider_name: str, provider_id: str, block: str
) -> None:
    store = ctx.store
    confirmed, pending, abandoned = store.note_state(athlete.name, provider_name, provider_id)
    if abandoned:
        return
    store.note_intent(athlete.name, provider_name, provider_id, block)
    outcome: list[NoteOutcome] = []

    def edit(current: str) -> str | None:
        result = apply_block(current, block, confirmed, pending)
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


def deliver_push(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Send due push messages, respecting quiet hours, the daily cap and strength spacing."""
    store, now = ctx.store, ctx.now()
    tz = ZoneInfo(ctx.config.timezone_of(athlete))
    notifiers = {n.channel: n for n in ctx.notifiers(athlete)}
    local_midnight = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tz)
    due = [
        (r, f) for r, f in ledger.due(store, athlete.name, "", now) if not r["channel"].startswith("note:")
    ]
    # the daily cap keeps the most important: severity, then pain before the rest, newest first
    due.sort(
        key=lambda rf: (-int(rf[1].severity), rf[1].rule != PAIN_RULE, -rf[1].day.toordinal(), rf[1].key)
    )
    for row, finding in due:
        channel = row["channel"]
        notifier = notifiers.get(channel)
        with store.transaction() as tx:
            if notifier is None:
                ledger.mark(tx, finding.key, channel, "skipped", now=now, error="channel removed from config")
                continue
            until = quiet_until(athlete, tz, now)
            if until is not None:
                ledger.hold(tx, finding.key, channel, until)
                summary.held += 1
                continue
            if ledger.sent_count(store, athlete.name, channel, local_midnight) >= athlete.max_push_per_day:
                ledger.mark(tx, finding.key, channel, "folded", now=now, error="daily push limit")
                summary.folded += 1
                continue
            if finding.rule == STRENGTH_RULE and _recent_strength_push(store, athlete.name, channel, now):
                ledger.mark(
                    tx, finding.key, channel, "folded", now=now, error="strength prompt sent recently"
                )
                summary.folded += 1
                continue
        strength = strength_for(athlete, finding.day) if finding.rule == STRENGTH_RULE else None
        text = push(finding, athlete.units, strength=strength)
        message = Message(athlete.name, text.title, text.body, text.priority, finding.key)
        if ctx.dry_run:
            print(f"[dry run] push via {channel}: {message.title} — {message.body}")
            continue
        try:
            notifier.send(message)
        except DeliveryFailed as exc:
            with store.transaction() as tx:
                state = ledger.failed_attempt(
                    tx,
                    finding.key,
                    channel,
                    str(exc),
                    retryable=exc.retryable,
                    now=now,
                    max_attempts=ctx.config.daemon.max_delivery_attempts,
                )
            summary.failed += state == "failed"
            log.warning("%s: push via %s failed (%s)", athlete.name, channel, exc)
            continue
        ctx.checkpoint("push_sent")
        with store.transaction() as tx:
            ledger.mark(tx, finding.key, channel, "sent", now=now)
        summary.delivered += 1


def _recent_strength_push(store: Store, athlete: str, channel: str, now: datetime) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM deliveries d JOIN findings f ON f.key = d.finding_key WHERE f.athlete = ? "
        "AND f.rule = ? AND d.channel = ? AND d.status = 'sent' AND d.sent_at > ? LIMIT 1",
        (athlete, STRENGTH_RULE, channel, ledger.iso(now - STRENGTH_PUSH_SPACING)),
    ).fetchone()
    return row is not None


def deliver(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Deliver everything due for the athlete: notes first (no quiet hours), then push."""
    deliver_notes(ctx, athlete, summary)
    deliver_push(ctx, athlete, summary)
