"""The runner's web app (WSGI): question pages, the runner's page, the owner's status page.

Routes under `/syncd/`: `r/<athlete>/<token>/` (GET the page a link opens, POST an answer
from it), `r/<athlete>/<token>/me` (on to the runner's page), `owner/<token>/` (status) and
`static/`. A refused link or form gets a plain page with the reason and nothing else. Each
request uses its own short-lived connection to the state (the daemon's is its worker's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from syncd.config import Config
from syncd.store import Store
from syncd.web import PREFIX
from syncd.web.handlers import Request, Response, handle
from syncd.web.html import refusal

log = logging.getLogger("syncd.web")

MAX_FORM = 4096
_STATIC = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_REASONS = {
    200: "OK",
    303: "See Other",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    413: "Content Too Large",
    500: "Internal Server Error",
}
_HEADERS = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class RunnerApp:
    """The web app. `config` gives the current config (SIGHUP may swap it); `on_answer` is
    called with the athlete's name after each stored answer (the daemon runs their pass)."""

    def __init__(
        self,
        config: Callable[[], Config],
        state_dir: Path,
        *,
        on_answer: Callable[[str], None] = lambda athlete: None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        status: Callable[[Store], dict[str, Any]] | None = None,
        key: bytes | None = None,
    ) -> None:
        self.config, self.state_dir, self.on_answer, self.now = config, state_dir, on_answer, now
        self.status, self.key = status, key

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        try:
            if path.startswith(f"{PREFIX}/static/"):
                response = _static(path.removeprefix(f"{PREFIX}/static/"))
            else:
                response = self._dynamic(environ, path)
        except Exception as exc:  # the visitor gets a plain page; the log the kind of failure only
            log.error("runner page failed: %s", type(exc).__name__)
            response = Response(500, refusal("error"))
        body = response.body.encode("utf-8")
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(body))), *_HEADERS]
        if response.location:
            headers.append(("Location", response.location))
        start_response(f"{response.status} {_REASONS[response.status]}", headers)
        return [body]

    def _dynamic(self, environ: dict[str, Any], path: str) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST"):
            return Response(405, refusal("missing"))
        form: dict[str, str] = {}
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return Response(400, refusal("form"))
            if length > MAX_FORM:
                return Response(413, refusal("form"))
            raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        request = Request(method, path.removeprefix(PREFIX).strip("/").split("/"), form, "saved" in query)
        config = self.config()
        if not config.daemon.public_url:
            return Response(404, refusal("off"))
        with Store(self.state_dir) as store:
            return handle(self, config, store, request)


def _static(name: str) -> Response:
    """One of our own stylesheets or scripts; nothing else is served from disk."""
    candidates = {p.name: p for p in _STATIC.iterdir() if p.suffix in _TYPES}
    found = candidates.get(name)
    if found is None:
        return Response(404, refusal("missing"))
    return Response(200, found.read_text(encoding="utf-8"), content_type=_TYPES[found.suffix])
