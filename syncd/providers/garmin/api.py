"""One Garmin Connect call for the provider: wait out a rate limit kept in the state,
refresh a token that expires soon, map failures to the domain errors, save rotated tokens.

Token refresh: before a call whose access token expires soon, the provider refreshes it itself
with the client's `_token_expires_soon` / `_refresh_di_token`: the library's own refresh
swallows every failure, and the call then fails with a 401 that looks like revoked tokens.
Those two are the only private names syncd uses, called and never replaced; `check_client`
looks for them once, when the provider is made, and turns their absence into a ProviderError
naming the library versions syncd supports. A refresh refused with 400/401 is AuthRequired; a
429 RateLimited; 5xx, timeouts and network errors Unavailable (see `errors`): a passing outage
never pauses the account until a password sign-in, which is what Garmin punishes. A 401 on a
call whose tokens the library did not manage to refresh is judged by one refresh of syncd's
own: refused → AuthRequired, an outage → Unavailable, and if it works the next pass goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired, ProviderError, RateLimited, SyncdError, Unavailable
from syncd.providers.garmin.auth import GarminApi, stored_until
from syncd.providers.garmin.errors import _status, translate, translate_refresh

if TYPE_CHECKING:
    from syncd.store import Store
    from syncd.tokens import TokenStore

log = logging.getLogger("syncd.providers.garmin.provider")

SUPPORTED = "garminconnect>=0.3.20,<0.4"
_CLIENT_NEEDS = ("dumps", "loads", "_token_expires_soon", "_refresh_di_token")


def check_client(api: GarminApi) -> None:
    """Raise ProviderError unless the client has what the provider calls (see the docstring)."""
    client = getattr(api, "client", None)
    missing = [n for n in _CLIENT_NEEDS if not callable(getattr(client, n, None))]
    if client is None or missing:
        what = "Garmin.client" if client is None else f"Client.{missing[0]}"
        raise ProviderError(
            f"the installed garminconnect has no {what}; syncd needs {SUPPORTED} (pip install '{SUPPORTED}')"
        )


class GarminCalls:
    """The calling half of `GarminProvider` (which sets these attributes)."""

    athlete: str
    api: GarminApi
    tokens: TokenStore
    store: Store | None
    clock: Callable[[], datetime]
    _saved: str

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
            self._refresh()
            log.debug("%s/garmin: refreshed the sign-in before it expired", self.athlete)
        before = client.dumps()
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
            if isinstance(error, AuthRequired) and client.dumps() == before:
                error = self._judged(error)
            raise self._noted(error) from exc

    def _refresh(self) -> None:
        """Refresh the tokens; raises the domain error for a failed refresh (see `errors`)."""
        try:
            self.api.client._refresh_di_token()
        except Exception as exc:  # requests or curl_cffi errors, refusals, a bad reply
            raise self._noted(translate_refresh(exc, self.athlete, self.clock())) from exc

    def _judged(self, rejected: AuthRequired) -> ProviderError:
        """A 401 the library's own refresh did not cure, judged by one refresh of ours: the
        refresh's own error, or Unavailable when it worked (the next pass uses the new tokens)."""
        try:
            self._refresh()
        except ProviderError as exc:
            return exc
        log.info("%s/garmin: Garmin refused the sign-in once; refreshed it", self.athlete)
        return Unavailable(f"Garmin Connect refused syncd's sign-in for {self.athlete} once; will retry")

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
