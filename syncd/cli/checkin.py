"""`syncd checkin`: every answer the runner's page takes, from the command line; `syncd
export`: every answer with its time; `syncd link`: the runner's page and the owner's status."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from syncd.cli.common import (
    Add,
    athlete_timezone,
    check_state_dir,
    day_argument,
    load_config,
    open_store,
    state_of,
)
from syncd.errors import SyncdError

#: command → (question, answer value, what its argument is: "day", "activity", "rule", "")
ANSWERS: dict[str, tuple[str, str, str]] = {
    "strength-done": ("strength", "done", "day"),
    "strength-skip-week": ("strength", "skip_week", "day"),
    "knee": ("knee_pain", "", "day"),
    "knee-morning": ("knee_morning", "", "day"),
    "knee-settled": ("knee_settled", "yes", ""),
    "race": ("run", "race", "activity"),
    "not-race": ("run", "not_race", "activity"),
    "real": ("run", "real", "activity"),
    "not-a-run": ("run", "left_out", "activity"),
    "fewer": ("fewer", "fewer", "rule"),
    "fewer-undo": ("fewer", "undo", "rule"),
}


def cmd_checkin(args: argparse.Namespace) -> int:
    from syncd.registry import installed_rules
    from syncd.web.answers import Answer, give

    config = load_config(args)
    now = datetime.now(UTC)
    question, value, about_kind = ANSWERS[args.answer]
    zone = athlete_timezone(config, args.athlete, None)
    from zoneinfo import ZoneInfo

    day = args.day or now.astimezone(ZoneInfo(zone)).date()
    about = {"day": day.isoformat(), "activity": args.target or "", "rule": args.target or ""}.get(
        about_kind, ""
    )
    answer = Answer(args.athlete, question, about, value or str(args.target), day if args.day else None)
    with open_store(args) as store:
        if not store.has_athlete(args.athlete) and args.athlete not in {a.name for a in config.athletes}:
            raise SyncdError(f"no athlete {args.athlete!r} in the config or the state")
        checkin = give(store, answer, zone, now, set(installed_rules()), source="cli")
    what = f" about {checkin.about}" if checkin.about else ""
    shown = f" = {checkin.value}" if checkin.value is not None else ""
    print(
        f"{args.athlete}: {checkin.kind}{shown}{what} for {checkin.day}; the next pass takes it into account."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.checkin_rows(args.athlete)
    for row in rows:
        row.pop("value_json", None)
        print(json.dumps({"athlete": args.athlete, **row}, sort_keys=True))
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from syncd.web.keys import state_key
    from syncd.web.links import page_link, status_link

    config = load_config(args, required=True)
    if not config.daemon.public_url:
        raise SyncdError("[daemon] public_url is not set; set it to the HTTPS address of the listener")
    now = datetime.now(UTC)
    if not args.status and not args.athlete:
        raise SyncdError("name the athlete (--athlete NAME), or ask for the owner's page with --status")
    if not args.status:
        config.athlete(args.athlete)  # an unknown name is refused before any key is made
    state = state_of(args)
    check_state_dir(args, state)
    key = state_key(state)  # the key the service of this state signs with
    if args.status:
        print(status_link(config, now, days=args.days, key=key))
        return 0
    print(page_link(config, args.athlete, now, key=key))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add(
        "checkin", cmd_checkin, "answer as the runner: strength done, knee pain, a race, fewer messages ..."
    )
    p.add_argument("--athlete", required=True, help="whose answer")
    p.set_defaults(target=None, day=None)
    # the options may also follow the answer (`syncd checkin --athlete sam knee 3 --day ...`)
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--day",
        type=day_argument,
        metavar="YYYY-MM-DD",
        default=argparse.SUPPRESS,
        help="the day it is about (default: today)",
    )
    for option in ("--config", "--state-dir"):
        shared.add_argument(option, metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    answers = p.add_subparsers(dest="answer", metavar="ANSWER", required=True)

    def answer(name: str, text: str, *target: str, **options: object) -> None:
        sub = answers.add_parser(name, help=text, description=text, parents=[shared])
        if target:
            sub.add_argument("target", metavar=target[0], **options)  # type: ignore[arg-type]

    answer("strength-done", "a strength session done (the day: --day, default today)")
    answer("strength-skip-week", "no strength prompt until next Monday")
    answer(
        "knee",
        "knee pain during and after the day's run, 0 to 10",
        "SCORE",
        choices=[str(n) for n in range(11)],
    )
    answer(
        "knee-morning",
        "the knee on the morning: better, same or worse",
        "HOW",
        choices=["better", "same", "worse"],
    )
    answer("knee-settled", "the knee has settled: no more knee questions")
    answer("race", "that run was a race", "ACTIVITY", help="provider:id")
    answer("not-race", "that run was not a race", "ACTIVITY", help="provider:id")
    answer("real", "that run was real: count it", "ACTIVITY", help="provider:id")
    answer("not-a-run", "leave that run out", "ACTIVITY", help="provider:id")
    answer("fewer", "fewer messages like this: the rule's pushes go to notes and the digest", "RULE")
    answer("fewer-undo", "that rule's messages back to normal", "RULE")
    e = add("export", cmd_export, "print every answer of an athlete with its time, as JSON Lines")
    e.add_argument("--athlete", required=True, help="whose answers")
    link = add("link", cmd_link, "print a signed link to the runner's page (or, with --status, the owner's)")
    link.add_argument("--athlete", help="whose page")
    link.add_argument("--status", action="store_true", help="the owner's status page instead")
    link.add_argument(
        "--days", type=int, default=7, choices=range(1, 32), metavar="N", help="valid N days (status)"
    )
