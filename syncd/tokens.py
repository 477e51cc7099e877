"""Where OAuth tokens live: never in the config file, never in the SQLite state.

Tokens rotate on every refresh, so they are written often and must survive a crash mid-write.
Two backends, chosen with the environment variable ``SYNCD_TOKEN_STORE``:

``file`` (the default, because home servers rarely run a Secret Service)
    One JSON file per account, ``<provider>-<athlete>.json``, in a directory of its own
    (mode 0700, files 0600, written to a temporary file and renamed over the old one).
    The directory is ``$SYNCD_TOKEN_DIR`` if set; else ``$STATE_DIRECTORY/tokens`` under
    systemd (the only place a ``ProtectSystem=strict`` unit may write, kept beside but
    apart from syncd.sqlite3); else ``$XDG_CONFIG_HOME/syncd/tokens`` (``~/.config/...``).
    Run ``syncd connect`` as the service's user with the same environment as the daemon
    (e.g. ``sudo -u syncd env STATE_DIRECTORY=/var/lib/syncd syncd connect strava ...``).

``keyring``
    The system keyring, service ``syncd``, user name ``<provider>:<athlete>``. The backend
    is pinned, never auto-detected (auto-detection can silently pick a plaintext or a
    null backend): ``$SYNCD_KEYRING_BACKEND`` names its class, default
    ``keyring.backends.SecretService.Keyring``.

Token values are never logged; errors name the file or the backend, not the contents.
"""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd.errors import ConfigError, ProviderError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "syncd"
DEFAULT_KEYRING_BACKEND = "keyring.backends.SecretService.Keyring"


class TokenStoreError(ProviderError):
    """The token store cannot be read or written; says where and what to do.

    A ProviderError, so one account whose tokens cannot be read never stops the others."""


class TokenStore(ABC):
    """Tokens of one account (provider + athlete) as a JSON object."""

    @abstractmethod
    def load(self, provider: str, athlete: str) -> dict[str, Any] | None:
        """The saved tokens, or None if the account was never connected (or was deleted)."""

    @abstractmethod
    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        """Replace the account's tokens in one step. Raises TokenStoreError."""

    @abstractmethod
    def delete(self, provider: str, athlete: str) -> bool:
        """Forget the account's tokens; True if there were any."""


def _check_names(provider: str, athlete: str) -> None:
    # Names end up in file names and keyring keys: refuse anything that could escape.
    for value in (provider, athlete):
        if not value or not all(c.isalnum() or c in "-_" for c in value):
            raise ValueError(f"invalid account name part {value!r}")


class FileTokenStore(TokenStore):
    """One 0600 JSON file per account in a 0700 directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, provider: str, athlete: str) -> Path:
        _check_names(provider, athlete)
        return self.directory / f"{provider}-{athlete}.json"

    def load(self, provider: str, athlete: str) -> dict[str, Any] | None:
        path = self._path(provider, athlete)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(f"cannot read the token file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise TokenStoreError(
                f"the token file {path} is damaged; delete it and connect the account again"
            ) from None
        if not isinstance(data, dict):
            raise TokenStoreError(
                f"the token file {path} is damaged; delete it and connect the account again"
            )
        return data

    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        path = self._path(provider, athlete)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
            # mkstemp creates the file 0600, so the secret is never readable by others.
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(tokens, out, sort_keys=True)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise TokenStoreError(
                f"cannot write the token file {path}: {exc.strerror}; "
                "check the directory's owner and permissions"
            ) from None

    def delete(self, provider: str, athlete: str) -> bool:
        path = self._path(provider, athlete)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise TokenStoreError(f"cannot delete the token file {path}: {exc.strerror}") from None
        return True


class KeyringTokenStore(TokenStore):
    """Tokens as one JSON password per account in a pinned keyring backend."""

    def __init__(self, backend: KeyringBackend) -> None:
        self.backend = backend

    @classmethod
    def pinned(cls, name: str | None = None) -> KeyringTokenStore:
        """The store on the backend class `name` (dotted path). Raises ConfigError."""
        name = name or os.environ.get("SYNCD_KEYRING_BACKEND") or DEFAULT_KEYRING_BACKEND
        try:
            from keyring.core import load_keyring

            return cls(load_keyring(name))
        except Exception as exc:  # import errors, missing D-Bus, ...: all mean "not usable"
            raise ConfigError(
                [
                    f"SYNCD_KEYRING_BACKEND: the keyring backend {name!r} cannot "
                    f"be loaded ({type(exc).__name__}); set SYNCD_TOKEN_STORE=file "
                    "or name a working backend"
                ]
            ) from None

    def _call(self, what: str, func: Any, *args: str) -> Any:
        from keyring.errors import KeyringError

        try:
            return func(SERVICE, *args)
        except KeyringError as exc:
            raise TokenStoreError(
                f"the keyring cannot {what} tokens ({type(exc).__name__}); "
                "unlock it, or set SYNCD_TOKEN_STORE=file"
            ) from None

    def load(self, provider: str, athlete: str) -> dict[str, Any] | None:
        _check_names(provider, athlete)
        text = self._call("read", self.backend.get_password, f"{provider}:{athlete}")
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise TokenStoreError(
                f"the keyring entry {SERVICE}/{provider}:{athlete} is damaged; connect the account again"
            )
        return data

    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        _check_names(provider, athlete)
        self._call(
            "save", self.backend.set_password, f"{provider}:{athlete}", json.dumps(tokens, sort_keys=True)
        )

    def delete(self, provider: str, athlete: str) -> bool:
        from keyring.errors import KeyringError, PasswordDeleteError

        _check_names(provider, athlete)
        try:
            self.backend.delete_password(SERVICE, f"{provider}:{athlete}")
        except PasswordDeleteError:  # nothing stored: a subclass of KeyringError, so first
            return False
        except KeyringError as exc:
            raise TokenStoreError(
                f"the keyring cannot delete tokens ({type(exc).__name__}); "
                "unlock it, or set SYNCD_TOKEN_STORE=file"
            ) from None
        return True


def default_token_dir() -> Path:
    """$SYNCD_TOKEN_DIR, else $STATE_DIRECTORY/tokens, else $XDG_CONFIG_HOME/syncd/tokens."""
    if os.environ.get("SYNCD_TOKEN_DIR"):
        return Path(os.environ["SYNCD_TOKEN_DIR"]).expanduser()
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0]) / "tokens"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "syncd" / "tokens"


def token_store() -> TokenStore:
    """The store chosen by $SYNCD_TOKEN_STORE (file or keyring). Raises ConfigError."""
    kind = os.environ.get("SYNCD_TOKEN_STORE", "file").strip().lower() or "file"
    if kind == "file":
        return FileTokenStore(default_token_dir())
    if kind == "keyring":
        return KeyringTokenStore.pinned()
    raise ConfigError([f"SYNCD_TOKEN_STORE: {kind!r} is not a token store; use 'file' or 'keyring'"])
