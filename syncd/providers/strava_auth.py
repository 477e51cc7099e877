"""Strava OAuth: the authorize URL and its `state`, the granted scope, code exchange, token
refresh and deauthorisation, and the mapping of Strava's error answers to syncd's errors.

Access tokens last six hours. `REFRESH_MARGIN` (15 minutes) before `expires_at`, the token
is refreshed before the next call rather than after a failed one: the margin covers a slow
pass and a Raspberry Pi's clock running a few minutes off before NTP catches up. Strava
may rotate the refresh token on every refresh; the caller saves the pair each time.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from syncd.errors import AuthRequired, ProviderError, RateLimited, SyncdError, Unavailable
from syncd.providers.strava_budget import Budget, BudgetState, next_window

if TYPE_CHECKING:
    import requests

    from syncd.tokens import TokenStore

log = logging.getLogger(__name__)

SCOPES = "activity:read_all,activity:write"
REFRESH_MARGIN = timedelta(minutes=15)
#: (connect, read) seconds: Strava answers in well under a second; a hung call must not
#: hold up the other accounts' passes.
TIMEOUT = (5.0, 30.0)


class ApplicationInactive(ProviderError):
    """Strava refuses every call of this app: its owner has no Strava subscription.

    A ProviderError but not AuthRequired: the athletes' tokens stay valid, reconnecting
    would not help; syncing resumes by itself once the owner reactivates the app."""


INACTIVE_MESSAGE = (
    "Strava refuses every request of this API application because it is inactive: since "
    "2026 the Strava account that owns the app needs an active Strava subscription. The app "
    "owner must subscribe and reactivate the app at https://www.strava.com/settings/api; "
    "syncd resumes by itself afterwards (no reconnect needed)"
)


def new_state() -> str:
    """A random, single-use `state` value for one authorisation."""
    return secrets.token_urlsafe(24)


def authorize_url(base_url: str, client_id: int, redirect_uri: str, state: str) -> str:
    """The page where the runner approves syncd's access."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": SCOPES,
            "state": state,
        },
        safe=":,",
    )
    return f"{base_url}/oauth/authorize?{query}"


@dataclass(frozen=True)
class Grant:
    """What the redirect carried: the one-time code and the scope the runner left ticked
    (None when only a bare code was pasted)."""

    code: str
    scope: str | None


def grant_from_redirect(text: str, state: str) -> Grant:
    """The grant in a redirected URL (or its query string, or a bare code).

    Raises SyncdError when the runner declined, the `state` does not match this
    authorisation (a forged or stale redirect), or no code is present."""
    text = text.strip()
    if "=" not in text:
        if not text or not text.isalnum():
            raise SyncdError(
                "that is not an authorization code; paste the whole address your browser was sent to"
            )
        return Grant(code=text, scope=None)
    query = urlsplit(text).query if "?" in text else text
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if params.get("error"):
        raise SyncdError(
            f"Strava did not authorize syncd ({params['error']}); run the command again and click Authorize"
        )
    if not secrets.compare_digest(params.get("state", ""), state):
        raise SyncdError(
            "the redirect's state does not match this connect attempt, so it "
            "was refused (a stale or forged link); run the command again"
        )
    if not params.get("code"):
        raise SyncdError(
            "the address has no code=...; paste the whole address your browser "
            "was sent to after clicking Authorize"
        )
    return Grant(code=params["code"], scope=params.get("scope", ""))


def check_scope(scope: str | None) -> list[str]:
    """Warnings about a granted scope (empty: all is well; unknown scope: assume so).

    Raises SyncdError when activities cannot be read at all."""
    if scope is None:
        return []
    granted = set(filter(None, scope.split(",")))
    if not granted & {"activity:read", "activity:read_all"}:
        raise SyncdError(
            "Strava did not grant access to your activities (the box 'View data about your "
            "activities' was unticked), and syncd cannot work without it; run connect again "
            "and leave it ticked"
        )
    warnings = []
    if "activity:read_all" not in granted:
        warnings.append(
            "activities visible only to you ('Only Me') will not be seen: the "
            "box for private activities was unticked"
        )
    if "activity:write" not in granted:
        warnings.append(
            "syncd cannot write notes on your activities: the permission to "
            "edit them (activity:write) was unticked; connected without notes "
            "(run connect again and leave it ticked to get them)"
        )
    return warnings


