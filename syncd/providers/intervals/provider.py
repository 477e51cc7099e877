"""The intervals.icu provider: listing by date window, single activities, notes, deletions.

Account: `syncd connect intervals` keeps, in the state, only the reference to the athlete's
personal API key (env:, credential: or keyring:) and the intervals.icu athlete id to read
("0": the key's owner). The key is resolved when the provider is made and again whenever the
reference changes, so a `connect` or `disconnect` while the daemon runs takes effect at once.

Listing: `GET /api/v1/athlete/{id}/activities?oldest=&newest=&limit=` answers newest first.
With a cursor (the newest start seen, UTC) the window starts on the local day of cursor −
overlap (3 days, or the delivery window if longer) minus one more day for time zones, and
ends two days after today: an idle poll is one request. Without one (a first sync) it starts
in 1970. A full page (`limit` items) is followed by the next, whose `newest` is the oldest
local start listed so far: that activity is listed twice (the bound is inclusive, so two
activities starting in the same second are never split), and a backfill of N activities
costs 1 + ⌊(N − 1) / 199⌋ list requests and nothing per activity, since the list carries
every field syncd reads. Pages are yielded as they come; only the last carries the cursor.
A first sync keeps a resume point (the next `newest`, the newest start reached) after each
stored page, so a pass that fails part-way is continued by the next one. MAX_ACTIVITIES caps
a first sync (the newest 10,000 are kept).

Deletions: each listing remembers, in the state, the activities it read that the next
window will cover again (id and local start: a handful). Once the window is listed whole,
those the new listing lacks are read one by one (at most MAX_CONFIRM a pass): a 404 marks
one deleted, an answer stores it as it now is (its start moved out of the window). So a
deletion costs one request, an idle poll stays one, and no pass reads the whole history.

Waiting: after a 429 no request is sent before intervals.icu's retry time, kept in the state
across passes and restarts. Strava-sourced stubs (see `mapping`) are left out and logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from syncd.domain import Activity
from syncd.errors import BadPayload, ProviderError, Unavailable
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.providers.intervals.api import IntervalsApi
from syncd.providers.intervals.calls import IntervalsCalls
from syncd.providers.intervals.listing import (
    FIRST_DAY,
    LOOKAHEAD,
    NAME,
    Scan,
    parse_local,
    parse_time,
)
from syncd.providers.intervals.mapping import activity_from, is_strava_stub, valid_id

if TYPE_CHECKING:
    from pydantic import BaseModel

    from syncd.config import AthleteConfig, Config
    from syncd.store import Store

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_ACTIVITIES = 10_000
OVERLAP = timedelta(days=3)
MAX_CONFIRM = 20


class _LazySettings:
    """`IntervalsProvider.Settings`, imported on first use (pydantic stays out of --help)."""

    def __get__(self, obj: object, owner: type | None = None) -> type[BaseModel]:
        from syncd.providers.intervals.settings import IntervalsSettings

        return IntervalsSettings


class IntervalsProvider(IntervalsCalls, Provider):
    """One athlete's intervals.icu account. Without a `store` (tests) nothing is kept across
    passes and deletions are not looked for; with `reload`, the key follows the state."""

    name: ClassVar[str] = NAME
    connect_module: ClassVar[str | None] = "syncd.providers.intervals.connect"
    label: ClassVar[str] = "intervals.icu"
    rank: ClassVar[int] = 2  # a copy of what the watch or Strava recorded
    writes_notes: ClassVar[bool] = True
    note_help: ClassVar[str] = "Write syncd's note block into intervals.icu descriptions."
    connect_help: ClassVar[str] = "connect an athlete's intervals.icu account (checks the personal API key)"
    disconnect_help: ClassVar[str] = "forget the reference to an athlete's intervals.icu API key"
    Settings: ClassVar[Any] = _LazySettings()

    def __init__(
        self,
        athlete: str,
        api: IntervalsApi,
        store: Store | None = None,
        *,
        athlete_id: str = "0",
        reload: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        overlap: timedelta = OVERLAP,
        page_size: int = PAGE_SIZE,
        max_activities: int = MAX_ACTIVITIES,
    ) -> None:
        super().__init__(athlete)
        self.api, self.store, self.athlete_id, self.clock = api, store, athlete_id, clock
        self.overlap, self.page_size, self.max_activities = overlap, page_size, max_activities
        self._reloads = reload
        self._ref: str | None = None
        self._stubs: set[str] = set()

    @classmethod
    def create(cls, config: Config, athlete: AthleteConfig, store: Store) -> IntervalsProvider:
        """The provider for `athlete`, its key resolved (no request). Raises AuthRequired when
        not connected, ProviderError when the key's reference cannot be resolved."""
        settings = cls.settings_of(config)
        api = IntervalsApi(
            settings.base_url,
            "",
            reconnect=f"syncd connect intervals --athlete {athlete.name}",
            timeout=(5.0, settings.timeout_s),
        )
        days = timedelta(days=config.daemon.delivery_window_days)
        provider = cls(athlete.name, api, store, reload=True, overlap=max(OVERLAP, days))
        provider._reload()
        return provider

    # -- listing ---------------------------------------------------------------------------

    def _scan(self, cursor: str | None) -> tuple[Scan, bool]:
        """The window this listing covers (see the module docstring); and whether it is a
        first sync (no readable cursor)."""
        known = parse_time(cursor)
        if cursor is not None and known is None:
            log.warning("%s/intervals: unreadable cursor %r; listing everything again", self.athlete, cursor)
        top = (self.clock() + LOOKAHEAD).date().isoformat()
        scan = Scan(low=FIRST_DAY, top=top, newest=known)
        if known is not None:
            self._set_state("backfill", None)
            scan.low = ((known - self.overlap).date() - timedelta(days=1)).isoformat()
            return scan, False
        resume = self._state("backfill")
        if isinstance(resume, dict) and parse_local(resume.get("before")) is not None:
            scan.top, scan.newest = str(resume["before"]), parse_time(resume.get("newest"))
            log.info("%s/intervals: continuing the first sync before %s", self.athlete, scan.top)
        return scan, True

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Pages newest first; only the last carries the cursor (see the module docstring).
        Raises AuthRequired, RateLimited, Unavailable, ProviderError."""
        self._reload()
        scan, first = self._scan(cursor)
        before = scan.top
        while True:
            limit = min(self.page_size, self.max_activities - scan.listed)
            params = {"oldest": scan.low, "newest": before, "limit": limit}
            items = self._call(
                "GET", f"/api/v1/athlete/{self.athlete_id}/activities", "list activities", params=params
            )
            if not isinstance(items, list):
                raise Unavailable("intervals.icu's activity list was not a list; will retry later")
            activities, skipped = scan.read(items, self.athlete)
            self._note_stubs(scan)
            following = scan.next_before(before) if len(items) >= limit else None
            capped = following is not None and scan.listed >= self.max_activities
            if capped:
                log.warning("%s/intervals: stopped after %d activities", self.athlete, scan.listed)
            last = following is None or capped
            listed = None
            if last:
                gone, listed = self._deletions(scan, capped)
                activities += gone
            done = scan.newest.isoformat() if last and scan.newest is not None else None
            yield Page(activities=activities, cursor=done, skipped=skipped)
            # the engine stored the page before asking for the next one
            if listed is not None:
                self._set_state("listed", listed)
            if first:
                newest = None if scan.newest is None else scan.newest.isoformat()
                self._set_state("backfill", None if last else {"before": following, "newest": newest})
            if last or following is None:
                return
            before = following

    def _note_stubs(self, scan: Scan) -> None:
        """Say once which Strava-sourced activities intervals.icu keeps to itself."""
        new = sorted(set(scan.stubs) - self._stubs)
        if new:
            self._stubs.update(new)
            log.info(
                "%s/intervals: %d activities reached intervals.icu from Strava, and intervals.icu may not "
                "pass those on (Strava's terms); connect the watch to intervals.icu directly, or Strava "
                "to syncd",
                self.athlete,
                len(new),
            )

    def _deletions(self, scan: Scan, capped: bool) -> tuple[list[Activity], dict[str, str] | None]:
        """Activities the last listing placed in this window but this one did not list, each
        read once more (at most MAX_CONFIRM): gone → a deleted copy, found → as it is now;
        and what the next listing should find again (None: nothing kept, no state)."""
        if self.store is None:
            return [], None
        previous = self._state("listed")
        previous = {str(k): str(v) for k, v in previous.items()} if isinstance(previous, dict) else {}
        missing = scan.unlisted(previous, capped)
        raws = self.store.raw_payloads(self.athlete, self.name, missing[:MAX_CONFIRM])
        out: list[Activity] = []
        checked: set[str] = set()
        for ident in missing[:MAX_CONFIRM]:
            try:
                now = self.fetch_one(ident)
            except BadPayload:  # there, but unreadable: not deleted
                checked.add(ident)
                continue
            except ProviderError as exc:  # the next pass looks again; the page itself is kept
                log.info("%s/intervals: could not check for deletions: %s", self.athlete, exc)
                break
            checked.add(ident)
            if now is not None:
                out.append(now)
            elif ident in raws:
                try:
                    out.append(replace(activity_from(raws[ident], self.athlete), deleted=True))
                    log.info("%s/intervals: activity %s was deleted", self.athlete, ident)
                except BadPayload:
                    pass
        pending = {k: previous[k] for k in missing if k not in checked}
        if not scan.complete:
            pending = {**previous, **pending}
        return out, scan.remembered(pending, self.overlap)

    # -- single activities and notes ---------------------------------------------------------

    def _read_one(self, provider_id: str) -> dict[str, Any] | None:
        ident = valid_id(provider_id)
        if ident is None:
            raise BadPayload(f"{provider_id!r} is not an intervals.icu activity id")
        self._reload()
        detail = self._call("GET", f"/api/v1/activity/{ident}", f"read activity {ident}", missing_ok=True)
        if detail is not None and not isinstance(detail, dict):
            raise BadPayload(f"activity {ident}: intervals.icu's answer is not an activity")
        return detail

    def fetch_one(self, provider_id: str) -> Activity | None:
        """The activity as intervals.icu holds it; None if it no longer exists. Raises
        BadPayload (a Strava-sourced stub included), AuthRequired, RateLimited, Unavailable."""
        detail = self._read_one(provider_id)
        return None if detail is None else activity_from(detail, self.athlete)

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        """GET the description, PUT edit(description) if it changed; True if written."""
        detail = self._read_one(provider_id)
        if detail is None:
            return False
        if is_strava_stub(detail):
            raise ProviderError(f"intervals.icu cannot change activity {provider_id}: it came from Strava")
        current = detail.get("description")
        current = current if isinstance(current, str) else ""
        new = edit(current)
        if new is None or new == current:
            return False
        what = f"write the note on activity {provider_id}"
        self._call("PUT", f"/api/v1/activity/{provider_id}", what, body={"description": new})
        return True
