"""`run_once`: fetch → store → merge → evaluate → record → deliver, each step its own transaction.

A crash between any two steps loses nothing: fetched pages are stored with their cursor,
recorded findings are queued in the same transaction that records them, and delivery
picks up whatever is still pending on the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from syncd import ledger
from syncd.config import AthleteConfig, Config
from syncd.delivery import deliver
from syncd.domain import Finding, Severity
from syncd.errors import AuthRequired, ProviderError, RateLimited
from syncd.history import History, Profile, build_history
from syncd.notifiers.base import Notifier
from syncd.policy import plan_channels
from syncd.providers.base import Provider
from syncd.registry import evaluate_range
from syncd.rules.base import Rule, WeeklyRule
from syncd.store import Store

log = logging.getLogger(__name__)
_SKIPS_LOGGED: set[tuple[str, str, str]] = set()


@dataclass
class ProviderSummary:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error: str | None = None


@dataclass
class PassSummary:
    """What one pass did, for `syncd sync` and the logs."""

    athlete: str
    providers: dict[str, ProviderSummary] = field(default_factory=dict)
    merged: int = 0
    evaluated_days: int = 0
    findings: int = 0
    history: int = 0
    withdrawn: int = 0
    delivered: int = 0
    failed: int = 0
    held: int = 0
    folded: int = 0
    rule_failures: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(p.fetched for p in self.providers.values())

    def line(self) -> str:
        parts = [f"{self.athlete}: fetched {self.fetched}"]
        parts += [f"{name} {p.error}" for name, p in self.providers.items() if p.error]
        parts.append(
            f"merged {self.merged}, findings {self.findings} new"
            + (f" (+{self.history} older kept as history)" if self.history else "")
            + (f", {self.withdrawn} withdrawn after a correction" if self.withdrawn else "")
        )
        parts.append(
            f"delivered {self.delivered}, failed {self.failed}, held {self.held}, "
            f"folded into digest {self.folded}"
        )
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "providers"}
        data["providers"] = {k: vars(v) for k, v in self.providers.items()}
        return data


@dataclass
class Context:
    """Everything a pass needs, injected so tests and the demo can swap any part."""

    config: Config
    store: Store
    rules: list[Rule]
    providers: Callable[[AthleteConfig], dict[str, Provider]]
    notifiers: Callable[[AthleteConfig], list[Notifier]]
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    dry_run: bool = False
    #: called between steps with the step's name; tests make it raise to simulate a crash
    checkpoint: Callable[[str], None] = lambda step: None
    progress: Callable[[str, int], None] | None = None


def profile_of(config: Config, athlete: AthleteConfig) -> Profile:
    return Profile(
        timezone=config.timezone_of(athlete), sex=athlete.sex, rest_hr=athlete.rest_hr, max_hr=athlete.max_hr
    )


def local_today(config: Config, athlete: AthleteConfig, now: datetime) -> date:
    return now.astimezone(ZoneInfo(config.timezone_of(athlete))).date()


def _fetch(
    ctx: Context, athlete: AthleteConfig, name: str, provider: Provider, summary: ProviderSummary
) -> None:
    """Store every page with its cursor in one transaction (what changed is found later from
    the activities' change numbers, which also covers webhook and import writes)."""
    store = ctx.store
    for page in provider.fetch(store.cursor(athlete.name, name)):
        with store.transaction() as tx:
            result = store.upsert_activities(page.activities, tx)
            if page.cursor is not None:
                store.set_cursor(tx, athlete.name, name, page.cursor)
        summary.fetched += len(page.activities)
        summary.new += result.new
        summary.updated += result.updated
        summary.skipped += len(page.skipped)
        for reason in page.skipped:
            if (athlete.name, name, reason) not in _SKIPS_LOGGED:  # once, not every poll
                _SKIPS_LOGGED.add((athlete.name, name, reason))
                log.warning("%s/%s: skipped one item: %s", athlete.name, name, reason)
        if ctx.progress:
            ctx.progress(name, summary.fetched)


def _reconnect_notice(ctx: Context, athlete: AthleteConfig, provider: str, error: AuthRequired) -> None:
    """Ask the runner, once, to reconnect an account whose tokens stopped working. Syncing
    that account pauses until `syncd connect` sets it active again, so this runs once."""
    now = ctx.now()
    label = provider.capitalize()
    reason = "not connected yet" if "not connected" in str(error) else "the connection was revoked or expired"
    notice = Finding(
        rule="account",
        severity=Severity.WARNING,
        athlete=athlete.name,
        day=local_today(ctx.config, athlete, now),
        key=f"account:{athlete.name}:{provider}:reconnect:{now:%Y%m%dT%H%M%S}",
        title=f"Reconnect {label} to syncd",
        message=(
            f"syncd cannot read your {label} activities ({reason}). Run `syncd connect "
            f"{provider} --athlete {athlete.name}` on the server; syncing {label} waits until then."
        ),
        metrics={},
        citation="",
    )
    with ctx.store.transaction() as tx:
        for item in ledger.record(tx, [notice], deliver_from=notice.day, now=now):
            for notifier in ctx.notifiers(athlete):
                ledger.queue(tx, item.finding, notifier.channel, due=now)


def fetch_all(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Fetch from every provider; one failing is recorded and never stops the others."""
    for name, provider in ctx.providers(athlete).items():
        row = ctx.store.conn.execute(
            "SELECT status FROM accounts WHERE athlete = ? AND provider = ?", (athlete.name, name)
        ).fetchone()
        part = summary.providers.setdefault(name, ProviderSummary())
        if row is not None and row["status"] == "auth_required":
            part.error = "paused: reconnect with `syncd connect " + name + "`"
            continue
        try:
            _fetch(ctx, athlete, name, provider, part)
        except AuthRequired as exc:
            part.error = "needs reconnecting"
            ctx.store.set_account(
                athlete.name, name, status="auth_required", error=str(exc), synced_at=ctx.now()
            )
            _reconnect_notice(ctx, athlete, name, exc)
            log.error("%s/%s: %s", athlete.name, name, exc)
            continue
        except RateLimited as exc:
            part.error = f"rate limited until {exc.retry_at:%H:%M} UTC"
            ctx.store.set_account(athlete.name, name, status="active", error=str(exc), synced_at=ctx.now())
            continue
        except ProviderError as exc:
            part.error = f"unavailable ({exc})"
            ctx.store.set_account(athlete.name, name, status="active", error=str(exc), synced_at=ctx.now())
            continue
        ctx.store.set_account(athlete.name, name, status="active", error=None, synced_at=ctx.now())


def evaluate(
    ctx: Context, athlete: AthleteConfig, first: date, last: date, summary: PassSummary
) -> tuple[list[Finding], History, set[str]]:
    """Findings of every enabled rule for the days first..last, the history, and the ids of
    rules that failed (their stored findings must not be taken as gone)."""
    history = build_history(ctx.store.sessions(athlete.name), profile_of(ctx.config, athlete), until=last)
    findings, failures = evaluate_range(ctx.rules, history, first, last)
    for failure in failures:
        summary.rule_failures.append(str(failure))
        log.error("%s: rule failed and was skipped: %s", athlete.name, failure)
    summary.evaluated_days = (last - first).days + 1
    return findings, history, {f.rule for f in failures}


def first_day_to_evaluate(
    ctx: Context, athlete: AthleteConfig, earliest: datetime | None, today: date
) -> date | None:
    """The first local day whose findings may have changed: the earliest changed activity's
    day, or the day after the last evaluated one when the calendar moved on (day-level rules
    such as the strength prompt); None when nothing can have changed."""
    tz = ZoneInfo(ctx.config.timezone_of(athlete))
    evaluated = ctx.store.provider_value("syncd", f"evaluated:{athlete.name}")
    candidates = []
    if earliest is not None:
        candidates.append(earliest.astimezone(tz).date())
    if evaluated is not None and date.fromisoformat(evaluated) < today:
        candidates.append(date.fromisoformat(evaluated) + timedelta(days=1))
    return min(candidates) if candidates else None


def run_once(ctx: Context, name: str, *, since: date | None = None) -> PassSummary:
    """One whole pass for one athlete; returns what it did. `since` forces re-evaluation.

    Only what changed is redone: activities carry a change number, and the pass remembers
    the last one it evaluated (with the findings, in one transaction). An idle pass costs one
    listing request per account and no evaluation."""
    athlete = ctx.config.athlete(name)
    store, summary = ctx.store, PassSummary(athlete=name)
    store.ensure_athlete(name, ctx.config.timezone_of(athlete))
    fetch_all(ctx, athlete, summary)
    ctx.checkpoint("fetched")
    seen = int(store.provider_value("syncd", f"seen_seq:{name}") or 0)
    latest, earliest = store.changes_since(name, seen)
    if earliest is not None:
        _, summary.merged = store.rebuild_sessions(name)
    ctx.checkpoint("merged")

    now = ctx.now()
    today = local_today(ctx.config, athlete, now)
    first = first_day_to_evaluate(ctx, athlete, earliest, today)
    if since is not None:
        first = min(first, since) if first else since
    sessions_exist = store.conn.execute(
        "SELECT 1 FROM sessions WHERE athlete = ? LIMIT 1", (name,)
    ).fetchone()
    findings: list[Finding] = []
    history: History | None = None
    failed: set[str] = set()
    if first is not None and sessions_exist:
        findings, history, failed = evaluate(ctx, athlete, first, today, summary)
        ctx.checkpoint("evaluated")
    deliver_from = today - timedelta(days=max(ctx.config.daemon.delivery_window_days - 1, 0))
    if ctx.config.daemon.delivery_window_days == 0:
        deliver_from = today + timedelta(days=1)
    with store.transaction() as tx:
        recorded = ledger.record(tx, findings, deliver_from=deliver_from, now=now)
        summary.history = sum(item.history for item in recorded)
        summary.findings = len(recorded) - summary.history
        if first is not None:
            # a finding the rules no longer give was corrected away; not so for rules that
            # failed this pass, nor for window rules, which speak once a period and so do not
            # repeat a finding they still hold
            keep = failed | {r.id for r in ctx.rules if isinstance(r, WeeklyRule)}
            produced = {f.key for f in findings}
            summary.withdrawn = ledger.withdraw_missing(tx, name, first, today, produced, now, keep)
        if history is not None:
            # every live finding of the window: queueing is idempotent, and a finding whose
            # note had no activity yet (a morning strength prompt) gets one once the run lands
            for finding in findings:
                if finding.day >= deliver_from:
                    for channel, target, due in plan_channels(ctx, athlete, finding, history, now):
                        ledger.queue(tx, finding, channel, due=due, target=target)
        # what this pass has seen and evaluated, committed with its findings
        store.set_provider_value("syncd", f"seen_seq:{name}", latest, tx)
        if sessions_exist:
            store.set_provider_value("syncd", f"evaluated:{name}", today.isoformat(), tx)
    ctx.checkpoint("recorded")
    deliver(ctx, athlete, summary)
    return summary
