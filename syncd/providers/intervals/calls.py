"""The account and state half of `IntervalsProvider`: the key followed from the state, values
kept across passes, and one API call that waits out a rate limit kept in the state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from syncd.errors import AuthRequired, ConfigError, ProviderError, RateLimited
from syncd.providers.intervals.api import IntervalsApi
from syncd.providers.intervals.listing import NAME, account_key, parse_time

if TYPE_CHECKING:
    from syncd.store import Store

log = logging.getLogger("syncd.providers.intervals.provider")


class IntervalsCalls:
    """What `IntervalsProvider` sets: the athlete, the API, the state, the clock."""

    name: ClassVar[str] = NAME
    athlete: str
    api: IntervalsApi
    store: Store | None
    athlete_id: str
    clock: Callable[[], datetime]
    _reloads: bool
    _ref: str | None

    def _reload(self) -> None:
        """Follow the state's key reference. Raises AuthRequired once it is gone (never
        connected, or disconnected), ProviderError when it cannot be resolved."""
        if not self._reloads or self.store is None:
            return
        from syncd.secrets import is_reference, resolve

        account = self.store.provider_value(self.name, account_key(self.athlete))
        if not isinstance(account, dict) or not is_reference(account.get("key")):
            raise AuthRequired(
                f"{self.athlete} has not connected intervals.icu yet (or disconnected it); "
                f"run `syncd connect intervals --athlete {self.athlete}`"
            )
        ref = str(account["key"])
        self.athlete_id = str(account.get("athlete_id") or "0")
        if ref != self._ref:
            try:
                self.api.key = resolve(ref)
            except ConfigError as exc:
                raise ProviderError(f"the intervals.icu key of {self.athlete}: {exc}") from None
            self._ref = ref

    def _state(self, key: str) -> Any:
        return None if self.store is None else self.store.provider_value(self.name, f"{key}:{self.athlete}")

    def _set_state(self, key: str, value: Any) -> None:
        if self.store is not None and self._state(key) != value:
            self.store.set_provider_value(self.name, f"{key}:{self.athlete}", value)

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """One API call, unless a rate limit kept in the state says to wait (RateLimited)."""
        now = self.clock()
        until = parse_time(self._state("rate_limited_until"))
        if until is not None and until > now:
            raise RateLimited(
                f"intervals.icu is rate-limiting syncd; no request for {self.athlete} before "
                f"{until:%H:%M} UTC",
                until,
            )
        try:
            return self.api.call(method, path, what=what, **kwargs)
        except RateLimited as exc:
            self._set_state("rate_limited_until", exc.retry_at.isoformat(timespec="seconds"))
            raise
