"""What every command shares: the config and the state, JSON or text output, argument types,
and `Add`, the helper each command module registers its parsers with."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from syncd.errors import ConfigError

if TYPE_CHECKING:
    from datetime import date

    from syncd.config import Config
    from syncd.store import Store

Command = Callable[[argparse.Namespace], int]


class Add(Protocol):
    """Adds one command: its name, function and help, under `parent` (default: top level)."""

    def __call__(self, name: str, func: Command, help: str, parent: Any = ...) -> argparse.ArgumentParser: ...


def load_config(args: argparse.Namespace, *, required: bool = False) -> Config:
    """The validated config, its rules and plugins checked against what is installed;
    without a file (and none named) the defaults, unless required. Raises ConfigError.
    Kept on `args` for the state directory (`state_of`)."""
    from syncd import config as cfg
    from syncd.paths import config_path
    from syncd.registry import check_plugins

    path = config_path(args.config)
    named = bool(args.config) or bool(os.environ.get("SYNCD_CONFIG"))
    if not path.exists() and not (required or named):
        loaded = cfg.Config()
    else:
        loaded = cfg.load(path)
        try:
            check_plugins(loaded)
        except ConfigError as exc:
            raise ConfigError(exc.problems, str(path)) from None
    args._syncd_config = loaded
    state_of(args)  # a system install's state directory, bound before anything looks for tokens
    return loaded


def state_of(args: argparse.Namespace) -> Path:
    """The state directory of this command (`syncd.paths.state_dir`: --state-dir,
    $STATE_DIRECTORY, the config's [daemon] state_dir, /var/lib/syncd for the /etc config,
    the user's). Loads the config if the command has not. Raises ConfigError."""
    from syncd.paths import config_path, is_system_state, state_dir

    config = getattr(args, "_syncd_config", None)
    if config is None:
        config = load_config(args)
    path = config_path(args.config)
    configured = config.daemon.state_dir
    directory = state_dir(getattr(args, "state_dir", None), config_file=path, configured=configured)
    if not getattr(args, "state_dir", None) and is_system_state(directory, path, configured):
        # what systemd gives the service, so that this command finds what the service finds
        # (the tokens in <state>/tokens); main() puts the environment back afterwards
        os.environ["STATE_DIRECTORY"] = str(directory)
    return directory


def check_state_dir(args: argparse.Namespace, directory: Path) -> None:
    """Refuse a state directory this command must not use: one that belongs to another user
    (root would leave files the service cannot read, and read root's own tokens), or a file."""
    import pwd
    import shlex

    try:
        st = directory.stat()
    except OSError:
        return  # missing: created on first use; unreadable: opening it says so
    if not directory.is_dir():
        raise ConfigError(
            [f"{directory} is a file, not a directory; move it away, or choose another --state-dir"],
            "state directory",
        )
    me = os.geteuid()
    if st.st_uid == me:
        return
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    command = shlex.join(["syncd", *getattr(args, "_argv", [])])
    who = "root" if me == 0 else f"uid {me}"
    raise ConfigError(
        [
            f"{directory} belongs to {owner}, and this command runs as {who}, which would leave "
            f"files there that {owner} cannot use; run it as that user: sudo -u {owner} {command}"
        ],
        "state directory",
    )


def open_store(args: argparse.Namespace) -> Store:
    """The state database in the command's state directory (`state_of`), checked first.
    Raises ConfigError (exit 78) for a state that cannot be used, with the fix."""
    from syncd.plugins import provider_ranks

    directory = state_of(args)
    check_state_dir(args, directory)
    return open_state(directory, rank=provider_ranks())


def open_state(directory: Path, **options: Any) -> Store:
    """Store(directory), with every reason it cannot be opened as one line with the fix."""
    import sqlite3

    from syncd.store import DB_NAME, Store

    where = str(directory / DB_NAME)
    try:
        return Store(directory, **options)
    except RuntimeError as exc:  # written by a newer syncd
        raise ConfigError([f"{exc}; or restore a backup made by this version"], where) from None
    except sqlite3.DatabaseError as exc:
        raise ConfigError(
            [
                f"cannot be opened as syncd's state ({exc}); restore it from a backup, "
                "or move it away to start anew"
            ],
            where,
        ) from None
    except OSError as exc:
        raise ConfigError(
            [f"cannot be created or opened ({exc.strerror}); check the directory's owner and mode"],
            str(directory),
        ) from None


def athlete_timezone(config: Config, name: str, override: str | None) -> str:
    """--timezone, else the athlete's configured zone, else the daemon default."""
    if override:
        from syncd.config_types import _timezone

        try:
            return _timezone(override)
        except ValueError as exc:
            raise ConfigError([f"--timezone: {exc}"]) from None
    for athlete in config.athletes:
        if athlete.name == name:
            return config.timezone_of(athlete)
    return config.daemon.timezone


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print `data` as JSON with --json, else `text`."""
    print(json.dumps(data, indent=2, default=str) if getattr(args, "json", False) else text)


def day_argument(text: str) -> date:
    """A YYYY-MM-DD argument (argparse type)."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def units_of(config: Config, name: str) -> str:
    """The athlete's distance units ('km' for an athlete not in the config)."""
    return next((a.units for a in config.athletes if a.name == name), "km")
