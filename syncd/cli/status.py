"""`syncd status`: athletes, accounts, counts, the request budget and deliveries given up on."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from syncd import __version__
from syncd.cli.common import Add, check_state_dir, emit, load_config, open_store, state_of

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.store import Store


def cmd_status(args: argparse.Namespace) -> int:
    from syncd.status import render_status
    from syncd.store import DB_NAME
    from syncd.store.migrations import LATEST

    config = load_config(args)
    directory = state_of(args)
    check_state_dir(args, directory)
    if not (directory / DB_NAME).exists():
        print(f"no state yet in {directory}: run `syncd import` or `syncd sync` first")
        return 0
    with open_store(args) as store:
        names = (
            [args.athlete]
            if args.athlete
            else sorted({r["name"] for r in store.athletes()} | {a.name for a in config.athletes})
        )
        data = {
            "version": __version__,
            "state_db": str(store.path),
            "schema_version": LATEST,
            "athletes": {name: athlete_status(config, store, name) for name in names},
            **extra_status(config, store),
        }
    emit(args, data, render_status(data))
    return 0


def athlete_status(config: Config, store: Store, name: str) -> dict[str, Any]:
    """The store's counts, with times, accounts and the service in the athlete's zone."""
    from datetime import UTC, datetime

    from syncd.status import accounts, service

    info = store.summary(name)
    configured = next((a for a in config.athletes if a.name == name), None)
    if configured is None:  # in the state, no longer in the config: nothing is synced for it
        stored = {r["name"]: r["timezone"] for r in store.athletes()}
        info.update(timezone=stored.get(name) or config.daemon.timezone, accounts=[])
        return info
    zone = config.timezone_of(configured)
    rows = info["accounts"]
    info.update(timezone=zone, accounts=accounts(store, configured, zone, rows))
    info["service"] = service(config, configured, [r["last_sync_at"] for r in rows], datetime.now(UTC))
    return info


def extra_status(config: Config, store: Store) -> dict[str, Any]:
    """The Strava request budget, push channels (masked) and deliveries given up on."""
    from syncd.store.outbox import problems

    out: dict[str, Any] = {"failed_deliveries": problems(store)}
    if config.strava.client_id is not None:
        from syncd.planner import planned_interval
        from syncd.providers.strava.budget import Budget

        out["strava_budget"] = Budget(store, config.strava.client_id).summary()
        plan = planned_interval(config, store)
        out["poll_plan"] = {
            "configured_s": plan.configured_s,
            "interval_s": plan.interval_s,
            "strava_accounts": plan.accounts,
            "stretched": plan.stretched,
            "text": plan.describe(),
        }
    if any(a.notify for a in config.athletes):
        from syncd.secrets import is_reference, mask_url

        out["push_channels"] = {
            a.name: [u if is_reference(u) else mask_url(u) for u in a.notify] for a in config.athletes
        }
    return out


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add(
        "status",
        cmd_status,
        "show athletes, accounts, counts, the request budget and poll plan, push channels, "
        "given-up deliveries",
    )
    p.add_argument("--athlete", help="only this athlete")
    p.add_argument("--json", action="store_true", help="print as JSON")
