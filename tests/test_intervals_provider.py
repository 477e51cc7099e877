"""The intervals.icu provider against the local fake server: the provider contract, then what
the contract leaves to each provider: a stall, a malformed item, broken JSON, the rate-limit
wait kept across passes, deletions, Strava stubs, and the request budget of idle polls and
backfills."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from contract import Account, Fault, ProviderContract, now
from fakes.intervals_server import FakeIntervals

from syncd.config import parse
from syncd.engine import ProviderSummary
from syncd.engine.fetch import store_pages
from syncd.errors import AuthRequired, RateLimited, Unavailable
from syncd.providers.base import Provider
from syncd.providers.intervals import IntervalsProvider
from syncd.providers.intervals.listing import account_key
from syncd.store import Store

LIST = "/api/v1/athlete/0/activities"


def make_provider(
    fake: FakeIntervals, store: Store, monkeypatch: pytest.MonkeyPatch, **table: object
) -> Provider:
    """The provider as the daemon makes it: config table, a reference in the state, the key
    in the environment."""
    monkeypatch.setenv("SAM_INTERVALS_KEY", fake.key)
    config = parse(
        {
            "providers": {"intervals": {"base_url": fake.base_url, "timeout_s": 0.5, **table}},
            "athletes": [{"name": "sam", "timezone": "UTC", "providers": ["intervals"]}],
        },
        "test",
    )
    store.ensure_athlete("sam", "UTC")
    store.set_provider_value(
        "intervals", account_key("sam"), {"key": "env:SAM_INTERVALS_KEY", "athlete_id": "0"}
    )
    return IntervalsProvider.create(config, config.athlete("sam"), store)


class IntervalsAccount:
    def __init__(self, fake: FakeIntervals, provider: Provider) -> None:
        self.fake, self.provider = fake, provider

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        return str(self.fake.add_activity(start, km, name=title)["id"])

    def remove(self, provider_id: str) -> None:
        self.fake.remove(provider_id)

    def description(self, provider_id: str) -> str:
        return self.fake.description(provider_id) or ""

    def set_description(self, provider_id: str, text: str) -> None:
        self.fake.edit(provider_id, description=text)

    def fail_next(self, fault: Fault) -> None:
        self.fake.fail_next({"auth": "401", "rate": "429", "down": "500"}[fault])


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals(stall_s=1.5) as server:
        yield server


class TestIntervalsProvider(ProviderContract):
    @pytest.fixture
    def account(self, fake: FakeIntervals, store: Store, monkeypatch: pytest.MonkeyPatch) -> Account:
        return IntervalsAccount(fake, make_provider(fake, store, monkeypatch))


@pytest.fixture
def world(
    fake: FakeIntervals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeIntervals, Store, Provider]]:
    with Store(tmp_path / "state") as store:
        yield fake, store, make_provider(fake, store, monkeypatch)


def listing(store: Store, provider: Provider) -> ProviderSummary:
    summary = ProviderSummary()
    store_pages(store, "sam", "intervals", provider, summary)
    return summary


def test_a_stall_longer_than_the_timeout_is_unavailable_and_the_next_pass_lists(world) -> None:
    fake, store, provider = world
    fake.add_activity(now() - timedelta(hours=3), 8.0)
    fake.fail_next("stall")
    with pytest.raises(Unavailable, match="did not answer in time"):
        listing(store, provider)
    assert listing(store, provider).new == 1


def test_a_malformed_item_is_skipped_and_the_rest_are_stored(world) -> None:
    fake, store, provider = world
    for d in (1, 2, 3):
        fake.add_activity(now() - timedelta(days=d), 8.0)
    fake.fail_next("malformed")  # the newest item's start_date is not a time
    summary = listing(store, provider)
    assert (summary.new, summary.skipped) == (2, 1)
    assert listing(store, provider).new == 1  # readable again: stored, nothing lost


def test_an_answer_that_is_not_json_is_unavailable(world) -> None:
    fake, store, provider = world
    fake.fail_next("broken_json")
    with pytest.raises(Unavailable, match="not valid JSON"):
        listing(store, provider)


def test_a_rate_limit_waits_until_the_retry_time_without_asking_again(world) -> None:
    fake, store, provider = world
    fake.add_activity(now() - timedelta(hours=3), 8.0)
    fake.fail_next("429")
    with pytest.raises(RateLimited) as caught:
        listing(store, provider)
    assert abs(caught.value.retry_at - (now() + timedelta(seconds=fake.retry_after_s))) < timedelta(seconds=5)
    sent = len(fake.log)
    with pytest.raises(RateLimited):
        listing(store, provider)  # the wait is kept in the state: no request before it ends
    assert len(fake.log) == sent


def test_a_refused_key_asks_to_reconnect_without_showing_the_key(world) -> None:
    fake, store, provider = world
    fake.key = "a-new-key-the-runner-made"
    with pytest.raises(AuthRequired) as caught:
        listing(store, provider)
    assert "syncd connect intervals --athlete sam" in str(caught.value)
    assert "fake-intervals-key" not in str(caught.value)


def test_an_idle_poll_is_one_request(world) -> None:
    fake, store, provider = world
    for d in range(10):
        fake.add_activity(now() - timedelta(days=d, hours=2), 8.0)
    listing(store, provider)
    before = len(fake.log)
    assert listing(store, provider).new == 0
    [poll] = fake.log[before:]
    assert poll.path == LIST and poll.query["limit"] == "200"
    cursor = datetime.fromisoformat(store.cursor("sam", "intervals") or "")
    # the window starts a day before cursor − overlap (time zones), in local days
    assert poll.query["oldest"] == ((cursor - timedelta(days=3)).date() - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("count", "requests"), [(0, 1), (199, 1), (200, 2), (450, 3)])
def test_a_backfill_of_n_activities_costs_one_plus_n_minus_one_over_199_requests(
    world, count: int, requests: int
) -> None:
    fake, store, provider = world
    start = datetime(2024, 1, 1, 6, 30, tzinfo=UTC)
    for i in range(count):
        fake.add_activity(start + timedelta(hours=13 * i), 8.0 + i % 5)
    assert listing(store, provider).new == count
    assert len(fake.requests(LIST)) == requests == (1 + (count - 1) // 199 if count else 1)
    assert len(fake.log) == requests  # nothing per activity
    assert len(store.activities("sam")) == count


def test_a_first_sync_cut_short_is_continued_by_the_next_pass(world) -> None:
    fake, store, provider = world
    start = datetime(2024, 1, 1, 6, 30, tzinfo=UTC)
    for i in range(450):
        fake.add_activity(start + timedelta(hours=13 * i), 8.0)
    pages = provider.fetch(None)
    first = next(pages)
    with store.transaction() as tx:  # what the engine does with each page
        store.upsert_activities(first.activities, tx)
    fake.fail_next("500")
    with pytest.raises(Unavailable):
        next(pages)
    assert first.cursor is None and len(first.activities) == 200
    assert listing(store, provider).new == 250  # continues before the oldest activity reached
    oldest = min(a.start_utc for a in first.activities).astimezone(ZoneInfo(fake.timezone))
    assert fake.log[-2].query["newest"] == oldest.strftime("%Y-%m-%dT%H:%M:%S")
    assert len(fake.requests(LIST)) == 1 + 1 + 2
    assert store.cursor("sam", "intervals") == max(a.start_utc for a in store.activities("sam")).isoformat()


def test_a_deleted_activity_is_noticed_by_the_next_listing(world) -> None:
    fake, store, provider = world
    kept = fake.add_activity(now() - timedelta(days=1), 8.0)["id"]
    gone = fake.add_activity(now() - timedelta(days=2), 10.0)["id"]
    listing(store, provider)
    fake.remove(gone)
    before = len(fake.log)
    summary = listing(store, provider)
    assert summary.updated == 1
    assert [a.provider_id for a in store.activities("sam")] == [kept]
    assert [(r.method, r.path) for r in fake.log[before:]] == [
        ("GET", LIST),
        ("GET", f"/api/v1/activity/{gone}"),
    ]
    assert listing(store, provider).updated == 0  # noticed once
    assert len(fake.log) == before + 3


def test_an_activity_moved_out_of_the_window_is_kept_as_it_now_is(world) -> None:
    fake, store, provider = world
    moved = fake.add_activity(now() - timedelta(days=1), 8.0)["id"]
    listing(store, provider)
    earlier = now() - timedelta(days=20)  # the runner fixed the date on intervals.icu
    local = earlier.astimezone(ZoneInfo(fake.timezone)).strftime("%Y-%m-%dT%H:%M:%S")
    fake.edit(moved, start_date=earlier.strftime("%Y-%m-%dT%H:%M:%SZ"), start_date_local=local)
    listing(store, provider)
    [stored] = store.activities("sam")
    assert stored.provider_id == moved and stored.start_utc == earlier


def test_strava_sourced_stubs_are_left_out_and_said_once(world, caplog: pytest.LogCaptureFixture) -> None:
    fake, store, provider = world
    fake.add_activity(now() - timedelta(days=1), 8.0)
    fake.add_strava_stub(now() - timedelta(days=2))
    with caplog.at_level(logging.INFO, logger="syncd.providers.intervals.provider"):
        summary = listing(store, provider)
        listing(store, provider)
    assert (summary.new, summary.skipped) == (1, 0)
    said = [r.getMessage() for r in caplog.records if "from Strava" in r.getMessage()]
    assert len(said) == 1 and "Strava's terms" in said[0]


def test_disconnecting_stops_the_running_provider(world) -> None:
    fake, store, provider = world
    listing(store, provider)
    store.set_provider_value("intervals", account_key("sam"), None)  # `syncd disconnect intervals`
    sent = len(fake.log)
    with pytest.raises(AuthRequired, match="syncd connect intervals --athlete sam"):
        listing(store, provider)
    assert len(fake.log) == sent
