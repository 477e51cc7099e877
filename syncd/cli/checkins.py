"""`syncd confirm`: the runner's word on a run syncd left out, or on one it counted."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from syncd.cli.common import Add, load_config, open_store
from syncd.errors import SyncdError


def cmd_confirm(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from syncd.domain import CheckIn

    config = load_config(args)
    with open_store(args) as store:
        found = store.find_activity(args.activity, args.athlete)
        if not found:
            raise SyncdError(
                f"no stored activity {args.activity!r}; `syncd check --athlete NAME --json` lists the runs "
                "left out with their ids (provider:id)"
            )
        if len(found) > 1:
            owners = ", ".join(sorted({a.athlete for a in found}))
            raise SyncdError(f"{args.activity!r} is stored for several athletes ({owners}); add --athlete")
        [activity] = found
        zone = next((r["timezone"] for r in store.athletes() if r["name"] == activity.athlete), "UTC")
        athlete_zone = next(
            (config.timezone_of(a) for a in config.athletes if a.name == activity.athlete), zone
        )
        day = activity.start_utc.astimezone(ZoneInfo(athlete_zone)).date()
        kind = "left_out" if args.undo else "real"
        store.add_checkin(CheckIn(activity.athlete, kind, day, datetime.now(UTC), about=activity.key))
    if args.undo:
        print(f"{activity.key} ({day}) is left out of every rule; the next pass takes it into account.")
    else:
        print(f"{activity.key} ({day}) counts like any other run from the next pass on.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add(
        "confirm",
        cmd_confirm,
        "count a run syncd left out as implausible (it was real), or with --undo leave a run out",
    )
    p.add_argument("activity", help="the activity as provider:id (e.g. strava:1234), or its id alone")
    p.add_argument("--athlete", help="whose activity (needed only when two athletes hold the same id)")
    p.add_argument(
        "--undo", action="store_true", help="leave it out again (or leave out a run that was not one)"
    )
