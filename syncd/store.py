"""syncd's state: one SQLite file (WAL), versioned schema, idempotent upserts, merged sessions."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncd.domain import Activity, Session
from syncd.merge import group_sessions
from syncd.migrations import migrate
from syncd.sports import Sport

DB_NAME = "syncd.sqlite3"
_NUMBERS = (
    "sport",
    "distance_m",
    "moving_s",
    "elapsed_s",
    "avg_hr",
    "max_hr",
    "rpe",
    "effort_score",
    "hr_zone45_s",
    "manual",
    "trainer",
    "deleted",
)
_TEXTS = ("start_utc", "utc_offset_s", "sport_raw", "title", "description", "private_note")
_COLUMNS = ("athlete", "provider", "provider_id", *_TEXTS, *_NUMBERS, "revision", "raw_json")


def _next_seq(tx: sqlite3.Connection) -> int:
    """The change number for the writes of one transaction (one more than any so far)."""
    return int(tx.execute("SELECT COALESCE(MAX(change_seq), 0) + 1 FROM activities").fetchone()[0])


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class UpsertResult:
    """What an upsert changed, in counts (what to re-evaluate comes from `changes_since`)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


def _value(activity: Activity, name: str) -> Any:
    value = getattr(activity, name)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Sport):
        return value.value
    return value


