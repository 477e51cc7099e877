"""Strava webhook events: what one event says, and what syncd does about it, off the request.

Events are not signed, arrive duplicated, out of order and late. Anyone can post an event,
so `handle_event` believes none that destroys data: a deauthorisation drops tokens only once
Strava refuses the grant, and a delete marks an activity deleted only once Strava no longer
shows it. A create Strava cannot show yet is retried with backoff (`RETRY_WAITS`), then
given up: the poll's listing still catches the activity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired
from syncd.providers.strava.activity_events import created_or_updated
from syncd.store import webhooks
from syncd.store.webhooks import EventKey

if TYPE_CHECKING:
    from syncd.providers.base import Provider
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger(__name__)

#: How long after it happened an unhandled event is retried; then it is given up (the
#: poll's listing still catches the activity).
PENDING_MAX_AGE = timedelta(hours=24)
#: an object is fetched at most once in this time; what arrives meanwhile is done together
OBJECT_GAP = timedelta(seconds=60)


@dataclass(frozen=True)
class WebhookEvent:
    """One event as Strava posts it."""

    object_type: str  # "activity" or "athlete"
    object_id: int
    aspect_type: str  # "create", "update" or "delete"
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> WebhookEvent:
        """The event in a decoded body. Raises ValueError naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        ints = {}
        for key in ("object_id", "owner_id", "subscription_id", "event_time"):
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} is missing or not a whole number")
            ints[key] = value
        kinds = (data.get("object_type"), data.get("aspect_type"))
        if kinds[0] not in ("activity", "athlete") or kinds[1] not in ("create", "update", "delete"):
            raise ValueError("unknown object_type or aspect_type")
        updates = data.get("updates") or {}
        if not isinstance(updates, dict):
            raise ValueError("updates is not an object")
        return cls(object_type=str(kinds[0]), aspect_type=str(kinds[1]), updates=updates, **ints)

    @property
    def aspect_key(self) -> str:
        """The `aspect` stored in webhook_events: athlete events are told apart from
        activity events with the same id and time."""
        prefix = "athlete:" if self.object_type == "athlete" else ""
        return prefix + self.aspect_type

    @property
    def key(self) -> EventKey:
        """How the event is recorded in the state."""
        return EventKey("strava", str(self.object_id), self.aspect_key, self.event_time)

    @property
    def deauthorized(self) -> bool:
        return self.object_type == "athlete" and str(self.updates.get("authorized", "")).lower() == "false"


def access_revoked(provider: Provider) -> bool:
    """Whether Strava really refuses syncd's grant for the provider's athlete.

    A deauthorisation event is not signed, so it is checked: a forced token refresh (which
    costs no API request from the rate budget) must be refused. A grant that still refreshes
    means the event was forged or stale. Raises Unavailable/RateLimited/ProviderError when
    Strava cannot answer (the event is then left for the next poll's 401 to confirm)."""
    from syncd.providers.strava.api import StravaApi

    if isinstance(getattr(provider, "error", None), AuthRequired):
        return True  # the account has no usable tokens already: nothing left to protect
    api = getattr(provider, "api", None)
    if not isinstance(api, StravaApi):
        log.warning(
            "strava: a %s cannot confirm a deauthorisation; tokens kept (the next "
            "poll notices a real revocation)",
            type(provider).__name__,
        )
        return False
    try:
        current = str(api.saved_tokens().get("access_token", ""))
        api.access_token(stale=current)  # refresh even if the token looks good
    except AuthRequired:
        return True
    return False


