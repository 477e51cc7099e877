"""The Strava provider over real HTTP against the local fake Strava (tests/fakes/strava_server):
request budgets, notes, token rotation, faults and resuming after a 429."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.strava_server import FakeStrava

from syncd.engine import ProviderSummary
from syncd.engine.fetch import store_pages
from syncd.errors import AuthRequired, RateLimited, Unavailable
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.providers.strava.errors import ApplicationInactive
from syncd.store import Store
from syncd.tokens import FileTokenStore

LIST = "/api/v3/athlete/activities"
BLOCK = "— syncd —\n45 % longer than your longest run in 30 days (16.0 vs 11.0 km)."


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(fault_sleep_s=1.0) as server:
        yield server


@pytest.fixture
def tokens(tmp_path: Path) -> FileTokenStore:
    return FileTokenStore(tmp_path / "tokens")


def connect(fake: FakeStrava, tokens: FileTokenStore, scope: str | None = None) -> StravaApp:
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret, timeout=(2.0, 0.4))
    saved = app.exchange(fake.issue_code(scope))
    tokens.save("strava", "sam", {**saved, "scope": scope or fake.grant_scope})
    return app


def provider(fake: FakeStrava, store: Store, tokens: FileTokenStore) -> StravaProvider:
    store.ensure_athlete("sam", "UTC")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret, timeout=(2.0, 0.4))
    return StravaProvider("sam", StravaApi(app, tokens, "sam", Budget(store, fake.client_id)), store)


def sync(prov: StravaProvider, store: Store) -> int:
    """One fetch through the engine's page loop; how many activities were new."""
    summary = ProviderSummary()
    store_pages(store, "sam", "strava", prov, summary)
    return summary.new


def backfill(fake: FakeStrava, count: int, **fields: Any) -> None:
    start = datetime(2021, 3, 1, 6, 30, tzinfo=UTC)
    for i in range(count):
        fake.add_activity(start + timedelta(hours=9 * i), name=f"Run {i}", **fields)


def test_backfill_of_1030_is_6_list_requests_then_an_idle_poll_is_1(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 1030)
    connect(fake, tokens)
    prov = provider(fake, store, tokens)
    assert sync(prov, store) == 1030
    assert len(fake.requests(LIST)) == 6  # 5 full pages and one of 30
    assert len(fake.requests("/api/v3/activities/")) == 0  # backfill: no per-activity calls
    assert len(store.activities("sam")) == 1030
    before = len(fake.log)
    assert sync(prov, store) == 0
    assert len(fake.log) - before == 1
    assert fake.log[-1].query["after"] == str(int(store.cursor("sam", "strava") or 0) - 3 * 86400)


def test_exactly_full_pages_need_one_more_empty_page(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 400)
    connect(fake, tokens)
    assert sync(provider(fake, store, tokens), store) == 400
    assert [r.query["page"] for r in fake.requests(LIST)] == ["1", "2", "3"]


def test_recent_runs_are_read_in_detail_once(fake: FakeStrava, store: Store, tokens: FileTokenStore) -> None:
    backfill(fake, 10)
    now = datetime.now(UTC)
    fresh = fake.add_activity(
        now - timedelta(hours=4),
        description="Left knee ached after 8 km",
        private_note="RPE 8",
        perceived_exertion=8,
    )
    connect(fake, tokens)
    prov = provider(fake, store, tokens)
    sync(prov, store)
    assert len(fake.requests(f"/api/v3/activities/{fresh['id']}")) == 1
    stored = store.activities("sam")[-1]
    assert (stored.description, stored.private_note, stored.rpe) == ("Left knee ached after 8 km", "RPE 8", 8)
    before = len(fake.log)
    sync(prov, store)
    assert len(fake.log) - before == 1
    assert store.activities("sam")[-1].description == "Left knee ached after 8 km"


def test_a_note_keeps_the_runners_text(fake: FakeStrava, store: Store, tokens: FileTokenStore) -> None:
    item = fake.add_activity(datetime(2024, 5, 1, 7, tzinfo=UTC), description="Great hills today.")
    connect(fake, tokens)
    prov = provider(fake, store, tokens)

    def edit(current: str) -> str | None:
        result = apply_block(current, BLOCK)
        return result.description if result.outcome is NoteOutcome.WRITE else None

    before = len(fake.log)
    assert prov.write_note(str(item["id"]), edit) is True
    assert [r.method for r in fake.log[before:]] == ["GET", "PUT"]
    assert fake.description(item["id"]) == f"Great hills today.\n\n{BLOCK}"
    assert prov.write_note(str(item["id"]), edit) is False  # already there: GET only
    assert [r.method for r in fake.log[before:]] == ["GET", "PUT", "GET"]