def can_write(tokens: dict[str, Any]) -> bool:
    """Whether the saved grant allows editing activities (unknown scope: try, Strava decides)."""
    scope = tokens.get("scope")
    return scope is None or "activity:write" in str(scope).split(",")


def _errors(resp: requests.Response) -> list[dict[str, Any]]:
    try:
        body = resp.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, dict):
        errors = [errors]
    return [e for e in errors or [] if isinstance(e, dict)]


def describe(resp: requests.Response) -> str:
    """Strava's own error codes, e.g. 'Athlete access_token invalid' (never a token value)."""
    parts = [
        " ".join(str(e.get(k, "")) for k in ("resource", "field", "code")).strip() for e in _errors(resp)
    ]
    return "; ".join(p for p in parts if p) or f"HTTP {resp.status_code}"


def missing_permission(resp: requests.Response) -> str | None:
    """The permission a 401 says the grant lacks (e.g. 'activity:write_permission')."""
    for error in _errors(resp):
        if error.get("code") == "missing" and str(error.get("field", "")).endswith("_permission"):
            return str(error["field"])
    return None


def raise_for(resp: requests.Response, what: str) -> None:
    """Map a failed answer to syncd's errors (401 and 404 are the caller's to handle first).

    Raises ApplicationInactive, AuthRequired (other 401/403 and refused grants),
    RateLimited (429), Unavailable (5xx) or ProviderError (anything else 4xx)."""
    status = resp.status_code
    if status < 400:
        return
    errors = _errors(resp)
    if status == 403 and any(
        e.get("resource") == "Application" and e.get("field") == "Status" and e.get("code") == "Inactive"
        for e in errors
    ):
        raise ApplicationInactive(INACTIVE_MESSAGE)
    if status == 429:
        until = next_window(datetime.now(UTC))
        raise RateLimited(f"{what}: Strava's rate limit is reached", until)
    if status >= 500:
        raise Unavailable(f"{what}: Strava answered {status}; will retry later")
    if status == 403:
        raise ProviderError(
            f"{what}: Strava refused it ({describe(resp)}); the authorization "
            "may lack a permission: reconnect with `syncd connect strava`"
        )
    raise ProviderError(f"{what}: Strava refused the request ({describe(resp)})")


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


# Per-account locks: the poller and the webhook worker may refresh the same account at once,
# and a rotated refresh token makes the loser's refresh fail.
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _account_lock(athlete: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(athlete, threading.Lock())


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
            f"{self.athlete}`"
        )

    def saved_tokens(self) -> dict[str, Any]:
        """The account's tokens from the token store. Raises AuthRequired if there are none."""
        tokens = self.tokens.load("strava", self.athlete)
        if tokens is None or not tokens.get("refresh_token"):
            raise self._reconnect("no saved tokens")
        return tokens

    def access_token(self, *, stale: str | None = None) -> tuple[str, bool]:
        """A usable access token and whether it was refreshed just now. `stale`: a token
        Strava refused, to replace even if its expiry says it is still good."""
        with _account_lock(self.athlete):
            tokens = self.saved_tokens()  # reloaded: another worker may have rotated them
            current = str(tokens.get("access_token", ""))
            if current and current != stale and not needs_refresh(tokens, self.clock()):
                return current, False
            try:
                fresh = self.app.refresh(str(tokens["refresh_token"]))
            except AuthRequired as exc:
                raise self._reconnect(str(exc)) from None
            # Saved before use: the old refresh token may already be dead at Strava.
            self.tokens.save("strava", self.athlete, {**tokens, **fresh})
            log.info("%s/strava: access token refreshed", self.athlete)
            return str(fresh["access_token"]), True

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
