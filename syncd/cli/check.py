"""`syncd check` and `syncd rules`: the rules on stored history, on demand (nothing is recorded)."""

from __future__ import annotations

import argparse
import json

from syncd.cli.common import Add, day_argument, emit, load_config, open_store, units_of
from syncd.errors import SyncdError


def cmd_check(args: argparse.Namespace) -> int:
    from syncd.checking import athlete_profile, check, render_check, today_in

    config = load_config(args)
    with open_store(args) as store:
        if not store.summary(args.athlete)["activities"]:
            raise SyncdError(f"no activities stored for {args.athlete!r}; import or sync some first")
        last = args.on or today_in(athlete_profile(config, store, args.athlete))
        first = args.since or last
        if first > last:
            raise SyncdError(f"--since {first} is after {last}")
        result = check(config, store, args.athlete, first, last)
    units = units_of(config, args.athlete)
    if args.json:
        from syncd.checking import check_json

        print(json.dumps(check_json(result), indent=2))
    else:
        print(render_check(result, units))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from syncd.checking import render_rules, rules_table

    table = rules_table(load_config(args))
    emit(args, table, render_rules(table))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("check", cmd_check, "evaluate the rules on stored history (nothing is sent or recorded)")
    p.add_argument("--athlete", required=True, help="whose history to check")
    p.add_argument(
        "--on", type=day_argument, metavar="YYYY-MM-DD", help="the day to evaluate (default: today)"
    )
    p.add_argument(
        "--since",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="evaluate every day from this one to --on (what a backfill would raise)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array of findings")

    p = add("rules", cmd_rules, "list installed rules with their evidence grade and thresholds")
    p.add_argument("--json", action="store_true", help="print as JSON")
