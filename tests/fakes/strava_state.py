"""The fake Strava's bookkeeping: fault kinds, logged requests, grants, usage windows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FAULTS = (
    "429",  # with Strava's rate-limit headers
    "429_bare",  # a 429 without any X-RateLimit header (a proxy, or Strava having a bad day)
    "500",
    "503",
    "timeout",  # answers after `fault_sleep_s`
    "stall",  # answers after `stall_s`, longer than the client's read timeout
    "reset",  # the connection is reset, no answer at all
    "broken_json",
    "html",  # a 200 with an HTML error page (a captive portal or proxy)
    "empty",  # a 200 with an empty body
    "object",  # a 200 with a JSON object where a list belongs
    "401",
    "403_inactive",
)
REFRESH_POLICIES = ("always", "strava", "lenient")


def fault_body(resource: str, fld: str, code: str, message: str) -> dict[str, Any]:
    return {"message": message, "errors": [{"resource": resource, "field": fld, "code": code}]}


@dataclass
class Logged:
    """One request as the fake saw it (no headers: they hold tokens)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    kind: str
    path: str | None
    method: str | None = None


@dataclass
class Account:
    athlete_id: int
    scope: str
    authorized: bool = True
    access: str = ""  # the newest access token issued to this grant, and its expiry
    access_expires: float = 0.0


@dataclass
class Trigger:
    method: str | None
    path: str
    action: Callable[[], None]
    skip: int


@dataclass
class Usage:
    window: tuple[str, int] = ("", -1)
    overall: list[int] = field(default_factory=lambda: [0, 0])
    read: list[int] = field(default_factory=lambda: [0, 0])
