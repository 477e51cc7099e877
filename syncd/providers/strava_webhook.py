"""Strava webhooks (optional, off by default): the app's one push subscription, the callback
endpoint, and what each event does.

Events are not signed, arrive duplicated, out of order and late, and Strava wants every
answer within 2 seconds. So the endpoint only checks the event (our subscription, a
connected athlete), records it once in `webhook_events` (the dedupe key is object id,
aspect and event time) and queues it; `handle_event` does the work later, off the request.
The callback is a plain WSGI app served by waitress, bound to 127.0.0.1: a reverse proxy or
tunnel gives it HTTPS. The verify token is derived from the client secret, so the daemon
and `syncd webhook subscribe` agree on it without another secret to configure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from syncd.errors import ProviderError

if TYPE_CHECKING:
    from syncd.providers.base import Provider
    from syncd.providers.strava_auth import StravaApp
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a real event is ~300 bytes
_STATUS = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 405: "405 Method Not "
           "Allowed", 413: "413 Content Too Large", 500: "500 Internal Server Error"}


def verify_token_for(client_secret: str) -> str:
    """The hub.verify_token syncd uses: an HMAC of the client secret (stable, unguessable)."""
    digest = hmac.new(client_secret.encode(), b"syncd strava webhook", hashlib.sha256)
    return digest.hexdigest()[:32]


def subscription_key(client_id: int) -> str:
    return f"subscription:{client_id}"


@dataclass(frozen=True)
class WebhookEvent:
    """One event as Strava posts it."""

    object_type: str  # "activity" or "athlete"
    object_id: int
    aspect_type: str  # "create", "update" or "delete"
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> WebhookEvent:
        """The event in a decoded body. Raises ValueError naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        ints = {}
        for key in ("object_id", "owner_id", "subscription_id", "event_time"):
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} is missing or not a whole number")
            ints[key] = value
        kinds = (data.get("object_type"), data.get("aspect_type"))
        if kinds[0] not in ("activity", "athlete") or kinds[1] not in ("create", "update",
                                                                       "delete"):
            raise ValueError("unknown object_type or aspect_type")
        updates = data.get("updates") or {}
        if not isinstance(updates, dict):
            raise ValueError("updates is not an object")
        return cls(object_type=str(kinds[0]), aspect_type=str(kinds[1]), updates=updates, **ints)

    @property
    def aspect_key(self) -> str:
        """The `aspect` stored in webhook_events: athlete events are told apart from
        activity events with the same id and time."""
        prefix = "athlete:" if self.object_type == "athlete" else ""
        return prefix + self.aspect_type

    @property
    def deauthorized(self) -> bool:
        return (self.object_type == "athlete"
                and str(self.updates.get("authorized", "")).lower() == "false")