def _hash(activity: Activity, names: Iterable[str]) -> str:
    payload = json.dumps([_value(activity, n) for n in names], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _activity(row: sqlite3.Row) -> Activity:
    return Activity(
        provider=row["provider"],
        provider_id=row["provider_id"],
        athlete=row["athlete"],
        start_utc=datetime.fromisoformat(row["start_utc"]),
        sport=Sport(row["sport"]),
        sport_raw=row["sport_raw"],
        utc_offset_s=row["utc_offset_s"],
        distance_m=row["distance_m"],
        moving_s=row["moving_s"],
        elapsed_s=row["elapsed_s"],
        avg_hr=row["avg_hr"],
        max_hr=row["max_hr"],
        rpe=row["rpe"],
        effort_score=row["effort_score"],
        hr_zone45_s=row["hr_zone45_s"],
        title=row["title"],
        description=row["description"],
        private_note=row["private_note"],
        manual=bool(row["manual"]),
        trainer=bool(row["trainer"]),
        deleted=bool(row["deleted"]),
        revision=row["revision"],
        raw_json=row["raw_json"],
    )


class Store:
    """The state database of one syncd installation."""

    def __init__(self, directory: Path, *, any_thread: bool = False) -> None:
        """Open (and migrate) the database; `any_thread` lets one worker thread other than
        the opener use it (the daemon serialises every job on one worker)."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = directory / DB_NAME
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=30, check_same_thread=not any_thread
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        migrate(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic step: everything inside commits together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # athletes -------------------------------------------------------------------------

    def ensure_athlete(self, name: str, timezone: str) -> None:
        """Create the athlete, or update its time zone."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO athletes (name, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET timezone = excluded.timezone",
                (name, timezone, now_utc()),
            )

    def athletes(self) -> list[sqlite3.Row]:
        return list(self.conn.execute("SELECT * FROM athletes ORDER BY name"))

    # activities -----------------------------------------------------------------------

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
        seq = _next_seq(tx)
        for act in activities:
            row = tx.execute(
                "SELECT content_hash, revision, raw_json FROM activities "
                "WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (act.athlete, act.provider, act.provider_id),
            ).fetchone()
            numbers, texts = _hash(act, _NUMBERS), _hash(act, _TEXTS)
            content = f"{numbers}:{texts}"
            if row is None:
                self._write(tx, act, 0, content, stamp, seq, insert=True)
                result.new += 1
            elif row["content_hash"] != content:
                bump = row["content_hash"].split(":")[0] != numbers
                self._write(tx, act, row["revision"] + bump, content, stamp, seq, insert=False)
                result.updated += 1
            elif row["raw_json"] != act.raw_json:
                tx.execute(
                    "UPDATE activities SET raw_json = ? WHERE athlete = ? AND provider = ? "
                    "AND provider_id = ?",
                    (act.raw_json, act.athlete, act.provider, act.provider_id),
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
        values = [_value(act, c) if c != "revision" else revision for c in _COLUMNS]
        if insert:
            cols = ", ".join((*_COLUMNS, "content_hash", "first_seen_at", "updated_at", "change_seq"))
            marks = ", ".join("?" * (len(_COLUMNS) + 4))
            tx.execute(
                f"INSERT INTO activities ({cols}) VALUES ({marks})", (*values, content, stamp, stamp, seq)
            )
        else:
            sets = ", ".join(f"{c} = ?" for c in _COLUMNS[3:])
            tx.execute(
                f"UPDATE activities SET {sets}, content_hash = ?, updated_at = ?, change_seq = ? "
                "WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (*values[3:], content, stamp, seq, act.athlete, act.provider, act.provider_id),
            )

    def activities(self, athlete: str, *, include_deleted: bool = False, raw: bool = True) -> list[Activity]:
        """The athlete's stored activities, oldest first; `raw=False` leaves the payloads out
        (rules never read them, and ten years of them would weigh on a small server)."""
        columns = "*" if raw else ", ".join(c for c in _COLUMNS if c != "raw_json") + ", '{}' AS raw_json"
        sql = f"SELECT {columns} FROM activities WHERE athlete = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        return [
            _activity(r)
            for r in self.conn.execute(sql + " ORDER BY start_utc, provider, provider_id", (athlete,))
        ]

    def mark_deleted(self, athlete: str, provider: str, provider_id: str) -> bool:
        """Mark one activity deleted (kept, but out of every rule); True if it existed."""
        with self.transaction() as tx:
            cur = tx.execute(
                "UPDATE activities SET deleted = 1, revision = revision + 1, updated_at = ?, "
                "change_seq = ? WHERE athlete = ? AND provider = ? AND provider_id = ? AND deleted = 0",
                (now_utc(), _next_seq(tx), athlete, provider, provider_id),
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

    # sessions -------------------------------------------------------------------------

    def sessions(self, athlete: str) -> list[Session]:
        """The athlete's merged sessions, computed from the stored activities; a session keeps
        the id it was first stored under."""
        known = {
            f"{r[0]}:{r[1]}": r[2]
            for r in self.conn.execute(
                "SELECT provider, provider_id, session_id FROM session_members WHERE athlete = ?", (athlete,)
            )
        }
        return group_sessions(self.activities(athlete, raw=False), known)

    def rebuild_sessions(self, athlete: str) -> tuple[list[Session], int]:
        """Regroup and persist the athlete's sessions; returns them and how many more copies
        are merged into another provider's session than before."""
        sessions = self.sessions(athlete)
        before = self.conn.execute(
            "SELECT COALESCE(SUM(members - 1), 0) FROM sessions WHERE athlete = ?", (athlete,)
        ).fetchone()[0]
        merged = sum(len(s.activities) - 1 for s in sessions) - int(before)
        with self.transaction() as tx:
            tx.execute("DELETE FROM session_members WHERE athlete = ?", (athlete,))
            tx.execute("DELETE FROM sessions WHERE athlete = ?", (athlete,))
            tx.executemany(
                "INSERT INTO sessions (id, athlete, start_utc, sport, distance_m, members) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (s.id, athlete, s.start_utc.isoformat(), s.sport.value, s.distance_m, len(s.activities))
                    for s in sessions
                ],
            )
            tx.executemany(
                "INSERT INTO session_members (session_id, athlete, provider, provider_id) "
                "VALUES (?, ?, ?, ?)",
                [(s.id, athlete, a.provider, a.provider_id) for s in sessions for a in s.activities],
            )
        return sessions, merged

    # cursors --------------------------------------------------------------------------

    def cursor(self, athlete: str, provider: str) -> str | None:
        row = self.conn.execute(
            "SELECT cursor FROM cursors WHERE athlete = ? AND provider = ?", (athlete, provider)
        ).fetchone()
        return None if row is None else str(row["cursor"])

    def set_cursor(self, tx: sqlite3.Connection, athlete: str, provider: str, cursor: str) -> None:
        """Advance a cursor inside the caller's transaction (with the activities it covers)."""
        tx.execute(
            "INSERT INTO cursors (athlete, provider, cursor, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(athlete, provider) DO UPDATE SET cursor = excluded.cursor, "
            "updated_at = excluded.updated_at",
            (athlete, provider, cursor, now_utc()),
        )

    # note blocks ----------------------------------------------------------------------

    def note_state(
        self, athlete: str, provider: str, provider_id: str
    ) -> tuple[str | None, str | None, bool]:
        """(block last confirmed on the activity, block whose write may not have finished,
        whether the runner removed syncd's block so it is left alone)."""
        row = self.conn.execute(
            "SELECT block, pending, abandoned FROM notes WHERE athlete = ? AND provider = ? "
            "AND provider_id = ?",
            (athlete, provider, provider_id),
        ).fetchone()
        if row is None:
            return None, None, False
        return row["block"] or None, row["pending"], bool(row["abandoned"])

    def note_intent(self, athlete: str, provider: str, provider_id: str, block: str) -> None:
        """Remember a block before writing it, so a crash mid-write never orphans it."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO notes (athlete, provider, provider_id, block, pending, written_at) "
                "VALUES (?, ?, ?, '', ?, ?) ON CONFLICT(athlete, provider, provider_id) "
                "DO UPDATE SET pending = excluded.pending",
                (athlete, provider, provider_id, block, now_utc()),
            )

    def note_done(
        self, athlete: str, provider: str, provider_id: str, block: str | None, *, abandoned: bool = False
    ) -> None:
        """Confirm the block now on the activity (or that the runner removed ours)."""
        with self.transaction() as tx:
            tx.execute(
                "UPDATE notes SET block = COALESCE(?, block), pending = NULL, abandoned = ?, "
                "written_at = ? WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (block, int(abandoned), now_utc(), athlete, provider, provider_id),
            )

    # accounts ---------------------------------------------------------------------------

    def set_account(
        self,
        athlete: str,
        provider: str,
        *,
        status: str,
        error: str | None = None,
        external_id: str | None = None,
        synced_at: datetime | None = None,
    ) -> None:
        """Record an account's state: `syncd connect` (with the provider's athlete id), a
        pass (when it synced, the error if any), a disconnect. Unset fields keep their value."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO accounts (athlete, provider, external_id, status, last_sync_at, last_error) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(athlete, provider) DO UPDATE SET "
                "external_id = COALESCE(excluded.external_id, external_id), status = excluded.status, "
                "last_sync_at = COALESCE(excluded.last_sync_at, last_sync_at), "
                "last_error = excluded.last_error",
                (
                    athlete,
                    provider,
                    external_id,
                    status,
                    synced_at.isoformat(timespec="seconds") if synced_at else None,
                    error,
                ),
            )

    # provider-owned state ---------------------------------------------------------------

    def provider_value(self, provider: str, key: str) -> Any:
        """A JSON value a provider keeps across restarts (e.g. a rate budget); None if unset."""
        row = self.conn.execute(
            "SELECT value_json FROM provider_state WHERE provider = ? AND key = ?", (provider, key)
        ).fetchone()
        return None if row is None else json.loads(row["value_json"])

    def set_provider_value(
        self, provider: str, key: str, value: Any, tx: sqlite3.Connection | None = None
    ) -> None:
        """Save a JSON value; inside the caller's transaction when `tx` is given."""
        if tx is None:
            with self.transaction() as own:
                return self.set_provider_value(provider, key, value, own)
        tx.execute(
            "INSERT INTO provider_state (provider, key, value_json, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(provider, key) DO UPDATE SET value_json = excluded.value_json, "
            "updated_at = excluded.updated_at",
            (provider, key, json.dumps(value, sort_keys=True), now_utc()),
        )
        return None

    # status ---------------------------------------------------------------------------

    def summary(self, athlete: str) -> dict[str, Any]:
        """Counts and the latest activity, for `syncd status`."""
        counts = self.conn.execute(
            "SELECT COUNT(*) AS n, SUM(deleted) AS deleted, MAX(start_utc) AS last "
            "FROM activities WHERE athlete = ?",
            (athlete,),
        ).fetchone()
        by_provider = {
            r["provider"]: r["n"]
            for r in self.conn.execute(
                "SELECT provider, COUNT(*) AS n FROM activities WHERE athlete = ? AND deleted = 0 "
                "GROUP BY provider ORDER BY provider",
                (athlete,),
            )
        }
        sessions = self.conn.execute(
            "SELECT COUNT(*) AS n, SUM(members > 1) AS merged FROM sessions WHERE athlete = ?", (athlete,)
        ).fetchone()
        last = self.conn.execute(
            "SELECT provider, provider_id, start_utc, sport, distance_m, title FROM activities "
            "WHERE athlete = ? AND deleted = 0 ORDER BY start_utc DESC LIMIT 1",
            (athlete,),
        ).fetchone()
        accounts = [
            dict(r)
            for r in self.conn.execute(
                "SELECT provider, status, last_sync_at, last_error FROM accounts WHERE athlete = ? "
                "ORDER BY provider",
                (athlete,),
            )
        ]
        return {
            "activities": counts["n"] or 0,
            "deleted": counts["deleted"] or 0,
            "by_provider": by_provider,
            "sessions": sessions["n"] or 0,
            "merged_sessions": sessions["merged"] or 0,
            "last_activity": dict(last) if last else None,
            "accounts": accounts,
        }
