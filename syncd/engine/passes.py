"""`run_once`: fetch → store → merge → evaluate → record → deliver, each step its own transaction.

A crash between any two steps loses nothing: fetched pages are stored with their cursor,
recorded findings are queued in the same transaction that records them, and delivery
picks up whatever is still pending on the next pass.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from syncd.config import AthleteConfig
from syncd.domain import Finding
from syncd.engine.context import Context, PassSummary, local_today, profile_of
from syncd.engine.delivery import deliver
from syncd.engine.fetch import fetch_all
from syncd.engine.policy import plan_channels
from syncd.history import History
from syncd.registry import evaluate_range
from syncd.rules.base import WeeklyRule
from syncd.store import ledger

log = logging.getLogger("syncd.engine")

#: A long range (a backfill's years) is evaluated and recorded this many days at a time, so
#: its findings never all sit in memory at once; the last piece commits with the pass's marks.
CHUNK_DAYS = 90
#: ... and the rules' memos of the days behind are let go every this many pieces (a rule that
#: walks the whole history walks it again then: a few per decade of history, not every piece)
MEMO_PIECES = 12


def give_back_memory() -> None:
    """Hand the memory a long pass freed back to the system (glibc keeps it otherwise, and
    the daemon's resident size would stay at its peak); nothing where that is not possible."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def evaluate(
    ctx: Context, athlete: AthleteConfig, history: History, first: date, last: date, summary: PassSummary
) -> tuple[list[Finding], set[str]]:
    """Findings of every enabled rule for the days first..last, and the ids of rules that
    failed (their stored findings must not be taken as gone)."""
    findings, failures = evaluate_range(ctx.rules, history, first, last)
    for failure in failures:
        summary.rule_failures.append(str(failure))
        log.error("%s: rule failed and was skipped: %s", athlete.name, failure)
    summary.evaluated_days += (last - first).days + 1
    return findings, {f.rule for f in failures}


def chunks(first: date, last: date, days: int = CHUNK_DAYS) -> list[tuple[date, date]]:
    """first..last cut into consecutive ranges of at most `days` days."""
    out = []
    while first <= last:
        end = min(last, first + timedelta(days=days - 1))
        out.append((first, end))
        first = end + timedelta(days=1)
    return out


def first_day_to_evaluate(
    ctx: Context, athlete: AthleteConfig, earliest: datetime | None, today: date
) -> date | None:
    """The first local day whose findings may have changed: the earliest changed activity's
    day, or the day after the last evaluated one when the calendar moved on (day-level rules
    such as the strength prompt); None when nothing can have changed."""
    tz = ZoneInfo(ctx.config.timezone_of(athlete))
    evaluated = ctx.store.engine_value(athlete.name, "evaluated")
    candidates = []
    if earliest is not None:
        candidates.append(earliest.astimezone(tz).date())
    if evaluated is not None and date.fromisoformat(evaluated) < today:
        candidates.append(date.fromisoformat(evaluated) + timedelta(days=1))
    return min(candidates) if candidates else None


def run_once(ctx: Context, name: str, *, since: date | None = None, fetch: bool = True) -> PassSummary:
    """One whole pass for one athlete; returns what it did. `since` forces re-evaluation;
    `fetch=False` lists nothing (a webhook event just stored what changed).

    Only what changed is redone: activities carry a change number, and the pass remembers
    the last one it evaluated (with the findings, in one transaction); the athlete's History
    is kept in the Context between passes. An idle pass costs one listing request per account
    and no evaluation."""
    athlete = ctx.config.athlete(name)
    store, summary = ctx.store, PassSummary(athlete=name)
    store.ensure_athlete(name, ctx.config.timezone_of(athlete))
    if fetch:
        fetch_all(ctx, athlete, summary)
    ctx.checkpoint("fetched")
    seen = int(store.engine_value(name, "seen_seq") or 0)
    latest, earliest = store.changes_since(name, seen)
    if earliest is not None:
        _, summary.merged = store.rebuild_sessions(name)
    ctx.checkpoint("merged")

    now = ctx.now()
    today = local_today(ctx.config, athlete, now)
    first = first_day_to_evaluate(ctx, athlete, earliest, today)
    # an answer from the runner (a check-in) changes the days it is about, like an activity
    answered = int(store.engine_value(name, "seen_checkin") or 0)
    last_checkin, answered_day = store.checkins_since(name, answered)
    if answered_day is not None:
        first = min(first, answered_day) if first else answered_day
    if since is not None:
        first = min(first, since) if first else since
    _evaluate_and_record(ctx, athlete, summary, first, today, (latest, last_checkin))
    ctx.checkpoint("recorded")
    deliver(ctx, athlete, summary)
    return summary


