"""Small state beside the activities: cursors, note blocks, accounts, provider and engine values."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from syncd.store.activities import Tables
from syncd.store.rows import now_utc

#: How many unconfirmed blocks of one note are remembered (each one a write cut short).
UNCONFIRMED_KEPT = 20


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

    def note_state(self, athlete: str, provider: str, provider_id: str) -> tuple[str | None, list[str], bool]:
        """(block last confirmed on the activity, blocks whose write may or may not have
        reached it, newest first, whether the runner removed syncd's block so it is left alone)."""
        row = self.conn.execute(
            "SELECT block, unconfirmed_json, abandoned FROM notes WHERE athlete = ? AND provider = ? "
            "AND provider_id = ?",
            (athlete, provider, provider_id),
        ).fetchone()
        if row is None:
            return None, [], False
        return (
            row["block"] or None,
            list(reversed(json.loads(row["unconfirmed_json"]))),
            bool(row["abandoned"]),
        )

    def note_intent(self, athlete: str, provider: str, provider_id: str, block: str) -> None:
        """Remember a block before writing it, beside every other block whose write was cut
        short (a crash after the provider applied a write but before it was confirmed leaves
        that block on the activity): none of them is ever orphaned. Keeps the newest
        `UNCONFIRMED_KEPT`."""
        with self.transaction() as tx:
            row = tx.execute(
                "SELECT unconfirmed_json FROM notes WHERE athlete = ? AND provider = ? AND provider_id = ?",
                (athlete, provider, provider_id),
            ).fetchone()
            kept = [] if row is None else [b for b in json.loads(row["unconfirmed_json"]) if b != block]
            kept = [*kept, block][-UNCONFIRMED_KEPT:]
            tx.execute(
                "INSERT INTO notes (athlete, provider, provider_id, block, pending, unconfirmed_json, "
                "written_at) VALUES (?, ?, ?, '', ?, ?, ?) ON CONFLICT(athlete, provider, provider_id) "
                "DO UPDATE SET pending = excluded.pending, unconfirmed_json = excluded.unconfirmed_json",
                (athlete, provider, provider_id, block, json.dumps(kept), now_utc()),
            )

    def note_done(
        self, athlete: str, provider: str, provider_id: str, block: str | None, *, abandoned: bool = False
    ) -> None:
        """Confirm the block now on the activity (or that the runner removed ours): no other
        block can be there any more."""
        with self.transaction() as tx:
            tx.execute(
                "UPDATE notes SET block = COALESCE(?, block), pending = NULL, unconfirmed_json = '[]', "
                "abandoned = ?, written_at = ? WHERE athlete = ? AND provider = ? AND provider_id = ?",
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
