"""What every command shares: the config and the state, JSON or text output, argument types,
and `Add`, the helper each command module registers its parsers with."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
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
    without a file (and none named) the defaults, unless required. Raises ConfigError."""
    from syncd import config as cfg
    from syncd.paths import config_path
    from syncd.registry import check_plugins

    path = config_path(args.config)
    named = bool(args.config) or bool(os.environ.get("SYNCD_CONFIG"))
    if not path.exists() and not (required or named):
        return cfg.Config()
    loaded = cfg.load(path)
    try:
        check_plugins(loaded)
    except ConfigError as exc:
        raise ConfigError(exc.problems, str(path)) from None
    return loaded


def open_store(args: argparse.Namespace) -> Store:
    """The state database in --state-dir (or the default state directory)."""
    from syncd.paths import state_dir
    from syncd.plugins import provider_ranks
    from syncd.store import Store

    return Store(state_dir(args.state_dir), rank=provider_ranks())


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
