"""The `syncd` command: parse, call one function, render. Heavy libraries load lazily.

Each command group has its module here and registers its parsers in `build_parser`, in the
order `syncd --help` lists them; `common` holds what they share.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from syncd import __version__
from syncd.cli import (
    accounts,
    check,
    checkin,
    checkins,
    completion,
    configure,
    demo,
    doctor,
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

EX_SOFTWARE = 70  # sysexits.h: an internal error

__all__ = ["build_parser", "load_config", "main"]

log = logging.getLogger("syncd")

#: The command modules, in the order of `syncd --help`.
COMMANDS = (
    configure,
    doctor,
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
    completion,
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
        help=(
            "state directory (default: $STATE_DIRECTORY, [daemon] state_dir, /var/lib/syncd for "
            "/etc/syncd/config.toml, $XDG_STATE_HOME/syncd)"
        ),
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
        description=(
            "Injury-prevention notes for runners, from their Strava, Garmin Connect or intervals.icu history."
        ),
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
    args._argv = list(sys.argv[1:] if argv is None else argv)
    args._parser = parser
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
    state_env = os.environ.get("STATE_DIRECTORY")  # `state_of` may set it for this command
    try:
        return _run(args)
    finally:
        for name, level in before.items():
            quiet[name].setLevel(level)
        if state_env is None:
            os.environ.pop("STATE_DIRECTORY", None)
        else:
            os.environ["STATE_DIRECTORY"] = state_env


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
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last resort: one line, the details behind -v
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    """Report an error syncd has no words for yet: one line (push URLs in it masked), the
    traceback only with -v; exit 70 (EX_SOFTWARE)."""
    import re
    import traceback

    from syncd.secrets import mask_url

    text = re.sub(r"\b[a-z][a-z0-9+.-]*://\S+", lambda m: mask_url(m.group(0)), str(exc))
    if args.verbose:
        traceback.print_exception(exc, file=sys.stderr)
    print(
        f"syncd: unexpected error ({type(exc).__name__}: {text[:300]}); nothing was lost. "
        + ("The traceback is above" if args.verbose else "Run the command again with -v for the details")
        + ", and report it if it persists",
        file=sys.stderr,
    )
    return EX_SOFTWARE
