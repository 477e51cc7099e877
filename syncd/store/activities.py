"""Activities and the sessions merged from them: idempotent upserts, change numbers, deletions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple

from syncd.domain import Activity
from syncd.store.rows import (
    ACTIVITY_COLUMNS,
    COLUMNS,
    FIELDS,
    UpsertResult,
    activity_from_tuple,
    column_values,
    content_of,
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
        self,
        activities: Iterable[Activity],
        tx: sqlite3.Connection | None = None,
        *,
        sources: Sequence[str] | None = None,
        raws: Sequence[str] | None = None,
    ) -> UpsertResult:
        """Store activities in one transaction; unchanged ones cost nothing and change nothing.

        A copy whose numbers changed gets its revision bumped, so it supplies its session's
        numbers (a distance corrected on Strava wins over the watch's original). The stored
        rows are looked up and written in bulk; a copy listed twice counts as the two
        writes it would be one after the other. `sources`: the fingerprint of the import
        row each copy comes from (`source_hashes`), one per copy. `raws`: the raw payload of
        each copy, in place of its own `raw_json` (an import keeps the two apart).
        """
        if tx is None:
            with self.transaction() as own:
                return self.upsert_activities(activities, own, sources=sources, raws=raws)
        acts = list(activities)
        marks = list(sources) if sources is not None else [None] * len(acts)
        payloads = list(raws) if raws is not None else [a.raw_json for a in acts]
        result = UpsertResult()
        seqs = {name: next_seq(tx, name) for name in {a.athlete for a in acts}}  # one per athlete
        found = _stored_rows(tx, acts)
        writes: dict[Key, Write] = {}
        light: dict[Key, tuple[Activity, str, str | None]] = {}
        for act, raw, source in zip(acts, payloads, marks, strict=True):
            key = (act.athlete, act.provider, act.provider_id)
            values = column_values(act, FIELDS)
            content = content_of(values)
            row = found.get(key)
            if row is None:
                writes[key], revision = Write(True, act, raw, values, 0, content, source), 0
                result.new += 1
            elif row[0] != content:
                revision = row[1] + (row[0].split(":")[0] != content.split(":")[0])
                writes[key] = Write(
                    key in writes and writes[key].insert, act, raw, values, revision, content, source
                )
                result.updated += 1
            else:
                revision = row[1]
                if key in writes:  # listed twice: the later copy's raw payload and source win
                    writes[key] = Write(writes[key].insert, act, raw, values, revision, content, source)
                elif row[2] != raw or row[3] != act.description or source is not None:
                    light[key] = (act, raw, source)  # the same to the rules (syncd's own block may differ)
                result.unchanged += 1
            found[key] = (content, revision, raw, act.description)
        _write(tx, list(writes.values()), now_utc(), seqs)
        tx.executemany(
            "UPDATE activities SET raw_json = ?, description = ?, source_hash = ? "
            "WHERE athlete = ? AND provider = ? AND provider_id = ?",
            [(raw, a.description, source, *key) for key, (a, raw, source) in light.items()],
        )
        return result

    def activities(self, athlete: str, *, include_deleted: bool = False, raw: bool = True) -> list[Activity]:
        """The athlete's stored activities, oldest first; `raw=False` leaves the payloads out
        (rules never read them, and ten years of them would weigh on a small server)."""
        sql = f"SELECT {ACTIVITY_COLUMNS}{', raw_json' if raw else ''} FROM activities WHERE athlete = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: thousands of rows read fast
        rows = cursor.execute(sql + " ORDER BY start_utc, provider, provider_id", (athlete,))
        if raw:
            return [activity_from_tuple(r, r[24]) for r in rows]
        return [activity_from_tuple(r) for r in rows]

    def source_hashes(self, athlete: str) -> dict[str, str]:
        """The fingerprints of the import rows the athlete's (non-deleted) activities were
        stored from and left as they were since, with each activity's start."""
        rows = self.conn.execute(
            "SELECT source_hash, start_utc FROM activities WHERE athlete = ? AND deleted = 0 "
            "AND source_hash IS NOT NULL",
            (athlete,),
        )
        return {r[0]: r[1] for r in rows}

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


Key = tuple[str, str, str]  # athlete, provider, provider id


class Write(NamedTuple):
    """One copy to insert (`insert`) or rewrite, with its revision and content hash."""

    insert: bool
    act: Activity
    raw: str  # the raw payload
    values: list[Any]  # column_values(act, FIELDS)
    revision: int
    content: str
    source: str | None  # the import row's fingerprint, if it comes from one


def _stored_rows(tx: sqlite3.Connection, acts: list[Activity]) -> dict[Key, tuple[Any, ...]]:
    """(content hash, revision, raw payload, description) of the stored copies of `acts`."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for a in acts:
        wanted.setdefault((a.athlete, a.provider), []).append(a.provider_id)
    found: dict[Key, tuple[Any, ...]] = {}
    for (athlete, provider), ids in wanted.items():
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = tx.execute(
                "SELECT provider_id, content_hash, revision, raw_json, description FROM activities "
                f"WHERE athlete = ? AND provider = ? AND provider_id IN ({','.join('?' * len(part))})",
                (athlete, provider, *part),
            )
            found.update({(athlete, provider, r[0]): tuple(r)[1:] for r in rows})
    return found


def _write(tx: sqlite3.Connection, writes: list[Write], stamp: str, seqs: dict[str, int]) -> None:
    """Insert the new copies and rewrite the changed ones, each with its change number."""
    cols = ", ".join((*COLUMNS, "content_hash", "first_seen_at", "updated_at", "change_seq", "source_hash"))
    tx.executemany(
        f"INSERT INTO activities ({cols}) VALUES ({', '.join('?' * (len(COLUMNS) + 5))})",
        [
            (*w.values, w.revision, w.raw, w.content, stamp, stamp, seqs[w.act.athlete], w.source)
            for w in writes
            if w.insert
        ],
    )
    sets = ", ".join(f"{c} = ?" for c in COLUMNS[3:])
    tx.executemany(
        f"UPDATE activities SET {sets}, content_hash = ?, updated_at = ?, change_seq = ?, "
        "source_hash = ? WHERE athlete = ? AND provider = ? AND provider_id = ?",
        [
            (
                *w.values[3:],
                w.revision,
                w.raw,
                w.content,
                stamp,
                seqs[w.act.athlete],
                w.source,
                *w.values[:3],
            )
            for w in writes
            if not w.insert
        ],
    )
