"""The token store: file and pinned-keyring backends, chosen by SYNCD_TOKEN_STORE."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import ClassVar

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from syncd.errors import ConfigError, ProviderError
from syncd.tokens import (
    FileTokenStore,
    KeyringTokenStore,
    TokenStoreError,
    token_store,
)

TOKENS = {
    "access_token": "a" * 40,
    "refresh_token": "r" * 40,
    "expires_at": 1_700_000_000,
    "athlete_id": 1513,
    "scope": "read,activity:read_all,activity:write",
}


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in memory (loaded by its dotted name)."""

    # Below every real backend, so keyring's own discovery (in any test) never picks it.
    priority = -1  # type: ignore[assignment]
    items: ClassVar[dict[tuple[str, str], str]] = {}
    locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked("locked")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise KeyringLocked("locked")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("not found")
        del self.items[(service, username)]


def test_file_store_round_trip_with_private_permissions(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens")
    assert store.load("strava", "sam") is None
    store.save("strava", "sam", TOKENS)
    assert store.load("strava", "sam") == TOKENS
    path = tmp_path / "tokens" / "strava-sam.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tokens").stat().st_mode) == 0o700
    store.save("strava", "sam", {**TOKENS, "refresh_token": "rotated"})
    assert store.load("strava", "sam")["refresh_token"] == "rotated"  # type: ignore[index]
    assert [p.name for p in (tmp_path / "tokens").iterdir()] == ["strava-sam.json"]  # no temp
    assert store.delete("strava", "sam") is True
    assert store.delete("strava", "sam") is False
    assert store.load("strava", "sam") is None


def test_a_failed_write_keeps_the_old_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileTokenStore(tmp_path)
    store.save("strava", "sam", TOKENS)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("syncd.tokens.os.replace", broken)
    with pytest.raises(TokenStoreError, match="cannot write"):
        store.save("strava", "sam", {"access_token": "new"})
    assert store.load("strava", "sam") == TOKENS
    assert [p.name for p in tmp_path.iterdir()] == ["strava-sam.json"]


def test_damaged_file_is_reported_without_its_contents(tmp_path: Path) -> None:
    (tmp_path / "strava-sam.json").write_text('{"access_token": "SECRETVALUE"')
    with pytest.raises(TokenStoreError) as caught:
        FileTokenStore(tmp_path).load("strava", "sam")
    assert "SECRETVALUE" not in str(caught.value)
    assert isinstance(caught.value, ProviderError)  # one broken account never stops the rest


@pytest.mark.parametrize("name", ["../x", "", "a/b", "sam.json"])
def test_names_cannot_escape_the_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        FileTokenStore(tmp_path).save("strava", name, TOKENS)


def test_tokens_live_with_the_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = token_store(tmp_path / "state")
    assert isinstance(store, FileTokenStore) and store.directory == tmp_path / "state" / "tokens"
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/syncd:/other")
    assert token_store().directory == Path("/var/lib/syncd/tokens")  # type: ignore[attr-defined]
    monkeypatch.delenv("STATE_DIRECTORY")
    # no state directory given: the default state's, never ~/.config/syncd/tokens any more
    assert token_store().directory == tmp_path / "xdg-state" / "syncd" / "tokens"  # type: ignore[attr-defined]
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(tmp_path / "mine"))
    assert token_store(tmp_path / "state").directory == tmp_path / "mine"  # type: ignore[attr-defined]


def test_keyring_store_uses_the_pinned_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    MemoryKeyring.items = {}
    monkeypatch.setenv("SYNCD_TOKEN_STORE", "keyring")
    monkeypatch.setenv("SYNCD_KEYRING_BACKEND", "test_strava_tokens.MemoryKeyring")
    store = token_store()
    assert isinstance(store, KeyringTokenStore)
    assert isinstance(store.backend, MemoryKeyring)
    store.save("strava", "sam", TOKENS)
    assert ("syncd", "strava:sam") in MemoryKeyring.items
    assert store.load("strava", "sam") == TOKENS
    assert store.delete("strava", "sam") is True
    assert store.delete("strava", "sam") is False
    assert store.load("strava", "sam") is None


def test_locked_keyring_says_what_to_do() -> None:
    store = KeyringTokenStore(MemoryKeyring())
    MemoryKeyring.locked = True
    try:
        with pytest.raises(TokenStoreError, match="SYNCD_TOKEN_STORE=file"):
            store.load("strava", "sam")
    finally:
        MemoryKeyring.locked = False


def test_store_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(token_store(), FileTokenStore)
    monkeypatch.setenv("SYNCD_TOKEN_STORE", "vault")
    with pytest.raises(ConfigError, match="'file' or 'keyring'"):
        token_store()
    monkeypatch.setenv("SYNCD_TOKEN_STORE", "keyring")
    monkeypatch.setenv("SYNCD_KEYRING_BACKEND", "no.such.Backend")
    with pytest.raises(ConfigError, match="cannot be loaded"):
        token_store()
