"""State: schema migrations, idempotent upserts, revisions, deleted activities."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import run

from syncd.domain import CheckIn
from syncd.store import DB_NAME, Store
from syncd.store.migrations import LATEST, migrate


def test_new_database_is_at_latest_version_in_wal_mode(store: Store) -> None:
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_version_1_database_migrates_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "state" / DB_NAME
    path.parent.mkdir()
    old = sqlite3.connect(path, isolation_level=None)
    migrate(old, target=1)
    old.execute("INSERT INTO athletes VALUES ('sam', 'Europe/Amsterdam', '2025-01-01T00:00:00+00:00')")
    old.execute(
        "INSERT INTO activities (athlete, provider, provider_id, start_utc, sport, distance_m, "
        "moving_s, content_hash, first_seen_at, updated_at) VALUES ('sam', 'strava', '42', "
        "'2025-01-02T07:00:00+00:00', 'run', 10000, 3000, 'x', 'now', 'now')"
    )
    old.execute("INSERT INTO cursors VALUES ('sam', 'strava', '1735800000', 'now')")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()

    with Store(path.parent) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        [activity] = store.activities("sam")
        assert (activity.provider_id, activity.distance_m, activity.revision) == ("42", 10000, 0)
        assert store.cursor("sam", "strava") == "1735800000"
        sessions, merged = store.rebuild_sessions("sam")
        assert len(sessions) == 1 and merged == 0


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state" / DB_NAME
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="upgrade syncd"):
        Store(path.parent)


def test_upsert_twice_changes_nothing(store: Store) -> None:
    store.ensure_athlete("sam", "UTC")
    acts = [run("strava", str(i), f"2025-03-{i:02d}T07:00:00", 8 + i) for i in range(1, 11)]
    first = store.upsert_activities(acts)
    dump = list(store.conn.iterdump())
    second = store.upsert_activities(acts)
    assert (first.new, second.new, second.updated, second.unchanged) == (10, 0, 0, 10)
    assert list(store.conn.iterdump()) == dump


def test_edited_numbers_bump_revision_but_text_edits_do_not(store: Store) -> None:
    store.ensure_athlete("sam", "UTC")
    original = run("strava", "1", "2025-03-01T07:00:00", 10.3)
    store.upsert_activities([original])
    store.upsert_activities([replace(original, description="felt good")])
    assert store.activities("sam")[0].revision == 0
    result = store.upsert_activities([replace(original, distance_m=10000)])
    [stored] = store.activities("sam")
    assert result.updated == 1 and stored.revision == 1 and stored.distance_m == 10000
    assert stored.description == ""


def test_a_race_is_stored_and_a_later_column_leaves_older_rows_unchanged(store: Store) -> None:
    plain, raced = (
        run("strava", "1", "2026-03-01T08:00:00", 10.0),
        run("strava", "2", "2026-03-08T08:00:00", 21.1),
    )
    raced = replace(raced, race=True)
    store.ensure_athlete("sam", "UTC")
    store.upsert_activities([plain, raced])
    assert [a.race for a in store.activities("sam")] == [False, True]
    again = store.upsert_activities([plain, raced])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_checkins_are_kept_as_events_in_order(store: Store) -> None:
    at = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    store.ensure_athlete("sam", "UTC")
    store.add_checkin(CheckIn("sam", "knee_pain", at.date(), at, value=3))
    store.add_checkin(CheckIn("sam", "real", at.date(), at.replace(hour=6), about="strava:1"))
    kinds = [(c.kind, c.value, c.about) for c in store.checkins("sam")]
    assert kinds == [("real", None, "strava:1"), ("knee_pain", 3, None)]
    assert store.checkins("other") == []


def test_deleted_activity_leaves_the_sessions(store: Store) -> None:
    store.ensure_athlete("sam", "UTC")
    store.upsert_activities(
        [run("strava", "1", "2025-03-01T07:00:00", 10), run("strava", "2", "2025-03-02T07:00:00", 12)]
    )
    assert store.mark_deleted("sam", "strava", "2")
    assert [s.distance_m for s in store.sessions("sam")] == [10000]
    assert len(store.activities("sam", include_deleted=True)) == 2


def test_engine_bookkeeping_moves_to_its_own_table(tmp_path: Path) -> None:
    """Version 7: what the engine kept as a fake provider "syncd" is in `engine_state`,
    and a pass after the upgrade picks up where the last one stopped."""
    path = tmp_path / "state" / DB_NAME
    path.parent.mkdir()
    old = sqlite3.connect(path, isolation_level=None)
    migrate(old, target=6)
    rows = [
        ("syncd", "seen_seq:sam", "412"),
        ("syncd", "evaluated:sam", '"2026-03-19"'),
        ("syncd", "digest:sam:2026-W11", '{"failed": [], "sent_at": "2026-03-15T19:00:00"}'),
        ("syncd", "seen_seq:quinn-b", "7"),
        ("strava", "budget:4242", '{"x": 1}'),
    ]
    old.executemany(
        "INSERT INTO provider_state (provider, key, value_json, updated_at) VALUES (?, ?, ?, 'then')", rows
    )
    old.close()
    with Store(path.parent) as store:
        assert store.engine_value("sam", "seen_seq") == 412
        assert store.engine_value("sam", "evaluated") == "2026-03-19"
        assert store.engine_value("sam", "digest:2026-W11") == {
            "failed": [],
            "sent_at": "2026-03-15T19:00:00",
        }
        assert store.engine_value("quinn-b", "seen_seq") == 7
        assert store.provider_value("strava", "budget:4242") == {"x": 1}
        assert store.provider_value("syncd", "seen_seq:sam") is None  # no fake provider left


def test_a_migration_is_run_whole_by_sqlite_not_split_on_semicolons(tmp_path: Path) -> None:
    """A `;` inside a string literal or a trigger body is no statement end; a failing
    script leaves the database at the version before it."""
    scripts = [
        "CREATE TABLE notes_demo (body TEXT NOT NULL); INSERT INTO notes_demo VALUES ('a; b');",
        """
        CREATE TABLE log_demo (body TEXT);
        CREATE TRIGGER copy_demo AFTER INSERT ON notes_demo BEGIN
            INSERT INTO log_demo VALUES (new.body || ';');
        END;
        INSERT INTO notes_demo VALUES ('c');
        """,
        "CREATE TABLE broken_demo (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    ]
    conn = sqlite3.connect(tmp_path / "demo.sqlite3", isolation_level=None)
    assert migrate(conn, target=2, migrations=scripts) == 0
    assert [r[0] for r in conn.execute("SELECT body FROM notes_demo")] == ["a; b", "c"]
    assert [r[0] for r in conn.execute("SELECT body FROM log_demo")] == ["c;"]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, migrations=scripts)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'broken_demo'").fetchone() is None
    assert not conn.in_transaction
