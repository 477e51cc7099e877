"""Passes that redo only what changed: kept histories give the findings a fresh start gives,
syncd's own note block is no change, and each athlete's questions are index lookups."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from factories import run

from syncd.config import parse
from syncd.domain import CheckIn
from syncd.engine import Context, run_once
from syncd.engine.histories import Histories
from syncd.history import Profile
from syncd.providers.memory import MemoryProvider
from syncd.registry import load_rules
from syncd.store import Store

START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


class World:
    """One athlete on an in-memory Strava; `fresh` forgets every kept History before a pass."""

    def __init__(self, root: Path, *, fresh: bool) -> None:
        self.store = Store(root)
        self.fresh = fresh
        config = parse(
            {"athletes": [{"name": "sam", "providers": ["strava"], "notes": {"strava": True}}]}, "test"
        )
        self.strava = MemoryProvider("sam", provider_name="strava")
        self.now = START
        self.ctx = Context(
            config=config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"strava": self.strava},
            notifiers=lambda a: [],
            now=lambda: self.now,
        )

    def sync(self) -> None:
        if self.fresh:
            self.ctx.histories = Histories()
        run_once(self.ctx, "sam")

    def findings(self) -> list[tuple[object, ...]]:
        rows = self.store.conn.execute("SELECT key, severity, state, message FROM findings ORDER BY key")
        return [tuple(r) for r in rows]


def script(world: World, day: int) -> None:
    """What happens on day `day`: an easy run most days, a long one on Sundays, a correction,
    a deletion, the runner's word on a run and a pain mention, each once."""
    when = START + timedelta(days=day, hours=10)
    km = 16.0 if day % 7 == 6 else 6.0 + day % 3
    if day % 5 != 4:
        world.strava.put(run("strava", f"r{day}", when.isoformat(), km, minutes=km * 6))
    if day == 40:  # the runner corrects an older run: every day from then on is evaluated again
        world.strava.put(run("strava", "r30", (START + timedelta(days=30, hours=10)).isoformat(), 25.0))
    if day == 44:
        world.strava.remove("r41")
        world.store.mark_deleted("sam", "strava", "r41")
    if day == 46:
        world.store.add_checkin(
            CheckIn("sam", "left_out", date(2026, 2, 19), when, None, "strava:r45"), source="cli"
        )
    if day == 50:
        world.strava.put(replace(world.strava.items["r50"], title="Left knee sore after"))


def test_kept_histories_give_the_findings_a_fresh_history_gives(tmp_path: Path) -> None:
    kept, fresh = World(tmp_path / "kept", fresh=False), World(tmp_path / "fresh", fresh=True)
    for day in range(56):
        for world in (kept, fresh):
            world.now = START + timedelta(days=day, hours=5)  # the morning: a new day, nothing new
            world.sync()
            script(world, day)
            world.now = START + timedelta(days=day, hours=20)
            world.sync()
    assert kept.findings() == fresh.findings()
    assert len(kept.findings()) > 5  # the script makes the rules speak
    assert kept.ctx.histories.built < 56 + 3  # a morning pass reuses the evening's History


def test_a_new_day_with_nothing_new_reuses_the_history(tmp_path: Path) -> None:
    world = World(tmp_path, fresh=False)
    for day in range(10):
        script(world, day)
    world.now = START + timedelta(days=10)
    world.sync()
    built = world.ctx.histories.built
    for day in range(11, 20):
        world.now = START + timedelta(days=day, hours=6)
        world.sync()
    assert world.ctx.histories.built == built


def test_a_check_in_or_another_profile_gives_a_new_history(tmp_path: Path) -> None:
    world = World(tmp_path, fresh=False)
    for day in range(10):
        script(world, day)
    world.now = START + timedelta(days=10)
    world.sync()
    histories, profile = world.ctx.histories, Profile(timezone="UTC")
    first = histories.history(world.store, "sam", profile, date(2026, 1, 16))
    assert histories.history(world.store, "sam", profile, date(2026, 2, 20)) is first  # within the pad
    said = CheckIn("sam", "left_out", date(2026, 1, 9), world.now, None, "strava:r4")
    world.store.add_checkin(said)
    second = histories.history(world.store, "sam", profile, date(2026, 1, 16))
    assert second is not first and said in second.checkins
    other = histories.history(world.store, "sam", Profile(timezone="UTC", max_hr=190), date(2026, 1, 16))
    assert other is not second and other.profile.max_hr == 190


