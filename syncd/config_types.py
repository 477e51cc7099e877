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
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
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


_DURATION = re.compile(r"^(\d{1,9})\s*(s|m|h)$")  # nine digits: no int() of a 5,000-digit number
MAX_POLL_S = 24 * 3600


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
    if seconds > MAX_POLL_S:
        raise ValueError(f"{value!r} is too long; poll at least once a day (e.g. '15m', '24h')")
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


def _listen(value: str) -> str:
    host, colon, port = value.rpartition(":")
    if not colon or not re.fullmatch(r"[\w.-]+|\[[0-9A-Fa-f:.]+\]", host) or not port.isdigit():
        raise ValueError(f"{value!r} is not host:port; write it like '127.0.0.1:8421' or '[::1]:8421'")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"port {port} is out of range; choose a port from 1 to 65535, e.g. 8421")
    return value


def _absolute_dir(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path; write it like '/var/lib/syncd'")
    return value


def _athlete_name(value: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value):
        raise ValueError(
            f"{value!r} cannot be used as a name; write 1 to 32 of a-z, 0-9, - and _, "
            "starting with a letter or a digit (e.g. 'sam')"
        )
    return value


_DIGEST = re.compile(r"(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d")


def _digest_time(value: str) -> str:
    if not _DIGEST.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a weekday and a time; write the day's first three letters and a "
            "24-hour local time, e.g. 'sun 19:00'"
        )
    return value


BaseUrl = Annotated[str, AfterValidator(_base_url)]
SecretRef = Annotated[str, AfterValidator(_secret_ref)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Duration = Annotated[str, AfterValidator(_duration)]
QuietHours = Annotated[str, AfterValidator(_quiet_hours)]
AthleteName = Annotated[str, AfterValidator(_athlete_name)]
DigestTime = Annotated[str, AfterValidator(_digest_time)]
ListenAddress = Annotated[str, AfterValidator(_listen)]
AbsoluteDir = Annotated[str, AfterValidator(_absolute_dir)]
ProviderName = Annotated[str, Field(pattern=NAME_PATTERN)]