def _evaluate_and_record(
    ctx: Context,
    athlete: AthleteConfig,
    summary: PassSummary,
    first: date | None,
    today: date,
    seen: tuple[int, int],
) -> None:
    """Evaluate first..today (nothing when `first` is None or there is no session) and record
    the findings, withdrawing the ones no longer given; the last (or only) piece commits with
    what the pass has seen (`seen`: the newest change number and check-in) and evaluated."""
    store, name = ctx.store, athlete.name
    sessions_exist = store.has_sessions(name)
    history = None
    if first is not None and sessions_exist:
        history = ctx.histories.history(store, name, profile_of(ctx.config, athlete), today)
    pieces = chunks(first, today) if first is not None else [(today, today)]
    for n, (lo, hi) in enumerate(pieces):
        if history is not None and n and n % MEMO_PIECES == 0:
            history.memo.clear()  # the rules' notes on the years behind: rebuilt as needed
        findings: list[Finding] = []
        failed: set[str] = set()
        if history is not None:
            findings, failed = evaluate(ctx, athlete, history, lo, hi, summary)
        evaluated = (lo, hi) if first is not None else None
        if hi < today:  # an earlier piece of a long range: recorded on its own
            with store.transaction() as tx:
                _record(ctx, tx, athlete, summary, findings, history, evaluated, today, failed)
            continue
        if history is not None:
            ctx.checkpoint("evaluated")
        with store.transaction() as tx:
            _record(ctx, tx, athlete, summary, findings, history, evaluated, today, failed)
            # what this pass has seen and evaluated, committed with its findings
            store.set_engine_value(name, "seen_seq", seen[0], tx)
            store.set_engine_value(name, "seen_checkin", seen[1], tx)
            if sessions_exist:
                store.set_engine_value(name, "evaluated", today.isoformat(), tx)
    if history is not None and len(pieces) > 1:
        history.memo.clear()  # the rules' notes on years of days: not worth keeping in memory
        give_back_memory()


def delivery_window_start(ctx: Context, today: date) -> date:
    """The first day whose findings are delivered (older ones are kept as history)."""
    days = ctx.config.daemon.delivery_window_days
    return today + timedelta(days=1) if days == 0 else today - timedelta(days=days - 1)


def _record(
    ctx: Context,
    tx: sqlite3.Connection,
    athlete: AthleteConfig,
    summary: PassSummary,
    findings: list[Finding],
    history: History | None,
    evaluated: tuple[date, date] | None,
    today: date,
    failed: set[str],
) -> None:
    """Record the findings about the `evaluated` days, withdraw those the rules no longer
    give, queue deliveries."""
    now = ctx.now()
    deliver_from = delivery_window_start(ctx, today)
    recorded = ledger.record(tx, findings, deliver_from=deliver_from, now=now)
    older = sum(item.history for item in recorded)
    summary.history += older
    summary.findings += len(recorded) - older
    if evaluated is not None:
        # a finding the rules no longer give was corrected away; not so for rules that
        # failed this pass, nor for window rules, which speak once a period and so do not
        # repeat a finding they still hold
        keep = failed | {r.id for r in ctx.rules if isinstance(r, WeeklyRule)}
        produced = {f.key for f in findings}
        summary.withdrawn += ledger.withdraw_missing(tx, athlete.name, *evaluated, produced, now, keep)
    if history is None:
        return
    # every live finding of the window: queueing is idempotent, and a finding whose note had
    # no activity yet (a morning strength prompt) gets one once the run lands
    for finding in findings:
        if finding.day >= deliver_from:
            for channel, target, due in plan_channels(ctx, athlete, finding, history, now):
                ledger.queue(tx, finding, channel, due=due, target=target)