class WebhookState:
    """What the endpoint reads and records, over its own short-lived SQLite connections
    (the endpoint's threads must not share the daemon's connection)."""

    def __init__(self, db_path: Path, client_id: int) -> None:
        self.db_path = db_path
        self.client_id = client_id

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=5, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def subscription_id(self) -> int | None:
        """The id of this app's subscription, as `subscribe` saved it."""
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT value_json FROM provider_state WHERE provider = 'strava' "
                               "AND key = ?", (subscription_key(self.client_id),)).fetchone()
        value = json.loads(row["value_json"]) if row else None
        return int(value["id"]) if isinstance(value, dict) and "id" in value else None

    def athlete_for(self, owner_id: int) -> str | None:
        """The connected athlete with this Strava athlete id, or None."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT athlete FROM accounts WHERE provider = 'strava' AND external_id = ? "
                "AND status != 'disconnected'", (str(owner_id),)).fetchone()
        return None if row is None else str(row["athlete"])

    def remember(self, event: WebhookEvent) -> bool:
        """Record the event; False if it was seen before (a duplicate delivery)."""
        with closing(self._connect()) as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO webhook_events (provider, object_id, aspect, event_time, "
                "owner_id, received_at) VALUES ('strava', ?, ?, ?, ?, ?)",
                (str(event.object_id), event.aspect_key, event.event_time, str(event.owner_id),
                 datetime.now(UTC).isoformat(timespec="seconds")))
            return cur.rowcount == 1


class WebhookApp:
    """The callback endpoint as a WSGI application."""

    def __init__(self, verify_token: str, state: WebhookState,
                 enqueue: Callable[[WebhookEvent], None], max_body: int = MAX_BODY) -> None:
        self.verify_token = verify_token
        self.state = state
        self.enqueue = enqueue
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            status, body = self.respond(environ)
        except Exception:  # whatever broke, the caller gets no stack trace, the log does
            log.exception("strava webhook: request failed")
            status, body = 500, {"error": "internal error"}
        data = json.dumps(body).encode()
        start_response(_STATUS[status], [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(data)))])
        return [data]

    def respond(self, environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for one request."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            return self._challenge(parse_qs(environ.get("QUERY_STRING", "")))
        if method != "POST":
            return 405, {"error": "use GET (subscription check) or POST (events)"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, {"error": "bad Content-Length"}
        if length > self.max_body:
            return 413, {"error": "body too large"}
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            event = WebhookEvent.parse(json.loads(raw))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            return 400, {"error": f"not a Strava event: {exc}"}
        return 200, {"status": self._accept(event)}

    def _challenge(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        mode = query.get("hub.mode", [""])[0]
        token = query.get("hub.verify_token", [""])[0]
        challenge = query.get("hub.challenge", [""])[0]
        if mode != "subscribe" or not challenge:
            return 400, {"error": "expected hub.mode=subscribe and a hub.challenge"}
        if not secrets.compare_digest(token.encode(), self.verify_token.encode()):
            return 403, {"error": "wrong verify token"}
        return 200, {"hub.challenge": challenge}

    def _accept(self, event: WebhookEvent) -> str:
        if event.subscription_id != self.state.subscription_id():
            return "ignored: not our subscription"
        if self.state.athlete_for(event.owner_id) is None:
            return "ignored: not a connected athlete"
        if not self.state.remember(event):
            return "duplicate"
        self.enqueue(event)
        return "queued"


def handle_event(event: WebhookEvent, store: Store, tokens: TokenStore,
                 provider_for: Callable[[str], Provider], run_pass: Callable[[str], None]) -> str:
    """Do what one queued event asks; returns what was done.

    activity create/update: fetch it and run a pass for its athlete (a create that Strava
    cannot show yet is left unhandled, for `pending_events` to retry); activity delete: mark
    it deleted; deauthorisation: drop the athlete's tokens and mark the account disconnected.
    ProviderErrors propagate, with the event left unhandled."""
    row = store.conn.execute("SELECT athlete FROM accounts WHERE provider = 'strava' AND "
                             "external_id = ? AND status != 'disconnected'",
                             (str(event.owner_id),)).fetchone()
    if row is None:
        return "ignored: not a connected athlete"
    athlete = str(row["athlete"])
    done = "nothing to do"
    if event.deauthorized:
        tokens.delete("strava", athlete)
        with store.transaction() as tx:
            tx.execute("UPDATE accounts SET status = 'disconnected', last_error = ? WHERE "
                       "athlete = ? AND provider = 'strava'",
                       ("the runner revoked syncd's access on Strava", athlete))
        log.warning("%s/strava: access revoked on Strava; tokens dropped, syncing stopped "
                    "until `syncd connect strava --athlete %s`", athlete, athlete)
        done = "disconnected"
    elif event.object_type == "activity" and event.aspect_type == "delete":
        store.mark_deleted(athlete, "strava", str(event.object_id))
        done = "marked deleted"
    elif event.object_type == "activity":
        activity = provider_for(athlete).fetch_one(str(event.object_id))
        if activity is None and event.aspect_type == "create":
            return "not readable yet: retry later"
        if activity is None:
            store.mark_deleted(athlete, "strava", str(event.object_id))
            done = "marked deleted"
        else:
            store.upsert_activities([activity])
            run_pass(athlete)
            done = "fetched; pass run"
    _handled(store, event)
    return done


def _handled(store: Store, event: WebhookEvent) -> None:
    with store.transaction() as tx:
        tx.execute("UPDATE webhook_events SET handled_at = ? WHERE provider = 'strava' AND "
                   "object_id = ? AND aspect = ? AND event_time = ?",
                   (datetime.now(UTC).isoformat(timespec="seconds"), str(event.object_id),
                    event.aspect_key, event.event_time))


def pending_events(store: Store) -> list[WebhookEvent]:
    """Recorded events not handled yet (the daemon stopped, or a create was not readable),
    oldest first, to queue again. Only activity events can be rebuilt; the deauthorisation
    is also caught by the next poll's 401."""
    rows = store.conn.execute(
        "SELECT object_id, aspect, event_time, owner_id FROM webhook_events WHERE provider = "
        "'strava' AND handled_at IS NULL AND aspect NOT LIKE 'athlete:%' ORDER BY event_time")
    return [WebhookEvent("activity", int(r["object_id"]), r["aspect"], int(r["owner_id"] or 0),
                         0, int(r["event_time"])) for r in rows]


