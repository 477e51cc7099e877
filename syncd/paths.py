"""Where syncd looks for its config file and keeps its state.

Two kinds of installation share these rules. For one person: the config in
`~/.config/syncd/config.toml`, the state in `~/.local/state/syncd`. As a system service
(docs/service.md): the config in `/etc/syncd/config.toml`, the state in `/var/lib/syncd`,
the secrets in `/etc/syncd/credentials`, the same places whether systemd starts syncd (and
sets `$STATE_DIRECTORY`, `$CREDENTIALS_DIRECTORY`) or the admin runs `sudo -u syncd syncd ...`.
"""

from __future__ import annotations

import os
from pathlib import Path

from syncd.errors import ConfigError

SYSTEM_CONFIG = Path("/etc/syncd/config.toml")
SYSTEM_STATE = Path("/var/lib/syncd")
SYSTEM_CREDENTIALS = Path("/etc/syncd/credentials")


def user_config_path() -> Path:
    """$XDG_CONFIG_HOME/syncd/config.toml, else ~/.config/syncd/config.toml."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "syncd" / "config.toml"


def config_path(cli_value: str | None = None) -> Path:
    """--config, else $SYNCD_CONFIG, else $XDG_CONFIG_HOME/syncd/config.toml, else
    ~/.config/syncd/config.toml if it exists, else /etc/syncd/config.toml."""
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get("SYNCD_CONFIG"):
        return Path(os.environ["SYNCD_CONFIG"]).expanduser()
    user = user_config_path()
    return user if os.environ.get("XDG_CONFIG_HOME") or user.exists() else SYSTEM_CONFIG


def _systemd_state() -> Path | None:
    value = os.environ.get("STATE_DIRECTORY")
    return Path(value.split(":")[0]) if value else None


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def is_system_config(path: Path | None) -> bool:
    """Whether `path` is the system service's config file, /etc/syncd/config.toml."""
    return path is not None and _same(path, SYSTEM_CONFIG)


def state_dir(
    cli_value: str | None = None, *, config_file: Path | None = None, configured: str | None = None
) -> Path:
    """The state directory: --state-dir, else $STATE_DIRECTORY (systemd), else the config's
    `[daemon] state_dir`, else /var/lib/syncd when the config in use is
    /etc/syncd/config.toml, else $XDG_STATE_HOME/syncd, else ~/.local/state/syncd.

    Raises ConfigError naming both directories when $STATE_DIRECTORY and --state-dir or
    `[daemon] state_dir` disagree: the service's state (and the tokens in it) is one place."""
    systemd = _systemd_state()
    chosen: tuple[Path, str] | None = None
    if cli_value:
        chosen = Path(cli_value).expanduser(), "--state-dir"
    elif configured:
        chosen = Path(configured).expanduser(), f"[daemon] state_dir in {config_file}"
    if chosen is not None:
        if systemd is not None and not _same(chosen[0], systemd):
            raise ConfigError(
                [
                    f"state directory: {chosen[1]} is {chosen[0]}, but $STATE_DIRECTORY is {systemd}; "
                    "the state and the tokens in it must be one place: leave out one of the two, "
                    "or make them the same"
                ]
            )
        return chosen[0]
    if systemd is not None:
        return systemd
    if is_system_config(config_file):
        return SYSTEM_STATE
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg:
        return Path(xdg) / "syncd"
    return Path.home() / ".local" / "state" / "syncd"


def is_system_state(directory: Path, config_file: Path | None, configured: str | None) -> bool:
    """Whether `directory` was chosen as a system service's state (not by the environment
    or --state-dir): the config's state_dir key, or the /etc config's default."""
    if _systemd_state() is not None:
        return False
    return bool(configured) or is_system_config(config_file)
