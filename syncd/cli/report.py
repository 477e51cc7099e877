"""`syncd report`: the weekly digest on demand, with a text chart, a PNG and an HTML page.

Heavy imports (pydantic, matplotlib) happen inside the command so `syncd --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.cli.common import Add, day_argument, load_config, open_store, units_of
from syncd.errors import SyncdError

if TYPE_CHECKING:
    from syncd.coach.digest import Digest
    from syncd.domain import Finding

log = logging.getLogger("syncd.report")
CHART_HINT = "pip install 'syncd[chart]'"


def _weeks(text: str) -> int:
    """A --weeks count, 1 to 104."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 104:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of weeks, 1 to 104")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    """Build the digest as of --on (default: today in the athlete's time zone) and show it."""
    from syncd.checking import athlete_profile, today_in
    from syncd.coach import chart
    from syncd.coach.digest import build_digest
    from syncd.engine.digest import digest_cap_pct
    from syncd.evaluation import stored_history
    from syncd.registry import evaluate_range, load_rules
    from syncd.store.ledger import findings_between, folded_between

    if args.png and not chart.matplotlib_available():
        print(f"syncd: --png needs matplotlib, which is not installed: {CHART_HINT}", file=sys.stderr)
        return 1
    for option, value in (("--png", args.png), ("--html", args.html)):
        _writable(option, value)
    config = load_config(args)
    name = args.athlete
    units = units_of(config, name)
    with open_store(args) as store:
        if name not in {r["name"] for r in store.athletes()}:
            raise SyncdError(f"no activities stored for {name!r}; import or sync some first")
        profile = athlete_profile(config, store, name)
        day = args.on or today_in(profile)
        first = day - timedelta(days=7 * args.weeks - 1)
        history = stored_history(store, name, profile, until=day)
        if not any(first <= f.day <= day for f in history.sessions):
            latest = history.sessions[-1].day if history.sessions else None
            raise SyncdError(_nothing_to_show(name, args.weeks, day, latest))
        rules = load_rules(config.rules)
        fresh, failures = evaluate_range(rules, history, first, day)
        recorded = findings_between(store, name, first, day)
        folded = folded_between(store, name, first, day)
    for failure in failures:
        log.warning("rule %s failed on %s: %s", failure.rule, failure.day, failure.error)
    digest = build_digest(
        history,
        _merge(fresh, recorded),
        athlete=name,
        day=day,
        units=units,
        weeks=args.weeks,
        folded=folded,
        cap_pct=digest_cap_pct(rules),
    )
    out = sys.stderr if args.json else sys.stdout
    if args.json:
        print(json.dumps(digest.to_json(), indent=2, ensure_ascii=False))
    else:
        print(f"{digest.title}\n\n{digest.text}\n\n{chart.render_text(digest)}")
    if args.png:
        print(f"chart written to {chart.render_png(digest, Path(args.png))}", file=out)
    if args.html:
        Path(args.html).write_text(_page(digest, args.png), encoding="utf-8")
        print(f"page written to {args.html}", file=out)
    return 0


def _writable(option: str, value: str | None) -> None:
    """Refuse, before any work, an output file whose directory is missing or not writable."""
    import os

    if not value:
        return
    parent = Path(value).expanduser().resolve().parent
    if not parent.is_dir():
        raise SyncdError(f"{option} {value}: no directory {parent}; create it, or write the file elsewhere")
    if Path(value).is_dir():
        raise SyncdError(
            f"{option} {value}: is a directory; give a file name, e.g. {Path(value) / 'week.png'}"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SyncdError(
            f"{option} {value}: {parent} is not writable for this user; write the file elsewhere"
        )


def _merge(fresh: list[Finding], recorded: list[Finding]) -> list[Finding]:
    """Freshly evaluated findings, plus recorded ones with a key not seen or a higher severity."""
    best = {f.key: f for f in fresh}
    extra = [f for f in recorded if f.key not in best or f.severity > best[f.key].severity]
    return [*fresh, *extra]


def _page(digest: Digest, png: str | None) -> str:
    """The HTML page; the chart is drawn to a temporary PNG when none was asked for."""
    from syncd.coach import chart

    if png:
        return chart.html(digest, Path(png))
    if not chart.matplotlib_available():
        return chart.html(digest, None)
    with tempfile.TemporaryDirectory(prefix="syncd-report-") as tmp:
        return chart.html(digest, chart.render_png(digest, Path(tmp) / "chart.png"))


def _nothing_to_show(name: str, weeks: int, day: date, last: date | None) -> str:
    """Why there is no report, and the --on that would give one."""
    text = f"no activities for {name!r} in the {weeks} weeks up to {day}"
    if last is not None:
        return f"{text}; the latest is from {last}: try --on {last.isoformat()}"
    return f"{text}; give --on YYYY-MM-DD for a week with activities"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    """Add `syncd report` to the command line."""
    p = add("report", cmd_report, "the weekly digest on demand: summary, text chart, PNG, HTML")
    p.add_argument("--athlete", required=True, help="whose week to report")
    p.add_argument("--weeks", type=_weeks, default=12, help="weeks in the chart (default 12)")
    p.add_argument(
        "--on",
        type=day_argument,
        metavar="YYYY-MM-DD",
        help="the digest's last day (default: today in the athlete's time zone)",
    )
    p.add_argument("--png", metavar="FILE", help="write the chart as a PNG (needs syncd[chart])")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML page")
    p.add_argument("--json", action="store_true", help="print the digest as JSON")
