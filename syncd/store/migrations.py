"""The SQLite schema as a list of forward migrations; `PRAGMA user_version` is the index reached.

Never edit a released migration: add a new one. Each runs in its own transaction with the
version bump, so a crash leaves the database at the last complete version.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: athletes, accounts, activities with their raw payload, per-account sync cursors
    """
    CREATE TABLE athletes (
        name TEXT PRIMARY KEY,
        timezone TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE accounts (
        athlete TEXT NOT NULL REFERENCES athletes(name),
        provider TEXT NOT NULL,
        external_id TEXT,
        status TEXT NOT NULL DEFAULT 'active',
        last_sync_at TEXT,
        last_error TEXT,
        PRIMARY KEY (athlete, provider)
    );
    CREATE TABLE activities (
        athlete TEXT NOT NULL REFERENCES athletes(name),
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        start_utc TEXT NOT NULL,
        utc_offset_s INTEGER NOT NULL DEFAULT 0,
        sport TEXT NOT NULL,
        sport_raw TEXT NOT NULL DEFAULT '',
        distance_m INTEGER,
        moving_s INTEGER,
        elapsed_s INTEGER,
        avg_hr REAL,
        max_hr REAL,
        rpe INTEGER,
        effort_score REAL,
        title TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        private_note TEXT NOT NULL DEFAULT '',
        manual INTEGER NOT NULL DEFAULT 0,
        trainer INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        raw_json TEXT NOT NULL DEFAULT '{}',
        content_hash TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete, provider, provider_id)
    );
    CREATE INDEX activities_by_start ON activities (athlete, start_utc);
    CREATE TABLE cursors (
        athlete TEXT NOT NULL,
        provider TEXT NOT NULL,
        cursor TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete, provider)
    );
    """,
    # 2: revisions (which copy was edited last), HR-zone time, and merged sessions
    """
    ALTER TABLE activities ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE activities ADD COLUMN hr_zone45_s INTEGER;
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        athlete TEXT NOT NULL REFERENCES athletes(name),
        start_utc TEXT NOT NULL,
        sport TEXT NOT NULL,
        distance_m INTEGER,
        members INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_start ON sessions (athlete, start_utc);
    CREATE TABLE session_members (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        athlete TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        PRIMARY KEY (athlete, provider, provider_id)
    );
    """,
    # 3: the findings ledger, the delivery outbox, and the note blocks written on activities
    """
    CREATE TABLE findings (
        key TEXT PRIMARY KEY,
        athlete TEXT NOT NULL REFERENCES athletes(name),
        rule TEXT NOT NULL,
        severity INTEGER NOT NULL,
        day TEXT NOT NULL,
        session TEXT,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        metrics_json TEXT NOT NULL,
        citation TEXT NOT NULL,
        load_kind TEXT,
        state TEXT NOT NULL DEFAULT 'new',
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX findings_by_day ON findings (athlete, day);
    CREATE TABLE deliveries (
        finding_key TEXT NOT NULL REFERENCES findings(key),
        channel TEXT NOT NULL,
        status TEXT NOT NULL,
        severity INTEGER NOT NULL,
        target TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        sent_at TEXT,
        PRIMARY KEY (finding_key, channel)
    );
    CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
    CREATE TABLE notes (
        athlete TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        block TEXT NOT NULL DEFAULT '',
        pending TEXT,
        abandoned INTEGER NOT NULL DEFAULT 0,
        written_at TEXT NOT NULL,
        PRIMARY KEY (athlete, provider, provider_id)
    );
    """,
    # 4: provider-owned state (shared rate budgets, webhook subscription) and webhook dedupe
    """
    CREATE TABLE provider_state (
        provider TEXT NOT NULL,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (provider, key)
    );
    CREATE TABLE webhook_events (
        provider TEXT NOT NULL,
        object_id TEXT NOT NULL,
        aspect TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        owner_id TEXT,
        received_at TEXT NOT NULL,
        handled_at TEXT,
        PRIMARY KEY (provider, object_id, aspect, event_time)
    );
    """,
    # 5: a change sequence on activities, so a pass knows exactly what changed since the last one
    """
    ALTER TABLE activities ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX activities_by_change ON activities (athlete, change_seq);
    """,
    # 6: retries of webhook events Strava cannot show yet, with backoff and an end
    """
    ALTER TABLE webhook_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE webhook_events ADD COLUMN next_try_at TEXT;
    """,
    # 7: the engine's own bookkeeping in its own table (it used to pose as a provider "syncd")
    """
    CREATE TABLE engine_state (
        athlete TEXT NOT NULL,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete, key)
    );
    -- 'seen_seq:<athlete>' and 'evaluated:<athlete>' become (<athlete>, 'seen_seq'), ...
    INSERT INTO engine_state (athlete, key, value_json, updated_at)
        SELECT substr(key, instr(key, ':') + 1), substr(key, 1, instr(key, ':') - 1), value_json, updated_at
        FROM provider_state WHERE provider = 'syncd' AND key NOT LIKE 'digest:%';
    -- 'digest:<athlete>:<week>' becomes (<athlete>, 'digest:<week>')
    INSERT INTO engine_state (athlete, key, value_json, updated_at)
        SELECT substr(rest, 1, instr(rest, ':') - 1), 'digest:' || substr(rest, instr(rest, ':') + 1),
            value_json, updated_at
        FROM (SELECT substr(key, 8) AS rest, value_json, updated_at FROM provider_state
              WHERE provider = 'syncd' AND key LIKE 'digest:%');
    DELETE FROM provider_state WHERE provider = 'syncd';
    """,
    # 8: races as the provider marks them, and what the runner tells syncd (check-ins)
    """
    ALTER TABLE activities ADD COLUMN race INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        athlete TEXT NOT NULL,
        kind TEXT NOT NULL,
        day TEXT NOT NULL,
        at TEXT NOT NULL,
        value_json TEXT NOT NULL DEFAULT 'null',
        about TEXT,
        source TEXT NOT NULL DEFAULT 'cli'
    );
    CREATE INDEX checkins_by_athlete ON checkins (athlete, day);
    """,
    # 9: the other providers' copies a provider names for an activity (intervals.icu names the
    # Garmin or Strava original), for the merge
    """
    ALTER TABLE activities ADD COLUMN same_as TEXT NOT NULL DEFAULT '';
    """,
    # 10: the one-time answer links and page forms already used, by a SHA-256 of their nonce
    # (never the token itself)
    """
    CREATE TABLE web_spent (
        digest TEXT PRIMARY KEY,
        athlete TEXT NOT NULL,
        spent_at TEXT NOT NULL
    );
    CREATE INDEX web_spent_by_time ON web_spent (spent_at);
    """,
    # 11 (issue 11): what a pass asks per athlete answered
    # from an index. Change numbers are counted per athlete (`activities_by_change` of 5 gives
    # the newest in one lookup); a session's members are found by session (the cascade when
    # sessions are rewritten scanned every member of every athlete); a note's queued findings
    # by their target; webhook events still to handle without reading those long done. And
    # the fingerprint of the import row an activity was stored from, so importing the same
    # file again recognises its rows without parsing them (NULL once anything else wrote it).
    """
    ALTER TABLE activities ADD COLUMN source_hash TEXT;
    CREATE INDEX session_members_by_session ON session_members (session_id);
    CREATE INDEX deliveries_by_target ON deliveries (target, channel);
    CREATE INDEX webhook_events_pending ON webhook_events (provider, event_time) WHERE handled_at IS NULL;
    """,
    # 12: every block that may be on an activity until one is confirmed (a crash between two
    # writes can leave either), and the items a provider listed but syncd could not read, kept
    # raw with their error until they map or are gone
    """
    ALTER TABLE notes ADD COLUMN unconfirmed_json TEXT NOT NULL DEFAULT '[]';
    UPDATE notes SET unconfirmed_json = json_array(pending) WHERE pending IS NOT NULL;
    CREATE TABLE rejected_items (
        athlete TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        start_utc TEXT,
        raw_json TEXT NOT NULL,
        error TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        PRIMARY KEY (athlete, provider, provider_id)
    );
    """,
]

LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int | None = None, migrations: list[str] = MIGRATIONS) -> int:
    """Bring the database (opened in autocommit mode) forward to `target` (default: the
    last migration); returns the version it started at.

    Each script runs whole through SQLite's own parser (so a `;` inside a string literal or
    a trigger body is no statement end). Raises RuntimeError for a database written by a
    newer syncd (downgrades are refused), sqlite3.Error for a failing script (rolled back).
    """
    latest = len(migrations)
    target = latest if target is None else target
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > latest:
        raise RuntimeError(
            f"the state database is at schema version {current}, newer than this syncd "
            f"understands ({latest}); upgrade syncd"
        )
    for version in range(current + 1, target + 1):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migrations[version - 1]}\n;PRAGMA user_version = {version};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return current
