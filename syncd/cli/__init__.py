"""The `syncd` command: parse, call one function, render. Heavy libraries load lazily.

Each command group has its module here and registers its parsers in `build_parser`, in the
order `syncd --help` lists them; `common` holds what they share.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from syncd import __version__
from syncd.cli import (
    accounts,
    check,
    checkin,
    checkins,
    configure,
    demo,
    imports,
    notify,
    replay,
    report,
    status,
    sync,
    webhook,
)
from syncd.cli.common import Command, load_config
from syncd.errors import EX_USAGE, SyncdError

__all__ = ["build_parser", "load_config", "main"]

log = logging.getLogger("syncd")

#: The command modules, in the order of `syncd --help`.
COMMANDS = (
    configure,
    imports,
    status,
    check,
    checkins,
    checkin,
    replay,
    sync,
    notify,
    demo,
    accounts,
    webhook,
    report,
)


def _common(suppress: bool) -> argparse.ArgumentParser:
    default: Any = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (default: $SYNCD_CONFIG, $XDG_CONFIG_HOME/syncd/config.toml, "
        "/etc/syncd/config.toml)",
    )
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        default=default,
        help="state directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/syncd)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="more log output",
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncd",
        parents=[_common(False)],
        description="Injury-prevention notes for runners, from their Strava and Garmin history.",
    )
    parser.add_argument("--version", action="version", version=f"syncd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common(True)

    def add(name: str, func: Command, help: str, parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    for module in COMMANDS:
        module.register(sub, add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EX_USAGE
    # apprise and garminconnect log each failure themselves (garminconnect with a traceback on
    # every Garmin outage); syncd reports it once, in its own words
    quiet = {name: logging.getLogger(name) for name in ("apprise", "garminconnect")}
    before = {name: lib.level for name, lib in quiet.items()}
    for lib in quiet.values():
        lib.setLevel(logging.INFO if args.verbose else logging.CRITICAL)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _run(args)
    finally:
        for name, level in before.items():
            quiet[name].setLevel(level)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except SyncdError as exc:
        print(f"syncd: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("syncd: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `syncd check ... | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
