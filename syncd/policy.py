"""Who hears what (DESIGN.md): the channels a finding goes to, and when.

info → digest only · caution → note · warning → note + push · alert → note + urgent push ·
strength prompt → note on the day's run + push at the morning hour · pain → note + push.
A finding about a day without an activity has no note. The digest reads the ledger itself.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from syncd.config import AthleteConfig, parse_quiet_hours
from syncd.domain import Finding, Session, Severity
from syncd.history import History

if TYPE_CHECKING:
    from syncd.engine import Context

STRENGTH_RULE = "strength_frequency"
PAIN_RULE = "pain_reported"
ALWAYS_DELIVERED = (STRENGTH_RULE, PAIN_RULE)
NOTE_PROVIDERS = ("strava", "garmin")


def note_target(finding: Finding, history: History) -> Session | None:
    """The session whose note carries this finding: its own, or for a strength prompt the
    day's last run (None when the athlete did not run that day)."""
    if finding.session is not None:
        for facts in history.sessions:
            if facts.id == finding.session:
                return facts.session
        return None
    if finding.rule == STRENGTH_RULE:
        runs = [f for f in history.sessions_on(finding.day) if f.sport.is_run]
        return runs[-1].session if runs else None
    return None


def wants_note(finding: Finding) -> bool:
    return finding.severity >= Severity.CAUTION or finding.rule in ALWAYS_DELIVERED


def wants_push(finding: Finding) -> bool:
    return finding.severity >= Severity.WARNING or finding.rule in ALWAYS_DELIVERED


def morning(athlete: AthleteConfig, tz: ZoneInfo, now: datetime) -> datetime:
    """When a strength prompt may be pushed: today's morning hour, or now if that has passed."""
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), time(athlete.morning_hour), tz)
    return max(now, at)


def plan_channels(
    ctx: Context, athlete: AthleteConfig, finding: Finding, history: History, now: datetime
) -> list[tuple[str, str | None, datetime]]:
    """(channel, note target session id, due time) for each delivery of `finding`."""
    plan: list[tuple[str, str | None, datetime]] = []
    if wants_note(finding):
        target = note_target(finding, history)
        if target is not None:
            copies = {a.provider for a in target.activities}
            for provider in NOTE_PROVIDERS:
                if getattr(athlete.notes, provider) and provider in copies:
                    plan.append((f"note:{provider}", target.id, now))
    if wants_push(finding):
        due = now
        if finding.rule == STRENGTH_RULE:
            due = morning(athlete, ZoneInfo(ctx.config.timezone_of(athlete)), now)
        for notifier in ctx.notifiers(athlete):
            plan.append((notifier.channel, None, due))
    return plan


def quiet_until(athlete: AthleteConfig, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in, or None outside them."""
    if not athlete.quiet_hours:
        return None
    start, end = parse_quiet_hours(athlete.quiet_hours)
    local = now.astimezone(tz)
    clock = local.time()
    if start <= end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # over midnight, e.g. 22:00-07:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tz)
