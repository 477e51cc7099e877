"""Small state beside the activities: cursors, note blocks, accounts, provider and engine values."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from syncd.store.activities import Tables
from syncd.store.rows import now_utc


class StateTables(Tables):
    """The `cursors`, `notes`, `accounts`, `provider_state` and `engine_state` tables."""

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

    def account_status(self, athlete: str, provider: str) -> str | None:
        """The account's status ('active', 'auth_required', 'disconnected'); None if unknown."""
        row = self.conn.execute(
            "SELECT status FROM accounts WHERE athlete = ? AND provider = ?", (athlete, provider)
        ).fetchone()
        return None if row is None else str(row["status"])

    def athlete_for_account(self, provider: str, external_id: str) -> str | None:
        """The athlete whose connected account at `provider` has this external id, or None."""
        row = self.conn.execute(
            "SELECT athlete FROM accounts WHERE provider = ? AND external_id = ? "
            "AND status != 'disconnected'",
            (provider, external_id),
        ).fetchone()
        return None if row is None else str(row["athlete"])

    # the engine's own bookkeeping -------------------------------------------------------

    def engine_value(self, athlete: str, key: str) -> Any:
        """A JSON value the engine keeps for an athlete (what it evaluated, digests sent)."""
        row = self.conn.execute(
            "SELECT value_json FROM engine_state WHERE athlete = ? AND key = ?", (athlete, key)
        ).fetchone()
        return None if row is None else json.loads(row["value_json"])

    def set_engine_value(
        self, athlete: str, key: str, value: Any, tx: sqlite3.Connection | None = None
    ) -> None:
        """Save an engine value; inside the caller's transaction when `tx` is given."""
        if tx is None:
            with self.transaction() as own:
                return self.set_engine_value(athlete, key, value, own)
        tx.execute(
            "INSERT INTO engine_state (athlete, key, value_json, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(athlete, key) DO UPDATE SET value_json = excluded.value_json, "
            "updated_at = excluded.updated_at",
            (athlete, key, json.dumps(value, sort_keys=True), now_utc()),
        )
        return None
