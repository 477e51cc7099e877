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
from syncd.coach.session import StrengthSession, offered_session
from syncd.coach.wording import note_block, push
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.errors import DeliveryFailed, ProviderError
from syncd.notes import NoteOutcome, apply_block
from syncd.notifiers.base import Message
from syncd.policy import PAIN_RULE, STRENGTH_RULE, quiet_until, wants_note, wants_push
from syncd.providers.base import Provider
from syncd.store import Store

if TYPE_CHECKING:
    from syncd.engine import Context, PassSummary

log = logging.getLogger(__name__)


def strength_for(athlete: AthleteConfig, day: date) -> StrengthSession:
    """The strength session offered on `day`: deterministic for athlete and day, and never
    the same squat as the session offered on the previous possible prompt day."""
    options = athlete.strength
    return offered_session(athlete.name, day, minutes=options.minutes, exclude=frozenset(options.exclude))


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
        # the block covers every live finding queued for this note, not only the due ones;
        # withdrawn ones (a corrected or deleted run) drop out, and the block is rewritten
        findings = [
            ledger.finding_from_row(r)
            for r in store.conn.execute(
                "SELECT f.* FROM deliveries d JOIN findings f ON f.key = d.finding_key "
                "WHERE d.channel = ? AND d.target = ? AND d.status IN ('pending', 'sent') "
                "AND f.state != 'withdrawn'",
                (channel, target),
            )
        ]
        # a finding whose severity dropped below what earns a note leaves the block too
        findings = [f for f in findings if wants_note(f)]
        live = {f.key for f in findings}
        if provider is None or session is None or not provider.writes_notes:
            status = "skipped"
            with store.transaction() as tx:
                for _row, f in items:
                    ledger.mark(
                        tx, f.key, channel, status, now=now, error="activity or provider no longer available"
                    )
            continue
        block = _block(ctx, athlete, findings) if findings else ""
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
                ledger.mark(tx, f.key, channel, "sent" if f.key in live else "withdrawn", now=now)
        summary.delivered += sum(f.key in live for _row, f in items)


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
    notifiers = {n.channel: n for n in ctx.notifiers(athlete)}
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
        decision, detail = _push_decision(ctx, athlete, finding, channel, notifier is not None, now)
        if ctx.dry_run and decision != "send":
            print(f"[dry run] push via {channel} {decision}: {finding.title} ({detail})")
            continue
        if decision != "send":
            with store.transaction() as tx:
                if decision == "held":
                    assert isinstance(detail, datetime)
                    ledger.hold(tx, finding.key, channel, detail)
                    summary.held += 1
                else:
                    ledger.mark(tx, finding.key, channel, decision, now=now, error=str(detail))
                    summary.folded += decision == "folded"
            continue
        assert notifier is not None
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


def _push_decision(
    ctx: Context, athlete: AthleteConfig, finding: Finding, channel: str, available: bool, now: datetime
) -> tuple[str, object]:
    """('send', ''), ('held', until), ('folded', why) or ('skipped', why) for one due push."""
    tz = ZoneInfo(ctx.config.timezone_of(athlete))
    if not available:
        return "skipped", "channel removed from config"
    if not wants_push(finding):
        return "skipped", "severity lowered after a correction"
    until = quiet_until(athlete, tz, now)
    if until is not None:
        return "held", until
    local_midnight = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tz)
    if ledger.sent_count(ctx.store, athlete.name, channel, local_midnight) >= athlete.max_push_per_day:
        return "folded", "daily push limit"
    if finding.rule == STRENGTH_RULE:
        if finding.day < now.astimezone(tz).date():
            return "folded", "a strength prompt for an earlier day"  # "today" would be wrong
        if _recent_strength_push(ctx.store, athlete.name, channel, finding):
            return "folded", "strength prompt sent for the previous day"
    return "send", ""


def _recent_strength_push(store: Store, athlete: str, channel: str, finding: Finding) -> bool:
    """Was a strength prompt about one of the previous two days pushed (at most one per 2 days)?"""
    row = store.conn.execute(
        "SELECT 1 FROM deliveries d JOIN findings f ON f.key = d.finding_key WHERE f.athlete = ? "
        "AND f.rule = ? AND d.channel = ? AND d.status = 'sent' AND f.day BETWEEN ? AND ? "
        "AND f.key != ? LIMIT 1",
        (
            athlete,
            STRENGTH_RULE,
            channel,
            (finding.day - timedelta(days=1)).isoformat(),
            finding.day.isoformat(),
            finding.key,
        ),
    ).fetchone()
    return row is not None


def deliver(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Deliver everything due for the athlete: notes first (no quiet hours), then push."""
    deliver_notes(ctx, athlete, summary)
    deliver_push(ctx, athlete, summary)
