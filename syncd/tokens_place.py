"""Where an account's tokens live: with the state they belong to, and nowhere else.

The tokens of the state in `S` are in `S/tokens`; `$SYNCD_TOKEN_DIR` (or `SYNCD_TOKEN_STORE=
keyring`) puts them elsewhere. The state and its tokens are tied: the state directory records
where its tokens are (`S/token-store`, written when the first token is saved), and a token
directory outside its state records which state it belongs to (`<dir>/state-dir`). Any other
combination of `--state-dir`, environment and user is refused with a message naming both
places, so no such combination can make a healthy account look disconnected (and push
"reconnect" to the runner's phone) or sync an account into a second state beside the service.

Nothing here is secret: the records hold paths and a backend's name, never a token.
"""

from __future__ import annotations

import os
from pathlib import Path

from syncd.errors import ConfigError

#: In the state directory: where its tokens are ("file tokens", "file /abs/dir", "keyring ...").
BINDING = "token-store"
#: In a token directory outside its state: the state directory it belongs to.
OWNER = "state-dir"


def token_dir(state: Path) -> Path:
    """$SYNCD_TOKEN_DIR, else `<state>/tokens`."""
    override = os.environ.get("SYNCD_TOKEN_DIR")
    return Path(override).expanduser() if override else state / "tokens"


def state_of_default() -> Path:
    """The state a caller that names none works with: the one $SYNCD_TOKEN_DIR belongs to (when
    it says), else the default state directory (`syncd.paths.state_dir`)."""
    from syncd.paths import state_dir

    override = os.environ.get("SYNCD_TOKEN_DIR")
    owner = _owner(Path(override).expanduser()) if override else None
    return owner if owner is not None else state_dir()


def legacy_dir() -> Path:
    """Where older syncd kept tokens by default ($XDG_CONFIG_HOME/syncd/tokens)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "syncd" / "tokens"


def file_binding(state: Path, directory: Path) -> str:
    """The record of a file store: relative for the state's own directory (so moving the
    state moves its tokens along), else the absolute path."""
    if same(directory, state / "tokens"):
        return "file tokens"
    return f"file {directory.expanduser().absolute()}"


def keyring_binding(backend: str) -> str:
    """The record of a keyring store: the backend and the user whose keyring it is."""
    return f"keyring {backend} uid {os.geteuid()}"


def same(a: Path, b: Path) -> bool:
    return os.path.abspath(a.expanduser()) == os.path.abspath(b.expanduser())


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError([f"cannot read {path}: {exc.strerror}; check its owner and permissions"]) from None


def _place(state: Path, binding: str) -> str:
    """A record as people read it: the directory, or the keyring."""
    kind, _, rest = binding.partition(" ")
    if kind == "file":
        return str(state / rest) if rest == "tokens" else rest
    return f"the keyring ({rest})"


def check(state: Path, binding: str, directory: Path | None) -> None:
    """Refuse a token store that is not this state's. `binding` describes the store this run
    would use (`file_binding` / `keyring_binding`), `directory` its directory (None: keyring).
    Raises ConfigError naming both places and the fix."""
    recorded = _read(state / BINDING)
    if recorded is not None and recorded != binding:
        raise ConfigError(
            [
                f"the state in {state} keeps its account tokens in {_place(state, recorded)}, but this "
                f"run would use {_place(state, binding)}: run syncd with the same SYNCD_TOKEN_DIR and "
                "SYNCD_TOKEN_STORE as the service (and as the same user), or move the tokens there and "
                f"delete {state / BINDING}"
            ]
        )
    if directory is None or same(directory, state / "tokens"):
        return
    owner = _owner(directory)
    if owner is not None and not same(owner, state):
        raise ConfigError(
            [
                f"the tokens in {directory} belong to the state in {owner}, not to {state}: use "
                f"--state-dir {owner}, or unset SYNCD_TOKEN_DIR to use {state / 'tokens'}"
            ]
        )
    if recorded is None and holds_tokens(state / "tokens"):
        raise ConfigError(
            [
                f"the state in {state} keeps its account tokens in {state / 'tokens'}, but "
                f"SYNCD_TOKEN_DIR points to {directory}: unset SYNCD_TOKEN_DIR, or move the token "
                "files there"
            ]
        )


def _owner(directory: Path) -> Path | None:
    """The state a token directory belongs to: the one its record names, else the state
    directory it sits in (`<state>/tokens`), else None (not claimed yet)."""
    named = _read(directory / OWNER)
    if named is not None:
        return Path(named)
    if directory.name == "tokens" and (directory.parent / "syncd.sqlite3").exists():
        return directory.parent
    return None


def holds_tokens(directory: Path) -> bool:
    try:
        return any(p.suffix == ".json" and not p.name.startswith(".") for p in directory.iterdir())
    except OSError:
        return False


def claim(state: Path, binding: str, directory: Path | None) -> None:
    """Record the tie (once): the state's token store, and the token directory's state."""
    if not (state / BINDING).exists() and state.is_dir():
        write_small(state / BINDING, binding + "\n")
    outside = directory is not None and not same(directory, state / "tokens")
    if outside and directory is not None and directory.is_dir() and not (directory / OWNER).exists():
        write_small(directory / OWNER, str(state.expanduser().absolute()) + "\n")


def write_small(path: Path, text: str) -> None:
    """Write a small file (mode 0600), owned like its directory when root writes it (so
    `sudo syncd ...` never leaves a file the service's user cannot read). Raises ConfigError."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            match_owner(fd, path.parent)
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError([f"cannot write {path}: {exc.strerror}; check its owner and permissions"]) from None


def match_owner(fd: int, directory: Path) -> None:
    """Give a file root creates the owner of its directory (no-op for anyone else)."""
    if os.geteuid() != 0:
        return
    info = os.stat(directory)
    if info.st_uid != 0 or info.st_gid != 0:
        os.fchown(fd, info.st_uid, info.st_gid)
