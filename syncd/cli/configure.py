"""`syncd config validate` and `syncd config sample`."""

from __future__ import annotations

import argparse
import sys

from syncd.cli.common import Add, load_config


def cmd_config_validate(args: argparse.Namespace) -> int:
    from syncd.paths import config_path

    config = load_config(args, required=True)
    print(f"{config_path(args.config)}: valid ({len(config.athletes)} athlete(s))")
    return 0


def cmd_config_sample(args: argparse.Namespace) -> int:
    from syncd.config_sample import sample

    sys.stdout.write(sample())
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    config = sub.add_parser("config", help="check or print the configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    add(
        "validate",
        cmd_config_validate,
        "validate the config file (exit 78 with the key and the fix)",
        config_sub,
    )
    add("sample", cmd_config_sample, "print an example config with every key and its default", config_sub)
