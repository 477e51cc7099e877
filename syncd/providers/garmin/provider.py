"""The Garmin Connect provider (garminconnect 0.3.20 and later 0.3 releases): listing, single
activities, notes, and the strength session on the watch (`workouts`).

The daemon never signs in with a password: `syncd connect garmin` does that once, and the
provider resumes from the saved tokens (garminconnect's `Client.dumps()`, in the token store
under "session"), saving them again whenever a call rotated them. Each operation first
re-reads the token store, so a `connect` or `disconnect` while the daemon runs takes effect
without a restart.

Token refresh and error mapping: see `api` (one call) and `errors`. Details and multisport
legs: `listing`. Deletions: `deletions`.

Waiting: after a 429 on sign-in (`lock_logins`) the account is left alone for hours (retrying
restarts Garmin's block); after a 429 on a call, until Garmin's Retry-After (else 15 min).
Both are kept in the state, per athlete, and checked before any request, across passes and
restarts.

Paging and cursor: `get_activities(start, limit)` pages newest first. Pages are yielded as
they come (the engine stores each at once), but only the last carries the cursor, the ISO
start (UTC) of the newest activity listed: only then is everything older, back to the
overlap window, stored. A failed incremental listing keeps the old cursor and the next pass
lists the range again. A first sync (no cursor) keeps a resume point in the state after each
stored page (offset, oldest and newest start reached), so a pass that fails part-way is
continued by the next one from RESUME_OVERLAP items before that offset; if the first page
there is not newer than the oldest activity reached (activities deleted meanwhile), it
starts again from the top. Collecting the range first, to yield it oldest first, would hold
up to 10,000 large payloads in memory. The listing stops at a page reaching back past
cursor − overlap (an idle poll is one request), at a short page, or after MAX_ACTIVITIES (so
the first sync keeps the 10,000 newest). Pages are stored whole, which also catches late
uploads and edits further back. The client gets retry_attempts=0: the library's retries
sleep, and a provider never does.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from syncd import clock as wall_clock
from syncd.domain import Activity
from syncd.errors import (
    AuthRequired,
    BadPayload,
    ConfigError,
    ProviderError,
    RateLimited,
)
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.providers.garmin.api import check_client
from syncd.providers.garmin.auth import ClientFactory, GarminApi, login_lockout, resume_client
from syncd.providers.garmin.deletions import GarminDeletions
from syncd.providers.garmin.listing import GarminListing
from syncd.providers.garmin.mapping import activity_from, flatten_detail
from syncd.providers.garmin.workouts import GarminSettingsRef, GarminWorkouts

if TYPE_CHECKING:
    from pydantic import BaseModel

    from syncd.config import AthleteConfig, Config
    from syncd.store import Store
    from syncd.tokens import TokenStore


log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_ACTIVITIES = 10_000
OVERLAP = timedelta(days=3)
DETAIL = timedelta(days=3)  # the delivery window: recent activities are read in detail once
RESUME_OVERLAP = 10  # items listed again when a first sync resumes: covers a few deletions


# -- the provider ------------------------------------------------------------------------------


class GarminProvider(GarminWorkouts, GarminDeletions, GarminListing, Provider):
    """One athlete's Garmin Connect account. Without a `store` (tests), nothing is kept
    across passes: no rate-limit wait, no resume point, no details carried over, no deletions."""

    name: ClassVar[str] = "garmin"
    connect_module: ClassVar[str | None] = "syncd.providers.garmin.connect"
    rank: ClassVar[int] = 0  # the watch's own copy: the richest numbers
    writes_notes: ClassVar[bool] = True
    note_help: ClassVar[str] = "Write syncd's note block into Garmin Connect descriptions."
    connect_help: ClassVar[str] = "connect an athlete's Garmin Connect account (signs in once)"
    disconnect_help: ClassVar[str] = "delete an athlete's Garmin Connect tokens"
    Settings: ClassVar[type[BaseModel] | None] = GarminSettingsRef()  # type: ignore[assignment]

    def __init__(
        self,
        athlete: str,
        api: GarminApi,
        tokens: TokenStore,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] = lambda: wall_clock.utcnow(),
        page_size: int = PAGE_SIZE,
        max_activities: int = MAX_ACTIVITIES,
        overlap: timedelta = OVERLAP,
        detail: timedelta = DETAIL,
        workouts: bool = False,
    ) -> None:
        """Raises ProviderError when the client lacks what syncd calls (`api.check_client`)."""
        super().__init__(athlete)
        check_client(api)
        self.api, self.tokens, self.store, self.clock = api, tokens, store, clock
        self.page_size, self.max_activities = page_size, max_activities
        self.overlap, self.detail = max(overlap, detail), detail
        self.workouts = workouts
        self._saved = api.client.dumps()
        self._failure: ProviderError | None = None

    @classmethod
    def create(
        cls,
        config: Config,
        athlete: AthleteConfig,
        store: Store,
        *,
        client_factory: ClientFactory = resume_client,
        clock: Callable[[], datetime] = lambda: wall_clock.utcnow(),
    ) -> GarminProvider:
        """The provider for `athlete`, resumed from the saved tokens without a request.

        Raises RateLimited during a sign-in lockout (checked first: using the account then
        could prolong Garmin's block), AuthRequired when not connected or the tokens are
        unreadable, ProviderError when the token store is unusable."""
        from syncd.tokens import token_store

        until = login_lockout(store, athlete.name, clock())
        if until is not None:
            raise RateLimited(
                f"Garmin blocked sign-ins for {athlete.name}; syncd leaves the account "
                f"alone until {until:%H:%M} UTC",
                until,
            )
        try:
            tokens = token_store(store.token_state)
        except ConfigError as exc:
            raise ProviderError(f"the token store is not usable: {exc}") from None
        saved = tokens.load("garmin", athlete.name)
        session = saved.get("session") if saved else None
        reconnect = f"run `syncd connect garmin --athlete {athlete.name}`"
        if not isinstance(session, str):
            raise AuthRequired(f"{athlete.name} has not connected Garmin Connect yet; {reconnect}")
        days = timedelta(days=config.daemon.delivery_window_days)
        wanted = cls.wants_workouts(config, athlete)
        try:
            api = client_factory(session)
        except ValueError:
            raise AuthRequired(
                f"{athlete.name}'s saved Garmin sign-in cannot be read; {reconnect} again"
            ) from None
        return cls(athlete.name, api, tokens, store=store, clock=clock, detail=days, workouts=wanted)

    @classmethod
    def connect_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--email", help="the Garmin sign-in e-mail (default: [garmin] email)")

    # -- listing -------------------------------------------------------------------------------

    def _resume_point(self) -> tuple[int, datetime, datetime] | None:
        """(offset, oldest, newest start stored) where an unfinished first sync stopped."""
        value = self._state("backfill")
        try:
            offset = int(value["offset"])
            oldest, newest = (datetime.fromisoformat(value[k]) for k in ("oldest", "newest"))
        except (TypeError, KeyError, ValueError):
            return None
        return (offset, oldest, newest) if offset > 0 and oldest.tzinfo and newest.tzinfo else None

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Pages newest first; only the last carries the cursor (see the module docstring).
        Raises AuthRequired, RateLimited, Unavailable, ProviderError (a failed detail or leg
        after its page was yielded)."""
        self._reload()
        self._failure = None
        known = _parse_cursor(cursor)
        cutoff = None if known is None else known - self.overlap
        resume = self._resume_point() if known is None else None
        if known is not None:
            self._set_state("backfill", None)
        newest, oldest, offset = known, None, 0
        seen: dict[str, datetime] = {}
        if resume is not None:
            offset, oldest, newest = max(0, resume[0] - RESUME_OVERLAP), resume[1], resume[2]
            log.info("%s/garmin: continuing the first sync from activity %d", self.athlete, offset)
        while True:
            limit = min(self.page_size, self.max_activities - offset)
            items, listed, legs, skipped = self._list(offset, limit)
            if resume is not None:
                joins = bool(listed) and oldest is not None and listed[0].start_utc > oldest
                resume = None
                if not joins:  # deleted activities moved the list up past the resume point
                    log.info("%s/garmin: the list changed; starting the first sync again", self.athlete)
                    newest, oldest, offset = None, None, 0
                    continue
            offset += len(items)
            for activity in listed:
                newest = activity.start_utc if newest is None else max(newest, activity.start_utc)
                oldest = activity.start_utc if oldest is None else min(oldest, activity.start_utc)
                seen[activity.provider_id] = activity.start_utc
            reached = cutoff is not None and any(a.start_utc < cutoff for a in listed)
            capped = offset >= self.max_activities and not reached and len(items) == limit
            if capped:
                log.warning(
                    "%s/garmin: stopped after %d activities; older ones are not synced", self.athlete, offset
                )
            last = reached or capped or len(items) < limit
            done = newest.isoformat() if last and newest is not None else None
            yield Page(activities=listed + legs, cursor=done, skipped=skipped)
            # the engine stored the page before asking for the next one
            if known is None:
                self._keep_resume_point(None if last else (offset, oldest, newest))
            if self._failure is not None:
                raise self._failure
            if last:
                floor = cutoff if cutoff is not None else None if newest is None else newest - self.overlap
                self._check_deletions(floor, seen, judge=known is not None)
                return

    def _keep_resume_point(self, point: tuple[int, datetime | None, datetime | None] | None) -> None:
        """Keep where a first sync got to (offset, oldest, newest start), or clear it (None)."""
        if point is None:
            self._set_state("backfill", None)
            return
        listed, oldest, newest = point
        if oldest is not None and newest is not None:
            self._set_state(
                "backfill", {"offset": listed, "oldest": oldest.isoformat(), "newest": newest.isoformat()}
            )

    def fetch_one(self, provider_id: str) -> Activity | None:
        """The activity from its detail (no zone times); None if Garmin has no such activity."""
        ident = _activity_id(provider_id)
        self._reload()
        detail = self._call(f"read activity {ident}", partial(self.api.get_activity, ident), missing_ok=True)
        return activity_from(flatten_detail(detail), self.athlete) if isinstance(detail, dict) else None

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        """Read the description, write edit(description) if it changed; True if written. A reply
        lost after the write makes the caller retry, and the note rules then find the block in
        place and send nothing. Raises AuthRequired, RateLimited, Unavailable."""
        ident = _activity_id(provider_id)
        self._reload()
        detail = self._call(f"read activity {ident}", partial(self.api.get_activity, ident), missing_ok=True)
        if not isinstance(detail, dict):
            return False
        current = detail.get("description")
        current = current if isinstance(current, str) else ""
        new = edit(current)
        if new is None or new == current:
            return False
        self._call(
            f"write the note on activity {ident}", partial(self.api.set_activity_description, ident, new)
        )
        return True


def _parse_cursor(cursor: str | None) -> datetime | None:
    if cursor is None:
        return None
    try:
        when = datetime.fromisoformat(cursor)
    except ValueError:
        log.warning("garmin: unreadable cursor %r; listing everything again", cursor)
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _activity_id(provider_id: str) -> str:
    """Garmin ids are numbers; anything else would change the URL path."""
    if not provider_id.isdigit():
        raise BadPayload(f"{provider_id!r} is not a Garmin activity id")
    return provider_id
