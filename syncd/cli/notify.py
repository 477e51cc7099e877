"""`syncd notify test`: one test message to each of an athlete's push channels."""

from __future__ import annotations

import argparse

from syncd.cli.common import Add, load_config


def cmd_notify_test(args: argparse.Namespace) -> int:
    from syncd.engine.wiring import notifier_factory
    from syncd.errors import EX_CONFIG, EX_TEMPFAIL, DeliveryFailed
    from syncd.notifiers.base import Message

    config = load_config(args, required=True)
    athlete = config.athlete(args.athlete)
    notifiers = notifier_factory(config)(athlete)
    if not notifiers:
        print(f"{athlete.name} has no push channels: add apprise URLs to notify = [...] in the config")
        return 0
    message = Message(
        athlete.name,
        "syncd test message",
        "If you can read this, syncd can reach you here.",
        "normal",
        "test",
    )
    status = 0
    if len(notifiers) < len(athlete.notify):  # a reference that did not resolve (logged above)
        status = EX_CONFIG
    for notifier in notifiers:
        label = getattr(notifier, "masked_url", notifier.channel)
        try:
            notifier.send(message)
        except DeliveryFailed as exc:
            # an unusable URL is the admin's to fix (78); a service that did not answer, not (75)
            status = max(status, EX_TEMPFAIL if exc.retryable else EX_CONFIG)
            print(f"FAILED  {exc}")
        else:
            print(f"sent    {label}")
    return status


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    notify = sub.add_parser("notify", help="check the push channels")
    notify_sub = notify.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    p = add("test", cmd_notify_test, "send one test message to each of an athlete's channels", notify_sub)
    p.add_argument("--athlete", required=True, help="whose channels to test")
