"""Strava webhooks: the WSGI endpoint (challenge, filtering, dedupe, limits), event handling,
subscription management, and all of it over real HTTP with waitress and the fake Strava."""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from fakes.strava_server import FakeStrava

from syncd.domain import Activity
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.strava import StravaProvider
from syncd.providers.strava_auth import StravaApi, StravaApp
from syncd.providers.strava_budget import Budget
from syncd.providers.strava_webhook import (
    Subscriptions,
    WebhookApp,
    WebhookEvent,
    WebhookState,
    handle_event,
    pending_events,
    serve,
    verify_token_for,
)
from syncd.sports import Sport
from syncd.store import Store
from syncd.tokens import FileTokenStore

SUB_ID = 77
TOKEN = verify_token_for("app-secret")


def event(**changes: Any) -> dict[str, Any]:
    base = {"aspect_type": "create", "event_time": 1_716_000_000, "object_id": 1360128428,
            "object_type": "activity", "owner_id": 1513, "subscription_id": SUB_ID,
            "updates": {}}
    return {**base, **changes}


def connected(store: Store, external_id: str = "1513") -> None:
    store.ensure_athlete("sam", "UTC")
    with store.transaction() as tx:
        tx.execute("INSERT INTO accounts (athlete, provider, external_id, status) VALUES "
                   "('sam', 'strava', ?, 'active')", (external_id,))


@pytest.fixture
def queued(store: Store) -> list[WebhookEvent]:
    connected(store)
    store.set_provider_value("strava", "subscription:4242", {"id": SUB_ID})
    return []


@pytest.fixture
def app(store: Store, queued: list[WebhookEvent]) -> WebhookApp:
    return WebhookApp(TOKEN, WebhookState(store.path, 4242), queued.append)


def call(app: WebhookApp, method: str, query: str = "", body: bytes = b"",
         length: int | None = None) -> tuple[str, Any]:
    """Run the WSGI app once; (status line, decoded JSON body)."""
    got: dict[str, Any] = {}
    environ = {"REQUEST_METHOD": method, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body) if length is None else length)}
    out = b"".join(app(environ, lambda status, headers: got.update(status=status)))
    return got["status"], json.loads(out)


def test_challenge_is_answered_only_with_our_verify_token(app: WebhookApp) -> None:
    query = urlencode({"hub.mode": "subscribe", "hub.challenge": "15f7d1a91c1f40f8",
                       "hub.verify_token": TOKEN})
    assert call(app, "GET", query) == ("200 OK", {"hub.challenge": "15f7d1a91c1f40f8"})
    wrong = urlencode({"hub.mode": "subscribe", "hub.challenge": "x", "hub.verify_token": "no"})
    assert call(app, "GET", wrong)[0] == "403 Forbidden"
    assert call(app, "GET", "")[0] == "400 Bad Request"


def test_events_are_filtered_deduped_and_queued(app: WebhookApp,
                                                queued: list[WebhookEvent]) -> None:
    body = json.dumps(event()).encode()
    assert call(app, "POST", body=body) == ("200 OK", {"status": "queued"})
    assert call(app, "POST", body=body) == ("200 OK", {"status": "duplicate"})
    later = json.dumps(event(aspect_type="update", updates={"title": "Hills"})).encode()
    assert call(app, "POST", body=later)[1] == {"status": "queued"}
    foreign = json.dumps(event(subscription_id=5, event_time=2)).encode()
    assert call(app, "POST", body=foreign) == ("200 OK",
                                               {"status": "ignored: not our subscription"})
    stranger = json.dumps(event(owner_id=99, event_time=3)).encode()
    assert call(app, "POST", body=stranger)[1] == {"status": "ignored: not a connected athlete"}
    assert [(e.aspect_type, e.object_id) for e in queued] == [("create", 1360128428),
                                                              ("update", 1360128428)]


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", "400 Bad Request"),
    (b"[]", "400 Bad Request"),
    (json.dumps(event(object_id="12")).encode(), "400 Bad Request"),
    (json.dumps(event(aspect_type="explode")).encode(), "400 Bad Request"),
])
def test_bad_bodies_are_refused(app: WebhookApp, queued: list[WebhookEvent], body: bytes,
                                status: str) -> None:
    assert call(app, "POST", body=body)[0] == status
    assert queued == []


