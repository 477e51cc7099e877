"""Recorded webhook events (`webhook_events`): dedupe, retries with backoff, handled marks.

An event is identified by (provider, object id, aspect, event time); `aspect` is the
provider's own key for the kind of event (Strava's tells athlete events from activity
events). The endpoint's threads must not share the daemon's connection, so `EndpointState`
opens a short-lived connection of its own for each question.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncd.store.db import Store
from syncd.store.rows import now_utc


@dataclass(frozen=True)
class EventKey:
    """What identifies one recorded event."""

    provider: str
    object_id: str
    aspect: str
    event_time: int

    @property
    def params(self) -> tuple[str, str, str, int]:
        return (self.provider, self.object_id, self.aspect, self.event_time)


_WHERE = "provider = ? AND object_id = ? AND aspect = ? AND event_time = ?"


@dataclass(frozen=True)
class Unhandled:
    """A recorded event not handled yet."""

    key: EventKey
    owner_id: str | None
    received_at: str


def attempts(store: Store, key: EventKey) -> int:
    """How many times handling the event was tried and put off."""
    row = store.conn.execute(f"SELECT attempts FROM webhook_events WHERE {_WHERE}", key.params).fetchone()
    return int(row["attempts"]) if row else 0


def retry_at(store: Store, key: EventKey, tries: int, when: datetime) -> None:
    """Record `tries` attempts so far and when to try again."""
    with store.transaction() as tx:
        tx.execute(
            f"UPDATE webhook_events SET attempts = ?, next_try_at = ? WHERE {_WHERE}",
            (tries, when.isoformat(timespec="seconds"), *key.params),
        )


def defer(store: Store, key: EventKey, when: datetime) -> None:
    """Try the event again at `when` (the budget or the object's last fetch asks to wait);
    not an attempt."""
    with store.transaction() as tx:
        tx.execute(
            f"UPDATE webhook_events SET next_try_at = ? WHERE {_WHERE}",
            (when.isoformat(timespec="seconds"), *key.params),
        )


def is_handled(store: Store, key: EventKey) -> bool:
    """Whether the event is done (an earlier event about the same object may have done it)."""
    row = store.conn.execute(f"SELECT handled_at FROM webhook_events WHERE {_WHERE}", key.params).fetchone()
    return row is not None and row["handled_at"] is not None


def last_handled(store: Store, provider: str, object_id: str, aspects: tuple[str, ...]) -> datetime | None:
    """When an event of these aspects about the object was last handled, or None."""
    marks = ",".join("?" * len(aspects))
    row = store.conn.execute(
        "SELECT MAX(handled_at) FROM webhook_events WHERE provider = ? AND object_id = ? "
        f"AND aspect IN ({marks})",
        (provider, object_id, *aspects),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    when = datetime.fromisoformat(row[0])
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def handled(store: Store, key: EventKey, at: datetime | None = None) -> None:
    """Mark the event done (or given up) at `at` (default now): it is never tried again."""
    with store.transaction() as tx:
        tx.execute(f"UPDATE webhook_events SET handled_at = ? WHERE {_WHERE}", (_stamp(at), *key.params))


def handled_for_object(
    store: Store, provider: str, object_id: str, aspects: tuple[str, ...], at: datetime | None = None
) -> None:
    """Mark every unhandled event of these aspects about the object done."""
    marks = ",".join("?" * len(aspects))
    with store.transaction() as tx:
        tx.execute(
            f"UPDATE webhook_events SET handled_at = ? WHERE provider = ? AND object_id = ? "
            f"AND aspect IN ({marks}) AND handled_at IS NULL",
            (_stamp(at), provider, object_id, *aspects),
        )


def _stamp(at: datetime | None) -> str:
    return now_utc() if at is None else at.astimezone(UTC).isoformat(timespec="seconds")


def was_handled(store: Store, provider: str, object_id: str, aspect: str) -> bool:
    """Whether an event of this aspect about the object was handled."""
    row = store.conn.execute(
        "SELECT 1 FROM webhook_events WHERE provider = ? AND object_id = ? AND aspect = ? "
        "AND handled_at IS NOT NULL",
        (provider, object_id, aspect),
    ).fetchone()
    return row is not None


def unhandled(store: Store, provider: str, now: datetime, skip_prefix: str) -> list[Unhandled]:
    """Events not handled yet whose next try is due, oldest first; aspects starting with
    `skip_prefix` are left out."""
    rows = store.conn.execute(
        "SELECT object_id, aspect, event_time, owner_id, received_at FROM webhook_events "
        "WHERE provider = ? AND handled_at IS NULL AND aspect NOT LIKE ? "
        "AND (next_try_at IS NULL OR next_try_at <= ?) ORDER BY event_time",
        (provider, skip_prefix + "%", now.isoformat(timespec="seconds")),
    ).fetchall()
    return [
        Unhandled(
            EventKey(provider, r["object_id"], r["aspect"], int(r["event_time"])),
            r["owner_id"],
            r["received_at"],
        )
        for r in rows
    ]


class EndpointState:
    """What a webhook endpoint reads and records, each over its own short-lived connection."""

    def __init__(self, db_path: Path, provider: str) -> None:
        self.db_path = db_path
        self.provider = provider

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=5, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def provider_value(self, key: str) -> Any:
        """A value the provider keeps in the state (as `Store.provider_value`)."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT value_json FROM provider_state WHERE provider = ? AND key = ?", (self.provider, key)
            ).fetchone()
        return json.loads(row["value_json"]) if row else None

    def athlete_for(self, external_id: str) -> str | None:
        """The connected athlete with this account id at the provider, or None."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT athlete FROM accounts WHERE provider = ? AND external_id = ? "
                "AND status != 'disconnected'",
                (self.provider, external_id),
            ).fetchone()
        return None if row is None else str(row["athlete"])

    def remember(self, key: EventKey, owner_id: str) -> bool:
        """Record the event; False if it was recorded before (a duplicate delivery)."""
        with closing(self._connect()) as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO webhook_events (provider, object_id, aspect, event_time, "
                "owner_id, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (*key.params, owner_id, now_utc()),
            )
            return cur.rowcount == 1
