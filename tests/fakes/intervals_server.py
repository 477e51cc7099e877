"""A fake intervals.icu on 127.0.0.1, shaped on the service's own API description (its OpenAPI
file: the Activity and Athlete schemas, `listActivities`, `getActivity`, `updateActivity`,
`getAthlete`): HTTP Basic with the user API_KEY and the athlete's key, athlete id "0" for the
key's owner, activities listed newest first within a local-time window with `limit`, the
numberless stub intervals.icu returns for Strava-sourced activities, a request log (no
headers: they hold the key) and injectable faults: 401, 429 with Retry-After, 500, a stall
longer than the client's timeout, a malformed item, an answer that is not JSON.

Tests drive it through its Python API: `add_activity`, `add_strava_stub`, `remove`,
`fail_next`, `requests`, `description`.
"""

from __future__ import annotations

import base64
import copy
import json
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

FAULTS = ("401", "429", "500", "stall", "malformed", "broken_json")
LOCAL = "%Y-%m-%dT%H:%M:%S"
#: Fields the runner may change with `PUT /api/v1/activity/{id}` (a subset of the schema's).
WRITABLE = ("name", "description", "type", "icu_rpe", "feel", "race", "sub_type", "trainer")


@dataclass
class Logged:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None
    status: int = 0


@dataclass
class _Fault:
    kind: str
    path: str | None


