"""The Garmin Connect provider (garminconnect 0.3): listing, single activities, notes.

The daemon never signs in with a password: `syncd connect garmin` does that once, and the
provider resumes from the saved tokens (garminconnect's `Client.dumps()`, in the token store
under "session"), saving them again whenever a call rotated them. After a 429 on sign-in
(`lock_logins`) the account is left alone for hours: retrying restarts Garmin's block.
Each operation first re-reads the token store, so a `connect` or `disconnect` while the
daemon runs takes effect without a restart.

Paging and cursor: `get_activities(start, limit)` pages newest first. Pages are yielded as
they come (the engine stores each at once), but only the last carries the cursor, the ISO
start (UTC) of the newest activity listed: only then is everything older, back to the
overlap window, stored. A failure mid-listing keeps the old cursor and the next pass lists
the range again. Collecting the range first, to yield it oldest first, would hold up to
10,000 large payloads in memory. The listing stops at a page reaching back past cursor −
overlap (an idle poll is one request), at a short page, or after MAX_ACTIVITIES (so the
first sync keeps the 10,000 newest). Pages are stored whole, which also catches late
uploads and edits further back.

Errors: 401 → AuthRequired; 429 → RateLimited (Retry-After if sent, else 15 min); 403,
5xx, timeouts, connection errors → Unavailable. The client gets retry_attempts=0: the
library's retries sleep, and a provider never does.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from syncd.domain import Activity
from syncd.errors import AuthRequired, BadPayload, ConfigError, ProviderError, RateLimited, Unavailable
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.sports import sport_from

if TYPE_CHECKING:
    from syncd.config import AthleteConfig, Config
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_ACTIVITIES = 10_000
OVERLAP = timedelta(days=3)
RATE_LIMIT_WAIT = timedelta(minutes=15)  # Garmin publishes no API limits; a guess, kept short
RATE_LIMIT_BOUNDS = (timedelta(minutes=1), timedelta(hours=6))
LOGIN_LOCKOUT = timedelta(hours=6)  # sign-in blocks last hours, and retrying restarts them
_STATUS = re.compile(r"\b(?:API Error|HTTP) (\d{3})\b")


class GarminTokens(Protocol):
    def dumps(self) -> str: ...
    def loads(self, tokenstore: str) -> None: ...


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


def login_lockout(store: Store, athlete: str, now: datetime) -> datetime | None:
    """When Garmin's sign-in block for `athlete` ends, if it has not ended by `now`."""
    value = store.provider_value("garmin", f"login_lockout:{athlete}")
    try:
        until = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    until = until.replace(tzinfo=until.tzinfo or UTC) if until else None
    return until if until is not None and until > now else None


def lock_logins(store: Store, athlete: str, now: datetime) -> datetime:
    """Keep in the state that sign-ins wait until now + LOGIN_LOCKOUT; returns that time."""
    until = now + LOGIN_LOCKOUT
    store.set_provider_value("garmin", f"login_lockout:{athlete}", until.isoformat(timespec="seconds"))
    return until


def clear_lockout(store: Store, athlete: str) -> None:
    store.set_provider_value("garmin", f"login_lockout:{athlete}", None)


# -- mapping -------------------------------------------------------------------------------

def _field(data: dict[str, Any], key: str, kinds: tuple[type, ...], what: str) -> Any:
    """data[key] if None or of `kinds`; raises BadPayload naming the activity and the field."""
    value = data.get(key)
    flag = isinstance(value, bool)  # a bool is an int to Python: numbers must refuse it
    if value is not None and (flag != (bool in kinds) or not isinstance(value, kinds)):
        raise BadPayload(f"activity {data['activityId']}: {key} is not {what}")
    return value


def _number(data: dict[str, Any], key: str) -> float | None:
    value = _field(data, key, (int, float), "a number")
    return None if value is None else float(value)


def _whole(data: dict[str, Any], key: str) -> int | None:
    value = _number(data, key)
    return None if value is None else round(value)


def _time(data: dict[str, Any], key: str) -> datetime | None:
    """Naive wall-clock time: "2024-01-01 10:00:00" (list) or "2024-01-01T10:00:00.0" (detail)."""
    value = _field(data, key, (str,), "a date and time")
    try:
        return None if value is None else datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise BadPayload(f"activity {data['activityId']}: {key} {value[:30]!r} is not a time") from None


def _rpe(raw: float | None) -> int | None:
    # Garmin keeps the 1-10 exertion prompt × 10; 0 or anything else means "not answered"
    if raw is None or not raw.is_integer() or not 10 <= raw <= 100 or raw % 10:
        return None
    return int(raw) // 10


