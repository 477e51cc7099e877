"""The Garmin Connect provider (garminconnect 0.3): listing, single activities, notes.

The daemon never signs in with a password: `syncd connect garmin` does that once, and the
provider resumes from the saved tokens (garminconnect's `Client.dumps()`, in the token store
under "session"), saving them again whenever a call rotated them. Each operation first
re-reads the token store, so a `connect` or `disconnect` while the daemon runs takes effect
without a restart.

Token refresh: before a call whose access token expires soon, the provider refreshes it itself
with the library's `_token_expires_soon` / `_refresh_di_token` (the library's own refresh
swallows every failure, and the call then fails with a 401 that looks like revoked tokens).
A refresh refused with 400/401 is AuthRequired; a 429 RateLimited; 5xx, timeouts and network
errors Unavailable (see `garmin_errors`): a passing outage never pauses the account until a
password sign-in, which is what Garmin punishes. A 401 right after the library's own refresh
failed that way is judged by the refresh's failure too.

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

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from syncd.domain import Activity
from syncd.errors import (
    AuthRequired,
    BadPayload,
    ConfigError,
    ProviderError,
    RateLimited,
    SyncdError,
    Unavailable,
)
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.providers.garmin_errors import _status, translate, translate_refresh
from syncd.providers.garmin_map import activity_from, flatten_detail

if TYPE_CHECKING:
    from syncd.config import AthleteConfig, Config
    from syncd.store import Store
    from syncd.tokens import TokenStore

__all__ = [
    "GarminProvider",
    "activity_from",
    "clear_lockout",
    "flatten_detail",
    "lock_logins",
    "login_lockout",
    "resume_client",
]

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_ACTIVITIES = 10_000
OVERLAP = timedelta(days=3)
RESUME_OVERLAP = 10  # items listed again when a first sync resumes: covers a few deletions
LOGIN_LOCKOUT = timedelta(hours=6)  # sign-in blocks last hours, and retrying restarts them


class GarminTokens(Protocol):
    def dumps(self) -> str: ...
    def loads(self, tokenstore: str) -> None: ...
    def _token_expires_soon(self) -> bool: ...
    def _refresh_di_token(self) -> None: ...


class GarminApi(Protocol):
    """What the provider uses of `garminconnect.Garmin` (tests pass a fake with the same)."""

    @property
    def client(self) -> GarminTokens: ...
    def get_activities(self, start: int = 0, limit: int = 20) -> Any: ...
    def get_activity(self, activity_id: str) -> Any: ...
    def set_activity_description(self, activity_id: str, description: str) -> Any: ...


ClientFactory = Callable[[str], GarminApi]


def resume_client(session: str) -> GarminApi:
    """A garminconnect client resumed from saved tokens without a request (`Garmin.login`
    would also fetch the profile, sleeping between retries). The library times requests out
    after 15 s (API) and 30 s (token refresh). Raises ValueError for unreadable tokens."""
    from garminconnect import Garmin, GarminConnectConnectionError

    garmin = Garmin(retry_attempts=0)
    try:
        garmin.client.loads(session)
    except GarminConnectConnectionError:
        raise ValueError("unreadable Garmin tokens") from None
    return garmin


def _until(store: Store, key: str, now: datetime) -> datetime | None:
    """The time kept under `key` in the state, if it is after `now`."""
    value = store.provider_value("garmin", key)
    try:
        until = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    until = until.replace(tzinfo=until.tzinfo or UTC) if until else None
    return until if until is not None and until > now else None


def login_lockout(store: Store, athlete: str, now: datetime) -> datetime | None:
    """When Garmin's sign-in block for `athlete` ends, if it has not ended by `now`."""
    return _until(store, f"login_lockout:{athlete}", now)


def lock_logins(store: Store, athlete: str, now: datetime) -> datetime:
    """Keep in the state that sign-ins wait until now + LOGIN_LOCKOUT; returns that time."""
    until = now + LOGIN_LOCKOUT
    store.set_provider_value("garmin", f"login_lockout:{athlete}", until.isoformat(timespec="seconds"))
    return until


def clear_lockout(store: Store, athlete: str) -> None:
    store.set_provider_value("garmin", f"login_lockout:{athlete}", None)


# -- the provider ------------------------------------------------------------------------------


