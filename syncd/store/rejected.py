"""Items a provider listed that syncd could not read, kept raw with their error.

A listing stores them in the same transaction as the page and its cursor, so the cursor never
moves past an item that is not stored somewhere. Each pass retries a few of them (read again
from the provider, or mapped again from the raw copy after a fix in syncd) until one maps (it
is stored as an activity and its row goes) or the provider says it is gone. Retries back off
from `RETRY_FIRST` to `RETRY_MAX`, so an item that stays broken costs a read a day at most.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from syncd.store.db import Store
from syncd.store.ledger import iso

RETRY_FIRST = timedelta(minutes=10)
RETRY_MAX = timedelta(days=1)


@dataclass(frozen=True)
class Kept:
    """One stored item: its provider id, start (if it could be read), raw payload, error, tries."""

    provider_id: str
    start_utc: str | None
    raw: Any
    error: str
    attempts: int


def keep(
    tx: sqlite3.Connection,
    athlete: str,
    provider: str,
    items: list[tuple[str, str | None, Any, str]],
    now: datetime,
) -> int:
    """Store (provider id, start, raw, error) items inside the caller's transaction; an item
    already kept gets the newer raw copy and error and keeps its place in the retries. New
    ones are due at once (the next pass tries them). Returns how many were new."""
    new = 0
    for provider_id, start, raw, error in items:
        raw_json = json.dumps(raw, sort_keys=True)
        found = tx.execute(
            "UPDATE rejected_items SET raw_json = ?, error = ?, start_utc = COALESCE(?, start_utc) "
            "WHERE athlete = ? AND provider = ? AND provider_id = ?",
            (raw_json, error, start, athlete, provider, provider_id),
        ).rowcount
        if not found:
            tx.execute(
                "INSERT INTO rejected_items (athlete, provider, provider_id, start_utc, raw_json, error, "
                "first_seen_at, attempts, next_try_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (athlete, provider, provider_id, start, raw_json, error, iso(now), iso(now)),
            )
            new += 1
    return new


def forget(tx: sqlite3.Connection, athlete: str, provider: str, provider_ids: list[str]) -> None:
    """Drop items that were stored as activities after all (or are gone at the provider)."""
    tx.executemany(
        "DELETE FROM rejected_items WHERE athlete = ? AND provider = ? AND provider_id = ?",
        [(athlete, provider, i) for i in provider_ids],
    )


def due(store: Store, athlete: str, provider: str, now: datetime, limit: int) -> list[Kept]:
    """Up to `limit` items whose next try has come, the longest waiting first."""
    rows = store.conn.execute(
        "SELECT provider_id, start_utc, raw_json, error, attempts FROM rejected_items "
        "WHERE athlete = ? AND provider = ? AND next_try_at <= ? ORDER BY next_try_at, provider_id LIMIT ?",
        (athlete, provider, iso(now), limit),
    ).fetchall()
    return [
        Kept(r["provider_id"], r["start_utc"], json.loads(r["raw_json"]), r["error"], r["attempts"])
        for r in rows
    ]


def still_bad(store: Store, athlete: str, provider: str, item: Kept, error: str, now: datetime) -> None:
    """Count one more failed try and back off (doubling, at most `RETRY_MAX`)."""
    wait = min(RETRY_FIRST * 2**item.attempts, RETRY_MAX)
    with store.transaction() as tx:
        tx.execute(
            "UPDATE rejected_items SET attempts = attempts + 1, error = ?, next_try_at = ? "
            "WHERE athlete = ? AND provider = ? AND provider_id = ?",
            (error, iso(now + wait), athlete, provider, item.provider_id),
        )


def count(store: Store, athlete: str) -> dict[str, int]:
    """How many unreadable items each of the athlete's accounts holds, for `syncd status`."""
    rows = store.conn.execute(
        "SELECT provider, COUNT(*) AS n FROM rejected_items WHERE athlete = ? GROUP BY provider",
        (athlete,),
    )
    return {r["provider"]: int(r["n"]) for r in rows}
