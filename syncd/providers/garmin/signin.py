"""Telling how a Garmin sign-in ended: blocked (a 429 at any step, the lockout set), refused
(a wrong password or MFA code), or failed otherwise; see `connect` for how blocks show."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from syncd.errors import RateLimited, SyncdError, Unavailable

if TYPE_CHECKING:
    from syncd.store import Store

#: what garminconnect's sign-in logs when Garmin blocked a step: the status, or the exchange's words
_BLOCKED = re.compile(r"\b42[79]\b|TooManyRequests|rate limited", re.IGNORECASE)
_WATCHED = ("garminconnect.client.sso", "garminconnect.client.session")
#: garminconnect's sign-in strategies, in the library's order (`Client.skip_strategies` names)
STRATEGIES = ("mobile+cffi", "mobile+requests", "widget+cffi", "portal+cffi", "portal+requests")
_EXCHANGE_FAILED = "JWT_WEB cookie not set"  # raised only after Garmin accepted the password


def blocked_message(until: datetime, now: datetime, timezone: str, before: str = "") -> RateLimited:
    """The refusal, with the end of the lockout in the athlete's time zone."""
    local = until.astimezone(ZoneInfo(timezone))
    day = "" if local.date() == now.astimezone(local.tzinfo).date() else f"{local:%a} "
    return RateLimited(
        f"{before}Garmin rate-limits logins: try again after {day}{local:%H:%M} "
        f"({timezone}). Trying earlier would restart Garmin's wait.",
        until,
    )


@contextmanager
def watch_for_blocks() -> Iterator[list[str]]:
    """Collects the library's sign-in log lines that say Garmin blocked a step (see the docstring)."""
    seen: list[str] = []
    loggers = [logging.getLogger(name) for name in _WATCHED]
    kept = [(lg, lg.getEffectiveLevel(), lg.level) for lg in loggers]

    def watching(shown: int) -> Callable[[logging.LogRecord], bool]:
        def note(record: logging.LogRecord) -> bool:
            if _BLOCKED.search(record.getMessage()):
                seen.append(record.name)
            return record.levelno >= shown

        return note

    filters = [watching(shown) for _, shown, _ in kept]
    for (logger, _, _), note in zip(kept, filters, strict=True):
        logger.addFilter(note)
        logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        for (logger, _, level), note in zip(kept, filters, strict=True):
            logger.removeFilter(note)
            logger.setLevel(level)


def attempts(client: Any) -> list[set[str] | None]:
    """The `skip_strategies` of each sign-in attempt: one strategy at a time, in order (a
    client without the attribute runs its own chain once)."""
    if not isinstance(getattr(client, "skip_strategies", None), set):
        return [None]
    return [set(STRATEGIES) - {name} for name in STRATEGIES]


def judged(
    garmin: Any,
    failure: Exception | None,
    blocked: bool,
    store: Store,
    athlete: str,
    timezone: str,
    email: str,
    password: str,
    clock: Callable[[], datetime],
    now: datetime,
) -> Any:
    """The signed-in client, or the error that tells the runner what to do next."""
    from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

    from syncd.providers.garmin.auth import lock_logins

    exchange = isinstance(failure, GarminConnectAuthenticationError) and _EXCHANGE_FAILED in str(failure)
    refused = isinstance(failure, GarminConnectAuthenticationError) and not exchange
    wrong = (
        f"Garmin did not accept the password or MFA code for {email}; check them (sign in "
        "at connect.garmin.com) and try again"
    )
    cookie_only = failure is None and not json.loads(garmin.client.dumps()).get("di_token")
    if isinstance(failure, GarminConnectTooManyRequestsError) or (blocked and (failure or cookie_only)):
        # stamped now, not when the command started: a sign-in can take minutes
        until = lock_logins(store, athlete, clock())
        raise blocked_message(until, now, timezone, f"{wrong}. " if refused else "") from None
    if exchange:
        raise Unavailable(
            "Garmin accepted the password, but its token exchange failed; nothing was saved. "
            "Run `syncd connect garmin` again later"
        ) from None
    if refused:
        raise SyncdError(wrong) from None
    if failure is not None:
        reason = f"{type(failure).__name__}: {failure}".replace(password, "****")[:300]
        raise Unavailable(f"could not sign in to Garmin Connect ({reason}); try again later") from None
    return garmin
