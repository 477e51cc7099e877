"""Activities and the sessions merged from them: idempotent upserts, change numbers, deletions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from syncd.domain import Activity
from syncd.store.rows import (
    COLUMNS,
    NUMBERS,
    TEXTS,
    UpsertResult,
    activity_from_row,
    column_value,
    content_hash,
    next_seq,
    now_utc,
)


class Tables:
    """What every part of the store shares: the connection and the transaction."""

    conn: sqlite3.Connection
    rank: Mapping[str, int]

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError


class ActivityTables(Tables):
    """The `activities`, `sessions` and `session_members` tables."""

    def upsert_activities(
        self, activities: Iterable[Activity], tx: sqlite3.Connection | None = None
    ) -> UpsertResult:
        """Store activities in one transaction; unchanged ones cost nothing and change nothing.

        A copy whose numbers changed gets its revision bumped, so it supplies its session's
        numbers (a distance corrected on Strava wins over the watch's original).
        """
        if tx is None:
            with self.transaction() as own:
                return self.upsert_activities(activities, own)
        result = UpsertResult()
        stamp = now_utc()
        seqs: dict[str, int] = {}  # one change number per athlete for this transaction
        for act in activities:
            if act.athlete not in seqs:
                seqs[act.athlete] = next_seq(tx, act.athlete)
            seq = seqs[act.athlete]
            row = tx.execute(
                "SELECT content_hash, revision, raw_json, description FROM activities "
                "WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (act.athlete, act.provider, act.provider_id),
            ).fetchone()
            numbers, texts = content_hash(act, NUMBERS), content_hash(act, TEXTS)
            content = f"{numbers}:{texts}"
            if row is None:
                self._write(tx, act, 0, content, stamp, seq, insert=True)
                result.new += 1
            elif row["content_hash"] != content:
                bump = row["content_hash"].split(":")[0] != numbers
                self._write(tx, act, row["revision"] + bump, content, stamp, seq, insert=False)
                result.updated += 1
            elif row["raw_json"] != act.raw_json or row["description"] != act.description:
                # the same to the rules (syncd's own block may differ): kept, not a change
                tx.execute(
                    "UPDATE activities SET raw_json = ?, description = ? WHERE athlete = ? "
                    "AND provider = ? AND provider_id = ?",
                    (act.raw_json, act.description, act.athlete, act.provider, act.provider_id),
                )
                result.unchanged += 1
            else:
                result.unchanged += 1
        return result

    @staticmethod
    def _write(
        tx: sqlite3.Connection,
        act: Activity,
        revision: int,
        content: str,
        stamp: str,
        seq: int,
        *,
        insert: bool,
    ) -> None:
        values = [column_value(act, c) if c != "revision" else revision for c in COLUMNS]
        if insert:
            cols = ", ".join((*COLUMNS, "content_hash", "first_seen_at", "updated_at", "change_seq"))
            marks = ", ".join("?" * (len(COLUMNS) + 4))
            tx.execute(
                f"INSERT INTO activities ({cols}) VALUES ({marks})", (*values, content, stamp, stamp, seq)
            )
        else:
            sets = ", ".join(f"{c} = ?" for c in COLUMNS[3:])
            tx.execute(
                f"UPDATE activities SET {sets}, content_hash = ?, updated_at = ?, change_seq = ? "
                "WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (*values[3:], content, stamp, seq, act.athlete, act.provider, act.provider_id),
            )

    def activities(self, athlete: str, *, include_deleted: bool = False, raw: bool = True) -> list[Activity]:
        """The athlete's stored activities, oldest first; `raw=False` leaves the payloads out
        (rules never read them, and ten years of them would weigh on a small server)."""
        columns = "*" if raw else ", ".join(c for c in COLUMNS if c != "raw_json") + ", '{}' AS raw_json"
        sql = f"SELECT {columns} FROM activities WHERE athlete = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        return [
            activity_from_row(r)
            for r in self.conn.execute(sql + " ORDER BY start_utc, provider, provider_id", (athlete,))
        ]

    def mark_deleted(self, athlete: str, provider: str, provider_id: str) -> bool:
        """Mark one activity deleted (kept, but out of every rule); True if it existed."""
        with self.transaction() as tx:
            cur = tx.execute(
                "UPDATE activities SET deleted = 1, revision = revision + 1, updated_at = ?, "
                "change_seq = ? WHERE athlete = ? AND provider = ? AND provider_id = ? AND deleted = 0",
                (now_utc(), next_seq(tx, athlete), athlete, provider, provider_id),
            )
            return cur.rowcount > 0

    def changes_since(self, athlete: str, seq: int) -> tuple[int, datetime | None]:
        """(the newest change number, the earliest start among activities changed after `seq`);
        (seq, None) when nothing changed."""
        row = self.conn.execute(
            "SELECT MAX(change_seq), MIN(start_utc) FROM activities WHERE athlete = ? AND change_seq > ?",
            (athlete, seq),
        ).fetchone()
        if row[0] is None:
            return seq, None
        return int(row[0]), datetime.fromisoformat(row[1])

    def raw_payloads(self, athlete: str, provider: str, provider_ids: list[str]) -> dict[str, Any]:
        """The stored raw payloads (decoded) of these activities, by provider id."""
        if not provider_ids:
            return {}
        rows = self.conn.execute(
            "SELECT provider_id, raw_json FROM activities WHERE athlete = ? AND provider = ? "
            f"AND provider_id IN ({','.join('?' * len(provider_ids))})",
            (athlete, provider, *provider_ids),
        )
        return {row["provider_id"]: json.loads(row["raw_json"]) for row in rows}
