"""`syncd connect <provider>` and `syncd disconnect <provider>`, one per installed provider
that offers them (`Provider.connect_help`): the provider's own hooks do the work."""

from __future__ import annotations

import argparse
from typing import Any

from syncd.cli.common import Add, load_config, open_store
from syncd.providers.base import ConnectRequest


def _request(args: argparse.Namespace) -> tuple[Any, ConnectRequest]:
    from syncd.plugins import installed_providers

    cls = installed_providers()[args.provider]
    config = load_config(args, required=True)
    athlete = config.athlete(args.athlete)
    return cls, ConnectRequest(config, athlete, args, lambda: open_store(args))


def cmd_connect(args: argparse.Namespace, **hooks: Any) -> int:
    """Connect an athlete's account; `hooks` (tests) stand in for the person."""
    cls, request = _request(args)
    return int(cls.connect(request, **hooks))


def cmd_disconnect(args: argparse.Namespace) -> int:
    cls, request = _request(args)
    return int(cls.disconnect(request))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    from syncd.plugins import installed_providers

    providers = [cls for cls in installed_providers().values() if cls.connect_help]
    if not providers:
        return
    for group, func, help in (
        ("connect", cmd_connect, "connect an athlete's account at a provider"),
        ("disconnect", cmd_disconnect, "disconnect an athlete's account at a provider"),
    ):
        parser = sub.add_parser(group, help=help, description=help)
        names = parser.add_subparsers(dest=f"{group}_provider", metavar="PROVIDER", required=True)
        for cls in providers:
            text = cls.connect_help if group == "connect" else cls.disconnect_help
            if not text:
                continue
            p = add(cls.name, func, text, names)
            p.set_defaults(provider=cls.name)
            p.add_argument("--athlete", required=True, help="the athlete's name in the config")
            if group == "connect":
                cls.connect_arguments(p)
