"""`syncd doctor`: the checks that need the machine, the state and the network, after the
config's own (`syncd.checks`): the state and token directories (owner, mode, writable), each
account's tokens (present, not expired without a way to refresh, the scopes its settings
need), and whether Strava serves the API application. One `Check` per line, with the fix.

Tokens are read through the token store's public API (`token_store().load`), never printed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd.checks import Check
from syncd.errors import ConfigError, SyncdError

if TYPE_CHECKING:
    from syncd.config import AthleteConfig, Config
    from syncd.tokens import TokenStore


def _owner(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def directory_checks(subject: str, directory: Path, private: bool) -> Iterator[Check]:
    """A directory syncd writes to: this user's, not open to others (when `private`), writable."""
    try:
        st = directory.stat()
    except FileNotFoundError:
        yield Check(subject, "ok", f"{directory} does not exist yet; syncd creates it (mode 0700)")
        return
    except OSError as exc:
        yield Check(subject, "fail", f"{directory} cannot be looked at ({exc.strerror}); check its parents")
        return
    if not stat.S_ISDIR(st.st_mode):
        yield Check(subject, "fail", f"{directory} is a file, not a directory; move it away")
        return
    me, mode = os.geteuid(), stat.S_IMODE(st.st_mode)
    if st.st_uid != me:
        owner = _owner(st.st_uid)
        yield Check(
            subject,
            "fail",
            f"{directory} belongs to {owner}, not to {_owner(me)}; run it as that user: "
            f"sudo -u {owner} syncd doctor",
        )
        return
    if private and mode & 0o077:
        yield Check(
            subject, "warn", f"{directory} is mode {mode:04o}, open to others; chmod 0700 {directory}"
        )
    elif not os.access(directory, os.W_OK | os.X_OK):
        yield Check(
            subject, "fail", f"{directory} is not writable (mode {mode:04o}); chmod u+rwx {directory}"
        )
    else:
        yield Check(subject, "ok", f"{directory} ({_owner(me)}, {mode:04o}, writable)")


def token_store_checks(state: Path) -> tuple[list[Check], TokenStore | None]:
    """The token store of the state in `state` itself: for files, the directory and each
    file's mode."""
    from syncd.tokens import FileTokenStore, token_store

    try:
        tokens = token_store(state)
    except ConfigError as exc:
        return [Check("token store", "fail", "; ".join(exc.problems))], None
    if not isinstance(tokens, FileTokenStore):
        return [Check("token store", "ok", f"keyring backend {type(tokens).__name__}")], tokens
    checks = list(directory_checks("token directory", tokens.directory, private=True))
    for path in sorted(tokens.directory.glob("*.json")) if tokens.directory.is_dir() else []:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            checks.append(
                Check(f"tokens {path.stem}", "fail", f"{path} is mode {mode:04o}; chmod 0600 {path}")
            )
    return checks, tokens


def _strava_tokens(saved: dict[str, Any], athlete: AthleteConfig, now: datetime) -> Check:
    subject = f"{athlete.name}/strava tokens"
    expires = saved.get("expires_at")
    expired = isinstance(expires, int | float) and expires < now.timestamp()
    if expired and not saved.get("refresh_token"):
        return Check(
            subject, "fail", f"expired, with no way to refresh; syncd connect strava --athlete {athlete.name}"
        )
    granted = set(filter(None, str(saved.get("scope") or "").split(",")))
    reconnect = f"reconnect and leave it ticked: syncd connect strava --athlete {athlete.name}"
    if saved.get("scope") is not None and not granted & {"activity:read", "activity:read_all"}:
        return Check(subject, "fail", f"no permission to read activities; {reconnect}")
    if saved.get("scope") is not None and athlete.notes.get("strava") and "activity:write" not in granted:
        return Check(
            subject, "fail", f"notes are on, but the permission to edit activities is missing; {reconnect}"
        )
    when = "expired, refreshed at the next pass" if expired else "valid"
    scope = saved.get("scope") or "not known (a pasted code)"
    return Check(subject, "ok", f"present, access token {when}; scope {scope}")


def account_checks(config: Config, tokens: TokenStore) -> Iterator[Check]:
    """Each configured account: connected (tokens present), and for Strava, usable."""
    now = datetime.now(UTC)
    for athlete in config.athletes:
        for provider in athlete.providers:
            if provider not in ("strava", "garmin"):
                continue  # a plugin keeps its credentials its own way
            try:
                saved = tokens.load(provider, athlete.name)
            except SyncdError as exc:
                yield Check(f"{athlete.name}/{provider} tokens", "fail", str(exc))
                continue
            if saved is None:
                yield Check(
                    f"{athlete.name}/{provider} tokens",
                    "fail",
                    f"not connected yet; syncd connect {provider} --athlete {athlete.name}",
                )
            elif provider == "strava":
                yield _strava_tokens(saved, athlete, now)
            else:
                yield Check(f"{athlete.name}/garmin tokens", "ok", "present (a saved sign-in)")


def strava_app_check(config: Config, tokens: TokenStore, store: Any) -> Check | None:
    """Whether Strava serves the API application: one listing request (a single activity)
    with the first connected
    athlete's tokens (a refresh, when due, is saved as at any pass). None: nobody to ask."""
    from syncd.errors import AuthRequired, Unavailable
    from syncd.providers.strava.api import ApplicationInactive, StravaApi, StravaApp
    from syncd.providers.strava.budget import Budget
    from syncd.secrets import resolve

    strava = config.strava
    names = [a.name for a in config.athletes if "strava" in a.providers]
    if strava.client_id is None or strava.client_secret is None or not names:
        return None
    try:
        connected = next((n for n in names if tokens.load("strava", n) is not None), None)
        secret = resolve(strava.client_secret)
    except SyncdError:
        return None  # said by the checks above
    if connected is None:
        return Check("strava app", "warn", "not checked: no athlete has connected Strava yet")
    app = StravaApp(strava.base_url, strava.client_id, secret)
    api = StravaApi(app, tokens, connected, Budget(store, strava.client_id))
    try:
        api.call("GET", "/athlete/activities", params={"per_page": 1})
    except ApplicationInactive as exc:
        return Check("strava app", "fail", str(exc))
    except AuthRequired as exc:
        return Check("strava app", "fail", f"{exc}; syncd connect strava --athlete {connected}")
    except Unavailable as exc:
        return Check("strava app", "warn", f"Strava cannot be reached now ({exc}); try again later")
    except SyncdError as exc:
        return Check("strava app", "fail", str(exc))
    return Check(
        "strava app", "ok", f"active: Strava answered for {connected} (client id {strava.client_id})"
    )