def test_oversized_body_is_refused_unread(app: WebhookApp) -> None:
    class Exploding(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body must not be read")

    got: dict[str, str] = {}
    environ = {"REQUEST_METHOD": "POST", "QUERY_STRING": "", "wsgi.input": Exploding(),
               "CONTENT_LENGTH": str(64 * 1024 + 1)}
    app(environ, lambda status, headers: got.update(status=status))
    assert got["status"] == "413 Content Too Large"
    assert call(app, "PUT")[0] == "405 Method Not Allowed"


def test_a_crash_gives_500_without_a_stack_trace(store: Store, queued: list[WebhookEvent]) -> None:
    def broken(e: WebhookEvent) -> None:
        raise RuntimeError("/secret/path/in/trace")

    status, body = call(WebhookApp(TOKEN, WebhookState(store.path, 4242), broken), "POST",
                        body=json.dumps(event()).encode())
    assert status == "500 Internal Server Error" and body == {"error": "internal error"}


# -- handling ----------------------------------------------------------------------------------

class OneActivity:
    """A provider stand-in for handle_event: fetch_one answers from a dict."""

    def __init__(self, items: dict[str, Activity | None]) -> None:
        self.items = items
        self.asked: list[str] = []

    def fetch_one(self, provider_id: str) -> Activity | None:
        self.asked.append(provider_id)
        return self.items.get(provider_id)


def run(pid: str) -> Activity:
    return Activity(provider="strava", provider_id=pid, athlete="sam",
                    start_utc=datetime(2024, 5, 1, 7, tzinfo=UTC), sport=Sport.RUN,
                    distance_m=10_000, moving_s=3000)


def test_handling(store: Store, tmp_path: Path) -> None:
    connected(store)
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("strava", "sam", {"access_token": "a", "refresh_token": "r"})
    provider = OneActivity({"5": run("5")})
    passes: list[str] = []
    state = WebhookState(store.path, 4242)

    def handle(data: dict[str, Any]) -> str:
        e = WebhookEvent.parse(data)
        state.remember(e)
        return handle_event(e, store, tokens, lambda a: provider, passes.append)  # type: ignore[arg-type,return-value]

    assert handle(event(object_id=5)) == "fetched; pass run"
    assert [a.provider_id for a in store.activities("sam")] == ["5"] and passes == ["sam"]
    assert handle(event(object_id=6, event_time=2)) == "not readable yet: retry later"
    assert [(e.object_id, e.aspect_type) for e in pending_events(store)] == [(6, "create")]
    assert handle(event(object_id=5, aspect_type="delete", event_time=3)) == "marked deleted"
    assert store.activities("sam") == []
    assert handle(event(object_type="athlete", object_id=1513, aspect_type="update",
                        event_time=4, updates={"authorized": "false"})) == "disconnected"
    assert tokens.load("strava", "sam") is None
    status = store.conn.execute("SELECT status FROM accounts WHERE athlete = 'sam'").fetchone()
    assert status[0] == "disconnected"
    assert [(e.object_id, e.aspect_type) for e in pending_events(store)] == [(6, "create")]
    assert handle(event(object_id=7, event_time=5)) == "ignored: not a connected athlete"


# -- over real HTTP ----------------------------------------------------------------------------

@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


def test_over_http_challenge_event_to_note_foreign_and_deauthorisation(
        fake: FakeStrava, store: Store, tmp_path: Path) -> None:
    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    connected(store)
    provider = StravaProvider("sam", StravaApi(app, tokens, "sam", Budget(store, fake.client_id)),
                              store)
    events: queue.Queue[WebhookEvent] = queue.Queue()
    endpoint = WebhookApp(verify_token_for(fake.client_secret),
                          WebhookState(store.path, fake.client_id), events.put)
    server = serve(endpoint, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/strava/webhook"
        subs = Subscriptions(app, store)
        ident = subs.subscribe(url)  # the fake checks our challenge answer first
        assert [s["id"] for s in subs.status()] == [ident]
        with pytest.raises(HTTPError) as refused:
            urlopen(f"{url}?" + urlencode({"hub.mode": "subscribe", "hub.challenge": "x",
                                            "hub.verify_token": "guess"}), timeout=5)
        assert refused.value.code == 403

        item = fake.add_activity(datetime.now(UTC), description="Hills!")
        started = time.monotonic()
        status, took = fake.send_event(event(object_id=item["id"], subscription_id=ident,
                                             event_time=int(time.time())))
        assert status == 200 and took < 2.0
        got = events.get(timeout=2)

        def note_pass(athlete: str) -> None:
            def edit(current: str) -> str | None:
                result = apply_block(current, "— syncd —\nEasy week ahead.")
                return result.description if result.outcome is NoteOutcome.WRITE else None

            provider.write_note(str(item["id"]), edit)

        assert handle_event(got, store, tokens, lambda a: provider, note_pass) == \
            "fetched; pass run"
        assert fake.description(item["id"]) == "Hills!\n\n— syncd —\nEasy week ahead."
        assert time.monotonic() - started < 5.0

        assert fake.send_event(event(object_id=1, subscription_id=ident + 1))[0] == 200
        assert fake.send_event(event(object_id=item["id"], subscription_id=ident,
                                     event_time=got.event_time))[0] == 200  # duplicate
        deauth = event(object_type="athlete", object_id=fake.athlete_id, aspect_type="update",
                       subscription_id=ident, updates={"authorized": "false"})
        assert fake.send_event(deauth)[0] == 200
        got = events.get(timeout=2)
        assert got.deauthorized and events.empty()  # foreign and duplicate never queued
        assert handle_event(got, store, tokens, lambda a: provider, note_pass) == "disconnected"
        assert tokens.load("strava", "sam") is None
        assert subs.unsubscribe() == ident and fake.subscriptions == {}
        assert subs.unsubscribe() is None
    finally:
        server.close()
        thread.join(5)


def test_status_keeps_the_client_secret_out_of_the_log(fake: FakeStrava, store: Store,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    assert Subscriptions(app, store).status() == []
    assert fake.requests("/api/v3/push_subscriptions")[0].query["client_secret"] == \
        fake.client_secret  # Strava wants it there ...
    assert fake.client_secret not in caplog.text  # ... but syncd's log never shows it
