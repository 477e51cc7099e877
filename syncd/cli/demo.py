"""`syncd demo`: syncd on the bundled sample athlete, with no account and no network."""

from __future__ import annotations

import argparse
from pathlib import Path

from syncd.cli.common import Add


def cmd_demo(args: argparse.Namespace) -> int:
    from syncd.demo import run_demo

    print(run_demo(Path(args.out)))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("demo", cmd_demo, "run syncd on the bundled sample athlete (no account, no network)")
    p.add_argument(
        "--out", default=".", metavar="DIR", help="where to write the digest chart (default: here)"
    )