class Subscriptions:
    """The app's one push subscription at Strava; its id is kept in the state."""

    def __init__(self, app: StravaApp, store: Store) -> None:
        self.app = app
        self.store = store
        self.key = subscription_key(app.client_id)

    def _creds(self) -> dict[str, Any]:
        return {"client_id": self.app.client_id, "client_secret": self.app.client_secret}

    def subscribe(self, callback_url: str) -> int:
        """Create the subscription; Strava checks the callback answers its challenge first.
        Returns its id. Raises ProviderError (e.g. one already exists) or Unavailable."""
        from syncd.providers.strava_auth import describe, raise_for

        what = "creating the webhook subscription"
        resp = self.app.post("/api/v3/push_subscriptions", {
            **self._creds(), "callback_url": callback_url,
            "verify_token": verify_token_for(self.app.client_secret)}, what)
        if resp.status_code == 400:
            raise ProviderError(f"{what}: Strava refused it ({describe(resp)}). Is the daemon "
                                "serving the callback at that URL? Is there a subscription "
                                "already (see `syncd webhook status`)?")
        raise_for(resp, what)
        ident = int(resp.json()["id"])
        self.store.set_provider_value("strava", self.key, {"id": ident,
                                                           "callback_url": callback_url})
        return ident

    def status(self) -> list[dict[str, Any]]:
        """The app's subscriptions as Strava lists them (at most one)."""
        import logging as _logging

        from syncd.providers.strava_auth import raise_for

        # Strava takes these credentials only in the query string; keep urllib3's debug
        # line (which prints the URL) out of syncd's log for this one call.
        quiet = _logging.getLogger("urllib3.connectionpool")
        level = quiet.level
        quiet.setLevel(_logging.INFO)
        try:
            resp = self._send("GET", "/api/v3/push_subscriptions", params=self._creds())
        finally:
            quiet.setLevel(level)
        raise_for(resp, "listing webhook subscriptions")
        subs = resp.json()
        return subs if isinstance(subs, list) else []

    def unsubscribe(self) -> int | None:
        """Delete the subscription (the saved one, else the one Strava lists); its id."""
        from syncd.providers.strava_auth import raise_for

        saved = self.store.provider_value("strava", self.key)
        ident = saved.get("id") if isinstance(saved, dict) else None
        if ident is None:
            listed = self.status()
            ident = listed[0]["id"] if listed else None
        if ident is None:
            return None
        # credentials in the body, not the URL: Strava accepts that for DELETE
        resp = self._send("DELETE", f"/api/v3/push_subscriptions/{int(ident)}",
                          data=self._creds())
        if resp.status_code != 404:
            raise_for(resp, "deleting the webhook subscription")
        self.store.set_provider_value("strava", self.key, None)
        return int(ident)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        from syncd.errors import Unavailable

        try:
            return self.app.session.request(method, f"{self.app.base_url}{path}",
                                            timeout=self.app.timeout, **kwargs)
        except requests.RequestException as exc:
            raise Unavailable(f"Strava cannot be reached ({type(exc).__name__})") from None


def serve(app: WebhookApp, host: str = "127.0.0.1", port: int = 8421) -> Any:
    """A waitress server for the endpoint (not started): call `.run()` in a thread, and
    `.close()` to stop. Bound to loopback unless told otherwise."""
    from waitress.server import create_server

    return create_server(app, host=host, port=port, threads=4, ident="syncd",
                         max_request_body_size=app.max_body, channel_timeout=10,
                         clear_untrusted_proxy_headers=True)