def activity_from(data: Any, athlete: str) -> Activity:
    """The Activity for one item of the list `get_activities` returns.

    Raises BadPayload, naming the item and the field, for anything malformed."""
    if not isinstance(data, dict):
        raise BadPayload("an item that is not a JSON object")
    ident = data.get("activityId")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise BadPayload(f"an item without a numeric activityId ({str(ident)[:20]!r})")
    gmt, local = _time(data, "startTimeGMT"), _time(data, "startTimeLocal")
    if gmt is None:
        raise BadPayload(f"activity {ident}: no startTimeGMT")
    offset = 0 if local is None else round((local - gmt).total_seconds())
    if abs(offset) > 14 * 3600:
        raise BadPayload(f"activity {ident}: startTimeLocal is {offset} s away from startTimeGMT")
    kind = data.get("activityType")
    type_key = kind.get("typeKey") if isinstance(kind, dict) else None
    type_key = type_key if isinstance(type_key, str) else ""
    zones = [z for z in (_number(data, "hrTimeInZone_4"), _number(data, "hrTimeInZone_5")) if z is not None]
    timer = _whole(data, "duration")  # pauses excluded: the best stand-in for either missing time
    moving, elapsed = _whole(data, "movingDuration"), _whole(data, "elapsedDuration")
    try:
        return Activity(
            provider="garmin", provider_id=str(ident), athlete=athlete,
            start_utc=gmt.replace(tzinfo=UTC), sport=sport_from("garmin", type_key), sport_raw=type_key,
            utc_offset_s=offset, distance_m=_whole(data, "distance"),
            moving_s=timer if moving is None else moving, elapsed_s=timer if elapsed is None else elapsed,
            avg_hr=_number(data, "averageHR"), max_hr=_number(data, "maxHR"),
            rpe=_rpe(_number(data, "directWorkoutRpe")), effort_score=_number(data, "activityTrainingLoad"),
            hr_zone45_s=round(sum(zones)) if zones else None,
            title=_field(data, "activityName", (str,), "text") or "",
            description=_field(data, "description", (str,), "text") or "",
            manual=bool(_field(data, "manualActivity", (bool,), "true or false")),
            raw_json=json.dumps(data, sort_keys=True))
    except ValueError as exc:  # negative distances or durations
        raise BadPayload(f"activity {ident}: {exc}") from None


def flatten_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A `get_activity` payload in the list's shape. The detail nests its numbers in summaryDTO,
    the type in activityTypeDTO, the manual flag in metadataDTO; it has no zone times."""
    summary, meta = detail.get("summaryDTO"), detail.get("metadataDTO")
    flat = {**detail, **(summary if isinstance(summary, dict) else {})}
    flat["activityType"] = detail.get("activityTypeDTO")
    if isinstance(meta, dict) and "manualActivity" in meta:
        flat["manualActivity"] = meta["manualActivity"]
    return flat


# -- errors ----------------------------------------------------------------------------------

def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The error and what caused it: the library wraps the transport error holding the response."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status(exc: BaseException) -> int | None:
    for error in _causes(exc):
        code = getattr(getattr(error, "response", None), "status_code", None)
        if isinstance(code, int):
            return code
        match = _STATUS.search(str(error))
        if match:
            return int(match.group(1))
    return None


def _retry_wait(exc: BaseException, now: datetime) -> timedelta:
    """Garmin's Retry-After (seconds or a date) within RATE_LIMIT_BOUNDS, else RATE_LIMIT_WAIT."""
    for error in _causes(exc):
        value = str((getattr(getattr(error, "response", None), "headers", None) or {})
                    .get("Retry-After") or "").strip()
        try:
            wait = timedelta(seconds=int(value)) if value.isdigit() else parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            continue
        return min(max(wait, RATE_LIMIT_BOUNDS[0]), RATE_LIMIT_BOUNDS[1])
    return RATE_LIMIT_WAIT


def _translate(exc: BaseException, what: str, athlete: str, now: datetime) -> ProviderError:
    """The domain error for a garminconnect or network failure while trying to `what`."""
    from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

    status = _status(exc)
    if isinstance(exc, GarminConnectAuthenticationError) or status == 401:
        return AuthRequired(f"Garmin Connect no longer accepts syncd's sign-in for {athlete} (while "
                            f"trying to {what}); run `syncd connect garmin --athlete {athlete}` again")
    if isinstance(exc, GarminConnectTooManyRequestsError) or status == 429:
        retry_at = now + _retry_wait(exc, now)
        return RateLimited(f"Garmin Connect is rate-limiting syncd (while trying to {what}); next "
                           f"try after {retry_at:%H:%M} UTC", retry_at)
    if status == 403:  # a refused token gives 401; a 403 is mostly Garmin blocking the network
        return Unavailable(f"Garmin Connect refused to {what} (HTTP 403), probably blocking this "
                           "network for a while; will retry later")
    if status is not None and 400 <= status < 500:
        return ProviderError(f"Garmin Connect refused to {what} (HTTP {status})")
    detail = f"HTTP {status}" if status else type(exc).__name__
    return Unavailable(f"Garmin Connect could not {what} ({detail}); will retry later")