class GarminProvider(Provider):
    """One athlete's Garmin Connect account. Without a `store` (tests), nothing is kept
    across passes: no rate-limit wait, no resume point."""

    name: ClassVar[str] = "garmin"
    writes_notes: ClassVar[bool] = True

    def __init__(
        self,
        athlete: str,
        api: GarminApi,
        tokens: TokenStore,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        page_size: int = PAGE_SIZE,
        max_activities: int = MAX_ACTIVITIES,
        overlap: timedelta = OVERLAP,
    ) -> None:
        super().__init__(athlete)
        self.api, self.tokens, self.store, self.clock = api, tokens, store, clock
        self.page_size, self.max_activities, self.overlap = page_size, max_activities, overlap
        self._saved = api.client.dumps()
        self._refresh_failure: Exception | None = None
        refresh = api.client._refresh_di_token

        def recorded() -> None:  # also sees the refreshes the library does on its own
            try:
                refresh()
            except Exception as exc:
                self._refresh_failure = exc
                raise

        api.client._refresh_di_token = recorded  # type: ignore[method-assign]

    @classmethod
    def create(
        cls,
        config: Config,
        athlete: AthleteConfig,
        store: Store,
        *,
        client_factory: ClientFactory = resume_client,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
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
            tokens = token_store()
        except ConfigError as exc:
            raise ProviderError(f"the token store is not usable: {exc}") from None
        saved = tokens.load("garmin", athlete.name)
        session = saved.get("session") if saved else None
        reconnect = f"run `syncd connect garmin --athlete {athlete.name}`"
        if not isinstance(session, str):
            raise AuthRequired(f"{athlete.name} has not connected Garmin Connect yet; {reconnect}")
        try:
            return cls(athlete.name, client_factory(session), tokens, store=store, clock=clock)
        except ValueError:
            raise AuthRequired(
                f"{athlete.name}'s saved Garmin sign-in cannot be read; {reconnect} again"
            ) from None

    def _reload(self) -> None:
        """Pick up tokens another process saved (`syncd connect` while the daemon runs), which
        the cached client would otherwise overwrite; AuthRequired once they were deleted."""
        saved = self.tokens.load("garmin", self.athlete)
        session = saved.get("session") if saved else None
        if not isinstance(session, str):
            raise AuthRequired(
                f"{self.athlete} disconnected Garmin Connect; run `syncd connect "
                f"garmin --athlete {self.athlete}` to sync it again"
            )
        if session != self._saved:
            from garminconnect import GarminConnectConnectionError

            try:
                self.api.client.loads(session)
            except GarminConnectConnectionError:
                raise AuthRequired(
                    f"{self.athlete}'s saved Garmin sign-in cannot be read; run "
                    f"`syncd connect garmin --athlete {self.athlete}` again"
                ) from None
            self._saved = session
            log.info("%s/garmin: using the sign-in saved by `syncd connect`", self.athlete)

    # -- state kept across passes ------------------------------------------------------------

    def _state(self, key: str) -> Any:
        return None if self.store is None else self.store.provider_value("garmin", f"{key}:{self.athlete}")

    def _set_state(self, key: str, value: Any) -> None:
        if self.store is not None and self._state(key) != value:
            self.store.set_provider_value("garmin", f"{key}:{self.athlete}", value)

    def _noted(self, error: ProviderError) -> ProviderError:
        """`error`, its Retry-After kept in the state so no pass asks Garmin before then."""
        if isinstance(error, RateLimited):
            self._set_state("rate_limited_until", error.retry_at.isoformat(timespec="seconds"))
        return error

    # -- one call ------------------------------------------------------------------------------

    def _call(self, what: str, request: Callable[[], Any], *, missing_ok: bool = False) -> Any:
        """request(), failures as domain errors (None for a 404 if `missing_ok`), after waiting
        out a rate limit and refreshing a token that expires soon. Tokens a refresh rotated are
        saved afterwards, even after a failure: the old refresh token is dead."""
        now = self.clock()
        key = f"rate_limited_until:{self.athlete}"
        until = None if self.store is None else _until(self.store, key, now)
        if until is not None:
            raise RateLimited(
                f"Garmin Connect is rate-limiting syncd; no request for {self.athlete} "
                f"before {until:%H:%M} UTC",
                until,
            )
        self._refresh_failure = None
        try:
            result = self._request(what, request, missing_ok)
        except BaseException:
            self._save_tokens(failing=True)
            raise
        self._save_tokens(failing=False)
        return result

    def _request(self, what: str, request: Callable[[], Any], missing_ok: bool) -> Any:
        import requests
        from garminconnect import (
            GarminConnectAuthenticationError,
            GarminConnectConnectionError,
            GarminConnectTooManyRequestsError,
        )

        client = self.api.client
        if client._token_expires_soon():
            try:
                client._refresh_di_token()
            except Exception as exc:  # requests or curl_cffi errors, refusals, a bad reply
                raise self._noted(translate_refresh(exc, self.athlete, self.clock())) from exc
            log.debug("%s/garmin: refreshed the sign-in before it expired", self.athlete)
        try:
            return request()
        except (
            GarminConnectAuthenticationError,
            GarminConnectTooManyRequestsError,
            GarminConnectConnectionError,
            requests.RequestException,
        ) as exc:
            if missing_ok and _status(exc) == 404:
                return None
            error = translate(exc, what, self.athlete, self.clock())
            if isinstance(error, AuthRequired) and self._refresh_failure is not None:
                # the library refreshed after a 401 and that failed: a 503 there is no revocation
                error = translate_refresh(self._refresh_failure, self.athlete, self.clock())
            raise self._noted(error) from exc

    def _save_tokens(self, *, failing: bool) -> None:
        """Save the tokens if a refresh rotated them. While another error is on its way out,
        a failing save is logged, not raised: it must not hide that error."""
        session = self.api.client.dumps()
        if session == self._saved:
            return
        try:
            self.tokens.save("garmin", self.athlete, {"session": session})
        except Exception as exc:
            if not failing:
                raise
            reason = str(exc) if isinstance(exc, SyncdError) else type(exc).__name__
            log.error("%s/garmin: could not save the refreshed sign-in tokens: %s", self.athlete, reason)
            return
        self._saved = session
        log.debug("%s/garmin: saved the refreshed sign-in tokens", self.athlete)

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
        Raises AuthRequired, RateLimited, Unavailable, ProviderError."""
        self._reload()
        known = _parse_cursor(cursor)
        cutoff = None if known is None else known - self.overlap
        resume = self._resume_point() if known is None else None
        if known is not None:
            self._set_state("backfill", None)
        newest, oldest, listed = known, None, 0
        if resume is not None:
            listed, oldest, newest = max(0, resume[0] - RESUME_OVERLAP), resume[1], resume[2]
            log.info("%s/garmin: continuing the first sync from activity %d", self.athlete, listed)
        while True:
            limit = min(self.page_size, self.max_activities - listed)
            items = self._call("list activities", partial(self.api.get_activities, listed, limit))
            if not isinstance(items, list):
                raise Unavailable("Garmin's activity list was not a list; will retry later")
            activities, skipped = [], []
            for item in items:
                try:
                    activities.append(activity_from(item, self.athlete))
                except BadPayload as exc:
                    skipped.append(str(exc))
            if resume is not None:
                joins = bool(activities) and oldest is not None and activities[0].start_utc > oldest
                resume = None
                if not joins:  # deleted activities moved the list up past the resume point
                    log.info("%s/garmin: the list changed; starting the first sync again", self.athlete)
                    newest, oldest, listed = None, None, 0
                    continue
            listed += len(items)
            for activity in activities:
                newest = activity.start_utc if newest is None else max(newest, activity.start_utc)
                oldest = activity.start_utc if oldest is None else min(oldest, activity.start_utc)
            reached = cutoff is not None and any(a.start_utc < cutoff for a in activities)
            capped = listed >= self.max_activities and not reached and len(items) == limit
            if capped:
                log.warning(
                    "%s/garmin: stopped after %d activities; older ones are not synced", self.athlete, listed
                )
            last = reached or capped or len(items) < limit
            done = newest.isoformat() if last and newest is not None else None
            yield Page(activities=activities, cursor=done, skipped=skipped)
            # the engine stored the page before asking for the next one
            if known is None and last:
                self._set_state("backfill", None)
            elif known is None and oldest is not None and newest is not None:
                self._set_state(
                    "backfill", {"offset": listed, "oldest": oldest.isoformat(), "newest": newest.isoformat()}
                )
            if last:
                return

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
