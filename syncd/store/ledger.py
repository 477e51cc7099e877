"""The findings ledger and the delivery outbox, inside the state database.

A finding is recorded once per stable key. Each (finding, channel) pair gets one delivery
row; a key already delivered on a channel is queued again only when its severity rose.
Retryable failures come back with exponential backoff until `max_attempts`.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncd.domain import Finding, Severity, json_metrics
from syncd.store.db import Store

#: The rule id of syncd's own notices (an account to reconnect): never withdrawn by a pass.
NOTICE_RULE = "account"
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _metrics_json(metrics: dict[str, Any]) -> str:
    # inf (monotony with zero spread) is not JSON: kept as a string
    return json.dumps(json_metrics(metrics), sort_keys=True)


def finding_from_row(row: sqlite3.Row) -> Finding:
    metrics = json.loads(row["metrics_json"])
    metrics = {k: (math.inf if v == "inf" else v) for k, v in metrics.items()}
    return Finding(
        rule=row["rule"],
        severity=Severity(row["severity"]),
        athlete=row["athlete"],
        day=date.fromisoformat(row["day"]),
        key=row["key"],
        title=row["title"],
        message=row["message"],
        metrics=metrics,
        citation=row["citation"],
        load_kind=row["load_kind"],
        session=row["session"],
    )


@dataclass(frozen=True)
class Recorded:
    """A finding the ledger took: whether it is new, escalated, or only history."""

    finding: Finding
    escalated: bool
    history: bool


_UPDATE = (
    "UPDATE findings SET athlete = ?, rule = ?, severity = ?, day = ?, session = ?, title = ?, "
    "message = ?, metrics_json = ?, citation = ?, load_kind = ?, state = ?, updated_at = ? WHERE key = ?"
)


def record(
    tx: sqlite3.Connection, findings: list[Finding], *, deliver_from: date, now: datetime
) -> list[Recorded]:
    """Record findings; returns those that are new, rose in severity, or came back after
    being withdrawn.

    Findings about days before `deliver_from` are kept as history and never delivered. A
    finding whose numbers changed without rising (a corrected distance) is updated in place
    and its note is queued for rewriting; it is not pushed again.
    """
    out: list[Recorded] = []
    stamp = iso(now)
    for f in findings:
        row = tx.execute(
            "SELECT severity, state, metrics_json FROM findings WHERE key = ?", (f.key,)
        ).fetchone()
        history = f.day < deliver_from
        state = "history" if history else "new"
        values = (
            f.athlete,
            f.rule,
            int(f.severity),
            f.day.isoformat(),
            f.session,
            f.title,
            f.message,
            _metrics_json(f.metrics),
            f.citation,
            f.load_kind,
        )
        if row is None:
            tx.execute(
                "INSERT INTO findings (athlete, rule, severity, day, session, title, message, "
                "metrics_json, citation, load_kind, state, first_seen_at, updated_at, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, state, stamp, stamp, f.key),
            )
            out.append(Recorded(f, escalated=False, history=history))
        elif f.severity > row["severity"] or row["state"] == "withdrawn":
            tx.execute(_UPDATE, (*values, state, stamp, f.key))
            out.append(Recorded(f, escalated=True, history=history))
        elif f.severity < row["severity"] or _metrics_json(f.metrics) != row["metrics_json"]:
            tx.execute(_UPDATE, (*values, row["state"], stamp, f.key))
            _refresh_notes(tx, f.key, now)
    return out


def _refresh_notes(tx: sqlite3.Connection, key: str, now: datetime) -> None:
    """Queue the notes that carry `key` again, so they are rewritten with its new text."""
    tx.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, attempts = 0 "
        "WHERE finding_key = ? AND channel LIKE 'note:%' AND status = 'sent'",
        (iso(now), key),
    )


def withdraw_missing(
    tx: sqlite3.Connection,
    athlete: str,
    first: date,
    last: date,
    produced: set[str],
    now: datetime,
    keep_rules: Set[str] = frozenset(),
) -> int:
    """Withdraw recorded rule findings about days first..last that the rules no longer give
    (the run was corrected or deleted): unsent deliveries are dropped and notes that carry
    them are queued for rewriting. Returns how many were withdrawn."""
    rows = tx.execute(
        "SELECT key, rule FROM findings WHERE athlete = ? AND day BETWEEN ? AND ? AND state != 'withdrawn' "
        "AND rule != ?",
        (athlete, first.isoformat(), last.isoformat(), NOTICE_RULE),
    ).fetchall()
    gone = [r["key"] for r in rows if r["key"] not in produced and r["rule"] not in keep_rules]
    for key in gone:
        tx.execute("UPDATE findings SET state = 'withdrawn', updated_at = ? WHERE key = ?", (iso(now), key))
        tx.execute(
            "UPDATE deliveries SET status = 'withdrawn' WHERE finding_key = ? AND status = 'pending' "
            "AND channel NOT LIKE 'note:%'",
            (key,),
        )
        tx.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE finding_key = ? "
            "AND channel LIKE 'note:%' AND status IN ('pending', 'sent')",
            (iso(now), key),
        )
    return len(gone)


def queue(
    tx: sqlite3.Connection, finding: Finding, channel: str, *, due: datetime, target: str | None = None
) -> bool:
    """Queue one delivery unless this channel already has it at this severity or higher."""
    row = tx.execute(
        "SELECT status, severity FROM deliveries WHERE finding_key = ? AND channel = ?",
        (finding.key, channel),
    ).fetchone()
    if row is not None and row["severity"] >= int(finding.severity) and row["status"] != "withdrawn":
        return False
    tx.execute(
        "INSERT INTO deliveries (finding_key, channel, status, severity, target, attempts, "
        "next_attempt_at) VALUES (?, ?, 'pending', ?, ?, 0, ?) ON CONFLICT(finding_key, channel) "
        "DO UPDATE SET status = 'pending', severity = excluded.severity, target = excluded.target, "
        "attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL",
        (finding.key, channel, int(finding.severity), target, iso(due)),
    )
    return True


def findings_between(store: Store, athlete: str, first: date, last: date) -> list[Finding]:
    """Recorded findings about days first..last (inclusive), for the digest."""
    rows = store.conn.execute(
        "SELECT * FROM findings WHERE athlete = ? AND day BETWEEN ? AND ? AND state != 'withdrawn' "
        "ORDER BY day, key",
        (athlete, first.isoformat(), last.isoformat()),
    ).fetchall()
    return [finding_from_row(r) for r in rows]


def folded_between(store: Store, athlete: str, first: date, last: date) -> list[Finding]:
    """Findings about days first..last whose push was folded into the digest (cap, spacing)."""
    rows = store.conn.execute(
        "SELECT DISTINCT f.* FROM findings f JOIN deliveries d ON d.finding_key = f.key "
        "WHERE f.athlete = ? AND d.status = 'folded' AND f.day BETWEEN ? AND ? "
        "ORDER BY f.day, f.key",
        (athlete, first.isoformat(), last.isoformat()),
    ).fetchall()
    return [finding_from_row(r) for r in rows]


def finding_by_key(store: Store, key: str) -> Finding | None:
    """The recorded finding with this key, or None."""
    row = store.conn.execute("SELECT * FROM findings WHERE key = ?", (key,)).fetchone()
    return None if row is None else finding_from_row(row)
