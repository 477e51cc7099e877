"""Activity create and update events: the activity read and the athlete's pass run, and a
create Strava cannot show yet retried with backoff.

Events about activities Strava does not have: a few per quarter hour are normal (an
activity deleted right after its upload, an upload Strava cannot show yet); a flood of them is
forged (the endpoint is public, and events are unsigned). Each costs a read of the app's 100
per 15 minutes, so after `LIMIT` of them in one of Strava's windows, an event about an
activity syncd does not hold is not read: it is left to the next poll, which lists every new
activity anyway. Events about stored activities are read as always."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from syncd.providers.strava.budget import next_window, window_start
from syncd.store import webhooks

if TYPE_CHECKING:
    from syncd.providers.base import Provider
    from syncd.store import Store
    from syncd.store.webhooks import EventKey

log = logging.getLogger("syncd.providers.strava.events")


class WebhookEvent(Protocol):
    """What these functions read of a `syncd.providers.strava.events.WebhookEvent`."""

    @property
    def object_id(self) -> int: ...
    @property
    def aspect_type(self) -> str: ...
    @property
    def aspect_key(self) -> str: ...
    @property
    def key(self) -> EventKey: ...


RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
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


def created_or_updated(
    store: Store,
    provider: Provider,
    athlete: str,
    event: WebhookEvent,
    run_pass: Callable[[str], None],
    now: datetime,
) -> str:
    """An activity create or update: read it and run the pass (`_fetch`), unless too many
    events this window named activities Strava does not have and syncd holds none by this id."""
    known = bool(store.find_activity(f"strava:{event.object_id}", athlete))
    if not known and exhausted(store, now):
        webhooks.handled(store, event.key, now)
        return "left to the next poll (too many events about activities Strava does not have)"
    fetched = _fetch(store, provider, athlete, event, run_pass, now)
    if not known and fetched in (None, "marked deleted"):
        missed(store, now)  # Strava has no such activity (and syncd never had)
    if fetched is None:
        return _retry_later(store, event, now)
    webhooks.handled(store, event.key, now)
    return fetched


def _fetch(
    store: Store,
    provider: Provider,
    athlete: str,
    event: WebhookEvent,
    run_pass: Callable[[str], None],
    now: datetime,
) -> str | None:
    """Fetch a created or updated activity and run the athlete's pass; None when Strava
    cannot show a create yet (retried later)."""
    ident = str(event.object_id)
    activity = provider.fetch_one(ident)
    if activity is None and event.aspect_type == "create":
        if not webhooks.was_handled(store, "strava", ident, "delete"):
            return None
        return "deleted on Strava already: not retried"
    if activity is None:
        store.mark_deleted(athlete, "strava", ident)
        return "marked deleted"
    store.upsert_activities([activity])
    # one fetch answers every event about the object that arrived before it
    webhooks.handled_for_object(store, "strava", ident, ("create", "update"), now)
    run_pass(athlete)
    return "fetched; pass run"


def _retry_later(store: Store, event: WebhookEvent, now: datetime) -> str:
    """Schedule the next try of an event with backoff, or give it up after the last one."""
    tries = webhooks.attempts(store, event.key) + 1
    if tries > len(RETRY_WAITS):
        webhooks.handled(store, event.key, now)
        log.info(
            "strava webhook event %s/%s given up after %d tries; polling lists it later",
            event.object_id,
            event.aspect_key,
            tries,
        )
        return "not readable: given up"
    webhooks.retry_at(store, event.key, tries, now + RETRY_WAITS[tries - 1])
    return "not readable yet: retry later"