def test_syncd_own_note_block_is_no_change(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.ensure_athlete("sam", "UTC")
    original = run("strava", "1", "2026-03-01T07:00:00", 10.0, description="Felt strong.")
    store.upsert_activities([original])
    seq = store.change_seq("sam")
    noted = replace(original, description="Felt strong.\n\n— syncd —\nLongest run in 30 days: 10.0 km")
    assert store.upsert_activities([noted]).unchanged == 1
    assert store.change_seq("sam") == seq
    rewritten = replace(noted, description=noted.description.replace("10.0", "10.5"))
    assert store.upsert_activities([rewritten]).unchanged == 1
    edited = replace(noted, description="Felt strong, knee a bit sore.\n\n— syncd —\nLongest run")
    assert store.upsert_activities([edited]).updated == 1  # the runner's own words did change
    assert store.change_seq("sam") > seq


def test_change_numbers_are_counted_per_athlete(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for name in ("sam", "kim"):
        store.ensure_athlete(name, "UTC")
    store.upsert_activities([run("strava", "s1", "2026-03-01T07:00:00", 10.0)])
    store.upsert_activities(
        [run("strava", f"k{i}", f"2026-03-0{i}T07:00:00", 5.0, athlete="kim") for i in (1, 2)]
    )
    store.upsert_activities([run("strava", "k3", "2026-03-03T07:00:00", 5.0, athlete="kim")])
    store.upsert_activities([run("strava", "s2", "2026-03-02T07:00:00", 10.0)])
    assert (store.change_seq("sam"), store.change_seq("kim")) == (2, 2)


def plan(store: Store, sql: str, *params: object) -> str:
    return " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_what_a_pass_asks_about_one_athlete_is_answered_from_an_index(tmp_path: Path) -> None:
    store = Store(tmp_path)
    queries = {
        "newest change": "SELECT MAX(change_seq) FROM activities WHERE athlete = ?",
        "a note's findings": "SELECT * FROM deliveries WHERE channel = ? AND target = ?",
        "a session's members": "SELECT * FROM session_members WHERE session_id = ?",
        "events to handle": "SELECT * FROM webhook_events WHERE provider = ? AND handled_at IS NULL "
        "ORDER BY event_time",
    }
    for what, sql in queries.items():
        found = plan(store, sql, *(["x"] * sql.count("?")))
        assert "USING" in found and "SCAN" not in found, f"{what}: {found}"


def test_content_hashes_are_those_earlier_versions_stored() -> None:
    """A new hash for the same copy would look like an edit: every copy fetched again would
    get its revision bumped and its days evaluated again."""
    from syncd.domain import Activity
    from syncd.sports import Sport
    from syncd.store.rows import NUMBERS, TEXTS, content_hash

    copy = Activity(
        provider="strava",
        provider_id="42",
        athlete="sam",
        start_utc=datetime(2025, 3, 2, 7, 0, tzinfo=UTC),
        sport=Sport.RUN,
        sport_raw="Run",
        utc_offset_s=3600,
        distance_m=10523,
        moving_s=2980,
        elapsed_s=3025,
        avg_hr=152.3,
        max_hr=181.0,
        rpe=7,
        effort_score=87.0,
        title="Morning Run",
        description="Felt strong",
        race=True,
    )
    assert content_hash(copy, NUMBERS) == "88096612b4d367915b51f7f862c3c80f"
    assert content_hash(copy, TEXTS) == "0ffa3827f95d432a88ca0174502f28d1"
    noted = replace(copy, description="Felt strong\n\n— syncd —\nLongest run in 30 days")
    assert content_hash(noted, TEXTS) == content_hash(copy, TEXTS)
