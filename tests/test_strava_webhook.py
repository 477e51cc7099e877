"""Strava webhooks: the WSGI endpoint (challenge, filtering, dedupe, limits), event handling,
subscription management, and all of it over real HTTP with waitress and the fake Strava."""

from __future__ import annotations

import io
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from fakes.strava_server import FakeStrava

from syncd.domain import Activity
from syncd.engine.wiring import BrokenProvider
from syncd.errors import AuthRequired
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.providers.strava.endpoint import WebhookApp, WebhookState, serve, verify_token_for
from syncd.providers.strava.events import WebhookEvent, access_revoked, handle_event, pending_events
from syncd.providers.strava.subscriptions import Subscriptions
from syncd.sports import Sport
from syncd.store import Store
from syncd.tokens import FileTokenStore

SUB_ID = 77
TOKEN = verify_token_for("app-secret")


def event(**changes: Any) -> dict[str, Any]:
    base = {
        "aspect_type": "create",
        "event_time": 1_716_000_000,
        "object_id": 1360128428,
        "object_type": "activity",
        "owner_id": 1513,
        "subscription_id": SUB_ID,
        "updates": {},
    }
    return {**base, **changes}


def connected(store: Store, external_id: str = "1513") -> None:
    store.ensure_athlete("sam", "UTC")
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO accounts (athlete, provider, external_id, status) VALUES "
            "('sam', 'strava', ?, 'active')",
            (external_id,),
        )


@pytest.fixture
def queued(store: Store) -> list[WebhookEvent]:
    connected(store)
    store.set_provider_value("strava", "subscription:4242", {"id": SUB_ID})
    return []


@pytest.fixture
def app(store: Store, queued: list[WebhookEvent]) -> WebhookApp:
    return WebhookApp(TOKEN, WebhookState(store.path, 4242), queued.append)


