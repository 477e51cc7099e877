"""The Strava API client: the app (code exchange, token refresh, deauthorisation), one
athlete's calls with their tokens and rate budget, and Strava's error answers as syncd's errors.

Access tokens last six hours. `REFRESH_MARGIN` (15 minutes) before `expires_at`, the token
is refreshed before the next call rather than after a failed one: the margin covers a slow
pass and a Raspberry Pi's clock running a few minutes off before NTP catches up. Strava
may rotate the refresh token on every refresh; the caller saves the pair each time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired, ProviderError, RateLimited, Unavailable
from syncd.providers.strava.budget import Budget, BudgetState
from syncd.providers.strava.errors import ApplicationInactive, describe, missing_permission, raise_for

if TYPE_CHECKING:
    import requests

    from syncd.tokens import TokenStore

__all__ = ["ApplicationInactive", "StravaApi", "StravaApp", "describe", "raise_for"]

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=15)
#: (connect, read) seconds: Strava answers in well under a second; a hung call must not
#: hold up the other accounts' passes.
TIMEOUT = (5.0, 30.0)


class StravaApp:
    """syncd's API application at Strava: its OAuth endpoints, over one HTTP session."""

    def __init__(
        self,
        base_url: str,
        client_id: int,
        client_secret: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the secret
        return f"StravaApp({self.base_url!r}, client_id={self.client_id})"

    def post(self, path: str, data: dict[str, Any], what: str) -> requests.Response:
        """POST a form (credentials in the body, never in the URL); network trouble is
        Unavailable."""
        import requests

        try:
            return self.session.post(f"{self.base_url}{path}", data=data, timeout=self.timeout)
        except requests.RequestException as exc:
            raise Unavailable(f"{what}: Strava cannot be reached ({type(exc).__name__})") from None

    def _token(self, data: dict[str, Any], what: str) -> dict[str, Any]:
        resp = self.post(
            "/api/v3/oauth/token",
            {"client_id": self.client_id, "client_secret": self.client_secret, **data},
            what,
        )
        if resp.status_code in (400, 401):
            raise AuthRequired(f"{what}: Strava refused it ({describe(resp)})")
        raise_for(resp, what)
        try:
            body = resp.json()
            tokens = {
                "access_token": str(body["access_token"]),
                "refresh_token": str(body["refresh_token"]),
                "expires_at": int(body["expires_at"]),
            }
        except (ValueError, KeyError, TypeError):
            raise Unavailable(f"{what}: Strava's answer had no usable tokens") from None
        athlete = body.get("athlete")
        if isinstance(athlete, dict) and isinstance(athlete.get("id"), int):
            tokens["athlete_id"] = athlete["id"]
        return tokens

    def exchange(self, code: str) -> dict[str, Any]:
        """Tokens for a one-time authorization code: access_token, refresh_token, expires_at
        and athlete_id. Raises AuthRequired (code refused or expired), Unavailable."""
        return self._token(
            {"code": code, "grant_type": "authorization_code"}, "exchanging the authorization code"
        )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """A new access token, and maybe a new refresh token (the old one then stops
        working). Raises AuthRequired when the grant was revoked, Unavailable."""
        return self._token(
            {"refresh_token": refresh_token, "grant_type": "refresh_token"}, "refreshing the access token"
        )

    def deauthorize(self, access_token: str) -> None:
        """Revoke syncd's access for the token's athlete. Raises ProviderError."""
        what = "revoking syncd's access"
        resp = self.post("/oauth/deauthorize", {"access_token": access_token}, what)
        if resp.status_code == 401:
            raise AuthRequired(f"{what}: the token was already invalid ({describe(resp)})")
        raise_for(resp, what)


def needs_refresh(tokens: dict[str, Any], now: datetime) -> bool:
    """True when the access token expires within REFRESH_MARGIN (or its expiry is unknown)."""
    try:
        expires = datetime.fromtimestamp(int(tokens["expires_at"]), UTC)
    except (KeyError, TypeError, ValueError):
        return True
    return expires - now < REFRESH_MARGIN


class StravaApi:
    """Authorized API calls for one athlete: budget checked first, token fresh, errors mapped."""

    def __init__(
        self,
        app: StravaApp,
        tokens: TokenStore,
        athlete: str,
        budget: Budget,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.athlete = athlete
        self.budget = budget
        self.clock = clock

    def _reconnect(self, why: str) -> AuthRequired:
        return AuthRequired(
            f"Strava no longer accepts syncd's access for {self.athlete} "
            f"({why}); reconnect with `syncd connect strava --athlete "
            f"{self.athlete}`",
            reason="the connection was revoked or expired",
        )

    def saved_tokens(self) -> dict[str, Any]:
        """The account's tokens from the token store. Raises AuthRequired if there are none."""
        tokens = self.tokens.load("strava", self.athlete)
        if tokens is None or not tokens.get("refresh_token"):
            raise self._reconnect("no saved tokens")
        return tokens

    def access_token(self, *, stale: str | None = None) -> tuple[str, bool]:
        """A usable access token and whether it was refreshed just now. `stale`: a token
        Strava refused, to replace even if its expiry says it is still good.

        The account's lock (every thread and process) is held from load to save, and the
        tokens are reloaded inside it: whoever waited finds the pair the other one saved.
        Raises AuthRequired (plainly worded when an earlier refresh was cut short by a stop
        after Strava had retired the old refresh token), Unavailable, TokenStoreError."""
        with self.tokens.locked("strava", self.athlete):
            tokens = self.saved_tokens()
            current = str(tokens.get("access_token", ""))
            if current and current != stale and not needs_refresh(tokens, self.clock()):
                return current, False
            cut_short = self.tokens.renewal_cut_short("strava", self.athlete)
            self.tokens.mark_renewing("strava", self.athlete)
            try:
                fresh = self.app.refresh(str(tokens["refresh_token"]))
            except AuthRequired as exc:
                if cut_short:
                    raise self._cut_short() from None
                raise self._reconnect(str(exc)) from None
            # Saved at once: Strava retired the old refresh token when it issued this one.
            self.tokens.save("strava", self.athlete, {**tokens, **fresh})
            log.info("%s/strava: access token refreshed", self.athlete)
            return str(fresh["access_token"]), True

    def _cut_short(self) -> AuthRequired:
        reason = (
            "syncd was stopped while Strava was renewing its access, after Strava had already "
            "retired the old key; nothing was lost, and connecting once more sets it right"
        )
        return AuthRequired(
            f"Strava needs {self.athlete} to connect syncd once more: {reason}; reconnect with "
            f"`syncd connect strava --athlete {self.athlete}`",
            reason=reason,
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """The decoded JSON answer of one API call (None: 404 with `missing_ok`).

        Raises RateLimited before a request that would cross the budget and on 429;
        AuthRequired on a 401 after a refresh; ApplicationInactive, Unavailable (5xx,
        timeouts, connection errors, broken JSON), ProviderError (other refusals)."""
        what = f"{method} {path}"
        token, refreshed = self.access_token()
        resp, state = self._send(method, path, token, params, body)
        if resp.status_code == 401:  # at most one retry, with a freshly refreshed token
            self._refuse(resp, what, refreshed)
            token, _ = self.access_token(stale=token)
            resp, state = self._send(method, path, token, params, body)
            if resp.status_code == 401:
                self._refuse(resp, what, True)
        if resp.status_code == 404 and missing_ok:
            return None
        if resp.status_code == 429:
            until = state.exhausted_until(self.clock(), method)
            raise RateLimited(
                f"Strava's rate limit for this app is reached; syncd continues at {until:%H:%M} UTC", until
            )
        raise_for(resp, what)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise Unavailable(f"{what}: Strava's answer was not valid JSON; will retry later") from None

    def _send(
        self, method: str, path: str, token: str, params: dict[str, Any] | None, body: dict[str, Any] | None
    ) -> tuple[requests.Response, BudgetState]:
        """One request within the budget; the response and the budget after it."""
        import requests

        self.budget.reserve(reads=method == "GET", writes=method != "GET")
        try:
            resp = self.app.session.request(
                method,
                f"{self.app.base_url}/api/v3{path}",
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.app.timeout,
            )
        except requests.RequestException as exc:
            self.budget.record(None, method)
            raise Unavailable(
                f"{method} {path}: Strava cannot be reached ({type(exc).__name__}); will retry later"
            ) from None
        return resp, self.budget.record(resp.headers, method)

    def _refuse(self, resp: requests.Response, what: str, refreshed: bool) -> None:
        """After a 401: raise unless one refresh may still help."""
        missing = missing_permission(resp)
        if missing == "activity:write_permission":
            raise ProviderError(
                f"{what}: {self.athlete} did not allow syncd to edit "
                "activities (activity:write); reconnect and leave it ticked"
            )
        if missing or refreshed:
            raise self._reconnect(describe(resp))
