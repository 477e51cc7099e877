"""The Garmin provider against the fake account: paging and cursor, notes, every error path,
token rotation, and what reaches the logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from curl_cffi.requests.exceptions import Timeout as CurlTimeout
from fakes.garmin_fake import FakeGarmin, GarminAccount, item, resumer, transport_error
from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

from syncd.config import parse
from syncd.errors import AuthRequired, BadPayload, ProviderError, RateLimited, Unavailable
from syncd.notes import apply_block
from syncd.providers.garmin import GarminProvider
from syncd.providers.garmin.auth import lock_logins
from syncd.store import Store
from syncd.tokens import FileTokenStore, TokenStoreError, token_store

NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
BLOCK = "— syncd —\n45 % longer than your longest run in 30 days."


class CountingTokens(FileTokenStore):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.saves = 0

    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        self.saves += 1
        super().save(provider, athlete, tokens)


def every_12h(
    count: int, first_id: int = 1000, newest: datetime = NOW - timedelta(hours=3)
) -> list[dict[str, Any]]:
    """`count` runs 12 hours apart, the newest `newest` (naive GMT, as Garmin sends it)."""
    return [item(first_id + i, (newest - timedelta(hours=12 * i)).replace(tzinfo=None)) for i in range(count)]


class Setup:
    def __init__(self, tmp: Path, items: list[dict[str, Any]], **options: Any) -> None:
        self.account = GarminAccount(items)
        self.tokens = CountingTokens(tmp / "tokens")
        self.tokens.save("garmin", "sam", {"session": self.account.session()})  # as `connect` does
        self.tokens.saves = 0
        self.store = Store(tmp / "state")
        self.store.ensure_athlete("sam", "UTC")
        api = FakeGarmin(self.account)
        api.client.loads(self.account.session())
        self.provider = GarminProvider(
            "sam", api, self.tokens, store=self.store, clock=lambda: NOW, **options
        )

    def sync(self) -> list[tuple[int, str | None]]:
        """What the engine does: store each page with its cursor in one transaction."""
        pages = []
        for page in self.provider.fetch(self.store.cursor("sam", "garmin")):
            with self.store.transaction() as tx:
                self.store.upsert_activities(page.activities, tx)
                if page.cursor is not None:
                    self.store.set_cursor(tx, "sam", "garmin", page.cursor)
            pages.append((len(page.activities), page.cursor))
        return pages

    def stored(self) -> int:
        return len(self.store.activities("sam"))


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path, every_12h(250))


# -- paging and the cursor ---------------------------------------------------------------------


def test_backfill_in_pages_with_the_cursor_only_on_the_last(setup: Setup) -> None:
    newest = (NOW - timedelta(hours=3)).isoformat()
    assert setup.sync() == [(100, None), (100, None), (50, newest)]
    assert setup.account.list_requests() == [
        "list start=0 limit=100",
        "list start=100 limit=100",
        "list start=200 limit=100",
    ]
    assert setup.stored() == 250 and setup.store.cursor("sam", "garmin") == newest


def test_an_idle_poll_is_one_request(setup: Setup) -> None:
    setup.sync()
    before = len(setup.account.requests)
    assert setup.sync() == [(100, (NOW - timedelta(hours=3)).isoformat())]
    assert len(setup.account.requests) == before + 1


def test_new_activities_move_the_cursor_to_the_newest(setup: Setup) -> None:
    setup.sync()
    setup.account.put(item(9001, datetime(2024, 6, 3, 10, 30)))
    [(_, cursor)] = setup.sync()
    assert cursor == "2024-06-03T10:30:00+00:00" and setup.stored() == 251


def test_the_listing_reaches_back_past_the_overlap_window_then_stops(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(40), page_size=5)
    s.store.set_cursor(s.store.conn, "sam", "garmin", (NOW - timedelta(hours=3)).isoformat())
    s.sync()
    # 3 days back from the cursor is the 7th run; it sits on the second page of 5
    assert s.account.list_requests() == ["list start=0 limit=5", "list start=5 limit=5"]


def test_a_late_upload_inside_the_overlap_is_picked_up(setup: Setup) -> None:
    setup.sync()
    late = item(9002, (NOW - timedelta(days=2, hours=1)).replace(tzinfo=None))  # synced a day late
    setup.account.put(late)
    cursor_before = setup.store.cursor("sam", "garmin")
    setup.sync()
    assert any(a.provider_id == "9002" for a in setup.store.activities("sam"))
    assert setup.store.cursor("sam", "garmin") == cursor_before  # older than the newest


def test_a_failed_backfill_keeps_no_cursor_then_completes(setup: Setup) -> None:
    setup.account.faults = [None, 503]  # the second page fails
    with pytest.raises(Unavailable):
        setup.sync()
    assert setup.stored() == 100  # the first page is kept ...
    assert setup.store.cursor("sam", "garmin") is None  # ... but older runs are missing
    setup.sync()
    assert setup.stored() == 250 and setup.store.cursor("sam", "garmin") is not None


def test_a_failed_incremental_listing_never_moves_the_cursor_past_missing_runs(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(50, newest=NOW - timedelta(days=60)))
    s.sync()
    old_cursor = s.store.cursor("sam", "garmin")
    for new in every_12h(150, first_id=5000):  # a long holiday without syncing
        s.account.put(new)
    s.account.faults = [None, "timeout"]
    with pytest.raises(Unavailable):
        s.sync()
    assert s.store.cursor("sam", "garmin") == old_cursor  # the 50 older new runs are not stored
    s.sync()
    assert s.stored() == 200 and s.store.cursor("sam", "garmin") == (NOW - timedelta(hours=3)).isoformat()


def test_the_backfill_stops_at_the_cap_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    s = Setup(tmp_path, every_12h(400), max_activities=250)
    assert [n for n, _ in s.sync()] == [100, 100, 50]
    assert s.account.list_requests()[-1] == "list start=200 limit=50"
    assert s.store.cursor("sam", "garmin") is not None
    assert "stopped after 250 activities" in caplog.text


def test_a_malformed_item_is_skipped_with_its_reason(tmp_path: Path) -> None:
    items = every_12h(3)
    items[1]["startTimeGMT"] = "not a time"
    s = Setup(tmp_path, items)
    [page] = list(s.provider.fetch(None))
    assert [a.provider_id for a in page.activities] == ["1000", "1002"]
    assert page.skipped == ["activity 1001: startTimeGMT 'not a time' is not a time"]


def test_an_unreadable_cursor_lists_everything(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    assert sum(len(p.activities) for p in setup.provider.fetch("last tuesday")) == 250
    assert "unreadable cursor" in caplog.text


# -- single activities and notes -------------------------------------------------------------


def test_fetch_one_reads_the_detail_and_a_missing_activity_is_none(setup: Setup) -> None:
    one = setup.provider.fetch_one("1003")
    assert one is not None and one.provider_id == "1003" and one.distance_m == 8000
    assert setup.provider.fetch_one("424242") is None
    with pytest.raises(BadPayload):
        setup.provider.fetch_one("../user")


def note(current: str) -> str | None:
    edit = apply_block(current, BLOCK)
    return edit.description if edit.outcome.value == "write" else None


def test_write_note_keeps_the_runners_text_and_writes_nothing_when_unchanged(setup: Setup) -> None:
    setup.account.items[1000]["description"] = "Great hills today."
    assert setup.provider.write_note("1000", note) is True
    assert setup.account.description(1000) == f"Great hills today.\n\n{BLOCK}"
    assert setup.account.requests[-2:] == ["get 1000", "put 1000"]
    assert setup.provider.write_note("1000", note) is False  # identical: a read, no write
    assert setup.account.requests[-1] == "get 1000" and len(setup.account.writes) == 1
    assert setup.provider.write_note("1000", lambda current: None) is False
    assert setup.provider.write_note("1000", lambda current: current) is False  # same text
    assert setup.provider.write_note("424242", note) is False  # deleted on Garmin
    assert len(setup.account.writes) == 1


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "text"),
    [
        # a 401 that one refresh cures is no revocation (test_revoked_tokens_need_a_reconnect)
        (401, Unavailable, "refused syncd's sign-in for sam once"),
        (GarminConnectAuthenticationError("Authentication failed"), Unavailable, "once; will retry"),
        (429, RateLimited, "next try after 12:15 UTC"),
        (GarminConnectTooManyRequestsError("Rate limit exceeded"), RateLimited, "rate-limiting"),
        (403, Unavailable, "HTTP 403"),
        (500, Unavailable, "HTTP 500"),
        (503, Unavailable, "will retry later"),
        ("timeout", Unavailable, "could not list activities"),
        ("reset", Unavailable, "could not list activities"),
    ],
)
def test_listing_errors_map_to_domain_errors(
    setup: Setup, fault: Any, error: type[Exception], text: str
) -> None:
    setup.account.faults = [fault]
    with pytest.raises(error, match=text) as caught:
        setup.sync()
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_at == NOW + timedelta(minutes=15)


def test_a_client_error_is_a_plain_provider_error(setup: Setup) -> None:
    setup.account.faults = [400]
    with pytest.raises(ProviderError, match="HTTP 400") as caught:
        setup.sync()
    assert type(caught.value) is ProviderError


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("120", timedelta(minutes=2)),
        ("5", timedelta(minutes=1)),
        ("86400", timedelta(hours=6)),
        ("Mon, 03 Jun 2024 12:30:00 GMT", timedelta(minutes=30)),
    ],
)
def test_garmins_retry_after_is_honoured_within_bounds(setup: Setup, header: str, wait: timedelta) -> None:
    setup.account.faults = [transport_error(429, {"Retry-After": header})]
    with pytest.raises(RateLimited) as caught:
        setup.sync()
    assert caught.value.retry_at == NOW + wait


def test_revoked_tokens_need_a_reconnect(setup: Setup) -> None:
    setup.account.generation += 1  # signed out everywhere: syncd's tokens are dead
    with pytest.raises(AuthRequired):
        setup.provider.fetch_one("1000")


@pytest.mark.parametrize(
    ("fault", "error"),
    [(429, RateLimited), (401, Unavailable), ("timeout", Unavailable), (502, Unavailable)],
)
def test_write_errors_arrive_untranslated_and_are_mapped(
    setup: Setup, fault: Any, error: type[Exception]
) -> None:
    setup.account.faults = [None, fault]  # the read works, the write fails
    with pytest.raises(error):
        setup.provider.write_note("1000", note)
    assert setup.account.writes == []


# -- tokens and logs ---------------------------------------------------------------------------


def test_rotated_tokens_are_saved_once_and_only_when_they_changed(setup: Setup) -> None:
    setup.sync()
    assert setup.tokens.saves == 0
    setup.account.rotate_on_next_request = True
    setup.sync()
    assert setup.tokens.saves == 1
    assert setup.tokens.load("garmin", "sam") == {"session": setup.account.session()}
    setup.sync()
    assert setup.tokens.saves == 1


def test_tokens_rotated_by_a_call_that_then_failed_are_still_saved(setup: Setup) -> None:
    setup.account.rotate_on_next_request = True
    setup.account.faults = [429]
    with pytest.raises(RateLimited):
        setup.sync()
    assert setup.tokens.load("garmin", "sam") == {"session": setup.account.session()}


def test_a_reconnect_while_the_daemon_runs_is_picked_up(setup: Setup) -> None:
    setup.account.generation += 1  # the old sign-in died; the runner ran `syncd connect` again
    with pytest.raises(AuthRequired):
        setup.sync()
    setup.tokens.save("garmin", "sam", {"session": setup.account.session()})  # what connect saves
    setup.sync()  # the same provider object, as the daemon keeps it
    assert setup.stored() == 250
    setup.account.rotate_on_next_request = True
    setup.sync()  # and a later rotation saves the new lineage, not the old one
    assert setup.tokens.load("garmin", "sam") == {"session": setup.account.session()}


def test_a_disconnect_while_the_daemon_runs_stops_syncing(setup: Setup) -> None:
    setup.tokens.delete("garmin", "sam")
    requests_before = len(setup.account.requests)
    with pytest.raises(AuthRequired, match="disconnected Garmin Connect"):
        setup.sync()
    with pytest.raises(AuthRequired):
        setup.provider.write_note("1000", note)
    assert len(setup.account.requests) == requests_before


def test_damaged_saved_tokens_need_a_reconnect(setup: Setup) -> None:
    setup.tokens.save("garmin", "sam", {"session": "{damaged"})
    with pytest.raises(AuthRequired, match="cannot be read"):
        setup.provider.fetch_one("1000")


def test_no_token_reaches_a_log_line_or_an_error(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    setup.account.rotate_on_next_request = True
    setup.sync()
    setup.provider.write_note("1000", note)
    messages = []
    for fault in (401, "timeout", 400, 429):  # 429 last: it stops requests for a while
        setup.account.faults = [fault]
        with pytest.raises(ProviderError) as caught:
            setup.sync()
        messages.append(str(caught.value))
    assert "saved the refreshed sign-in tokens" in caplog.text
    for secret in ("access-token-", "refresh-token-"):
        assert secret not in caplog.text and not any(secret in m for m in messages)


# -- create --------------------------------------------------------------------------------------


def config() -> Any:
    return parse({"athletes": [{"name": "sam", "providers": ["garmin"]}]}, "test")


def test_create_needs_a_connected_account(store: Store) -> None:
    with pytest.raises(AuthRequired, match="not connected Garmin Connect yet; run `syncd connect garmin"):
        GarminProvider.create(config(), config().athlete("sam"), store)


def test_create_resumes_from_the_saved_tokens_without_a_request(store: Store) -> None:
    account, made = GarminAccount(every_12h(3)), []
    token_store(store.path.parent).save("garmin", "sam", {"session": account.session()})
    provider = GarminProvider.create(
        config(), config().athlete("sam"), store, client_factory=resumer(account, made)
    )
    assert account.requests == [] and len(made) == 1
    assert len(next(iter(provider.fetch(None))).activities) == 3


def test_create_refuses_unreadable_tokens(store: Store) -> None:
    token_store(store.path.parent).save("garmin", "sam", {"session": "{garbage"})
    with pytest.raises(AuthRequired, match="cannot be read") as caught:
        GarminProvider.create(config(), config().athlete("sam"), store)  # the real resume_client
    assert "not connected" not in str(caught.value)  # the engine words its notice on this


def test_create_waits_out_a_sign_in_lockout_without_touching_the_network(store: Store) -> None:
    account, made = GarminAccount(), []
    token_store(store.path.parent).save("garmin", "sam", {"session": account.session()})
    lock_logins(store, "sam", NOW)
    with pytest.raises(RateLimited) as caught:
        GarminProvider.create(
            config(), config().athlete("sam"), store, client_factory=resumer(account, made), clock=lambda: NOW
        )
    assert caught.value.retry_at == NOW + timedelta(hours=6)
    assert made == [] and account.requests == []
    later = NOW + timedelta(hours=6, seconds=1)
    GarminProvider.create(
        config(), config().athlete("sam"), store, client_factory=resumer(account, made), clock=lambda: later
    )
    assert len(made) == 1


# -- token refresh (before the call, by the provider) --------------------------------------------


def test_an_expiring_token_is_refreshed_before_the_call_and_saved(setup: Setup) -> None:
    setup.account.expiring = True
    setup.sync()
    assert setup.account.requests[:2] == ["refresh", "list start=0 limit=100"]
    assert setup.tokens.saves == 1
    assert setup.tokens.load("garmin", "sam") == {"session": setup.account.session()}


@pytest.mark.parametrize(
    ("fault", "error", "text"),
    [
        (400, AuthRequired, "no longer accepts"),
        (401, AuthRequired, "no longer accepts"),
        (429, RateLimited, "rate-limiting"),
        (500, Unavailable, r"could not refresh syncd's sign-in for sam \(HTTP 500\)"),
        (503, Unavailable, "HTTP 503"),
        (403, Unavailable, "HTTP 403"),
        ("timeout", Unavailable, r"\(Timeout\)"),
        (requests.ConnectionError("connection reset"), Unavailable, "ConnectionError"),
        (CurlTimeout("Operation timed out after 30000 ms"), Unavailable, "Timeout"),
        (ValueError("Expecting value: line 1 column 1"), Unavailable, "ValueError"),  # a garbled reply
    ],
)
def test_a_failed_refresh_maps_by_its_cause_and_sends_no_call(
    setup: Setup, fault: Any, error: type[Exception], text: str
) -> None:
    setup.account.expiring = True
    setup.account.refresh_faults = [fault]
    with pytest.raises(error, match=text) as caught:
        setup.sync()
    assert type(caught.value) is error
    assert setup.account.requests == ["refresh"]  # the expiring token is not sent
    assert setup.tokens.saves == 0


def test_a_passing_refresh_outage_leaves_the_account_working(setup: Setup) -> None:
    setup.account.expiring = True
    setup.account.refresh_faults = [503]
    with pytest.raises(Unavailable):
        setup.sync()
    setup.sync()  # the next pass refreshes and lists
    assert setup.stored() == 250 and setup.account.requests.count("refresh") == 2


# -- waiting out a rate limit across passes ---------------------------------------------------


def test_retry_after_is_kept_and_honoured_across_passes_and_restarts(setup: Setup, tmp_path: Path) -> None:
    setup.account.faults = [transport_error(429, {"Retry-After": "3600"})]
    with pytest.raises(RateLimited) as caught:
        setup.sync()
    assert caught.value.retry_at == NOW + timedelta(hours=1)
    before = len(setup.account.requests)
    for later in (NOW + timedelta(minutes=15), NOW + timedelta(minutes=59)):
        setup.provider.clock = lambda later=later: later
        with pytest.raises(RateLimited) as caught:
            setup.sync()
        assert caught.value.retry_at == NOW + timedelta(hours=1)
        with pytest.raises(RateLimited):
            setup.provider.write_note("1000", note)
    restarted = GarminProvider(
        "sam",
        FakeGarmin(setup.account),
        setup.tokens,
        store=setup.store,
        clock=lambda: NOW + timedelta(minutes=30),
    )
    with pytest.raises(RateLimited):
        list(restarted.fetch(None))
    assert len(setup.account.requests) == before  # not one request while Garmin said wait
    setup.provider.clock = lambda: NOW + timedelta(hours=1, seconds=1)
    setup.sync()
    assert setup.stored() == 250


def test_a_rate_limited_refresh_is_waited_out_too(setup: Setup) -> None:
    setup.account.expiring = True
    setup.account.refresh_faults = [429]
    with pytest.raises(RateLimited):
        setup.sync()
    setup.provider.clock = lambda: NOW + timedelta(minutes=5)
    with pytest.raises(RateLimited):
        setup.sync()
    assert setup.account.requests == ["refresh"]


# -- a first sync that keeps failing part-way ---------------------------------------------------


def test_a_failing_first_sync_continues_where_it_stopped(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(1000), detail=timedelta(0))  # listing requests only
    stored = []
    for _ in range(2):
        s.account.faults = [None] * 5 + [429]  # Garmin throttles the 6th request of a pass
        with pytest.raises(RateLimited):
            s.sync()
        s.store.set_provider_value("garmin", "rate_limited_until:sam", None)  # waited it out
        stored.append(s.stored())
        assert s.store.cursor("sam", "garmin") is None  # older runs are still missing
    assert stored == [500, 990]  # the second pass went on, 10 activities listed again
    assert s.account.list_requests()[6] == "list start=490 limit=100"
    s.sync()
    assert s.stored() == 1000
    assert s.store.cursor("sam", "garmin") == (NOW - timedelta(hours=3)).isoformat()  # the newest
    assert s.store.provider_value("garmin", "backfill:sam") is None
    before = len(s.account.requests)
    s.sync()  # an idle poll from the top again
    assert s.account.requests[before:] == ["list start=0 limit=100"]


def test_a_resumed_first_sync_starts_again_when_deletions_moved_the_list(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(300))
    s.account.faults = [None, 503]
    with pytest.raises(Unavailable):
        s.sync()
    for ident in range(1000, 1030):  # more deleted on Garmin than the resume overlap covers
        del s.account.items[ident]
    before = len(s.account.requests)
    s.sync()
    assert s.account.requests[before : before + 2] == ["list start=90 limit=100", "list start=0 limit=100"]
    assert {a.provider_id for a in s.store.activities("sam")} >= {str(i) for i in range(1030, 1300)}
    assert s.store.cursor("sam", "garmin") == (NOW - timedelta(hours=3 + 30 * 12)).isoformat()  # 1030


def test_new_uploads_during_a_resumed_first_sync_are_listed_by_the_next_poll(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(300))
    s.account.faults = [None, 503]
    with pytest.raises(Unavailable):
        s.sync()
    s.account.put(item(9003, (NOW - timedelta(hours=1)).replace(tzinfo=None)))
    s.sync()  # continues from the resume point: the new run sits above it
    assert s.store.cursor("sam", "garmin") == (NOW - timedelta(hours=3)).isoformat()  # not past it
    s.sync()
    assert any(a.provider_id == "9003" for a in s.store.activities("sam"))
    assert s.store.cursor("sam", "garmin") == (NOW - timedelta(hours=1)).isoformat()


# -- a token save that fails while another error is on its way out ------------------------------


def test_a_failing_token_save_never_hides_the_real_error(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    setup.account.rotate_on_next_request = True
    setup.account.faults = [transport_error(429, {"Retry-After": "120"})]

    def broken(*args: Any) -> None:
        raise TokenStoreError("cannot write the token file /x/garmin-sam.json: Permission denied")

    monkeypatch.setattr(setup.tokens, "save", broken)
    with pytest.raises(RateLimited) as caught:
        setup.sync()
    assert caught.value.retry_at == NOW + timedelta(minutes=2)
    assert "could not save the refreshed sign-in tokens: cannot write the token file" in caplog.text
    monkeypatch.undo()
    setup.provider.clock = lambda: NOW + timedelta(minutes=3)
    setup.sync()  # the next call saves them
    assert setup.tokens.load("garmin", "sam") == {"session": setup.account.session()}


def test_a_failing_token_save_after_a_good_call_is_raised(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.account.rotate_on_next_request = True

    def broken(*args: Any) -> None:
        raise TokenStoreError("cannot write the token file")

    monkeypatch.setattr(setup.tokens, "save", broken)
    with pytest.raises(TokenStoreError):
        setup.provider.fetch_one("1000")
