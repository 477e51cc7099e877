"""Strava's error answers → syncd's domain errors, in Strava's own words (never a token)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syncd.errors import ProviderError, RateLimited, Unavailable
from syncd.providers.strava.budget import next_window

if TYPE_CHECKING:
    import requests


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
