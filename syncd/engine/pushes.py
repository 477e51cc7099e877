"""Sending due push messages: quiet hours, the daily cap (health findings first), and each
rule's own timing (`Rule.pushed_at_morning`, `push_spacing_days`), "fewer messages like
this", and the answers a push carries (links to the runner's page, `syncd.web`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from syncd.coach.wording import push
from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.engine.context import Context, PassSummary
from syncd.engine.notices import is_notice
from syncd.engine.policy import lowered, quiet_until, wants_push
from syncd.engine.strength import session_for
from syncd.errors import DeliveryFailed, SyncdError
from syncd.notifiers.base import Message, Notifier
from syncd.store import outbox

log = logging.getLogger("syncd.delivery")


def deliver_push(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Send due push messages, respecting quiet hours, the daily cap and each rule's timing."""
    store, now = ctx.store, ctx.now()
    notifiers = {n.channel: n for n in ctx.notifiers(athlete)}
    due = [item for item in outbox.due(store, athlete.name, "", now) if not item.channel.startswith("note:")]

    # the daily cap keeps the most important: severity, then health findings, newest first
    def importance(finding: Finding) -> tuple[object, ...]:
        first = ctx.rule_class(finding.rule).health
        return (-int(finding.severity), not first, -finding.day.toordinal(), finding.key)

    due.sort(key=lambda item: importance(item.finding))
    for item in due:
        finding, channel = item.finding, item.channel
        notifier = notifiers.get(channel)
        decision, detail = _push_decision(ctx, athlete, finding, channel, notifier is not None, now)
        if ctx.dry_run and decision != "send":
            print(f"[dry run] push via {channel} {decision}: {finding.title} ({detail})")
            continue
        if decision != "send":
            with store.transaction() as tx:
                if decision == "held":
                    assert isinstance(detail, datetime)
                    outbox.hold(tx, finding.key, channel, detail)
                    summary.held += 1
                else:
                    outbox.mark(tx, finding.key, channel, decision, now=now, error=str(detail))
                    summary.folded += decision == "folded"
            continue
        assert notifier is not None
        _send(ctx, athlete, summary, notifier, finding, now)


def _send(
    ctx: Context,
    athlete: AthleteConfig,
    summary: PassSummary,
    notifier: Notifier,
    finding: Finding,
    now: datetime,
) -> None:
    """Send one message and record the outcome (a failure is retried with backoff)."""
    channel = notifier.channel
    text = push(finding, athlete.units, strength=session_for(ctx, athlete, finding))
    message = Message(
        athlete.name,
        text.title,
        text.body,
        text.priority,
        finding.key,
        **_answers(ctx, athlete, finding, now),
    )
    if ctx.dry_run:
        print(f"[dry run] push via {channel}: {message.title} — {message.body}")
        return
    try:
        notifier.send(message)
    except DeliveryFailed as exc:
        with ctx.store.transaction() as tx:
            state = outbox.failed_attempt(
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
        return
    ctx.checkpoint("push_sent")
    with ctx.store.transaction() as tx:
        outbox.mark(tx, finding.key, channel, "sent", now=now)
    summary.delivered += 1


def _answers(ctx: Context, athlete: AthleteConfig, finding: Finding, now: datetime) -> dict[str, Any]:
    """The answer buttons, click and link of a push (none without `[daemon] public_url`)."""
    if not ctx.config.daemon.public_url or ctx.dry_run or not ctx.store.signs_links:
        return {}  # a dry run or a replay signs nothing (and creates no key)
    from syncd.web.keys import state_key
    from syncd.web.links import push_answers

    activity = None
    if finding.session:
        found = (s for s in ctx.store.sessions(athlete.name) if s.id == finding.session)
        activity = next((s.primary.key for s in found), None)
    try:
        answers = push_answers(
            ctx.config,
            athlete.name,
            ctx.config.timezone_of(athlete),
            finding,
            now,
            activity=activity,
            key=state_key(ctx.store.token_state),  # the key kept with this state's tokens
        )
    except SyncdError as exc:  # the signing key cannot be read: the message goes without answers
        log.warning("%s: push without answer links: %s", athlete.name, exc)
        return {}
    if answers is None:
        return {}
    return {"actions": answers.actions, "click": answers.click, "link": answers.link}


def _push_decision(
    ctx: Context, athlete: AthleteConfig, finding: Finding, channel: str, available: bool, now: datetime
) -> tuple[str, object]:
    """('send', ''), ('held', until), ('folded', why) or ('skipped', why) for one due push."""
    tz = ZoneInfo(ctx.config.timezone_of(athlete))
    kind = ctx.rule_class(finding.rule)
    if not available:
        return "skipped", "channel removed from config"
    if not wants_push(finding, kind):
        return "skipped", "severity lowered after a correction"
    if lowered(finding, ctx.store.checkins(athlete.name)):
        return "folded", "the runner asked for fewer messages like this"
    until = quiet_until(athlete, tz, now)
    if until is not None:
        return "held", until
    local_midnight = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tz)
    if is_notice(finding):
        return "send", ""  # the server's own notice: outside the runner's limit and timing
    if outbox.sent_count(ctx.store, athlete.name, channel, local_midnight) >= athlete.max_push_per_day:
        return "folded", "daily push limit"
    if kind.stale_after_its_day(finding) and finding.day < now.astimezone(tz).date():
        return "folded", "a prompt for an earlier day"  # its "today" would be wrong
    spacing = kind.push_spacing_days
    if spacing and outbox.pushed_between(
        ctx.store, finding, channel, finding.day - timedelta(days=spacing), finding.day
    ):
        return "folded", "prompt sent for the previous day"
    return "send", ""
