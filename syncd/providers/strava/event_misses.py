"""Events about activities Strava does not have: a few per quarter hour are normal (an
activity deleted right after its upload, an upload Strava cannot show yet); a flood of them is
forged (the endpoint is public, and events are unsigned). Each costs a read of the app's 100
per 15 minutes, so after `LIMIT` of them in one of Strava's windows, an event about an
activity syncd does not hold is not read: it is left to the next poll, which lists every new
activity anyway. Events about stored activities are read as always."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from syncd.providers.strava.budget import next_window, window_start

if TYPE_CHECKING:
    from syncd.store import Store

log = logging.getLogger("syncd.providers.strava.events")

#: reads of missing activities allowed per 15-minute window
LIMIT = 5
_KEY = "webhook_misses"


def _count(store: Store, now: datetime) -> int:
    saved = store.provider_value("strava", _KEY)
    if not isinstance(saved, dict) or saved.get("window") != window_start(now).isoformat():
        return 0
    count = saved.get("count")
    return count if isinstance(count, int) else 0


def exhausted(store: Store, now: datetime) -> bool:
    """Whether this window's reads of activities Strava did not have are used up."""
    return _count(store, now) >= LIMIT


def missed(store: Store, now: datetime) -> None:
    """Count one event whose activity Strava did not have (said once when the limit is hit)."""
    count = _count(store, now) + 1
    store.set_provider_value("strava", _KEY, {"window": window_start(now).isoformat(), "count": count})
    if count == LIMIT:
        log.warning(
            "strava webhook: %d events this quarter hour named activities Strava does not have "
            "(forged, or deleted at once); until %s UTC, events about activities syncd does not "
            "hold wait for the next poll",
            count,
            f"{next_window(now):%H:%M}",
        )
