"""The per-install signing key: random, created on first use, kept in the token store beside
the OAuth tokens (a 0600 file or the keyring), never in the config, the state or a page.

Each use gets its own key derived from it, so a runner's link can never pass for the owner's
status link or for a form token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from pathlib import Path

from syncd.errors import ConfigError
from syncd.tokens import TokenStore, token_store

ACCOUNT = ("syncd", "web-key")  # (provider, athlete) in the token store's naming
PURPOSES = ("runner", "owner", "form")

_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def _where(store: TokenStore) -> str:
    return repr(getattr(store, "directory", None) or getattr(store, "backend", None) or store)


def state_key(state: Path) -> bytes:
    """The install key kept with the tokens of the state in `state` (`install_key`)."""
    return install_key(token_store(state))


def install_key(store: TokenStore | None = None) -> bytes:
    """The install's 32-byte key, created and saved on first use. Raises ConfigError when the
    token store holds a damaged entry (the fix: delete it; old links stop working)."""
    store = store or token_store()
    where = _where(store)
    with _lock:
        if where in _cache:
            return _cache[where]
        saved = store.load(*ACCOUNT)
        if saved is None:
            saved = {"key": secrets.token_hex(32)}
            store.save(*ACCOUNT, saved)
        raw = saved.get("key")
        try:
            key = bytes.fromhex(str(raw))
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ConfigError(
                [
                    f"the answer-link key ({ACCOUNT[0]}-{ACCOUNT[1]} in the token store) is damaged; "
                    "delete it and syncd makes a new one (links already sent stop working)"
                ]
            )
        _cache[where] = key
        return key


def derived(key: bytes, purpose: str) -> bytes:
    """The key for one purpose ("runner", "owner", "form")."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    return hmac.new(key, b"syncd-web:" + purpose.encode(), hashlib.sha256).digest()


def forget_cache() -> None:
    """Drop the cached keys (tests that swap token stores)."""
    with _lock:
        _cache.clear()
