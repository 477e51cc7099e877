"""The "for yourself" recipe of docs/service.md, as an ordinary user would follow it: a real
login user (`runner`, made in the overlay), each line in a fresh login shell as that user (so
`~/.profile` puts `~/.local/bin` on PATH once `make install` made it, as a new login would),
against a fake Strava and push receiver of its own. What they would notice after each step.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import world

USER = "runner"
HOME = Path("/home") / USER


def create_user() -> None:
    """A login user with a home directory from /etc/skel (Debian's ~/.profile among it)."""
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)


def bundle(source: Path, scratch: Path) -> Path:
    """The clone the service recipe made, as a file the user can clone from (git refuses a
    repository another user owns; a real user clones from the project's address)."""
    path = scratch / "syncd.bundle"
    subprocess.run(
        ["git", "-C", str(source), "bundle", "create", str(path), "HEAD"], check=True, capture_output=True
    )
    path.chmod(0o644)
    return path


def command(line: str) -> list[str]:
    """`line` typed at the user's own prompt: a login shell, with the editor they chose."""
    return ["runuser", "-l", USER, "-w", "EDITOR", "-c", line]


def _mine(path: Path, mode: str) -> str | None:
    if not path.exists():
        return f"{path} is missing"
    who, got = world.owner_and_mode(path)
    return None if (who, got) == (f"{USER}:{USER}", mode) else f"{path} is {who} {got}, not {USER} {mode}"


def _installed(done: Any, services: world.Services) -> str | None:
    venv = HOME / ".local/share/syncd/venv"
    if not (venv / "bin/syncd").exists():
        return f"no {venv}/bin/syncd"
    if (HOME / ".local/bin/syncd").resolve() != (venv / "bin/syncd").resolve():
        return "~/.local/bin/syncd does not lead to the installed syncd"
    test = subprocess.run([venv / "bin/python", "-c", "import pytest"], capture_output=True)
    return "the test tools (pytest) were installed too" if test.returncode == 0 else None


def _config(done: Any, services: world.Services) -> str | None:
    return _mine(HOME / ".config/syncd/config.toml", "0600")


def _secret(done: Any, services: world.Services) -> str | None:
    return _mine(HOME / ".config/syncd/credentials/strava_client_secret", "0600")


def _validated(done: Any, services: world.Services) -> str | None:
    return None if "config.toml: valid" in done.stdout else f"said: {done.stdout.strip()}"


def _connected(done: Any, services: world.Services) -> str | None:
    # today's token store keeps a user's tokens in ~/.config/syncd/tokens; issue 13 item 1
    # moves them beside the state, ~/.local/state/syncd/tokens: either is the user's own
    found = [p for p in (HOME / ".config/syncd/tokens", HOME / ".local/state/syncd/tokens") if p.exists()]
    files = [f for d in found for f in d.glob("strava-sam.json")]
    if len(files) != 1:
        return f"expected one strava-sam.json token file, found {files}"
    return _mine(files[0], "0600")


def _synced(done: Any, services: world.Services) -> str | None:
    note = services.strava.description(services.long_run_id) or ""
    if "— syncd —" not in note:
        return f"no note on the long run (sync said: {done.stdout.strip()})"
    pushed = [r.json() for r in services.sink.requests if r.method == "POST"]
    if not any(p.get("type") == "warning" for p in pushed):
        return f"no warning push (received {[p.get('title') for p in pushed]})"
    db = HOME / ".local/state/syncd/syncd.sqlite3"
    who = world.owner_and_mode(db)[0] if db.exists() else "nobody (missing)"
    return None if who == f"{USER}:{USER}" else f"{db} belongs to {who}"


def _status(done: Any, services: world.Services) -> str | None:
    state = HOME / ".local/state/syncd/syncd.sqlite3"
    return None if f"state {state}" in done.stdout else f"said: {done.stdout.strip()[:200]}"


STEP_CHECKS = [
    (r"make .*install", _installed),
    (r"syncd config init", _config),
    (r"credentials/strava_client_secret", _secret),
    (r"syncd config validate", _validated),
    (r"syncd connect strava", _connected),
    (r"syncd sync\b", _synced),
    (r"syncd status\b", _status),
]
