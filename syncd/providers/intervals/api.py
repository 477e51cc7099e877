"""The intervals.icu API client: HTTP Basic with the user `API_KEY` and the athlete's personal
key, one requests session, timeouts on every call, and the answers as syncd's errors.

401 → AuthRequired (the key was deleted or replaced: connect again with the new one); 403 →
AuthRequired too (the key may not read that athlete: a coach's access was withdrawn); 404 →
None where the caller allows it; 429 → RateLimited until intervals.icu's Retry-After (seconds
or a date; else RATE_LIMIT_WAIT), within RATE_LIMIT_BOUNDS; 5xx, timeouts, connection errors
and answers that are not JSON → Unavailable; any other refusal → ProviderError. The key never
appears in a message: requests puts it in a header, never in the URL, and no answer body
is quoted (the athlete profile holds the key itself).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired, ProviderError, RateLimited, Unavailable

if TYPE_CHECKING:
    import requests

#: (connect, read) seconds by default; `[providers.intervals] timeout_s` sets the read part.
TIMEOUT = (5.0, 30.0)
RATE_LIMIT_WAIT = timedelta(minutes=5)  # intervals.icu publishes no limits; a guess, kept short
RATE_LIMIT_BOUNDS = (timedelta(seconds=10), timedelta(hours=6))
USER = "API_KEY"


def retry_wait(resp: requests.Response, now: datetime) -> timedelta:
    """intervals.icu's Retry-After within RATE_LIMIT_BOUNDS, else RATE_LIMIT_WAIT."""
    value = (resp.headers.get("Retry-After") or "").strip()
    try:
        wait = timedelta(seconds=int(value)) if value.isdigit() else parsedate_to_datetime(value) - now
    except (TypeError, ValueError):
        return RATE_LIMIT_WAIT
    return min(max(wait, RATE_LIMIT_BOUNDS[0]), RATE_LIMIT_BOUNDS[1])


class IntervalsApi:
    """Calls for one athlete's key. `reconnect` is the command that fixes a refused key."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        reconnect: str = "syncd connect intervals",
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.key = key
        self.reconnect = reconnect
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock
        self.sent = 0  # requests sent, for budgets and tests

    def __repr__(self) -> str:  # never show the key
        return f"IntervalsApi({self.base_url!r})"

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """The decoded JSON answer (None: a 404 with `missing_ok`). Raises AuthRequired,
        RateLimited, Unavailable, ProviderError (see the module docstring)."""
        import requests

        self.sent += 1
        try:
            resp = self.session.request(
                method,
                f"{self.base_url}{path}",
                params=params,
                json=body,
                auth=(USER, self.key),
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise Unavailable(f"intervals.icu did not answer in time (while trying to {what})") from None
        except requests.RequestException as exc:
            raise Unavailable(
                f"intervals.icu cannot be reached ({type(exc).__name__}, while trying to {what})"
            ) from None
        if resp.status_code == 404 and missing_ok:
            return None
        self._raise_for(resp, what)
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise Unavailable(f"intervals.icu's answer was not valid JSON (while trying to {what})") from None

    def _raise_for(self, resp: requests.Response, what: str) -> None:
        status = resp.status_code
        if status < 400:
            return
        if status in (401, 403):
            why = "no longer accepts the API key" if status == 401 else "refuses this key access"
            raise AuthRequired(
                f"intervals.icu {why} (HTTP {status}, while trying to {what}); make a new key at "
                f"intervals.icu (Settings → Developer Settings), store it, and run `{self.reconnect}`"
            )
        if status == 429:
            now = self.clock()
            retry_at = now + retry_wait(resp, now)
            raise RateLimited(
                f"intervals.icu is rate-limiting syncd (while trying to {what}); next try after "
                f"{retry_at:%H:%M} UTC",
                retry_at,
            )
        if status >= 500:
            raise Unavailable(f"intervals.icu could not {what} (HTTP {status}); will retry later")
        raise ProviderError(f"intervals.icu refused to {what} (HTTP {status})")
