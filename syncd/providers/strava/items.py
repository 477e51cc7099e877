"""The Strava provider's small pieces: the state of one listing, a listed item it cannot
read (kept raw, to read again), the cursor and activity ids as Strava writes them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from syncd.errors import BadPayload, ProviderError
from syncd.providers.base import Rejected

log = logging.getLogger("syncd.providers.strava.provider")


@dataclass
class Listing:
    """State of one fetch across pages."""

    newest: int | None
    error: ProviderError | None = None


def rejected_item(item: Any, error: str) -> Rejected | None:
    """A malformed listed item to keep, or None when it has no id to read it again by."""
    if not isinstance(item, dict):
        return None
    ident = item.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        return None
    start = item.get("start_date")
    return Rejected(str(ident), start if isinstance(start, str) else None, item, error)


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(cursor)
    except ValueError:
        log.warning("strava: unreadable cursor %r; listing everything again", cursor)
        return None


def activity_id(provider_id: str) -> int:
    """Strava ids are numbers; anything else would change the URL path."""
    if not provider_id.isdigit():
        raise BadPayload(f"{provider_id!r} is not a Strava activity id")
    return int(provider_id)