def raw_call(
    app: WebhookApp, method: str, query: str = "", body: bytes = b"", length: int | None = None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the WSGI app once; (status line, headers, body bytes)."""
    got: dict[str, Any] = {}
    environ = {
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body) if length is None else length),
    }
    out = b"".join(app(environ, lambda status, headers: got.update(status=status, headers=headers)))
    return got["status"], got["headers"], out


def call(
    app: WebhookApp, method: str, query: str = "", body: bytes = b"", length: int | None = None
) -> tuple[str, Any]:
    """Run the WSGI app once; (status line, decoded JSON body)."""
    status, _, out = raw_call(app, method, query, body, length)
    return status, json.loads(out)


def test_challenge_is_answered_only_with_our_verify_token(app: WebhookApp) -> None:
    query = urlencode(
        {"hub.mode": "subscribe", "hub.challenge": "15f7d1a91c1f40f8", "hub.verify_token": TOKEN}
    )
    assert call(app, "GET", query) == ("200 OK", {"hub.challenge": "15f7d1a91c1f40f8"})
    wrong = urlencode({"hub.mode": "subscribe", "hub.challenge": "x", "hub.verify_token": "no"})
    assert call(app, "GET", wrong)[0] == "403 Forbidden"
    assert call(app, "GET", "")[0] == "400 Bad Request"


def test_events_are_filtered_deduped_and_queued(app: WebhookApp, queued: list[WebhookEvent]) -> None:
    ok = ("200 OK", {"status": "ok"})
    body = json.dumps(event()).encode()
    assert call(app, "POST", body=body) == ok
    assert call(app, "POST", body=body) == ok  # duplicate
    later = json.dumps(event(aspect_type="update", updates={"title": "Hills"})).encode()
    assert call(app, "POST", body=later) == ok
    foreign = json.dumps(event(subscription_id=5, event_time=2)).encode()
    assert call(app, "POST", body=foreign) == ok
    stranger = json.dumps(event(owner_id=99, event_time=3)).encode()
    assert call(app, "POST", body=stranger) == ok
    assert [(e.aspect_type, e.object_id) for e in queued] == [("create", 1360128428), ("update", 1360128428)]


def test_answers_do_not_tell_which_check_failed(
    app: WebhookApp, queued: list[WebhookEvent], caplog: pytest.LogCaptureFixture
) -> None:
    """A stranger probing subscription ids, then owner ids, sees one and the same answer."""
    caplog.set_level(logging.DEBUG, logger="syncd.providers.strava.endpoint")
    probes = {
        "queued": event(),
        "duplicate": event(),
        "not our subscription": event(subscription_id=31337, event_time=2),
        "not a connected athlete": event(owner_id=424242, event_time=3),
    }
    answers = {name: raw_call(app, "POST", body=json.dumps(body).encode()) for name, body in probes.items()}
    assert answers["queued"] == (
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", "16")],
        b'{"status": "ok"}',
    )
    assert all(answer == answers["queued"] for answer in answers.values()), answers
    assert len(queued) == 1
    # the reasons are in the debug log, without the ids a stranger sent
    for reason in ("queued", "duplicate", "not our subscription", "not a connected athlete"):
        assert reason in caplog.text
    assert "31337" not in caplog.text and "424242" not in caplog.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", "400 Bad Request"),
        (b"[]", "400 Bad Request"),
        (json.dumps(event(object_id="12")).encode(), "400 Bad Request"),
        (json.dumps(event(aspect_type="explode")).encode(), "400 Bad Request"),
    ],
)
def test_bad_bodies_are_refused(
    app: WebhookApp, queued: list[WebhookEvent], body: bytes, status: str
) -> None:
    assert call(app, "POST", body=body)[0] == status
    assert queued == []


def test_oversized_body_is_refused_unread(app: WebhookApp) -> None:
    class Exploding(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body must not be read")

    got: dict[str, str] = {}
    environ = {
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "",
        "wsgi.input": Exploding(),
        "CONTENT_LENGTH": str(64 * 1024 + 1),
    }
    app(environ, lambda status, headers: got.update(status=status))
    assert got["status"] == "413 Content Too Large"
    assert call(app, "PUT")[0] == "405 Method Not Allowed"


def test_a_crash_gives_500_without_a_stack_trace(store: Store, queued: list[WebhookEvent]) -> None:
    def broken(e: WebhookEvent) -> None:
        raise RuntimeError("/secret/path/in/trace")

    status, body = call(
        WebhookApp(TOKEN, WebhookState(store.path, 4242), broken), "POST", body=json.dumps(event()).encode()
    )
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
    return Activity(
        provider="strava",
        provider_id=pid,
        athlete="sam",
        start_utc=datetime(2024, 5, 1, 7, tzinfo=UTC),
        sport=Sport.RUN,
        distance_m=10_000,
        moving_s=3000,
    )


def test_handling(store: Store, tmp_path: Path) -> None:
    connected(store)
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("strava", "sam", {"access_token": "a", "refresh_token": "r"})
    provider = OneActivity({"5": run("5")})
    passes: list[str] = []
    checked: list[object] = []
    state = WebhookState(store.path, 4242)
    soon = datetime.fromtimestamp(10, UTC)  # the events below happened at 1970-01-01T00:00:0x

    def revoked(p: object) -> bool:
        checked.append(p)
        return True

    def handle(data: dict[str, Any]) -> str:
        e = WebhookEvent.parse(data)
        state.remember(e)
        return handle_event(
            e,
            store,
            tokens,
            lambda a: provider,
            passes.append,  # type: ignore[arg-type,return-value]
            confirm_revoked=revoked,
            now=soon,
        )

    assert handle(event(object_id=5)) == "fetched; pass run"
    assert [a.provider_id for a in store.activities("sam")] == ["5"] and passes == ["sam"]
    assert handle(event(object_id=6, event_time=2)) == "not readable yet: retry later"
    assert [(e.object_id, e.aspect_type) for e in pending_events(store, now=soon + timedelta(minutes=2))] == [
        (6, "create")
    ]
    del provider.items["5"]  # deleted on Strava: the refetch finds nothing
    assert handle(event(object_id=5, aspect_type="delete", event_time=3)) == "marked deleted"
    assert store.activities("sam") == []
    assert (
        handle(
            event(
                object_type="athlete",
                object_id=1513,
                aspect_type="update",
                event_time=4,
                updates={"authorized": "false"},
            )
        )
        == "disconnected"
    )
    assert checked == [provider]
    assert tokens.load("strava", "sam") is None
    status = store.conn.execute("SELECT status FROM accounts WHERE athlete = 'sam'").fetchone()
    assert status[0] == "disconnected"
    assert [(e.object_id, e.aspect_type) for e in pending_events(store, now=soon + timedelta(minutes=2))] == [
        (6, "create")
    ]
    assert handle(event(object_id=7, event_time=5)) == "ignored: not a connected athlete"


def remembered(store: Store, data: dict[str, Any]) -> WebhookEvent:
    e = WebhookEvent.parse(data)
    assert WebhookState(store.path, 4242).remember(e)
    return e


def deauth(**changes: Any) -> dict[str, Any]:
    return event(
        **{
            "object_type": "athlete",
            "object_id": 1513,
            "aspect_type": "update",
            "event_time": 40,
            "updates": {"authorized": "false"},
            **changes,
        }
    )


def test_a_deauthorisation_is_believed_only_when_confirmed(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    connected(store)
    tokens = FileTokenStore(tmp_path / "tokens")
    saved = {"access_token": "a", "refresh_token": "r"}
    tokens.save("strava", "sam", saved)
    provider = OneActivity({})

    def handle(e: WebhookEvent, **kwargs: Any) -> str:
        return handle_event(
            e,
            store,
            tokens,
            lambda a: provider,
            lambda a: None,  # type: ignore[arg-type,return-value]
            **kwargs,
        )

    assert (
        handle(remembered(store, deauth()), confirm_revoked=lambda p: False)
        == "ignored: access still granted"
    )
    assert tokens.load("strava", "sam") == saved
    # without a way to check (a provider that is not Strava's API), nothing is dropped
    assert handle(remembered(store, deauth(event_time=41))) == "ignored: access still granted"
    assert tokens.load("strava", "sam") == saved
    row = store.conn.execute("SELECT status FROM accounts WHERE athlete = 'sam'").fetchone()
    assert row[0] == "active"
    assert "forged or stale" in caplog.text
    # an account whose tokens already fail to load needs no check
    assert access_revoked(BrokenProvider("sam", AuthRequired("not connected")))


def test_a_delete_refetches_and_ends_the_objects_retries(store: Store, tmp_path: Path) -> None:
    connected(store)
    tokens = FileTokenStore(tmp_path / "tokens")
    provider = OneActivity({"5": run("5")})
    soon = datetime.fromtimestamp(100, UTC)

    def handle(data: dict[str, Any]) -> str:
        return handle_event(
            remembered(store, data),
            store,
            tokens,
            lambda a: provider,  # type: ignore[arg-type,return-value]
            lambda a: None,
        )

    assert handle(event(object_id=5, event_time=1)) == "fetched; pass run"
    assert (
        handle(event(object_id=5, aspect_type="delete", event_time=2)) == "ignored: the activity still exists"
    )
    assert provider.asked == ["5", "5"]
    assert [a.provider_id for a in store.activities("sam")] == ["5"]
    # a create Strava never shows, then its delete: no more retries of the create
    assert handle(event(object_id=6, event_time=3)) == "not readable yet: retry later"
    assert (
        handle(event(object_id=6, aspect_type="update", event_time=4, updates={"title": "x"}))
        == "marked deleted"
    )
    assert handle(event(object_id=6, aspect_type="delete", event_time=5)) == "marked deleted"
    assert pending_events(store, now=soon) == []
    # delivered out of order: the create after its delete is not kept for retries either
    assert handle(event(object_id=7, aspect_type="delete", event_time=7)) == "marked deleted"
    assert handle(event(object_id=7, event_time=6)) == "deleted on Strava already: not retried"
    assert pending_events(store, now=soon) == []


def test_unreadable_events_are_given_up_after_a_day(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="syncd.providers.strava.events")
    connected(store)
    happened = 1_716_000_000
    remembered(store, event(object_id=6, event_time=happened))
    at = datetime.fromtimestamp(happened, UTC)
    assert [e.object_id for e in pending_events(store, now=at + timedelta(hours=23))] == [6]
    assert pending_events(store, now=at + timedelta(hours=25)) == []
    assert "6/create given up" in caplog.text
    assert pending_events(store, now=at + timedelta(hours=1)) == []  # marked handled
    # an event_time in the future does not buy endless retries: its arrival counts too
    future = int(time.time()) + 10 * 365 * 86400
    remembered(store, event(object_id=8, event_time=future))
    now = datetime.now(UTC)
    assert [e.object_id for e in pending_events(store, now=now)] == [8]
    assert pending_events(store, now=now + timedelta(hours=25)) == []


# -- over real HTTP ----------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


def test_over_http_challenge_event_to_note_foreign_and_deauthorisation(
    fake: FakeStrava, store: Store, tmp_path: Path
) -> None:
    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    connected(store)
    provider = StravaProvider("sam", StravaApi(app, tokens, "sam", Budget(store, fake.client_id)), store)
    events: queue.Queue[WebhookEvent] = queue.Queue()
    endpoint = WebhookApp(
        verify_token_for(fake.client_secret), WebhookState(store.path, fake.client_id), events.put
    )
    server = serve(endpoint, port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/strava/webhook"
        subs = Subscriptions(app, store)
        ident = subs.subscribe(url)  # the fake checks our challenge answer first
        assert [s["id"] for s in subs.status()] == [ident]
        with pytest.raises(HTTPError) as refused:
            urlopen(
                f"{url}?"
                + urlencode({"hub.mode": "subscribe", "hub.challenge": "x", "hub.verify_token": "guess"}),
                timeout=5,
            )
        assert refused.value.code == 403

        item = fake.add_activity(datetime.now(UTC), description="Hills!")
        started = time.monotonic()
        status, took = fake.send_event(
            event(object_id=item["id"], subscription_id=ident, event_time=int(time.time()))
        )
        assert status == 200 and took < 2.0
        got = events.get(timeout=2)

        def note_pass(athlete: str) -> None:
            def edit(current: str) -> str | None:
                result = apply_block(current, "— syncd —\nEasy week ahead.")
                return result.description if result.outcome is NoteOutcome.WRITE else None

            provider.write_note(str(item["id"]), edit)

        assert handle_event(got, store, tokens, lambda a: provider, note_pass) == "fetched; pass run"
        assert fake.description(item["id"]) == "Hills!\n\n— syncd —\nEasy week ahead."
        assert time.monotonic() - started < 5.0

        assert fake.send_event(event(object_id=1, subscription_id=ident + 1))[0] == 200
        assert (
            fake.send_event(event(object_id=item["id"], subscription_id=ident, event_time=got.event_time))[0]
            == 200
        )  # duplicate
        deauth = event(
            object_type="athlete",
            object_id=fake.athlete_id,
            aspect_type="update",
            subscription_id=ident,
            updates={"authorized": "false"},
        )
        assert fake.send_event(deauth)[0] == 200
        got = events.get(timeout=2)
        assert got.deauthorized and events.empty()  # foreign and duplicate never queued
        # Strava would have revoked the grant before sending the event
        app.deauthorize(str((tokens.load("strava", "sam") or {})["access_token"]))
        assert handle_event(got, store, tokens, lambda a: provider, note_pass) == "disconnected"
        assert tokens.load("strava", "sam") is None
        assert subs.unsubscribe() == ident and fake.subscriptions == {}
        assert subs.unsubscribe() is None
    finally:
        server.close()
        thread.join(5)


def test_status_keeps_the_client_secret_out_of_the_log(
    fake: FakeStrava, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    assert Subscriptions(app, store).status() == []
    assert (
        fake.requests("/api/v3/push_subscriptions")[0].query["client_secret"] == fake.client_secret
    )  # Strava wants it there ...
    assert fake.client_secret not in caplog.text  # ... but syncd's log never shows it


def sam_on(
    fake: FakeStrava, store: Store, tmp_path: Path
) -> tuple[StravaApp, FileTokenStore, StravaProvider]:
    """sam connected to the fake Strava: the app, the token store, the provider."""
    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    connected(store, str(fake.athlete_id))
    api = StravaApi(app, tokens, "sam", Budget(store, fake.client_id))
    return app, tokens, StravaProvider("sam", api, store)


def test_a_forged_deauthorisation_keeps_the_tokens(fake: FakeStrava, store: Store, tmp_path: Path) -> None:
    app, tokens, provider = sam_on(fake, store, tmp_path)
    forged = remembered(store, deauth(owner_id=fake.athlete_id))
    refreshes = len(fake.requests("/api/v3/oauth/token"))
    assert (
        handle_event(forged, store, tokens, lambda a: provider, lambda a: None)
        == "ignored: access still granted"
    )
    assert len(fake.requests("/api/v3/oauth/token")) == refreshes + 1  # one check
    assert tokens.load("strava", "sam") is not None
    assert provider.fetch_one(str(fake.add_activity(datetime.now(UTC))["id"])) is not None
    row = store.conn.execute("SELECT status FROM accounts WHERE athlete = 'sam'").fetchone()
    assert row[0] == "active"

    # the runner really revokes: Strava refuses the grant, the next event is believed
    app.deauthorize(str((tokens.load("strava", "sam") or {})["access_token"]))
    real = remembered(store, deauth(owner_id=fake.athlete_id, event_time=41))
    assert handle_event(real, store, tokens, lambda a: provider, lambda a: None) == "disconnected"
    assert tokens.load("strava", "sam") is None


def test_a_forged_delete_keeps_the_activity(fake: FakeStrava, store: Store, tmp_path: Path) -> None:
    _, tokens, provider = sam_on(fake, store, tmp_path)
    item = fake.add_activity(datetime.now(UTC))
    ident = item["id"]

    def handle(parsed: WebhookEvent, later: timedelta = timedelta(0)) -> str:
        now = datetime.now(UTC) + later
        return handle_event(parsed, store, tokens, lambda a: provider, lambda a: None, now=now)

    def delete(at: int) -> WebhookEvent:
        return remembered(
            store, event(object_id=ident, owner_id=fake.athlete_id, aspect_type="delete", event_time=at)
        )

    assert handle(remembered(store, event(object_id=ident, owner_id=fake.athlete_id))) == "fetched; pass run"
    assert handle(delete(2)) == "ignored: the activity still exists"
    assert [a.provider_id for a in store.activities("sam")] == [str(ident)]
    with fake.lock:
        del fake.activities[ident]  # now deleted on Strava for real
    real = delete(3)
    assert handle(real).startswith("put off until")  # one delete check per object a minute
    assert handle(real, later=timedelta(minutes=2)) == "marked deleted"
    assert store.activities("sam") == []
    assert len(fake.requests(f"/api/v3/activities/{ident}", "GET")) == 3


def test_an_event_strava_cannot_show_is_retried_with_backoff_then_given_up(
    store: Store, tmp_path: Path
) -> None:
    connected(store)
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("strava", "sam", {"access_token": "a", "refresh_token": "r"})
    provider = OneActivity({})  # Strava answers 404 for the new activity, again and again
    state = WebhookState(store.path, 4242)
    e = WebhookEvent.parse(event(object_id=9, event_time=5))
    state.remember(e)
    clock = datetime.fromtimestamp(10, UTC)
    tries = 0
    for _ in range(200):  # 200 retry jobs, one every 15 minutes: 50 hours
        clock += timedelta(minutes=15)
        for pending in pending_events(store, now=clock, max_age=timedelta(days=30)):
            tries += 1
            handle_event(
                pending,
                store,
                tokens,
                lambda a: provider,
                lambda a: None,  # type: ignore[arg-type,return-value]
                now=clock,
            )
    assert tries == 5  # the first try and four retries, then given up: not one read every quarter hour
    assert pending_events(store, now=clock + timedelta(days=1), max_age=timedelta(days=30)) == []


def test_an_athlete_event_is_not_a_duplicate_of_an_activity_event(
    app: WebhookApp, queued: list[WebhookEvent]
) -> None:
    """Strava ids of athletes and activities overlap: the dedupe key tells the two apart."""
    same = {"object_id": 1513, "aspect_type": "update", "event_time": 1_716_000_500}
    activity = event(**same, object_type="activity")
    athlete = event(**same, object_type="athlete", updates={"authorized": "false"})
    for body in (activity, athlete, activity, athlete):
        assert call(app, "POST", body=json.dumps(body).encode())[0] == "200 OK"
    assert [(e.object_type, e.object_id) for e in queued] == [("activity", 1513), ("athlete", 1513)]
