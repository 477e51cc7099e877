"""The delivery outbox: what is due, and each attempt's outcome (sent, held, folded, failed).

Retryable failures come back with exponential backoff until `max_attempts`; a delivery given
up on stays 'failed' and is listed by `problems` for `syncd status`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from syncd.domain import Finding
from syncd.store.db import Store
from syncd.store.ledger import BACKOFF_FIRST, BACKOFF_MAX, NOTICE_RULE, finding_from_row, iso


@dataclass(frozen=True)
class Due:
    """One pending delivery that is due: its channel, note target, attempts so far, finding."""

    channel: str
    target: str | None
    attempts: int
    finding: Finding


def due(store: Store, athlete: str, channel_prefix: str, now: datetime) -> list[Due]:
    """Pending deliveries of the athlete on channels starting with the prefix, due by `now`."""
    rows = store.conn.execute(
        "SELECT d.channel, d.target, d.attempts, d.finding_key, f.* FROM deliveries d "
        "JOIN findings f ON f.key = d.finding_key "
        "WHERE f.athlete = ? AND d.status = 'pending' AND d.channel LIKE ? "
        "AND d.next_attempt_at <= ? ORDER BY f.day, f.severity DESC, f.key",
        (athlete, channel_prefix + "%", iso(now)),
    ).fetchall()
    return [Due(r["channel"], r["target"], r["attempts"], finding_from_row(r)) for r in rows]


def mark(
    tx: sqlite3.Connection,
    key: str,
    channel: str,
    status: str,
    *,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Set a delivery's status: 'sent', 'folded' (into the digest), 'held', 'failed' or 'skipped'."""
    tx.execute(
        "UPDATE deliveries SET status = ?, last_error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? "
        "ELSE sent_at END, next_attempt_at = COALESCE(?, next_attempt_at) "
        "WHERE finding_key = ? AND channel = ?",
        (status, error, status, iso(now), iso(retry_at) if retry_at else None, key, channel),
    )


def hold(tx: sqlite3.Connection, key: str, channel: str, until: datetime) -> None:
    """Keep a delivery pending until `until` (quiet hours): not an attempt, not a failure."""
    tx.execute(
        "UPDATE deliveries SET next_attempt_at = ? WHERE finding_key = ? AND channel = ?",
        (iso(until), key, channel),
    )


def failed_attempt(
    tx: sqlite3.Connection,
    key: str,
    channel: str,
    error: str,
    *,
    retryable: bool,
    now: datetime,
    max_attempts: int,
) -> str:
    """Count a failed attempt; returns the new status ('pending' with backoff, or 'failed')."""
    row = tx.execute(
        "SELECT attempts FROM deliveries WHERE finding_key = ? AND channel = ?", (key, channel)
    ).fetchone()
    attempts = (row["attempts"] if row else 0) + 1
    if not retryable or attempts >= max_attempts:
        status, retry = "failed", None
    else:
        status = "pending"
        retry = now + min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)
    tx.execute(
        "UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, "
        "next_attempt_at = COALESCE(?, next_attempt_at) WHERE finding_key = ? AND channel = ?",
        (status, attempts, error, iso(retry) if retry else None, key, channel),
    )
    return status


def sent_count(store: Store, athlete: str, channel: str, since: datetime) -> int:
    """How many of the runner's deliveries on `channel` were sent since `since` (syncd's own
    notices to the server's owner do not count)."""
    row = store.conn.execute(
        "SELECT COUNT(*) FROM deliveries d JOIN findings f ON f.key = d.finding_key "
        "WHERE f.athlete = ? AND d.channel = ? AND d.status = 'sent' AND d.sent_at >= ? AND f.rule != ?",
        (athlete, channel, iso(since), NOTICE_RULE),
    ).fetchone()
    return int(row[0])


def problems(store: Store) -> list[dict[str, Any]]:
    """Deliveries given up on, for `syncd status`."""
    rows = store.conn.execute(
        "SELECT f.athlete, d.finding_key, d.channel, d.attempts, d.last_error FROM deliveries d "
        "JOIN findings f ON f.key = d.finding_key WHERE d.status = 'failed' ORDER BY f.day DESC"
    )
    return [dict(r) for r in rows]


def note_findings(store: Store, channel: str, target: str) -> list[Finding]:
    """Every live finding queued for one note (pending or sent), not only the due ones."""
    rows = store.conn.execute(
        "SELECT f.* FROM deliveries d JOIN findings f ON f.key = d.finding_key "
        "WHERE d.channel = ? AND d.target = ? AND d.status IN ('pending', 'sent') "
        "AND f.state != 'withdrawn'",
        (channel, target),
    )
    return [finding_from_row(r) for r in rows]


def pushed_between(store: Store, finding: Finding, channel: str, first: date, last: date) -> bool:
    """Whether another finding of the same rule and athlete about a day first..last was sent
    on `channel`."""
    row = store.conn.execute(
        "SELECT 1 FROM deliveries d JOIN findings f ON f.key = d.finding_key WHERE f.athlete = ? "
        "AND f.rule = ? AND d.channel = ? AND d.status = 'sent' AND f.day BETWEEN ? AND ? "
        "AND f.key != ? LIMIT 1",
        (finding.athlete, finding.rule, channel, first.isoformat(), last.isoformat(), finding.key),
    ).fetchone()
    return row is not None


def next_due(store: Store, athlete: str) -> datetime | None:
    """When the athlete's next pending delivery comes due (a push held by quiet hours), or None."""
    row = store.conn.execute(
        "SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN findings f ON f.key = d.finding_key "
        "WHERE f.athlete = ? AND d.status = 'pending'",
        (athlete,),
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
