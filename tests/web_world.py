"""A runner with a phone, a Strava account in memory, a clock, and the web app on top: the
app's answers run the athlete's pass at once, as the daemon does."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from factories import run

from syncd.config import Config, parse
from syncd.domain import Activity
from syncd.engine import Context, run_once
from syncd.notifiers.base import Message, Notifier
from syncd.providers.memory import MemoryProvider
from syncd.registry import load_rules
from syncd.sports import Sport
from syncd.store import Store
from syncd.web.app import RunnerApp

PUBLIC = "https://runs.example.org"
MONDAY = datetime(2026, 4, 13, 5, 0, tzinfo=UTC)  # before the morning hour (07:00 UTC)


class Phone(Notifier):
    name = "push"

    def __init__(self) -> None:
        self.messages: list[Message] = []

    @property
    def channel(self) -> str:
        return "push:phone"

    def send(self, message: Message) -> None:
        self.messages.append(message)

    def about(self, rule: str) -> list[Message]:
        return [m for m in self.messages if m.key.startswith(f"{rule}:")]


def history(end: datetime, days: int = 42) -> list[Activity]:
    """A 7 km run every other day for `days` days before `end`, and strength work every third
    day until 8 days before `end` (so the week of `end` gets its strength prompt)."""
    start = end - timedelta(days=days)
    runs = [
        run("strava", f"r{i}", (start + timedelta(days=i, hours=13)).isoformat(), 7.0, minutes=42)
        for i in range(0, days, 2)
    ]
    gym = [
        run(
            "strava",
            f"g{i}",
            (start + timedelta(days=i, hours=8)).isoformat(),
            None,
            minutes=30,
            sport=Sport.STRENGTH,
        )
        for i in range(1, days - 8, 3)
    ]
    return runs + gym


class Response:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.code = int(status.split()[0])
        self.headers = dict(headers)
        self.text = body.decode("utf-8")


class WebWorld:
    """The state, the engine's context, and the app, all on one simulated clock."""

    def __init__(
        self, tmp: Path, *, athletes: tuple[str, ...] = ("sam",), public: str = PUBLIC, **athlete: Any
    ) -> None:
        self.state = tmp / "state"
        self.now = MONDAY
        tables = [{"name": n, "timezone": "UTC", "providers": ["strava"], **athlete} for n in athletes]
        self.config: Config = parse({"daemon": {"public_url": public}, "athletes": tables}, "test")
        self.store = Store(self.state, any_thread=True)  # answers arrive on the server's threads
        self.strava = {n: MemoryProvider(n, [], provider_name="strava") for n in athletes}
        for n in athletes:
            for a in history(MONDAY):
                self.strava[n].put(a if n == "sam" else _for(a, n))
        self.phone = Phone()
        self.ctx = Context(
            config=self.config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"strava": self.strava[a.name]},
            notifiers=lambda a: [self.phone],
            now=lambda: self.now,
        )
        self.answered: list[str] = []
        self.app = RunnerApp(lambda: self.config, self.state, on_answer=self._answered, now=lambda: self.now)

    def _answered(self, athlete: str) -> None:
        self.answered.append(athlete)
        run_once(self.ctx, athlete)

    def sync(self, athlete: str = "sam") -> Any:
        return run_once(self.ctx, athlete)

    def request(self, method: str, url: str, data: dict[str, str] | None = None) -> Response:
        parts = urlsplit(url)
        body = urlencode(data or {}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "wsgi.input": io.BytesIO(body),
        }
        got: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            got["status"], got["headers"] = status, headers

        out = b"".join(self.app(environ, start_response))
        return Response(got["status"], got["headers"], out)

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict[str, str]) -> Response:
        return self.request("POST", url, data)


def _for(a: Activity, athlete: str) -> Activity:
    from dataclasses import replace

    return replace(a, athlete=athlete, provider_id=f"{athlete}-{a.provider_id}")


def form_token(html: str, index: int = 0) -> str:
    """The one-time token of the `index`th form of a page."""
    marker = 'name="t" value="'
    at = -1
    for _ in range(index + 1):
        at = html.index(marker, at + 1)
    start = at + len(marker)
    return html[start : html.index('"', start)]