class FakeIntervals:
    """The fake service; `base_url` is what `[providers.intervals] base_url` points at."""

    def __init__(
        self,
        *,
        key: str = "fake-intervals-key-7c1d0e9a",
        athlete_id: str = "i90210",
        timezone: str = "Europe/Amsterdam",
        stall_s: float = 1.0,
        retry_after_s: int = 120,
    ) -> None:
        self.key, self.athlete_id, self.timezone = key, athlete_id, timezone
        self.stall_s, self.retry_after_s = stall_s, retry_after_s
        self.lock = threading.RLock()
        self.activities: dict[str, dict[str, Any]] = {}
        self.log: list[Logged] = []
        self.faults: list[_Fault] = []
        self._next = 40_000_000
        self._stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True, name="fake-intervals"
        )

    # lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeIntervals:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()  # a stalled answer ends now
        self.server.shutdown()
        self.server.server_close()

    # test API -----------------------------------------------------------------------------

    def add_activity(
        self,
        start: datetime,
        km: float | None = 8.0,
        *,
        minutes: float | None = None,
        kind: str = "Run",
        source: str = "GARMIN_CONNECT",
        garmin_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add one of the athlete's activities, as intervals.icu holds one synced from a
        watch platform (Garmin Connect by default, with its activity id); returns it."""
        minutes = minutes if minutes is not None else (km or 8.0) * 6.0
        local = start.astimezone(ZoneInfo(self.timezone))
        with self.lock:
            self._next += 1
            ident = f"i{self._next}"
            distance = None if km is None else km * 1000.0
            item: dict[str, Any] = {
                "id": ident,
                "icu_athlete_id": self.athlete_id,
                "start_date_local": local.strftime(LOCAL),
                "start_date": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "timezone": self.timezone,
                "type": kind,
                "name": "Morning Run",
                "description": None,
                "distance": distance,
                "icu_distance": distance,
                "moving_time": round(minutes * 60),
                "elapsed_time": round(minutes * 60) + 75,
                "icu_recording_time": round(minutes * 60) + 75,
                "total_elevation_gain": 42.0,
                "average_speed": None if distance is None else distance / (minutes * 60),
                "has_heartrate": True,
                "average_heartrate": 146,
                "max_heartrate": 171,
                "average_cadence": 84.5,
                "calories": 610,
                "trainer": False,
                "commute": False,
                "race": False,
                "sub_type": "NONE",
                "icu_rpe": None,
                "feel": None,
                "session_rpe": None,
                "perceived_exertion": None,
                "icu_training_load": 58,
                "icu_atl": 41.2,
                "icu_ctl": 38.9,
                "icu_hr_zones": [138, 150, 156, 163, 167, 172, 185],
                "icu_hr_zone_times": [600, 1500, 600, 180, 60, 0, 0],
                "source": source,
                "external_id": None,
                "strava_id": None,
                "device_name": "Garmin Forerunner 265",
                "file_type": "fit",
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "tags": [],
            }
            if source == "GARMIN_CONNECT":
                item["external_id"] = str(garmin_id if garmin_id is not None else 17_000_000_000 + self._next)
            item.update(fields)
            self.activities[ident] = item
            return copy.deepcopy(item)

    def add_strava_stub(self, start: datetime) -> dict[str, Any]:
        """An activity intervals.icu got from Strava: the API shows only this stub of it."""
        with self.lock:
            self._next += 1
            ident = str(13_000_000_000 + self._next)  # Strava's own id, no "i"
            stub = {
                "id": ident,
                "icu_athlete_id": self.athlete_id,
                "start_date_local": start.astimezone(ZoneInfo(self.timezone)).strftime(LOCAL),
                "source": "STRAVA",
                "_note": "STRAVA activities are not available via the API",
            }
            self.activities[ident] = stub
            return dict(stub)

    def remove(self, ident: str) -> None:
        with self.lock:
            del self.activities[ident]

    def edit(self, ident: str, **fields: Any) -> None:
        with self.lock:
            self.activities[ident].update(fields)

    def description(self, ident: str) -> str | None:
        with self.lock:
            return self.activities[ident].get("description")

    def fail_next(self, kind: str, times: int = 1, path: str | None = None) -> None:
        """Make the next `times` requests (whose path starts with `path`) fail as `kind`."""
        assert kind in FAULTS, kind
        with self.lock:
            self.faults += [_Fault(kind, path) for _ in range(times)]

    def requests(self, path: str = "", method: str | None = None) -> list[Logged]:
        """Logged requests whose path starts with `path` (and of `method`)."""
        with self.lock:
            return [r for r in self.log if r.path.startswith(path) and (method is None or r.method == method)]

    # the service ----------------------------------------------------------------------------

    def _fault(self, path: str) -> str | None:
        with self.lock:
            for i, fault in enumerate(self.faults):
                if fault.path is None or path.startswith(fault.path):
                    return self.faults.pop(i).kind
        return None

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        return scheme == "Basic" and user == "API_KEY" and password == self.key

    def profile(self) -> dict[str, Any]:
        return {
            "id": self.athlete_id,
            "name": "Sam Runner",
            "firstname": "Sam",
            "lastname": "Runner",
            "sex": "F",
            "timezone": self.timezone,
            "measurement_preference": "meters",
            "icu_resting_hr": 52,
            "icu_api_key": self.key,  # the real profile carries the key: syncd must not keep it
            "icu_activated": "2024-01-05T10:00:00.000Z",
            "sportSettings": [{"types": ["Run", "TrailRun", "VirtualRun"], "lthr": 167, "max_hr": 188}],
        }

    def listing(self, query: dict[str, str], malformed: bool) -> tuple[int, Any]:
        """listActivities: newest first, `oldest` (required) and `newest` inclusive."""
        if "oldest" not in query:
            return 422, {"status": 422, "error": "oldest is required"}
        try:
            low = _bound(query["oldest"], end=False)
            high = _bound(
                query.get("newest") or datetime.now(ZoneInfo(self.timezone)).strftime(LOCAL), end=True
            )
            limit = int(query["limit"]) if "limit" in query else None
        except ValueError:
            return 422, {"status": 422, "error": "unreadable date or limit"}
        with self.lock:
            items = [
                copy.deepcopy(a)
                for a in self.activities.values()
                if low <= datetime.fromisoformat(a["start_date_local"]) <= high
            ]
        items.sort(key=lambda a: (a["start_date_local"], a["id"]), reverse=True)
        items = items[:limit] if limit is not None else items
        if malformed and items:
            items[0]["start_date"] = "soon after breakfast"
        return 200, items


def _bound(text: str, *, end: bool) -> datetime:
    """A local ISO date (the whole day) or date and time."""
    if "T" in text:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    day = datetime.fromisoformat(text)
    return day + timedelta(days=1, microseconds=-1) if end else day


def _handler(fake: FakeIntervals) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go out as two writes: without this, Nagle's algorithm and the
            # client's delayed ACK hold every answer back 40 ms
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a stall longer than its timeout)
                pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            logged = Logged(self.command, parts.path, query)
            with fake.lock:
                fake.log.append(logged)
            status, body, headers = self._answer(parts.path, query, raw, logged)
            logged.status = status
            self._send(status, body, headers)

        def _answer(
            self, path: str, query: dict[str, str], raw: bytes, logged: Logged
        ) -> tuple[int, Any, dict[str, str]]:
            if not fake._authorized(self.headers.get("Authorization", "")):
                return 401, {"status": 401, "error": "Unauthorized"}, {}
            fault = fake._fault(path)
            if fault == "stall":
                fake._stop.wait(fake.stall_s)
            elif fault == "401":
                return 401, {"status": 401, "error": "Unauthorized"}, {}
            elif fault == "429":
                return (
                    429,
                    {"status": 429, "error": "Too Many Requests"},
                    {"Retry-After": str(fake.retry_after_s)},
                )
            elif fault == "500":
                return 500, {"status": 500, "error": "Internal Server Error"}, {}
            elif fault == "broken_json":
                return 200, b'[{"id": "i1", "start_date', {}
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, {"status": 400, "error": "bad JSON"}, {}
            logged.body = body
            return (*self._route(path, query, body, fault == "malformed"), {})

        def _route(self, path: str, query: dict[str, str], body: Any, malformed: bool) -> tuple[int, Any]:
            segments = path.strip("/").split("/")
            if segments[:3] != ["api", "v1", "athlete"] and segments[:3] != ["api", "v1", "activity"]:
                return 404, {"status": 404, "error": "Not Found"}
            if segments[2] == "athlete":
                if len(segments) < 4 or segments[3] not in ("0", fake.athlete_id):
                    return 403, {"status": 403, "error": "Access denied"}
                if len(segments) == 4 and self.command == "GET":
                    return 200, fake.profile()
                if segments[4:] == ["activities"] and self.command == "GET":
                    return fake.listing(query, malformed)
                return 404, {"status": 404, "error": "Not Found"}
            with fake.lock:
                item = fake.activities.get(segments[3]) if len(segments) == 4 else None
                if item is None:
                    return 404, {"status": 404, "error": "Not Found"}
                if self.command == "GET":
                    return 200, copy.deepcopy(item)
                if self.command != "PUT" or not isinstance(body, dict):
                    return 405, {"status": 405, "error": "Method Not Allowed"}
                if item.get("source") == "STRAVA":
                    return 422, {"status": 422, "error": "Strava activities cannot be updated"}
                item.update({k: v for k, v in body.items() if k in WRITABLE})
                return 200, copy.deepcopy(item)

        do_GET = do_PUT = do_POST = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: requests are inspected through `fake.log`."""

    return Handler
