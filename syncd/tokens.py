"""Where OAuth tokens live: with the state they belong to, never in the config file, never in
the SQLite database itself.

Tokens rotate on every refresh, so they are written often and must survive a crash mid-write.
Two backends, chosen with the environment variable ``SYNCD_TOKEN_STORE``:

``file`` (the default, because home servers rarely run a Secret Service)
    One JSON file per account, ``<provider>-<athlete>.json``, in ``<state dir>/tokens`` (mode
    0700, files 0600, written to a temporary file, fsynced and renamed over the old one, the
    directory fsynced after). ``$SYNCD_TOKEN_DIR`` puts them elsewhere; the state and its token
    directory are then tied (`syncd.tokens_place`), and a run that mixes one state with
    another's tokens is refused with a message naming both. Older syncd kept tokens in
    ``$XDG_CONFIG_HOME/syncd/tokens`` when no state directory was set; they are not read from
    there any more, and an account found only there is reported with the command to move it.

``keyring``
    The system keyring, service ``syncd``, user name ``<provider>:<athlete>``. The backend
    is pinned, never auto-detected (auto-detection can silently pick a plaintext or a
    null backend): ``$SYNCD_KEYRING_BACKEND`` names its class, default
    ``keyring.backends.SecretService.Keyring``.

Every account has a lock (`TokenStore.locked`, an flock shared by every syncd process on the
machine) held around load, refresh and save, and a "renewal in progress" mark (no token in it)
that tells a later refresh its predecessor was cut short. Token values are never logged;
errors name the file or the backend, not the contents.
"""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd import tokens_place
from syncd.errors import ConfigError
from syncd.tokens_lock import AccountLocks, TokenStoreError, check_names, fsync_dir

__all__ = ["FileTokenStore", "KeyringTokenStore", "TokenStore", "TokenStoreError", "token_store"]

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "syncd"
DEFAULT_KEYRING_BACKEND = "keyring.backends.SecretService.Keyring"


class TokenStore(AccountLocks, ABC):
    """Tokens of one account (provider + athlete) as a JSON object, with the account's lock
    and renewal mark (`AccountLocks`)."""

    @abstractmethod
    def load(self, provider: str, athlete: str) -> dict[str, Any] | None:
        """The saved tokens, or None if the account was never connected (or was deleted)."""

    @abstractmethod
    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        """Replace the account's tokens in one step. Raises TokenStoreError."""

    @abstractmethod
    def delete(self, provider: str, athlete: str) -> bool:
        """Forget the account's tokens; True if there were any."""


class FileTokenStore(TokenStore):
    """One 0600 JSON file per account in a 0700 directory."""

    def __init__(
        self,
        directory: Path,
        *,
        legacy: Path | None = None,
        on_save: Callable[[], None] | None = None,
    ) -> None:
        self.directory = directory
        self.lock_dir = directory
        self.legacy = legacy
        self.on_save = on_save

    def _path(self, provider: str, athlete: str) -> Path:
        check_names(provider, athlete)
        return self.directory / f"{provider}-{athlete}.json"

    def load(self, provider: str, athlete: str) -> dict[str, Any] | None:
        path = self._path(provider, athlete)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._not_left_behind(path)
            return None
        except OSError as exc:
            raise TokenStoreError(f"cannot read the token file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise TokenStoreError(
                f"the token file {path} is damaged; delete it and connect the account again"
            )
        return data

    def _not_left_behind(self, path: Path) -> None:
        """Raise TokenStoreError when the account's tokens sit where older syncd kept them."""
        if self.legacy is None or tokens_place.same(self.legacy, self.directory):
            return
        old = self.legacy / path.name
        if old.exists():
            raise TokenStoreError(
                f"the tokens for this account are in {old}, where older syncd kept them; syncd now "
                f"keeps them with the state, in {self.directory}: move them with "
                f"`mkdir -p -m 0700 {self.directory} && mv {self.legacy}/*.json {self.directory}/`"
            )

    def save(self, provider: str, athlete: str, tokens: dict[str, Any]) -> None:
        path = self._path(provider, athlete)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
            # mkstemp creates the file 0600, so the secret is never readable by others.
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
            try:
                tokens_place.match_owner(fd, self.directory)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(tokens, out, sort_keys=True)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            fsync_dir(self.directory)  # the rename itself survives a power cut
        except OSError as exc:
            raise TokenStoreError(
                f"cannot write the token file {path}: {exc.strerror}; "
                "check the directory's owner and permissions"
            ) from None
        self._saved(provider, athlete)

    def delete(self, provider: str, athlete: str) -> bool:
        path = self._path(provider, athlete)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise TokenStoreError(f"cannot delete the token file {path}: {exc.strerror}") from None
        self._saved(provider, athlete)
        return True