def test_expired_token_is_refreshed_and_the_rotated_pair_saved(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 3)
    connect(fake, tokens)
    first = tokens.load("strava", "sam")
    assert first is not None
    fake.expire_access_tokens()
    tokens.save("strava", "sam", {**first, "expires_at": int(datetime.now(UTC).timestamp()) - 5})
    assert sync(provider(fake, store, tokens), store) == 3
    assert [r.form.get("grant_type") for r in fake.requests("/api/v3/oauth/token")] == [
        "authorization_code",
        "refresh_token",
    ]
    second = tokens.load("strava", "sam")
    assert second is not None
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert fake.refresh.get(first["refresh_token"]) is None  # the old one is dead at Strava
    assert second["refresh_token"] in fake.refresh


def test_a_token_strava_refuses_leads_to_reconnect(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    connect(fake, tokens)
    saved = tokens.load("strava", "sam")
    assert saved is not None
    fake.access.clear()  # Strava forgot the access token ...
    fake.refresh.clear()  # ... and the grant
    with pytest.raises(AuthRequired, match="syncd connect strava --athlete sam"):
        sync(provider(fake, store, tokens), store)


def test_a_429_stops_cleanly_and_the_next_fetch_resumes(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 500)
    connect(fake, tokens)
    prov = provider(fake, store, tokens)
    pages = prov.fetch(None)
    first = next(pages)
    with store.transaction() as tx:
        store.upsert_activities(first.activities, tx)
        assert first.cursor is not None
        store.set_cursor(tx, "sam", "strava", first.cursor)
    fake.fail_next("429", path=LIST)
    with pytest.raises(RateLimited) as caught:
        next(pages)
    assert caught.value.retry_at > datetime.now(UTC)
    assert len(store.activities("sam")) == 200 and store.cursor("sam", "strava") == first.cursor
    before = len(fake.log)
    assert sync(prov, store) == 300  # resumes at the stored cursor (minus the overlap)
    assert fake.log[before].query["after"] == str(int(first.cursor) - 3 * 86400)
    assert len(store.activities("sam")) == 500


def test_the_budget_stops_before_strava_would_refuse(tmp_path: Path, tokens: FileTokenStore) -> None:
    with FakeStrava(limits=((50, 1000), (3, 1000))) as fake, Store(tmp_path / "s") as store:
        backfill(fake, 1000)
        connect(fake, tokens)
        with pytest.raises(RateLimited):
            sync(provider(fake, store, tokens), store)
        assert len(fake.requests(LIST)) == 3
        assert all(r.status == 200 for r in fake.log)  # never a 429


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("timeout", Unavailable),
        ("500", Unavailable),
        ("broken_json", Unavailable),
        ("403_inactive", ApplicationInactive),
    ],
)
def test_faults(
    fault: str, error: type[Exception], fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 5)
    connect(fake, tokens)
    fake.fail_next(fault, path=LIST)
    with pytest.raises(error):
        sync(provider(fake, store, tokens), store)
    assert store.cursor("sam", "strava") is None
    assert sync(provider(fake, store, tokens), store) == 5  # and it recovers


def test_a_401_fault_is_survived_with_one_refresh(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    backfill(fake, 2)
    connect(fake, tokens)
    fake.fail_next("401", path=LIST)
    assert sync(provider(fake, store, tokens), store) == 2
    assert len(fake.requests("/api/v3/oauth/token")) == 2


def test_fetch_one_of_a_deleted_activity_is_none(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    item = fake.add_activity(datetime(2024, 5, 1, 7, tzinfo=UTC))
    connect(fake, tokens)
    prov = provider(fake, store, tokens)
    got = prov.fetch_one(str(item["id"]))
    assert got is not None and got.provider_id == str(item["id"])
    del fake.activities[item["id"]]
    assert prov.fetch_one(str(item["id"])) is None


def test_relisting_an_older_run_keeps_the_runners_words(
    fake: FakeStrava, store: Store, tokens: FileTokenStore
) -> None:
    now = datetime.now(UTC)
    fake.add_activity(
        now - timedelta(hours=5), description="Left knee sore on the downhill", perceived_exertion=8
    )
    connect(fake, tokens)
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret, timeout=(2.0, 0.4))
    api = StravaApi(app, tokens, "sam", Budget(store, fake.client_id))
    store.ensure_athlete("sam", "UTC")
    sync(StravaProvider("sam", api, store, clock=lambda: now), store)
    [first] = store.activities("sam")
    assert (first.description, first.rpe) == ("Left knee sore on the downhill", 8)
    # 3.5 days later the run is out of the detail window but still inside the overlap
    later = StravaProvider("sam", api, store, clock=lambda: now + timedelta(days=3, hours=12))
    before = len(fake.log)
    sync(later, store)
    assert len(fake.log) - before == 1  # the listing only
    [again] = store.activities("sam")
    assert (again.description, again.rpe, again.revision) == ("Left knee sore on the downhill", 8, 0)
