"""The Strava webhook callback endpoint: a plain WSGI app served by waitress on 127.0.0.1
(`server.Server`: a deadline on every request, a clean stop).

Strava wants every answer within 2 seconds, so the endpoint only checks the event (our
subscription, a connected athlete), records it once (the dedupe key is object id, aspect
and event time, the aspect telling athlete events from activity events) and queues it;
`events.handle_event` does the work later. Every well-formed event gets the same answer,
`{"status": "ok"}`, whatever the checks found, so the answers do not tell a stranger our
subscription id or which athletes are connected. A reverse proxy or tunnel gives it HTTPS.
The verify token is derived from the client secret, so the daemon and `syncd webhook
subscribe` agree on it without another secret to configure.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from syncd.providers.strava.events import WebhookEvent
from syncd.providers.strava.server import Server
from syncd.providers.strava.subscriptions import subscription_key, verify_token_for
from syncd.store.webhooks import EndpointState

__all__ = ["WebhookApp", "WebhookState", "serve", "verify_token_for"]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a real event is ~300 bytes
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


class WebhookState:
    """What the endpoint reads and records, over its own short-lived SQLite connections
    (the endpoint's threads must not share the daemon's connection)."""

    def __init__(self, db_path: Path, client_id: int) -> None:
        self.client_id = client_id
        self.state = EndpointState(db_path, "strava")

    def subscription_id(self) -> int | None:
        """The id of this app's subscription, as `subscribe` saved it."""
        value = self.state.provider_value(subscription_key(self.client_id))
        return int(value["id"]) if isinstance(value, dict) and "id" in value else None

    def athlete_for(self, owner_id: int) -> str | None:
        """The connected athlete with this Strava athlete id, or None."""
        return self.state.athlete_for(str(owner_id))

    def remember(self, event: WebhookEvent) -> bool:
        """Record the event; False if it was seen before (a duplicate delivery)."""
        return self.state.remember(event.key, str(event.owner_id))


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


def serve(app: Any, host: str = "127.0.0.1", port: int = 8421) -> Server:
    """The listener's server for a WSGI app (the endpoint, or the endpoint beside the runner's
    pages), bound now and not started: call `.run()` in a thread, and `.close()` to stop.
    Loopback unless told otherwise. Raises OSError when the address cannot be bound."""
    return Server(app, host, port, int(getattr(app, "max_body", MAX_BODY)))
