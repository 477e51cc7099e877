"""Signed answer links and one-time form tokens: compact, URL-safe, HMAC-SHA256.

A token is `BASE64URL(JSON payload) "." BASE64URL(first 16 bytes of the HMAC)`. A link's
payload names the athlete, the question (and what it is about), an answer to preselect, the
expiry and a nonce; the links of one push share their nonce, so answering one spends them
all. A form token is bound to the link whose page carries it (by a digest of that link) and
to one question, and lives a day. Refusals say why in a few words and never what a token held.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LINK_DAYS = 7
FORM_HOURS = 24
_SIG_BYTES = 16


class Refused(Exception):
    """A token that cannot be used; `reason` is one of "invalid", "expired", "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Link:
    """What a signed link grants: one athlete, one question (`question` "page": the runner's
    page; "status": the owner's), what it is about, an answer to preselect, until `expires`."""

    athlete: str
    question: str
    about: str
    preset: str
    expires: int  # unix seconds
    nonce: str


@dataclass(frozen=True, slots=True)
class Form:
    """A one-time form token: the link it was issued on, its question, its nonce."""

    link: str  # digest of the link token
    question: str
    about: str
    expires: int
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest()[:_SIG_BYTES])


def _seal(key: bytes, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(key, body)}"


def _open(key: bytes, token: str) -> dict[str, Any]:
    """The payload of a token signed with `key`; raises Refused("invalid")."""
    body, dot, sig = token.partition(".")
    if not dot or not body or not hmac.compare_digest(sig.encode(), _mac(key, body).encode()):
        raise Refused("invalid")
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        raise Refused("invalid") from None
    if not isinstance(payload, dict):
        raise Refused("invalid")
    return payload


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def sign_link(
    key: bytes,
    athlete: str,
    question: str,
    now: datetime,
    *,
    about: str = "",
    preset: str = "",
    nonce: str | None = None,
    days: int = LINK_DAYS,
) -> str:
    """A signed link token for `question` of `athlete`, valid for `days` from `now`."""
    expires = int((now + timedelta(days=days)).timestamp())
    payload = {"a": athlete, "q": question, "o": about, "x": preset, "e": expires, "n": nonce or new_nonce()}
    return _seal(key, payload)


def open_link(key: bytes, token: str, now: datetime) -> Link:
    """The link a token grants; raises Refused("invalid") or Refused("expired")."""
    p = _open(key, token)
    try:
        link = Link(str(p["a"]), str(p["q"]), str(p["o"]), str(p["x"]), int(p["e"]), str(p["n"]))
    except (KeyError, TypeError, ValueError):
        raise Refused("invalid") from None
    if now.timestamp() >= link.expires:
        raise Refused("expired")
    return link


def link_digest(token: str) -> str:
    """A short digest naming a link token (form tokens are bound to it)."""
    return hashlib.sha256(("syncd-link:" + token).encode()).hexdigest()[:32]


def sign_form(key: bytes, link_token: str, question: str, about: str, now: datetime) -> str:
    """A one-time form token for answering `question` on the page `link_token` opened."""
    expires = int((now + timedelta(hours=FORM_HOURS)).timestamp())
    payload = {"l": link_digest(link_token), "q": question, "o": about, "e": expires, "n": new_nonce()}
    return _seal(key, payload)


def open_form(key: bytes, token: str, link_token: str, now: datetime) -> Form:
    """The form a token allows on this link's page; raises Refused("invalid"/"expired")."""
    p = _open(key, token)
    try:
        form = Form(str(p["l"]), str(p["q"]), str(p["o"]), int(p["e"]), str(p["n"]))
    except (KeyError, TypeError, ValueError):
        raise Refused("invalid") from None
    if not hmac.compare_digest(form.link, link_digest(link_token)):
        raise Refused("invalid")  # a form of another link's page (another athlete's, say)
    if now.timestamp() >= form.expires:
        raise Refused("expired")
    return form
