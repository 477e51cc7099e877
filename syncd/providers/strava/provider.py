"""The Strava provider: incremental listing, recent activities in detail, notes.

Listing: `GET /athlete/activities?after=<cursor - overlap>&per_page=200`, oldest first, until
the first page shorter than 200. The cursor is the newest start seen (epoch seconds). The
overlap (default 3 days) catches activities recorded earlier but uploaded later (a watch
synced the next day): Strava lists by start time, so without it they would never be seen.
Activities starting within `detail_days` (the delivery window, default 3) are fetched once
in detail for the runner's own words and effort (description, private note, perceived
exertion); later listings carry those words over from the stored copy, so an idle poll
stays one request. Older, backfilled activities cost no request of their own.

Neither stravalib's Client nor its models are used at run time. The Client hard-codes
https://www.strava.com (syncd's base URL is configurable), sends no timeouts, refreshes only
after expiry by the wall clock, reads credentials from the environment and rate-limits by
sleeping. The models (pydantic + pint) add about 22 MiB RSS and half a second of import to
the daemon, whose idle budget is 80 MiB, and rewrite sport types they do not know to
"Workout", which syncd would count as strength work. The fields syncd maps are few and read
here with explicit types; tests check the result against stravalib's models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from syncd.domain import Activity
from syncd.errors import AuthRequired, BadPayload, ConfigError, ProviderError, RateLimited, Unavailable
from syncd.providers.base import DescriptionEdit, Page, Provider, Rejected
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.auth import can_write
from syncd.providers.strava.budget import Budget
from syncd.providers.strava.items import Listing, activity_id, parse_cursor, rejected_item
from syncd.providers.strava.mapping import DETAIL_KEYS, activity_from, with_details

if TYPE_CHECKING:
    from syncd.config import AthleteConfig, Config
    from syncd.store import Store

log = logging.getLogger(__name__)

PER_PAGE = 200
#: a description read this recently (by the event or listing that brought the activity) is
#: what a note is written onto without a read of its own; an edit by the runner within these
#: seconds is the price, as it is between any GET and PUT
FRESH_S = 60.0


class StravaProvider(Provider):
    """One athlete's Strava account."""

    name: ClassVar[str] = "strava"
    connect_module: ClassVar[str | None] = "syncd.providers.strava.connect"
    rank: ClassVar[int] = 1
    writes_notes: ClassVar[bool] = True
    note_help: ClassVar[str] = "Write syncd's note block into Strava descriptions (public to followers)."
    connect_help: ClassVar[str] = "connect an athlete's Strava account (OAuth in a browser)"
    disconnect_help: ClassVar[str] = "revoke syncd's Strava access and delete the tokens"

    def __init__(
        self,
        athlete: str,
        api: StravaApi,
        store: Store,
        *,
        overlap_days: float = 3,
        detail_days: float = 3,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(athlete)
        self.api = api
        self.store = store
        self.overlap = timedelta(days=overlap_days)
        self.detail = timedelta(days=detail_days)
        self.clock = clock
        self._read: dict[str, tuple[datetime, str]] = {}  # id -> (when read, description)

    @classmethod
    def create(cls, config: Config, athlete: AthleteConfig, store: Store) -> StravaProvider:
        """The provider for `athlete`. Raises AuthRequired (not connected yet) or
        ProviderError (the [strava] table or its secret is not usable)."""
        from syncd.secrets import resolve
        from syncd.tokens import token_store

        strava = config.strava
        if strava.client_id is None or strava.client_secret is None:
            raise ProviderError(
                "set client_id and client_secret in the [strava] table of the config to sync Strava"
            )
        try:
            secret = resolve(strava.client_secret)
        except ConfigError as exc:
            raise ProviderError(f"strava.client_secret: {exc}") from None
        try:
            tokens = token_store(store.token_state)  # the tokens of this state, no other's
        except ConfigError as exc:
            raise ProviderError(str(exc)) from None
        if tokens.load("strava", athlete.name) is None:
            raise AuthRequired(
                f"{athlete.name} has not connected Strava yet; run "
                f"`syncd connect strava --athlete {athlete.name}`",
                reason="not connected yet",
            )
        app = StravaApp(strava.base_url, strava.client_id, secret)
        api = StravaApi(app, tokens, athlete.name, Budget(store, strava.client_id))
        days = config.daemon.delivery_window_days
        # an overlap at least as long as the detail window relists a recent activity whose
        # detail fetch failed, so the next pass retries it
        return cls(athlete.name, api, store, overlap_days=max(3, days), detail_days=days)

    @classmethod
    def cursor_for(cls, known_until: datetime, current: str | None) -> str | None:
        """The newest start known, in epoch seconds, when it is later than `current`."""
        known = int(known_until.timestamp())
        now = parse_cursor(current) if current is not None else None
        return str(known) if now is None or known > now else None

    # listing ----------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Pages of activities started after `cursor` minus the overlap, oldest first.

        Each page's cursor is the newest start seen so far. Raises AuthRequired,
        RateLimited, Unavailable, ApplicationInactive; a failure while fetching details
        still yields the page (summaries only), then raises."""
        newest = parse_cursor(cursor)
        after = 0 if newest is None else max(0, newest - int(self.overlap.total_seconds()))
        state = Listing(newest)
        number = 1
        while True:
            items = self.api.call(
                "GET", "/athlete/activities", params={"after": after, "per_page": PER_PAGE, "page": number}
            )
            if not isinstance(items, list):
                raise Unavailable("Strava's activity list was not a list; will retry later")
            yield self._page(items, state)
            if state.error is not None:
                raise state.error
            if len(items) < PER_PAGE:
                return
            number += 1

    def _page(self, items: list[Any], state: Listing) -> Page:
        mapped: list[tuple[dict[str, Any], Activity]] = []
        skipped: list[str] = []
        rejected: list[Rejected] = []
        for item in items:
            try:
                mapped.append((item, activity_from(item, self.athlete)))
            except BadPayload as exc:
                skipped.append(str(exc))
                kept = rejected_item(item, str(exc))
                if kept is not None:
                    rejected.append(kept)
        recent_from = self.clock() - self.detail
        # every listed activity keeps the runner's words fetched earlier: the list has no
        # description, and an overlap re-listing must not erase them (nor their findings)
        known = self._stored_details([a.provider_id for _, a in mapped])
        activities = []
        for item, activity in mapped:
            if activity.start_utc >= recent_from:
                activity = self._detailed(item, activity, known, state)
            elif activity.provider_id in known:
                activity = self._with_known(item, activity, known[activity.provider_id])
            activities.append(activity)
            start = int(activity.start_utc.timestamp())
            state.newest = start if state.newest is None else max(state.newest, start)
        cursor = None if state.newest is None else str(state.newest)
        return Page(activities=activities, cursor=cursor, skipped=skipped, rejected=rejected)

    def _detailed(
        self, item: dict[str, Any], summary: Activity, known: dict[str, dict[str, Any]], state: Listing
    ) -> Activity:
        """The recent activity with the runner's words: from the stored copy if it was
        fetched in detail before, else from one GET (none after a failure this pass)."""
        detail: Any = known.get(summary.provider_id)
        if detail is None:
            if state.error is not None:
                return summary
            try:
                detail = self.api.call("GET", f"/activities/{summary.provider_id}", missing_ok=True)
            except (RateLimited, Unavailable) as exc:
                # keep the summary; the overlap relists it and the next pass tries again
                state.error = exc
                return summary
            self._remember(summary.provider_id, detail)
        if not isinstance(detail, dict):  # 404: just created, not readable yet; retried later
            return summary
        return self._with_known(item, summary, detail)

    def _remember(self, provider_id: str, detail: Any) -> None:
        """Keep the description just read, for a note written within FRESH_S."""
        now = self.clock()
        self._read = {k: v for k, v in self._read.items() if (now - v[0]).total_seconds() < FRESH_S}
        if isinstance(detail, dict):
            text = detail.get("description") or ""
            self._read[provider_id] = (now, text if isinstance(text, str) else "")

    def _fresh(self, provider_id: str) -> str | None:
        """The description read within FRESH_S, once (a read serves one note)."""
        found = self._read.pop(provider_id, None)
        if found is None or (self.clock() - found[0]).total_seconds() >= FRESH_S:
            return None
        return found[1]

    def _with_known(self, item: dict[str, Any], summary: Activity, detail: dict[str, Any]) -> Activity:
        try:
            return activity_from(with_details(item, detail), self.athlete)
        except BadPayload as exc:
            log.warning(
                "%s/strava: details of %s unreadable, summary kept: %s",
                self.athlete,
                summary.provider_id,
                exc,
            )
            return summary

    def _stored_details(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Detail fields of stored copies that were fetched in detail, by provider id."""
        raws = self.store.raw_payloads(self.athlete, "strava", keys)
        return {
            ident: {k: raw.get(k) for k in DETAIL_KEYS}
            for ident, raw in raws.items()
            if isinstance(raw, dict) and "description" in raw
        }

    # single activities and notes ----------------------------------------------------------

    def fetch_one(self, provider_id: str) -> Activity | None:
        """The activity in detail; None if Strava says it does not exist (deleted)."""
        detail = self.api.call("GET", f"/activities/{activity_id(provider_id)}", missing_ok=True)
        self._remember(provider_id, detail)
        return None if detail is None else activity_from(detail, self.athlete)

    def reread(self, item: Rejected) -> Activity | None:
        """The raw copy mapped again (free, after a fix in syncd), else one read of the
        activity in detail (fixed on Strava); None when Strava says it is gone."""
        try:
            return activity_from(item.raw, self.athlete)
        except BadPayload:
            return self.fetch_one(item.provider_id)

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        """PUT edit(description) if it changed; True if written. The description is the one
        read within FRESH_S by the webhook event or listing that brought the activity (once),
        else one GET.

        Checks first that the budget has room for the requests. Raises ProviderError when
        the runner did not grant activity:write, RateLimited, AuthRequired, Unavailable."""
        if not can_write(self.api.saved_tokens()):
            raise ProviderError(
                f"{self.athlete} did not allow syncd to edit Strava activities "
                f"(activity:write); reconnect with `syncd connect strava "
                f"--athlete {self.athlete}` and leave that permission ticked"
            )
        path = f"/activities/{activity_id(provider_id)}"
        current = self._fresh(provider_id)
        self.api.budget.reserve(reads=current is None, writes=1)
        if current is None:
            detail = self.api.call("GET", path, missing_ok=True)
            if not isinstance(detail, dict):
                return False
            text = detail.get("description") or ""
            current = text if isinstance(text, str) else ""
        new = edit(current)
        if new is None or new == current:
            return False
        self.api.call("PUT", path, body={"description": new})
        return True