class KeyringTokenStore(TokenStore):
    """Tokens as one JSON password per account in a pinned keyring backend."""

    def __init__(
        self,
        backend: KeyringBackend,
        *,
        lock_dir: Path | None = None,
        on_save: Callable[[], None] | None = None,
    ) -> None:
        self.backend = backend
        self.lock_dir = lock_dir
        self.on_save = on_save

    @classmethod
    def pinned(
        cls,
        name: str | None = None,
        *,
        lock_dir: Path | None = None,
        on_save: Callable[[], None] | None = None,
    ) -> KeyringTokenStore:
        """The store on the backend class `name` (dotted path). Raises ConfigError."""
        name = name or pinned_backend()
        try:
            from keyring.core import load_keyring

            return cls(load_keyring(name), lock_dir=lock_dir, on_save=on_save)
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
        check_names(provider, athlete)
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
        check_names(provider, athlete)
        self._call(
            "save", self.backend.set_password, f"{provider}:{athlete}", json.dumps(tokens, sort_keys=True)
        )
        self._saved(provider, athlete)

    def delete(self, provider: str, athlete: str) -> bool:
        from keyring.errors import KeyringError, PasswordDeleteError

        check_names(provider, athlete)
        try:
            self.backend.delete_password(SERVICE, f"{provider}:{athlete}")
        except PasswordDeleteError:  # nothing stored: a subclass of KeyringError, so first
            return False
        except KeyringError as exc:
            raise TokenStoreError(
                f"the keyring cannot delete tokens ({type(exc).__name__}); "
                "unlock it, or set SYNCD_TOKEN_STORE=file"
            ) from None
        self._saved(provider, athlete)
        return True


def pinned_backend() -> str:
    """The keyring backend's dotted class name: $SYNCD_KEYRING_BACKEND or the Secret Service."""
    return os.environ.get("SYNCD_KEYRING_BACKEND") or DEFAULT_KEYRING_BACKEND


def token_store(state_dir: Path | None = None) -> TokenStore:
    """The token store of the state in `state_dir` (None, for callers that know no state: the
    state $SYNCD_TOKEN_DIR belongs to, else the default one), chosen by $SYNCD_TOKEN_STORE
    (file or keyring). Raises ConfigError for an unknown store, an unusable keyring, or a
    store that belongs to another state (`syncd.tokens_place.check`)."""
    state = state_dir if state_dir is not None else tokens_place.state_of_default()
    kind = os.environ.get("SYNCD_TOKEN_STORE", "file").strip().lower() or "file"
    if kind == "file":
        directory = tokens_place.token_dir(state)
        binding = tokens_place.file_binding(state, directory)
        tokens_place.check(state, binding, directory)

        def claim_file() -> None:
            tokens_place.claim(state, binding, directory)

        if tokens_place.holds_tokens(directory):
            claim_file()
        return FileTokenStore(directory, legacy=tokens_place.legacy_dir(), on_save=claim_file)
    if kind == "keyring":
        binding = tokens_place.keyring_binding(pinned_backend())
        tokens_place.check(state, binding, None)
        return KeyringTokenStore.pinned(
            lock_dir=state, on_save=lambda: tokens_place.claim(state, binding, None)
        )
    raise ConfigError([f"SYNCD_TOKEN_STORE: {kind!r} is not a token store; use 'file' or 'keyring'"])
