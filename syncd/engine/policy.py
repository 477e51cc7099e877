"""Who hears what (DESIGN.md): the channels a finding goes to, and when.

info → digest only · caution → note · warning → note + push · alert → note + urgent push.
A rule changes that through its class attributes (`Rule.always_delivered`,
`note_on_last_run`, `pushed_at_morning`, ...): the strength prompt rides on the day's last run
and is pushed at the morning hour, pain is always noted and pushed. A finding about a day
without an activity has no note. The digest reads the ledger itself.

"Fewer messages like this" (a `fewer` check-in about a rule id, undone by `fewer_undo`)
lowers that rule's push to note-and-digest for the athlete: the push is still planned and is
folded into the digest when it comes due (`pushes`), so undoing "fewer" never sends old ones.
Alerts still go out, because an alert says how to change the next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from syncd.config import AthleteConfig, parse_quiet_hours
from syncd.domain import CheckIn, Finding, Session, Severity
from syncd.engine.context import Context
from syncd.engine.workouts import workout_channels
from syncd.history import History
from syncd.rules.base import Rule


def note_target(finding: Finding, history: History, kind: type[Rule] = Rule) -> Session | None:
    """The session whose note carries this finding: its own, or for a rule that notes on the
    last run, the day's last run (None when the athlete did not run that day)."""
    if finding.session is not None:
        for facts in history.sessions:
            if facts.id == finding.session:
                return facts.session
        return None
    if kind.note_on_last_run:
        runs = [f for f in history.sessions_on(finding.day) if f.sport.is_run]
        return runs[-1].session if runs else None
    return None


def wants_note(finding: Finding, kind: type[Rule] = Rule) -> bool:
    return finding.severity >= Severity.CAUTION or kind.always_delivered


def wants_push(finding: Finding, kind: type[Rule] = Rule) -> bool:
    """Whether the finding earns a push: warning and above, or a rule always delivered,
    except a finding its rule sends to the digest only (`Rule.digest_only_metric`)."""
    if kind.digest_only_metric and finding.metrics.get(kind.digest_only_metric):
        return False
    return finding.severity >= Severity.WARNING or kind.always_delivered


def asked_fewer(checkins: Iterable[CheckIn], rule: str) -> bool:
    """Whether the runner's latest word on `rule` is "fewer messages like this"."""
    latest = None
    for c in checkins:
        if c.about == rule and c.kind in ("fewer", "fewer_undo") and (latest is None or c.at >= latest.at):
            latest = c
    return latest is not None and latest.kind == "fewer"


def lowered(finding: Finding, checkins: Iterable[CheckIn]) -> bool:
    """Whether the finding's push is lowered to note-and-digest by a "fewer" answer (never an alert)."""
    return finding.severity < Severity.ALERT and asked_fewer(checkins, finding.rule)


def morning(athlete: AthleteConfig, tz: ZoneInfo, now: datetime) -> datetime:
    """When a morning push may go: today's morning hour, or now if that has passed."""
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), time(athlete.morning_hour), tz)
    return max(now, at)


def plan_channels(
    ctx: Context, athlete: AthleteConfig, finding: Finding, history: History, now: datetime
) -> list[tuple[str, str | None, datetime]]:
    """(channel, note target session id, due time) for each delivery of `finding`."""
    kind = ctx.rule_class(finding.rule)
    plan: list[tuple[str, str | None, datetime]] = []
    if wants_note(finding, kind):
        target = note_target(finding, history, kind)
        if target is not None:
            copies = {a.provider for a in target.activities}
            for provider in sorted(copies):
                if athlete.notes.get(provider, False):
                    plan.append((f"note:{provider}", target.id, now))
    if wants_push(finding, kind):
        due = now
        if kind.pushed_at_morning(finding):
            due = morning(athlete, ZoneInfo(ctx.config.timezone_of(athlete)), now)
        for notifier in ctx.notifiers(athlete):
            plan.append((notifier.channel, None, due))
    plan += workout_channels(ctx, athlete, finding, now)
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
