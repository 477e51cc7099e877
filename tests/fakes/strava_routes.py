"""The fake Strava's HTTP side: Strava's endpoints over `http.server`, with the fakes' faults
and blocking points applied to each request (the state lives in strava_server.FakeStrava)."""

from __future__ import annotations

import contextlib
import copy
import json
import secrets
import socket
import struct
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

from fakes.strava_state import Account, Logged, fault_body

if TYPE_CHECKING:
    from fakes.strava_server import FakeStrava


def post_request(url: str, body: bytes) -> Any:
    return Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})


def handler_for(fake: FakeStrava) -> type[BaseHTTPRequestHandler]:
    class Handler(_Routes):
        strava = fake

    return Handler


class _Routes(BaseHTTPRequestHandler):
    """Strava's endpoints; `strava` is the FakeStrava whose state they use."""

    strava: FakeStrava
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        s = self.strava
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if "json" in (self.headers.get("Content-Type") or ""):
            form = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
        else:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        entry = Logged(method, url.path, query, form)
        with s.lock:
            s.log.append(entry)
        held = s.blocks.take(method, url.path, "before")
        if held is not None and not held.hold(url.path):
            self._drop()  # the client was killed while it waited: nothing happened here
            return
        s.fire_triggers(method, url.path)
        api = url.path.startswith("/api/v3/") and "/oauth/" not in url.path
        headers = s.count(method) if api else {}
        fault = s.take_fault(url.path, method)
        if fault in ("timeout", "stall"):
            time.sleep(s.fault_sleep_s if fault == "timeout" else s.stall_s)
        if fault == "reset":
            self._drop(reset=True)
            return
        if fault == "429_bare":
            headers = {}
        status, body = self._fault(fault) if fault and fault not in ("timeout", "stall") else (0, None)
        if not status and api and s.over_limit():
            status, body = 429, fault_body("Application", "rate limit", "exceeded", "Rate Limit Exceeded")
        if not status:
            status, body = self._dispatch(method, url.path, query, form)
        entry.status = status
        held = s.blocks.take(method, url.path, "after")
        if held is not None and not held.hold(url.path):
            self._drop()  # done here, but the answer never reaches the (killed) client
            return
        self._send(status, body, headers)

    def _drop(self, *, reset: bool = False) -> None:
        """Close the connection without an answer (`reset`: with a TCP RST)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:  # linger 0: close() sends a RST instead of a FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)

    def _fault(self, kind: str) -> tuple[int, Any]:
        if kind in ("429", "429_bare"):
            return 429, fault_body("Application", "rate limit", "exceeded", "Rate Limit Exceeded")
        if kind == "500":
            return 500, {"message": "Internal Server Error"}
        if kind == "503":
            return 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>"
        if kind == "broken_json":
            return 200, b'[{"id": 1, "name": "trunc'
        if kind == "html":
            return 200, b"<!doctype html><html><title>Sign in to the network</title></html>"
        if kind == "empty":
            return 200, b""
        if kind == "object":
            return 200, {"activities": []}
        if kind == "401":
            return 401, fault_body("Athlete", "access_token", "invalid", "Authorization Error")
        return 403, fault_body("Application", "Status", "Inactive", "Forbidden")

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if isinstance(body, bytes):
            data = body
        else:
            data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status == 302:
            self.send_header("Location", self._location)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        try:
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout fault): expected

    _location = ""  # where a 302 from /oauth/authorize sends the browser

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str]
    ) -> tuple[int, Any]:
        s = self.strava
        if path == "/oauth/authorize" and method == "GET":
            return self._authorize(query)
        if path in ("/api/v3/oauth/token", "/oauth/token") and method == "POST":
            return self._token(form)
        if path == "/oauth/deauthorize" and method == "POST":
            return self._deauthorize(form)
        if path.startswith("/api/v3/push_subscriptions"):
            return self._subscriptions(method, path, {**query, **form})
        account = s.account_for(self.headers.get("Authorization"))
        if account is None:
            return 401, fault_body("Athlete", "access_token", "invalid", "Authorization Error")
        if path == "/api/v3/athlete/activities" and method == "GET":
            return 200, s.listing(query, account.athlete_id)
        if path.startswith("/api/v3/activities/"):
            return self._activity(method, path.rsplit("/", 1)[1], account, form)
        return 404, fault_body("Path", "", "invalid", "Record Not Found")

    def _authorize(self, query: dict[str, str]) -> tuple[int, Any]:
        """The runner clicks Authorize: redirect back with a code, the scope and the state."""
        if int(query.get("client_id", 0)) != self.strava.client_id:
            return 400, fault_body("Application", "client_id", "invalid", "Bad Request")
        code = self.strava.issue_code()
        back = urlencode({"state": query.get("state", ""), "code": code, "scope": self.strava.grant_scope})
        self._location = f"{query['redirect_uri']}?{back}"
        return 302, None

    def _token(self, form: dict[str, str]) -> tuple[int, Any]:
        s = self.strava
        if form.get("client_id") != str(s.client_id) or form.get("client_secret") != s.client_secret:
            return 401, fault_body("Application", "client_secret", "invalid", "Bad Request")
        with s.lock:
            if form.get("grant_type") == "authorization_code":
                account = s.codes.pop(form.get("code", ""), None)
                if account is None:
                    return 400, fault_body("AuthorizationCode", "code", "invalid", "Bad Request")
                body = s.new_tokens(account)
                body["athlete"] = {
                    "id": account.athlete_id,
                    "resource_state": 2,
                    "firstname": "Jeff",
                    "lastname": "Remer",
                }
                return 200, body
            if form.get("grant_type") == "refresh_token":
                old = form.get("refresh_token", "")
                account = s.refresh.get(old)
                if account is None or not account.authorized:
                    return 400, fault_body("RefreshToken", "refresh_token", "invalid", "Bad Request")
                return 200, s.refreshed(old, account)
        return 400, fault_body("GrantType", "grant_type", "invalid", "Bad Request")

    def _deauthorize(self, form: dict[str, str]) -> tuple[int, Any]:
        account = self.strava.account_for(f"Bearer {form.get('access_token', '')}")
        if account is None:
            return 401, fault_body("Athlete", "access_token", "invalid", "Authorization Error")
        account.authorized = False
        return 200, {"access_token": form["access_token"]}

    def _activity(self, method: str, ident: str, account: Account, form: dict[str, str]) -> tuple[int, Any]:
        s = self.strava
        with s.lock:
            item = s.activities.get(int(ident)) if ident.isdigit() else None
            if item is None or item["athlete"]["id"] != account.athlete_id:
                return 404, fault_body("Activity", "id", "not found", "Record Not Found")
            if method == "GET":
                return 200, copy.deepcopy(item)
            if method == "PUT":
                if "activity:write" not in account.scope.split(","):
                    return 401, fault_body(
                        "AccessToken", "activity:write_permission", "missing", "Authorization Error"
                    )
                if "description" in form:
                    item["description"] = form["description"]
                return 200, copy.deepcopy(item)
        return 405, None

    def _subscriptions(self, method: str, path: str, params: dict[str, str]) -> tuple[int, Any]:
        s = self.strava
        if params.get("client_id") != str(s.client_id) or params.get("client_secret") != s.client_secret:
            return 401, fault_body("Application", "client_secret", "invalid", "Bad Request")
        if method == "GET":
            return 200, list(s.subscriptions.values())
        if method == "DELETE":
            ident = path.rsplit("/", 1)[1]
            if not ident.isdigit() or s.subscriptions.pop(int(ident), None) is None:
                return 404, fault_body("PushSubscription", "id", "not found", "Not Found")
            return 204, None
        if s.subscriptions:
            return 400, fault_body("PushSubscription", "", "already exists", "Bad Request")
        challenge = secrets.token_hex(6)
        check = urlencode(
            {
                "hub.mode": "subscribe",
                "hub.challenge": challenge,
                "hub.verify_token": params.get("verify_token", ""),
            }
        )
        try:
            with urlopen(f"{params['callback_url']}?{check}", timeout=2) as resp:
                answer = json.loads(resp.read())
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict) or answer.get("hub.challenge") != challenge:
            return 400, fault_body("PushSubscription", "callback url", "not verifiable", "Bad Request")
        ident = 100 + len(s.log)
        now = datetime.fromtimestamp(s.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        s.subscriptions[ident] = {
            "id": ident,
            "resource_state": 2,
            "application_id": s.client_id,
            "callback_url": params["callback_url"],
            "created_at": now,
            "updated_at": now,
        }
        return 201, {"id": ident}
