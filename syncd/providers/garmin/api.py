"""One Garmin Connect call for the provider: wait out a rate limit kept in the state,
refresh a token that expires soon, map failures to the domain errors, save rotated tokens.

Token refresh: before a call whose access token expires soon, the provider refreshes it itself
with the library's `_token_expires_soon` / `_refresh_di_token` (the library's own refresh
swallows every failure, and the call then fails with a 401 that looks like revoked tokens).
A refresh refused with 400/401 is AuthRequired; a 429 RateLimited; 5xx, timeouts and network
errors Unavailable (see `errors`): a passing outage never pauses the account until a
password sign-in, which is what Garmin punishes. A 401 right after the library's own refresh
failed that way is judged by the refresh's failure too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired, ProviderError, RateLimited, SyncdError
from syncd.providers.garmin.auth import GarminApi, stored_until
from syncd.providers.garmin.errors import _status, translate, translate_refresh

if TYPE_CHECKING:
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger("syncd.providers.garmin.provider")


class GarminCalls:
    """The calling half of `GarminProvider` (which sets these attributes)."""

    athlete: str
    api: GarminApi
    tokens: TokenStore
    store: Store | None
    clock: Callable[[], datetime]
    _saved: str
    _refresh_failure: Exception | None

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
        until = None if self.store is None else stored_until(self.store, key, now)
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
