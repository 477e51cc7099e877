"""`syncd sync` (one pass for each athlete) and `syncd run` (the service)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from syncd.cli.common import Add, check_state_dir, emit, load_config, open_state, open_store, state_of
from syncd.errors import ConfigError

if TYPE_CHECKING:
    from syncd.store import Store


def cmd_sync(args: argparse.Namespace) -> int:
    from syncd.cli.outcomes import Observer, verdict
    from syncd.engine import run_once
    from syncd.engine.wiring import build_context

    config = load_config(args, required=True)
    names = [config.athlete(args.athlete).name] if args.athlete else [a.name for a in config.athletes]
    if not names:
        raise ConfigError(["athletes: no athletes configured; add an [[athletes]] table"])
    results = []
    with _dry_run_store(args) if args.dry_run else open_store(args) as store:
        ctx = build_context(config, store, dry_run=args.dry_run, console=args.dry_run)
        observer = Observer(store, ctx.now)
        ctx.providers = observer.wrap(ctx.providers)
        if sys.stderr.isatty() and not args.json:
            ctx.progress = _progress
        for name in names:
            summary = run_once(ctx, name)
            if ctx.progress:
                print(file=sys.stderr)
            results.append(summary)
        outcome = verdict(config, results, observer)
    emit(args, [r.as_dict() for r in results], "\n".join(r.line() for r in results))
    for warning in outcome.warnings:
        print(f"syncd: warning: {warning}", file=sys.stderr)
    return outcome.status


@contextmanager
def _dry_run_store(args: argparse.Namespace) -> Iterator[Store]:
    """A throw-away copy of the state (read, never written: not even migrated), so that a dry
    run changes nothing at all, not even by storing what it fetched. The tokens stay the
    real state's (`Store.token_state`): one Strava rotates on a refresh must not be lost.
    Messages are shown without answer links, so no link key is created either."""
    import sqlite3
    import tempfile
    from pathlib import Path

    from syncd.plugins import provider_ranks
    from syncd.store import DB_NAME

    real = state_of(args)
    check_state_dir(args, real)
    with tempfile.TemporaryDirectory(prefix="syncd-dry-run-") as tmp:
        copy = Path(tmp)
        if (real / DB_NAME).exists():
            source = sqlite3.connect(f"{(real / DB_NAME).as_uri()}?mode=ro", uri=True)
            with sqlite3.connect(copy / DB_NAME) as dest:
                source.backup(dest)
            dest.close()
            source.close()
        store = open_state(copy, rank=provider_ranks())
        store.token_state = real  # the real tokens (a rotated refresh token must not be lost)
        try:
            yield store
        finally:
            store.close()


def _progress(provider: str, fetched: int) -> None:
    print(f"\r{provider}: {fetched} activities fetched", end="", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon
    from syncd.paths import config_path

    config = load_config(args, required=True)
    directory = state_of(args)
    check_state_dir(args, directory)
    open_state(directory).close()  # a state it cannot use: one line and exit 78, not a traceback
    if config.daemon.webhook_listen:
        _check_listen(config.daemon.webhook_listen)
    logging.getLogger().setLevel(logging.DEBUG if args.verbose > 1 else logging.INFO)
    return Daemon(config_path(args.config), directory).run_forever()


def _check_listen(listen: str) -> None:
    """Refuse a webhook address that cannot be listened on (taken, not this machine's)."""
    import socket

    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            raise ConfigError(
                [
                    f"daemon.webhook_listen: cannot listen on {listen} ({exc.strerror}); another program "
                    "(another syncd?) may hold the port: choose another, or stop that one"
                ]
            ) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("sync", cmd_sync, "fetch new activities, evaluate the rules and deliver, once")
    p.add_argument("--athlete", help="only this athlete (default: all)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help=(
            "show what would be written and sent; nothing is stored, written or sent "
            "(a token Strava rotates is still saved)"
        ),
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    add("run", cmd_run, "run the service: poll, evaluate and deliver on a schedule (systemd: Type=notify)")
