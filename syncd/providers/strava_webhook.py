"""Strava webhooks (optional, off by default): the app's one push subscription, the callback
endpoint, and what each event does.

Events are not signed, arrive duplicated, out of order and late, and Strava wants every
answer within 2 seconds. So the endpoint only checks the event (our subscription, a
connected athlete), records it once in `webhook_events` (the dedupe key is object id,
aspect and event time) and queues it; `handle_event` does the work later, off the request.
Every well-formed event gets the same answer, `{"status": "ok"}`, whatever the checks
found, so the answers do not tell a stranger our subscription id or which athletes are
connected. Anyone can post an event, so `handle_event` believes none that destroys data:
a deauthorisation drops tokens only once Strava refuses the grant, and a delete marks an
activity deleted only once Strava no longer shows it.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from syncd.errors import AuthRequired, ProviderError

if TYPE_CHECKING:
    from syncd.providers.base import Provider
    from syncd.providers.strava_auth import StravaApp
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a real event is ~300 bytes
#: How long after it happened an unhandled event is retried; then it is given up (the
#: poll's listing still catches the activity).
PENDING_MAX_AGE = timedelta(hours=24)
#: waits before the 1st, 2nd, 3rd and 4th retry of an event Strava cannot show yet; after
#: that it is given up (polling still lists the activity): a flood of forged events costs at
#: most five reads each, not one every quarter hour for a day
RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
#: The one answer to every accepted or ignored event (it must not say which).
ACK = {"status": "ok"}
_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    403: "403 Forbidden",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
}


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
        if kinds[0] not in ("activity", "athlete") or kinds[1] not in ("create", "update", "delete"):
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
        return self.object_type == "athlete" and str(self.updates.get("authorized", "")).lower() == "false"


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
            row = conn.execute(
                "SELECT value_json FROM provider_state WHERE provider = 'strava' AND key = ?",
                (subscription_key(self.client_id),),
            ).fetchone()
        value = json.loads(row["value_json"]) if row else None
        return int(value["id"]) if isinstance(value, dict) and "id" in value else None

    def athlete_for(self, owner_id: int) -> str | None:
        """The connected athlete with this Strava athlete id, or None."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT athlete FROM accounts WHERE provider = 'strava' AND external_id = ? "
                "AND status != 'disconnected'",
                (str(owner_id),),
            ).fetchone()
        return None if row is None else str(row["athlete"])

    def remember(self, event: WebhookEvent) -> bool:
        """Record the event; False if it was seen before (a duplicate delivery)."""
        with closing(self._connect()) as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO webhook_events (provider, object_id, aspect, event_time, "
                "owner_id, received_at) VALUES ('strava', ?, ?, ?, ?, ?)",
                (
                    str(event.object_id),
                    event.aspect_key,
                    event.event_time,
                    str(event.owner_id),
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            return cur.rowcount == 1


class WebhookApp:
    """The callback endpoint as a WSGI application."""

    def __init__(
        self,
        verify_token: str,
        state: WebhookState,
        enqueue: Callable[[WebhookEvent], None],
        max_body: int = MAX_BODY,
    ) -> None:
        self.verify_token = verify_token
        self.state = state
        self.enqueue = enqueue
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            status, body = self.respond(environ)
        except Exception:  # whatever broke, the caller gets no stack trace, the log does
            log.exception("strava webhook: request failed")
            status, body = 500, {"error": "internal error"}
        data = json.dumps(body).encode()
        start_response(
            _STATUS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
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
        outcome = self._accept(event)
        log.debug("strava webhook: %s %s event %s", event.object_type, event.aspect_type, outcome)
        return 200, dict(ACK)

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
        """What became of the event, for the log only (the answer is the same for all)."""
        if event.subscription_id != self.state.subscription_id():
            return "ignored: not our subscription"
        if self.state.athlete_for(event.owner_id) is None:
            return "ignored: not a connected athlete"
        if not self.state.remember(event):
            return "duplicate"
        self.enqueue(event)
        return "queued"


def access_revoked(provider: Provider) -> bool:
    """Whether Strava really refuses syncd's grant for the provider's athlete.

    A deauthorisation event is not signed, so it is checked: a forced token refresh (which
    costs no API request from the rate budget) must be refused. A grant that still refreshes
    means the event was forged or stale. Raises Unavailable/RateLimited/ProviderError when
    Strava cannot answer (the event is then left for the next poll's 401 to confirm)."""
    from syncd.providers.strava_auth import StravaApi

    if isinstance(getattr(provider, "error", None), AuthRequired):
        return True  # the account has no usable tokens already: nothing left to protect
    api = getattr(provider, "api", None)
    if not isinstance(api, StravaApi):
        log.warning(
            "strava: a %s cannot confirm a deauthorisation; tokens kept (the next "
            "poll notices a real revocation)",
            type(provider).__name__,
        )
        return False
    try:
        current = str(api.saved_tokens().get("access_token", ""))
        api.access_token(stale=current)  # refresh even if the token looks good
    except AuthRequired:
        return True
    return False


def handle_event(
    event: WebhookEvent,
    store: Store,
    tokens: TokenStore,
    provider_for: Callable[[str], Provider],
    run_pass: Callable[[str], None],
    *,
    confirm_revoked: Callable[[Provider], bool] = access_revoked,
    now: datetime | None = None,
) -> str:
    """Do what one queued event asks; returns what was done.

    Events are unsigned, so none is believed on its own. activity create/update: fetch it
    and run a pass for its athlete (a create that Strava cannot show yet is left unhandled,
    for `pending_events` to retry); activity delete: refetch it and mark it deleted only if
    Strava no longer has it (then the object's pending create/update events are done too);
    deauthorisation: if `confirm_revoked(provider)` says Strava refuses the grant, drop the
    athlete's tokens and mark the account disconnected, else ignore it.
    ProviderErrors propagate, with the event left unhandled."""
    row = store.conn.execute(
        "SELECT athlete FROM accounts WHERE provider = 'strava' AND "
        "external_id = ? AND status != 'disconnected'",
        (str(event.owner_id),),
    ).fetchone()
    if row is None:
        return "ignored: not a connected athlete"
    athlete = str(row["athlete"])
    done = "nothing to do"
    if event.deauthorized:
        if not confirm_revoked(provider_for(athlete)):
            log.warning(
                "%s/strava: a deauthorisation event arrived but Strava still accepts "
                "syncd's access (a forged or stale event); tokens kept",
                athlete,
            )
            _handled(store, event)
            return "ignored: access still granted"
        tokens.delete("strava", athlete)
        with store.transaction() as tx:
            tx.execute(
                "UPDATE accounts SET status = 'disconnected', last_error = ? WHERE "
                "athlete = ? AND provider = 'strava'",
                ("the runner revoked syncd's access on Strava", athlete),
            )
        log.warning(
            "%s/strava: access revoked on Strava; tokens dropped, syncing stopped "
            "until `syncd connect strava --athlete %s`",
            athlete,
            athlete,
        )
        done = "disconnected"
    elif event.object_type == "activity" and event.aspect_type == "delete":
        if provider_for(athlete).fetch_one(str(event.object_id)) is not None:
            log.warning(
                "%s/strava: a delete event for activity %s arrived but Strava still "
                "has it (a forged or stale event); not marked deleted",
                athlete,
                event.object_id,
            )
            done = "ignored: the activity still exists"
        else:
            store.mark_deleted(athlete, "strava", str(event.object_id))
            _handled_earlier(store, event.object_id)
            done = "marked deleted"
    elif event.object_type == "activity":
        activity = provider_for(athlete).fetch_one(str(event.object_id))
        if activity is None and event.aspect_type == "create":
            if not _deleted(store, event.object_id):
                return _retry_later(store, event, now or datetime.now(UTC))
            done = "deleted on Strava already: not retried"
        elif activity is None:
            store.mark_deleted(athlete, "strava", str(event.object_id))
            done = "marked deleted"
        else:
            store.upsert_activities([activity])
            run_pass(athlete)
            done = "fetched; pass run"
    _handled(store, event)
    return done


def _retry_later(store: Store, event: WebhookEvent, now: datetime) -> str:
    """Schedule the next try of an event with backoff, or give it up after the last one."""
    row = store.conn.execute(
        "SELECT attempts FROM webhook_events WHERE provider = 'strava' AND object_id = ? "
        "AND aspect = ? AND event_time = ?",
        (str(event.object_id), event.aspect_key, event.event_time),
    ).fetchone()
    attempts = (row["attempts"] if row else 0) + 1
    if attempts > len(RETRY_WAITS):
        _handled(store, event)
        log.info(
            "strava webhook event %s/%s given up after %d tries; polling lists it later",
            event.object_id,
            event.aspect_key,
            attempts,
        )
        return "not readable: given up"
    with store.transaction() as tx:
        tx.execute(
            "UPDATE webhook_events SET attempts = ?, next_try_at = ? WHERE provider = 'strava' "
            "AND object_id = ? AND aspect = ? AND event_time = ?",
            (
                attempts,
                (now + RETRY_WAITS[attempts - 1]).isoformat(timespec="seconds"),
                str(event.object_id),
                event.aspect_key,
                event.event_time,
            ),
        )
    return "not readable yet: retry later"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _handled(store: Store, event: WebhookEvent) -> None:
    with store.transaction() as tx:
        tx.execute(
            "UPDATE webhook_events SET handled_at = ? WHERE provider = 'strava' AND "
            "object_id = ? AND aspect = ? AND event_time = ?",
            (_now(), str(event.object_id), event.aspect_key, event.event_time),
        )


def _handled_earlier(store: Store, object_id: int) -> None:
    """The activity is gone: its pending create/update events need no more retries."""
    with store.transaction() as tx:
        tx.execute(
            "UPDATE webhook_events SET handled_at = ? WHERE provider = 'strava' AND "
            "object_id = ? AND aspect IN ('create', 'update') AND handled_at IS NULL",
            (_now(), str(object_id)),
        )


def _deleted(store: Store, object_id: int) -> bool:
    """Whether a delete event for the activity was handled (a create delivered after it)."""
    row = store.conn.execute(
        "SELECT 1 FROM webhook_events WHERE provider = 'strava' AND object_id = ? AND "
        "aspect = 'delete' AND handled_at IS NOT NULL",
        (str(object_id),),
    ).fetchone()
    return row is not None


def pending_events(
    store: Store, *, now: datetime | None = None, max_age: timedelta = PENDING_MAX_AGE
) -> list[WebhookEvent]:
    """Recorded events not handled yet (the daemon stopped, or a create was not readable),
    oldest first, to queue again. Only activity events can be rebuilt; the deauthorisation
    is also caught by the next poll's 401.

    An event still unhandled `max_age` after it happened (or after it arrived, whichever
    is earlier: a forged event_time in the future must not buy endless retries) is given
    up, marked handled with a log line; the poll's listing catches up on the activity."""
    oldest = int(((now or datetime.now(UTC)) - max_age).timestamp())
    rows = store.conn.execute(
        "SELECT object_id, aspect, event_time, owner_id, received_at FROM webhook_events "
        "WHERE provider = 'strava' AND handled_at IS NULL AND aspect NOT LIKE 'athlete:%' "
        "AND (next_try_at IS NULL OR next_try_at <= ?) ORDER BY event_time",
        ((now or datetime.now(UTC)).isoformat(timespec="seconds"),),
    ).fetchall()
    pending = []
    for r in rows:
        event = WebhookEvent(
            "activity", int(r["object_id"]), r["aspect"], int(r["owner_id"] or 0), 0, int(r["event_time"])
        )
        if min(event.event_time, _epoch(r["received_at"])) >= oldest:
            pending.append(event)
            continue
        log.info(
            "strava webhook event %s/%s given up: still not handled %d h after it happened",
            event.object_id,
            event.aspect_key,
            max_age.total_seconds() // 3600,
        )
        _handled(store, event)
    return pending


def _epoch(stamp: str) -> int:
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return 0  # unreadable: count it as old
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


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
        resp = self.app.post(
            "/api/v3/push_subscriptions",
            {
                **self._creds(),
                "callback_url": callback_url,
                "verify_token": verify_token_for(self.app.client_secret),
            },
            what,
        )
        if resp.status_code == 400:
            raise ProviderError(
                f"{what}: Strava refused it ({describe(resp)}). Is the daemon "
                "serving the callback at that URL? Is there a subscription "
                "already (see `syncd webhook status`)?"
            )
        raise_for(resp, what)
        ident = int(resp.json()["id"])
        self.store.set_provider_value("strava", self.key, {"id": ident, "callback_url": callback_url})
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
        resp = self._send("DELETE", f"/api/v3/push_subscriptions/{int(ident)}", data=self._creds())
        if resp.status_code != 404:
            raise_for(resp, "deleting the webhook subscription")
        self.store.set_provider_value("strava", self.key, None)
        return int(ident)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        from syncd.errors import Unavailable

        try:
            return self.app.session.request(
                method, f"{self.app.base_url}{path}", timeout=self.app.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise Unavailable(f"Strava cannot be reached ({type(exc).__name__})") from None


def serve(app: WebhookApp, host: str = "127.0.0.1", port: int = 8421) -> Any:
    """A waitress server for the endpoint (not started): call `.run()` in a thread, and
    `.close()` to stop. Bound to loopback unless told otherwise."""
    from waitress.server import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=4,
        ident="syncd",
        max_request_body_size=app.max_body,
        channel_timeout=10,
        clear_untrusted_proxy_headers=True,
    )
