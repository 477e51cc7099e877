"""The `Store`: one SQLite file (WAL) with a versioned schema, opened and migrated here."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from syncd.store.checkins import CheckinTables
from syncd.store.grouping import Groupings
from syncd.store.migrations import migrate
from syncd.store.rows import UpsertResult, now_utc
from syncd.store.sessions import SessionTables
from syncd.store.state import StateTables

DB_NAME = "syncd.sqlite3"

__all__ = ["DB_NAME", "Store", "UpsertResult"]


class Store(SessionTables, StateTables, CheckinTables):
    """The state database of one syncd installation."""

    def __init__(
        self, directory: Path, *, any_thread: bool = False, rank: Mapping[str, int] | None = None
    ) -> None:
        """Open (and migrate) the database; `any_thread` lets one worker thread other than
        the opener use it (the daemon serialises every job on one worker). `rank` (provider
        name → `Provider.rank`) says which copy of a merged session wins a tie; providers it
        does not name come after, by name."""
        self.rank = dict(rank or {})
        self.groupings = Groupings()  # merged sessions kept in memory between passes
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = directory / DB_NAME
        #: the state whose account tokens and answer-link key go with this one: itself, or for
        #: a dry run's throw-away copy the real state (`signs_links` False: a replay's copy,
        #: whose messages carry no answer links and create no key)
        self.token_state = directory
        self.signs_links = True
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

    def has_athlete(self, name: str) -> bool:
        """Whether the state knows this athlete."""
        return self.conn.execute("SELECT 1 FROM athletes WHERE name = ?", (name,)).fetchone() is not None

    def copy_to(self, directory: Path) -> Store:
        """A consistent copy of the whole state in `directory` (SQLite's online backup), opened."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with sqlite3.connect(directory / DB_NAME) as dest:
            self.conn.backup(dest)
        dest.close()
        return Store(directory, rank=self.rank)

    def forget_athlete_data(self, name: str) -> None:
        """Remove everything stored about the athlete but the athlete itself (a replay's copy
        of the state starts so); other athletes are left alone."""
        with self.transaction() as tx:
            tx.execute(
                "DELETE FROM deliveries WHERE finding_key IN (SELECT key FROM findings WHERE athlete = ?)",
                (name,),
            )
            for table in (
                "findings",
                "session_members",
                "sessions",
                "notes",
                "cursors",
                "engine_state",
                "checkins",
                "accounts",
                "activities",
            ):
                tx.execute(f"DELETE FROM {table} WHERE athlete = ?", (name,))

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
