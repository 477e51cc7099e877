"""Garmin Connect sign-in state: the client resumed from saved tokens, and the sign-in
lockout kept in the state after Garmin answered a sign-in with 429 (retrying restarts it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from syncd.store import Store

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
    def upload_strength_workout(self, workout: Any) -> Any: ...
    def schedule_workout(self, workout_id: int | str, date_str: str) -> Any: ...
    def unschedule_workout(self, scheduled_workout_id: int | str) -> Any: ...
    def delete_workout(self, workout_id: int | str) -> Any: ...
    def get_workouts(self, start: int = 0, limit: int = 100) -> Any: ...
    def get_scheduled_workouts(self, year: int | str, month: int | str) -> Any: ...


ClientFactory = Callable[[str], GarminApi]


SUPPORTED_RANGE = ((0, 3, 20), (0, 4))  # the garminconnect releases syncd is tested with


def check_version(version: str) -> None:
    """Raise ProviderError unless `version` of garminconnect is one syncd supports (older ones
    lack `Garmin.client` or report sign-in failures differently)."""
    from syncd.errors import ProviderError

    try:
        parts = tuple(int(p) for p in version.split(".")[:3])
    except ValueError:
        parts = ()
    if not SUPPORTED_RANGE[0] <= parts < SUPPORTED_RANGE[1]:
        raise ProviderError(
            f"garminconnect {version} is installed, but syncd works with garminconnect>=0.3.20,<0.4; "
            "install a supported release (pip install 'garminconnect>=0.3.20,<0.4')"
        )


def resume_client(session: str) -> GarminApi:
    """A garminconnect client resumed from saved tokens without a request (`Garmin.login`
    would also fetch the profile, sleeping between retries). The library times requests out
    after 15 s (API) and 30 s (token refresh). Raises ValueError for unreadable tokens,
    ProviderError for a garminconnect release syncd does not support."""
    from importlib.metadata import version

    from garminconnect import Garmin, GarminConnectConnectionError

    check_version(version("garminconnect"))

    garmin = Garmin(retry_attempts=0)
    try:
        garmin.client.loads(session)
    except GarminConnectConnectionError:
        raise ValueError("unreadable Garmin tokens") from None
    return garmin


def stored_until(store: Store, key: str, now: datetime) -> datetime | None:
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
    return stored_until(store, f"login_lockout:{athlete}", now)


def lock_logins(store: Store, athlete: str, now: datetime) -> datetime:
    """Keep in the state that sign-ins wait until now + LOGIN_LOCKOUT; returns that time."""
    until = now + LOGIN_LOCKOUT
    store.set_provider_value("garmin", f"login_lockout:{athlete}", until.isoformat(timespec="seconds"))
    return until


def clear_lockout(store: Store, athlete: str) -> None:
    store.set_provider_value("garmin", f"login_lockout:{athlete}", None)
