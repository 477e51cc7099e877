"""`syncd replay`: what syncd would have told the runner, replayed over the stored history."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd.cli.common import Add, day_argument, load_config, open_store
from syncd.errors import SyncdError

if TYPE_CHECKING:
    from syncd.domain import CheckIn


def cmd_replay(args: argparse.Namespace) -> int:
    from syncd.config import AthleteConfig
    from syncd.engine.replay import replay_athlete

    config = load_config(args)
    with open_store(args) as store:
        if not store.summary(args.athlete)["activities"]:
            raise SyncdError(f"no activities stored for {args.athlete!r}; import or sync some first")
        known = {a.name: a for a in config.athletes}
        stored_zone = next((r["timezone"] for r in store.athletes() if r["name"] == args.athlete), None)
        athlete = known.get(args.athlete) or AthleteConfig(name=args.athlete, timezone=stored_zone)
        if args.since and args.until and args.since > args.until:
            raise SyncdError(f"--since {args.since} is after --until {args.until}")
        answers = read_answers(args.answers, args.athlete) if args.answers else None
        result = replay_athlete(store, config, athlete, since=args.since, until=args.until, answers=answers)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(render(result.to_json()))
    return 0


def read_answers(path: str, athlete: str) -> list[CheckIn]:
    """The check-ins of a JSON Lines file (`syncd export`'s format: kind, day, at, value,
    about); raises SyncdError naming the line and what is wrong with it."""
    from datetime import date, datetime

    from syncd.domain import CheckIn

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SyncdError(f"--answers {path}: cannot be read ({exc.strerror})") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                CheckIn(
                    athlete,
                    row["kind"],
                    date.fromisoformat(row["day"]),
                    datetime.fromisoformat(row["at"]),
                    value=row.get("value"),
                    about=row.get("about"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncdError(
                f"--answers {path}, line {n}: not a check-in ({type(exc).__name__}: {exc}); each line is "
                'a JSON object with "kind", "day" (YYYY-MM-DD), "at" (ISO time with zone), '
                'optional "value" and "about", as `syncd export` prints them'
            ) from None
    return out


def render(data: dict[str, Any]) -> str:
    """Every delivery on one line (local time, channel, rule, severity, title), then the
    texts of the pushes, then the summary."""
    lines = [f"replay of {data['athlete']}, {data['first']} to {data['last']} (nothing was sent)", ""]
    for d in data["deliveries"]:
        lines.append(
            f"{d['at']:16}  {d['channel']:6}  {d['severity'] or '-':8}  {d['rule'] or '-':19}  {d['title']}"
        )
        if d["channel"] == "push":
            lines.append(f"{'':18}{d['text']}")
    s = data["summary"]
    lines += [
        "",
        f"weeks with a run: {s['weeks_with_run']}; pushes: {s['pushes']} "
        f"({s['pushes_per_running_week_mean']:.2f} a week with a run on average, at most "
        f"{s['pushes_per_running_week_max']} in one week); notes: {s['notes']}; digests: {s['digests']}",
    ]
    if s["share_by_rule"]:
        shares = ", ".join(f"{rule} {100 * share:.0f} %" for rule, share in s["share_by_rule"].items())
        lines.append(f"pushes by rule: {shares}")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add(
        "replay",
        cmd_replay,
        "replay the stored history day by day as the daemon would have run it, delivering to a "
        "recorder (nothing is sent, the state is not changed)",
    )
    p.add_argument("--athlete", required=True, help="whose history to replay")
    p.add_argument(
        "--since", type=day_argument, metavar="YYYY-MM-DD", help="start here (default: the first activity)"
    )
    p.add_argument(
        "--until",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="stop here (default: two weeks after the last activity)",
    )
    p.add_argument("--json", action="store_true", help="print every delivery and the summary as JSON")
    p.add_argument(
        "--answers",
        metavar="FILE",
        help="recorded answers (JSON Lines of check-ins, as `syncd export` prints them) to replay "
        "instead of the stored ones, each at its own time",
    )
