"""Where syncd looks for its config file and keeps its state."""

from __future__ import annotations

import os
from pathlib import Path


def config_path(cli_value: str | None = None) -> Path:
    """--config, else $SYNCD_CONFIG, else $XDG_CONFIG_HOME/syncd/config.toml, else /etc/syncd/."""
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get("SYNCD_CONFIG"):
        return Path(os.environ["SYNCD_CONFIG"]).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        return Path(xdg) / "syncd" / "config.toml"
    user = Path.home() / ".config" / "syncd" / "config.toml"
    return user if user.exists() else Path("/etc/syncd/config.toml")


def state_dir(cli_value: str | None = None) -> Path:
    """--state-dir, else $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/syncd, else ~/.local/state."""
    if cli_value:
        return Path(cli_value).expanduser()
    systemd = os.environ.get("STATE_DIRECTORY")
    if systemd:
        return Path(systemd.split(":")[0])
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg:
        return Path(xdg) / "syncd"
    return Path.home() / ".local" / "state" / "syncd"
