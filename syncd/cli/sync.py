"""`syncd sync` (one pass for each athlete) and `syncd run` (the service)."""

from __future__ import annotations

import argparse
import logging
import sys

from syncd.cli.common import Add, check_state_dir, emit, load_config, open_state, open_store, state_of
from syncd.errors import ConfigError


def cmd_sync(args: argparse.Namespace) -> int:
    from syncd.engine import run_once
    from syncd.engine.wiring import build_context
    from syncd.errors import EX_TEMPFAIL

    config = load_config(args, required=True)
    names = [config.athlete(args.athlete).name] if args.athlete else [a.name for a in config.athletes]
    if not names:
        raise ConfigError(["athletes: no athletes configured; add an [[athletes]] table"])
    results = []
    with open_store(args) as store:
        ctx = build_context(config, store, dry_run=args.dry_run, console=args.dry_run)
        if sys.stderr.isatty() and not args.json:
            ctx.progress = _progress
        for name in names:
            summary = run_once(ctx, name)
            if ctx.progress:
                print(file=sys.stderr)
            results.append(summary)
    emit(args, [r.as_dict() for r in results], "\n".join(r.line() for r in results))
    failed = any(p.error for r in results for p in r.providers.values())
    return EX_TEMPFAIL if failed else 0


def _progress(provider: str, fetched: int) -> None:
    print(f"\r{provider}: {fetched} activities fetched", end="", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon
    from syncd.paths import config_path

    load_config(args, required=True)
    directory = state_of(args)
    check_state_dir(args, directory)
    open_state(directory).close()  # a state it cannot use: one line and exit 78, not a traceback
    logging.getLogger().setLevel(logging.DEBUG if args.verbose > 1 else logging.INFO)
    return Daemon(config_path(args.config), directory).run_forever()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("sync", cmd_sync, "fetch new activities, evaluate the rules and deliver, once")
    p.add_argument("--athlete", help="only this athlete (default: all)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send nothing")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    add("run", cmd_run, "run the service: poll, evaluate and deliver on a schedule (systemd: Type=notify)")
