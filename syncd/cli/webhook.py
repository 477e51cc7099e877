"""`syncd webhook subscribe|status|unsubscribe`: the Strava app's push subscription (optional;
polling works without it)."""

from __future__ import annotations

import argparse

from syncd.cli.common import Add, load_config, open_store
from syncd.errors import SyncdError
from syncd.providers.strava.connect import app_of

# -- webhook ----------------------------------------------------------------------------


def cmd_webhook_subscribe(args: argparse.Namespace) -> int:
    from syncd.providers.strava.subscriptions import Subscriptions

    if not args.callback_url.startswith(("https://", "http://")):
        raise SyncdError("--callback-url must be an http(s) address Strava can reach")
    config = load_config(args, required=True)
    with open_store(args) as store:
        ident = Subscriptions(app_of(config), store).subscribe(args.callback_url)
    print(f"Subscribed: Strava sends events to {args.callback_url} (subscription {ident}).")
    return 0


def cmd_webhook_status(args: argparse.Namespace) -> int:
    from syncd.providers.strava.subscriptions import Subscriptions

    config = load_config(args, required=True)
    with open_store(args) as store:
        subs = Subscriptions(app_of(config), store).status()
    if not subs:
        print("No webhook subscription; syncd relies on polling.")
    for sub in subs:
        since = f" (since {sub['created_at']})" if sub.get("created_at") else ""
        print(f"Subscription {sub.get('id')}: {sub.get('callback_url')}{since}")
    return 0


def cmd_webhook_unsubscribe(args: argparse.Namespace) -> int:
    from syncd.providers.strava.subscriptions import Subscriptions

    config = load_config(args, required=True)
    with open_store(args) as store:
        ident = Subscriptions(app_of(config), store).unsubscribe()
    print("No subscription to delete." if ident is None else f"Deleted subscription {ident}.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    hooks = sub.add_parser(
        "webhook",
        help="Strava webhook subscription (optional)",
        description="Strava webhook subscription (optional; polling works without it)",
    )
    hooks_sub = hooks.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)
    p = add(
        "subscribe",
        cmd_webhook_subscribe,
        "subscribe this app to Strava events (the daemon must be serving the callback)",
        hooks_sub,
    )
    p.add_argument("--callback-url", required=True, help="public https address of the callback")
    add("status", cmd_webhook_status, "show the app's subscription at Strava", hooks_sub)
    add("unsubscribe", cmd_webhook_unsubscribe, "delete the app's subscription", hooks_sub)