def handle_event(
    event: WebhookEvent,
    store: Store,
    tokens: TokenStore,
    provider_for: Callable[[str], Provider],
    run_pass: Callable[[str], None],
    *,
    confirm_revoked: Callable[[Provider], bool] = access_revoked,
    now: datetime | None = None,
    room: Callable[[], datetime | None] = lambda: None,
    poll: Callable[[str], None] = lambda athlete: None,
) -> str:
    """Do what one queued event asks; returns what was done.

    Events are unsigned, so none is believed on its own. activity create/update: fetch it
    (one read: the pass that follows lists nothing, and the note reuses what was fetched) and
    run a pass for its athlete (a create that Strava cannot show yet is left unhandled, for
    `pending_events` to retry); activity delete: refetch it and mark it deleted only if Strava
    no longer has it (then the object's pending create/update events are done too);
    deauthorisation: if `confirm_revoked(provider)` says Strava refuses the grant, drop the
    athlete's tokens and mark the account disconnected, else ignore it.

    An event already done (with an earlier one about the same object) costs nothing; one about
    an object fetched less than `OBJECT_GAP` ago, or whose read `room()` says does not fit the
    app's budget now, is put off (not an attempt) and done later with whatever else arrived
    about the object meanwhile. ProviderErrors propagate, with the event left unhandled."""
    now = now or datetime.now(UTC)
    athlete = store.athlete_for_account("strava", str(event.owner_id))
    if athlete is None:  # done with: never retried (a later connect backfills by listing)
        webhooks.handled(store, event.key, now)
        return "ignored: not a connected athlete"
    if webhooks.is_handled(store, event.key):
        return "already done with an earlier event about the same object"
    if event.object_type == "activity":
        wait = _object_wait(store, event, now) or room()
        if wait is not None:
            webhooks.defer(store, event.key, wait)
            return f"put off until {wait:%H:%M:%S} UTC (the object was just fetched, or the budget is full)"
    if event.deauthorized:
        if not confirm_revoked(provider_for(athlete)):
            log.warning(
                "%s/strava: a deauthorisation event arrived but Strava still accepts "
                "syncd's access (a forged or stale event); tokens kept",
                athlete,
            )
            webhooks.handled(store, event.key, now)
            return "ignored: access still granted"
        done = _disconnect(store, tokens, athlete)
    elif event.object_type == "activity" and event.aspect_type == "delete":
        done = _delete(store, provider_for(athlete), athlete, event, now)
    elif event.object_type == "activity":
        return created_or_updated(store, provider_for(athlete), athlete, event, run_pass, now, poll)
    else:
        done = "nothing to do"
    webhooks.handled(store, event.key, now)
    return done


def _object_wait(store: Store, event: WebhookEvent, now: datetime) -> datetime | None:
    """When the object may be fetched again for this kind of event (None: now): at most once
    per OBJECT_GAP for a create or update, and for a delete."""
    kinds = ("delete",) if event.aspect_type == "delete" else ("create", "update")
    last = webhooks.last_handled(store, "strava", str(event.object_id), kinds)
    if last is None or now - last >= OBJECT_GAP:
        return None
    return last + OBJECT_GAP


def _disconnect(store: Store, tokens: TokenStore, athlete: str) -> str:
    """The runner revoked syncd's access (confirmed): drop the tokens, stop syncing."""
    tokens.delete("strava", athlete)
    store.set_account(
        athlete, "strava", status="disconnected", error="the runner revoked syncd's access on Strava"
    )
    log.warning(
        "%s/strava: access revoked on Strava; tokens dropped, syncing stopped "
        "until `syncd connect strava --athlete %s`",
        athlete,
        athlete,
    )
    return "disconnected"


def _delete(store: Store, provider: Provider, athlete: str, event: WebhookEvent, now: datetime) -> str:
    """Mark the activity deleted, but only once Strava no longer shows it."""
    if provider.fetch_one(str(event.object_id)) is not None:
        log.warning(
            "%s/strava: a delete event for activity %s arrived but Strava still "
            "has it (a forged or stale event); not marked deleted",
            athlete,
            event.object_id,
        )
        return "ignored: the activity still exists"
    store.mark_deleted(athlete, "strava", str(event.object_id))
    webhooks.handled_for_object(store, "strava", str(event.object_id), ("create", "update"), now)
    return "marked deleted"


def pending_events(
    store: Store, *, now: datetime | None = None, max_age: timedelta = PENDING_MAX_AGE
) -> list[WebhookEvent]:
    """Recorded events not handled yet (the daemon stopped, or a create was not readable),
    oldest first, to queue again. Only activity events can be rebuilt; the deauthorisation
    is also caught by the next poll's 401.

    An event still unhandled `max_age` after it happened (or after it arrived, whichever
    is earlier: a forged event_time in the future must not buy endless retries) is given
    up, marked handled with a log line; the poll's listing catches up on the activity."""
    now = now or datetime.now(UTC)
    oldest = int((now - max_age).timestamp())
    pending = []
    for item in webhooks.unhandled(store, "strava", now, skip_prefix="athlete:"):
        key = item.key
        event = WebhookEvent(
            "activity", int(key.object_id), key.aspect, int(item.owner_id or 0), 0, key.event_time
        )
        if min(event.event_time, _epoch(item.received_at)) >= oldest:
            pending.append(event)
            continue
        log.info(
            "strava webhook event %s/%s given up: still not handled %d h after it happened",
            event.object_id,
            event.aspect_key,
            max_age.total_seconds() // 3600,
        )
        webhooks.handled(store, key, now)
    return pending


def _epoch(stamp: str) -> int:
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return 0  # unreadable: count it as old
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())
