"""Activity create and update events: the activity read and the athlete's pass run, and a
create Strava cannot show yet retried with backoff.

Events about activities Strava does not have: a few per quarter hour are normal (an
activity deleted right after its upload, an upload Strava cannot show yet); a flood of them is
forged (the endpoint is public, and events are unsigned). Each costs a read of the app's 100
per 15 minutes, so after `LIMIT` of them for one athlete in one of Strava's windows, an event about an
activity syncd does not hold is not read: the athlete is polled instead, once per window (one
listing finds every new activity). Events about stored activities are read as always."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

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


#: waits before the 1st, 2nd, 3rd and 4th retry of an event Strava cannot show yet; after
#: that it is given up (polling still lists the activity)
RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
#: reads of activities Strava did not have allowed per athlete and 15-minute window
LIMIT = 5
_KEY = "webhook_misses:{athlete}"


def _state(store: Store, athlete: str, now: datetime) -> dict[str, Any]:
    """This window's misses of the athlete: the object ids read in vain, and whether the
    athlete was polled instead."""
    saved = store.provider_value("strava", _KEY.format(athlete=athlete))
    window = window_start(now).isoformat()
    if not isinstance(saved, dict) or saved.get("window") != window or not isinstance(saved.get("ids"), list):
        return {"window": window, "ids": [], "polled": False}
    return saved


def exhausted(store: Store, athlete: str, now: datetime) -> bool:
    """Whether this window's reads of the athlete's activities Strava did not have are used up."""
    return len(_state(store, athlete, now)["ids"]) >= LIMIT


def missed(store: Store, athlete: str, object_id: int, now: datetime) -> None:
    """Count an event whose activity Strava did not have (each object once per window, so a
    slow upload's retries count once; said once when the limit is hit)."""
    state = _state(store, athlete, now)
    if object_id in state["ids"]:
        return
    state["ids"].append(object_id)
    store.set_provider_value("strava", _KEY.format(athlete=athlete), state)
    if len(state["ids"]) == LIMIT:
        log.warning(
            "%s/strava webhook: %d events this quarter hour named activities Strava does not have "
            "(forged, or deleted at once); until %s UTC, new activities are found by polling",
            athlete,
            LIMIT,
            f"{next_window(now):%H:%M}",
        )


def created_or_updated(
    store: Store,
    provider: Provider,
    athlete: str,
    event: WebhookEvent,
    run_pass: Callable[[str], None],
    now: datetime,
    poll: Callable[[str], None] = lambda athlete: None,
) -> str:
    """An activity create or update: read it and run the pass (`_fetch`). Once this window's
    reads of the athlete's activities that Strava did not have are used up (`LIMIT`), an event
    about an activity syncd does not hold is not read: the athlete is polled instead, once per
    window (one listing finds every new activity, real ones among forged events too)."""
    known = bool(store.find_activity(f"strava:{event.object_id}", athlete))
    if not known and exhausted(store, athlete, now):
        webhooks.handled(store, event.key, now)
        state = _state(store, athlete, now)
        if state["polled"]:
            return "left to the next poll (too many events about activities Strava does not have)"
        state["polled"] = True
        store.set_provider_value("strava", _KEY.format(athlete=athlete), state)
        poll(athlete)
        return "polled instead (too many events about activities Strava does not have)"
    fetched = _fetch(store, provider, athlete, event, run_pass, now)
    if not known and fetched in (None, "marked deleted"):
        missed(store, athlete, event.object_id, now)  # Strava has no such activity (nor syncd)
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
