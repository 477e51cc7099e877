"""Strava OAuth as the runner sees it: the authorize URL and its `state`, the redirect that
comes back (the grant), and what the granted scope allows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from syncd.errors import SyncdError

SCOPES = "activity:read_all,activity:write"


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