# -- the provider ------------------------------------------------------------------------------

class GarminProvider(Provider):
    """One athlete's Garmin Connect account."""

    name: ClassVar[str] = "garmin"
    writes_notes: ClassVar[bool] = True

    def __init__(self, athlete: str, api: GarminApi, tokens: TokenStore, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), page_size: int = PAGE_SIZE,
                 max_activities: int = MAX_ACTIVITIES, overlap: timedelta = OVERLAP) -> None:
        super().__init__(athlete)
        self.api, self.tokens, self.clock = api, tokens, clock
        self.page_size, self.max_activities, self.overlap = page_size, max_activities, overlap
        self._saved = api.client.dumps()

    @classmethod
    def create(cls, config: Config, athlete: AthleteConfig, store: Store, *,
               client_factory: ClientFactory = resume_client,
               clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> GarminProvider:
        """The provider for `athlete`, resumed from the saved tokens without a request.

        Raises RateLimited during a sign-in lockout (checked first: using the account then
        could prolong Garmin's block), AuthRequired when not connected or the tokens are
        unreadable, ProviderError when the token store is unusable."""
        from syncd.tokens import token_store

        until = login_lockout(store, athlete.name, clock())
        if until is not None:
            raise RateLimited(f"Garmin blocked sign-ins for {athlete.name}; syncd leaves the account "
                              f"alone until {until:%H:%M} UTC", until)
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
            return cls(athlete.name, client_factory(session), tokens, clock=clock)
        except ValueError:
            raise AuthRequired(f"{athlete.name}'s saved Garmin sign-in cannot be read; {reconnect} "
                               "again") from None

    def _reload(self) -> None:
        """Pick up tokens another process saved (`syncd connect` while the daemon runs), which
        the cached client would otherwise overwrite; AuthRequired once they were deleted."""
        saved = self.tokens.load("garmin", self.athlete)
        session = saved.get("session") if saved else None
        if not isinstance(session, str):
            raise AuthRequired(f"{self.athlete} disconnected Garmin Connect; run `syncd connect "
                               f"garmin --athlete {self.athlete}` to sync it again")
        if session != self._saved:
            from garminconnect import GarminConnectConnectionError

            try:
                self.api.client.loads(session)
            except GarminConnectConnectionError:
                raise AuthRequired(f"{self.athlete}'s saved Garmin sign-in cannot be read; run "
                                   f"`syncd connect garmin --athlete {self.athlete}` again") from None
            self._saved = session
            log.info("%s/garmin: using the sign-in saved by `syncd connect`", self.athlete)

    def _call(self, what: str, request: Callable[[], Any], *, missing_ok: bool = False) -> Any:
        """request(), failures as domain errors (None for a 404 if `missing_ok`). Tokens a refresh
        rotated are saved afterwards, even after a failure: the old refresh token is dead."""
        import requests
        from garminconnect import (
            GarminConnectAuthenticationError,
            GarminConnectConnectionError,
            GarminConnectTooManyRequestsError,
        )

        try:
            return request()
        except (GarminConnectAuthenticationError, GarminConnectTooManyRequestsError,
                GarminConnectConnectionError, requests.RequestException) as exc:
            if missing_ok and _status(exc) == 404:
                return None
            raise _translate(exc, what, self.athlete, self.clock()) from exc
        finally:
            session = self.api.client.dumps()
            if session != self._saved:
                self.tokens.save("garmin", self.athlete, {"session": session})
                self._saved = session
                log.debug("%s/garmin: saved the refreshed sign-in tokens", self.athlete)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Pages newest first; only the last carries the cursor (see the module docstring).
        Raises AuthRequired, RateLimited, Unavailable, ProviderError."""
        self._reload()
        known = _parse_cursor(cursor)
        cutoff = None if known is None else known - self.overlap
        newest, listed = known, 0
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
            listed += len(items)
            for activity in activities:
                newest = activity.start_utc if newest is None else max(newest, activity.start_utc)
            reached = cutoff is not None and any(a.start_utc < cutoff for a in activities)
            capped = listed >= self.max_activities and not reached and len(items) == limit
            if capped:
                log.warning("%s/garmin: stopped after %d activities; older ones are not synced",
                            self.athlete, listed)
            last = reached or capped or len(items) < limit
            done = newest.isoformat() if last and newest is not None else None
            yield Page(activities=activities, cursor=done, skipped=skipped)
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
        self._call(f"write the note on activity {ident}",
                   partial(self.api.set_activity_description, ident, new))
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
