"""The value types of config.toml: secret references, time zones, durations, quiet hours,
base URLs and names, each validated with a message that says the fix."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field

from syncd.secrets import PREFIXES

SECRET_PREFIXES = PREFIXES
_SECRET_HELP = (
    "secrets never go in the config file; store it elsewhere and write a reference: "
    "env:NAME (an environment variable), credential:NAME (a systemd LoadCredential= file) "
    "or keyring:NAME (the system keyring, e.g. `keyring set syncd NAME`)"
)


def _secret_ref(value: str) -> str:
    if not value.startswith(SECRET_PREFIXES) or value.endswith(":"):
        raise ValueError(f"a literal secret is not allowed here; {_SECRET_HELP}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/Amsterdam' or 'UTC'"
        ) from None
    return value


_DURATION = re.compile(r"^(\d+)\s*(s|m|h)$")


def duration_seconds(value: str) -> int:
    """Seconds in a duration written like '90s', '15m' or '2h'."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration; write a number and a unit: '90s', '15m', '2h'")
    number, unit = int(match[1]), match[2]
    return number * {"s": 1, "m": 60, "h": 3600}[unit]


def _duration(value: str) -> str:
    seconds = duration_seconds(value)
    if seconds < 60:
        raise ValueError(f"{value!r} is too short; poll at most once a minute (e.g. '15m')")
    return value


_HHMM = r"([01]\d|2[0-3]):[0-5]\d"


def _quiet_hours(value: str) -> str:
    if not re.fullmatch(f"{_HHMM}-{_HHMM}", value):
        raise ValueError(f"{value!r} is not a time range; write it as 'HH:MM-HH:MM', e.g. '22:00-07:00'")
    return value


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """The (start, end) local times of a validated 'HH:MM-HH:MM' range."""
    start, end = value.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def _base_url(value: str) -> str:
    url = value.rstrip("/")
    if url.startswith("http://"):
        host = re.sub(r"^http://(\[[^\]]+\]|[^/:]+).*$", r"\1", url)
        if host not in ("localhost", "[::1]") and not host.startswith("127."):
            raise ValueError(f"plain http is only allowed to a loopback address, not {host!r}; use https://")
    elif not url.startswith("https://"):
        raise ValueError(f"{value!r} must start with https://")
    return url


BaseUrl = Annotated[str, AfterValidator(_base_url)]
SecretRef = Annotated[str, AfterValidator(_secret_ref)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Duration = Annotated[str, AfterValidator(_duration)]
QuietHours = Annotated[str, AfterValidator(_quiet_hours)]
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
ProviderName = Annotated[str, Field(pattern=NAME_PATTERN)]
