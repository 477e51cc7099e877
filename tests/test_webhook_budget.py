"""A flood of forged webhook events stays within the app's read budget and never takes the
planned polls' reads (issue 10, defect 6), and events about one object cost one read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava

from syncd.config import parse
from syncd.planner import Planner
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.providers.strava.events import WebhookEvent, handle_event, pending_events
from syncd.providers.strava.provider import StravaProvider
from syncd.store import Store
from syncd.store.webhooks import EndpointState
from syncd.tokens import FileTokenStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeStrava]:
    # a small app (20 reads per 15 minutes, 200 a day) makes a flood of 50 events a big one
    with FakeStrava(clock=lambda: clock.now.timestamp(), limits=((40, 400), (20, 200))) as server:
        yield server


def remember(store: Store, e: WebhookEvent) -> None:
    """Record the event as the endpoint does when it arrives."""
    EndpointState(store.path, "strava").remember(e.key, str(e.owner_id))


def connected(
    fake: FakeStrava, clock: Clock, tmp_path: Path
) -> tuple[Store, FileTokenStore, StravaProvider, Planner]:
    """sam connected to the fake Strava, with the daemon's planner (webhooks on)."""
    store = Store(tmp_path / "state")
    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    store.ensure_athlete("sam", "UTC")
    store.set_account("sam", "strava", status="active", external_id=str(fake.athlete_id))
    budget = Budget(store, fake.client_id, clock)
    provider = StravaProvider("sam", StravaApi(app, tokens, "sam", budget, clock), store, clock=clock)
    config = parse(
        {
            "daemon": {"webhook_listen": "127.0.0.1:8421"},
            "strava": {"client_id": fake.client_id, "client_secret": "env:X"},
            "athletes": [{"name": "sam", "providers": ["strava"]}],
        },
        "test",
    )
    planner = Planner(config, store, clock)
    return store, tokens, provider, planner


def test_a_forged_flood_keeps_to_the_event_share_and_one_read_per_object(
    fake: FakeStrava, clock: Clock, tmp_path: Path
) -> None:
    store, tokens, provider, planner = connected(fake, clock, tmp_path)
    real = fake.add_activity(clock.now - timedelta(hours=1))["id"]
    passes: list[str] = []

    def handle(e: WebhookEvent) -> str:
        return handle_event(
            e, store, tokens, lambda a: provider, passes.append, now=clock.now, room=planner.event_room
        )

    t = int(clock.now.timestamp())
    provider.api.call("GET", "/athlete/activities", params={"after": t})  # Strava tells the limits
    flood = [WebhookEvent("activity", 90_000 + i, "create", fake.athlete_id, 1, t + i) for i in range(30)]
    flood += [WebhookEvent("activity", real, "update", fake.athlete_id, 1, t + 200 + i) for i in range(20)]
    for e in flood:
        remember(store, e)
        handle(e)
        clock.now += timedelta(milliseconds=100)  # 50 events in 5 s

    gets = fake.requests("/api/v3/activities/", "GET")
    assert 0 < len(gets) <= 20 - 1 - 1 - 1  # the window's reads but the listing, the poll's and a note's
    assert all(r.status != 429 for r in fake.log)
    assert planner.take() == "sam"  # the poll still finds its read
    assert provider.api.call("GET", "/athlete/activities", params={"after": 0}) is not None

    # the rest of the UTC day of retries (the daemon's every-minute job): never past what the
    # day's planned polls and notes leave
    while clock.now < datetime(2026, 3, 2, 23, 59, tzinfo=UTC):
        clock.now += timedelta(minutes=1)
        for e in pending_events(store, now=clock.now):
            handle(e)
    assert len(fake.requests("/api/v3/activities/", "GET")) <= 200 - 10 - 1
    assert all(r.status != 429 for r in fake.log)
    assert pending_events(store, now=clock.now) == []  # every forged create was given up
    real_gets = [g for g in fake.requests("/api/v3/activities/", "GET") if g.path.endswith(str(real))]
    assert len(real_gets) == 1 and passes == ["sam"]  # 20 updates of one run: one read, one pass


def test_an_event_costs_one_read_and_its_note_one_write(
    fake: FakeStrava, clock: Clock, tmp_path: Path
) -> None:
    from syncd.engine import Context, run_once
    from syncd.registry import load_rules

    store = Store(tmp_path / "state")
    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    store.ensure_athlete("sam", "UTC")
    store.set_account("sam", "strava", status="active", external_id=str(fake.athlete_id))
    provider = StravaProvider(
        "sam", StravaApi(app, tokens, "sam", Budget(store, fake.client_id, clock), clock), store, clock=clock
    )
    config = parse({"athletes": [{"name": "sam", "providers": ["strava"], "notes": {"strava": True}}]}, "t")
    ctx = Context(config, store, load_rules({}), lambda a: {"strava": provider}, lambda a: [], now=clock)
    for i in range(12):  # 35 days of easy runs, then the first pass
        fake.add_activity(clock.now - timedelta(days=35 - 3 * i), distance=8000.0, moving_time=2900)
    run_once(ctx, "sam")
    long_run = fake.add_activity(clock.now - timedelta(hours=1), distance=16000.0, moving_time=5800)
    before = len(fake.log)
    event = WebhookEvent("activity", long_run["id"], "create", fake.athlete_id, 1, int(clock.now.timestamp()))
    remember(store, event)
    done = handle_event(
        event, store, tokens, lambda a: provider, lambda a: run_once(ctx, a, fetch=False), now=clock.now
    )
    assert done == "fetched; pass run" and "— syncd —" in (fake.description(long_run["id"]) or "")
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.log[before:]] == [
        ("GET", str(long_run["id"])),  # the event's one read: the pass lists nothing, the note reuses it
        ("PUT", str(long_run["id"])),
    ]


def test_after_a_few_events_about_activities_strava_lacks_the_rest_wait_for_the_poll(
    fake: FakeStrava, clock: Clock, tmp_path: Path
) -> None:
    from syncd.providers.strava import activity_events as event_misses

    store, tokens, provider, _ = connected(fake, clock, tmp_path)
    stored = fake.add_activity(clock.now - timedelta(hours=2))["id"]
    provider.api.call("GET", "/athlete/activities", params={"after": 0})
    store.upsert_activities([provider.fetch_one(str(stored))])  # type: ignore[list-item]
    passes: list[str] = []
    polls: list[str] = []

    def handle(e: WebhookEvent) -> str:
        remember(store, e)
        return handle_event(
            e, store, tokens, lambda a: provider, passes.append, now=clock.now, poll=polls.append
        )

    t = int(clock.now.timestamp())
    for i in range(100):  # forged: ids Strava has never had
        handle(WebhookEvent("activity", 70_000 + i, "create", fake.athlete_id, 1, t + i))
    unknown = [
        g for g in fake.requests("/api/v3/activities/", "GET") if "/7000" in g.path or "/700" in g.path
    ]
    assert len(unknown) == event_misses.LIMIT  # then no more reads of unknown activities,
    assert polls == ["sam"]  # but one listing of sam's, which finds any real new run among them
    assert (
        handle(WebhookEvent("activity", stored, "update", fake.athlete_id, 1, t + 500)) == "fetched; pass run"
    )
    assert passes == ["sam"]  # an event about a stored activity is read as always

    clock.now += timedelta(minutes=15)  # Strava's next window: unknown activities are read again
    handle(WebhookEvent("activity", 80_000, "create", fake.athlete_id, 1, t + 900))
    assert fake.requests("/api/v3/activities/", "GET")[-1].path.endswith("/80000")
