"""A push service on 127.0.0.1 for apprise's `json://` notifications, with fault injection.

Every POST is one message (`{"title", "message", "type", ...}`); the server keeps the
messages it accepted, in order. Faults: scripted statuses for the next requests, and
blocking points (tests/fakes/blocking.py): `before` holds a message before it is accepted
(a kill then loses it: syncd must send it again), `after` accepts it and holds back only the
answer (a kill then leaves syncd not knowing it was delivered: the one resend README
"Delivery" allows). Basic-auth passwords are checked, so a test can give syncd a secret URL.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from fakes.blocking import Block, Blocks


@dataclass(frozen=True)
class Pushed:
    """One message the service accepted."""

    title: str
    message: str
    kind: str

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.message}"


class PushServer:
    """`url` is what goes in an athlete's notify list (as an env: reference if it is secret)."""

    def __init__(self, *, password: str = "push-password-5c1e9a", statuses: Iterable[int] = ()) -> None:
        self.password = password
        self.lock = threading.Lock()
        self.accepted: list[Pushed] = []
        self.attempts = 0
        self.statuses: deque[int] = deque(statuses)
        self.blocks = Blocks()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True, name="fake-push"
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"json://syncd:{self.password}@127.0.0.1:{self.port}/push"

    def __enter__(self) -> PushServer:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.blocks.clear()
        self.server.shutdown()
        self.server.server_close()

    def script(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (a 5xx is not accepted)."""
        with self.lock:
            self.statuses.extend(statuses)

    def block(self, *, stage: str = "before", skip: int = 0) -> Block:
        return self.blocks.arm("POST", "/", stage=stage, skip=skip)

    def messages(self) -> list[Pushed]:
        with self.lock:
            return list(self.accepted)

    def _status(self) -> int:
        with self.lock:
            self.attempts += 1
            return self.statuses.popleft() if self.statuses else 200


def _handler(push: PushServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            import base64

            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            held = push.blocks.take("POST", self.path, "before")
            if held is not None and not held.hold(self.path):
                self.close_connection = True
                return
            expected = "Basic " + base64.b64encode(f"syncd:{push.password}".encode()).decode()
            status = push._status() if self.headers.get("Authorization") == expected else 401
            if status < 300:
                data: Any = json.loads(body or b"{}")
                with push.lock:
                    title, text = str(data.get("title", "")), str(data.get("message", ""))
                    push.accepted.append(Pushed(title, text, str(data.get("type"))))
            held = push.blocks.take("POST", self.path, "after")
            if held is not None and not held.hold(self.path):
                self.close_connection = True
                return
            payload = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
