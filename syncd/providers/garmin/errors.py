"""garminconnect and network failures → syncd's domain errors (see `syncd.providers.garmin`).

API calls: 401 → AuthRequired; 429 → RateLimited (Retry-After if sent, else 15 min); 403,
5xx, timeouts, connection errors → Unavailable; another 4xx → ProviderError. Token refresh
(`Client._refresh_di_token`, which reports any refusal as "DI token refresh failed: <status>"):
400/401 or no refresh token → AuthRequired; 429 → RateLimited; anything else (5xx, 403 from a
network block, timeouts, requests or curl_cffi errors, an unreadable reply) → Unavailable, so a
passing outage at Garmin's token service never pauses the account until a password sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from syncd.errors import AuthRequired, ProviderError, RateLimited, Unavailable

RATE_LIMIT_WAIT = timedelta(minutes=15)  # Garmin publishes no API limits; a guess, kept short
RATE_LIMIT_BOUNDS = (timedelta(minutes=1), timedelta(hours=6))
_STATUS = re.compile(r"\b(?:API Error|HTTP) (\d{3})\b")
_REFRESH_STATUS = re.compile(r"\brefresh failed: (\d{3})\b")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The error and what caused it: the library wraps the transport error holding the response."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status(exc: BaseException) -> int | None:
    for error in _causes(exc):
        code = getattr(getattr(error, "response", None), "status_code", None)
        if isinstance(code, int):
            return code
        match = _STATUS.search(str(error))
        if match:
            return int(match.group(1))
    return None


def _retry_wait(exc: BaseException, now: datetime) -> timedelta:
    """Garmin's Retry-After (seconds or a date) within RATE_LIMIT_BOUNDS, else RATE_LIMIT_WAIT."""
    for error in _causes(exc):
        value = str(
            (getattr(getattr(error, "response", None), "headers", None) or {}).get("Retry-After") or ""
        ).strip()
        try:
            wait = timedelta(seconds=int(value)) if value.isdigit() else parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            continue
        return min(max(wait, RATE_LIMIT_BOUNDS[0]), RATE_LIMIT_BOUNDS[1])
    return RATE_LIMIT_WAIT


def _reconnect(athlete: str, what: str) -> AuthRequired:
    return AuthRequired(
        f"Garmin Connect no longer accepts syncd's sign-in for {athlete} (while "
        f"trying to {what}); run `syncd connect garmin --athlete {athlete}` again"
    )


def _rate_limited(exc: BaseException, what: str, now: datetime) -> RateLimited:
    retry_at = now + _retry_wait(exc, now)
    return RateLimited(
        f"Garmin Connect is rate-limiting syncd (while trying to {what}); next "
        f"try after {retry_at:%H:%M} UTC",
        retry_at,
    )


def translate(exc: BaseException, what: str, athlete: str, now: datetime) -> ProviderError:
    """The domain error for a garminconnect or network failure while trying to `what`."""
    from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

    status = _status(exc)
    if isinstance(exc, GarminConnectAuthenticationError) or status == 401:
        return _reconnect(athlete, what)
    if isinstance(exc, GarminConnectTooManyRequestsError) or status == 429:
        return _rate_limited(exc, what, now)
    if status == 403:  # a refused token gives 401; a 403 is mostly Garmin blocking the network
        return Unavailable(
            f"Garmin Connect refused to {what} (HTTP 403), probably blocking this "
            "network for a while; will retry later"
        )
    if status is not None and 400 <= status < 500:
        return ProviderError(f"Garmin Connect refused to {what} (HTTP {status})")
    detail = f"HTTP {status}" if status else type(exc).__name__
    return Unavailable(f"Garmin Connect could not {what} ({detail}); will retry later")


def translate_refresh(exc: BaseException, athlete: str, now: datetime) -> ProviderError:
    """The domain error for a failed token refresh (see the module docstring)."""
    from garminconnect import GarminConnectAuthenticationError

    what = "refresh syncd's sign-in"
    if isinstance(exc, GarminConnectAuthenticationError):
        match = _REFRESH_STATUS.search(str(exc))
        status = int(match.group(1)) if match else None
        if status is None or status in (400, 401):  # no refresh token, or invalid_grant
            return _reconnect(athlete, what)
        if status == 429:
            return _rate_limited(exc, what, now)
        detail = f"HTTP {status}"
    else:
        status = _status(exc)
        if status == 429:
            return _rate_limited(exc, what, now)
        detail = f"HTTP {status}" if status else type(exc).__name__
    return Unavailable(f"Garmin Connect could not {what} for {athlete} ({detail}); will retry later")
