"""`syncd import`: a Strava bulk export or syncd JSON Lines into the state (no API calls)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from syncd.cli.common import Add, athlete_timezone, emit, load_config, open_store
from syncd.errors import EX_DATAERR, SyncdError

SAMPLE_PATH = Path(__file__).parent.parent / "sample" / "sample.jsonl"
SAMPLE_TIMEZONE = "Europe/Amsterdam"


def cmd_import(args: argparse.Namespace) -> int:
    from syncd.importing import import_paths

    paths = [Path(p) for p in args.paths] + ([SAMPLE_PATH] if args.sample else [])
    if not paths:
        raise SyncdError("nothing to import: give one or more files or folders, or --sample")
    config = load_config(args)
    zone = athlete_timezone(config, args.athlete, args.timezone or (SAMPLE_TIMEZONE if args.sample else None))
    with open_store(args) as store:
        report = import_paths(store, args.athlete, zone, paths)
    for problem in report.problems:
        print(f"{problem.path}:{problem.line}: skipped: {problem.reason}", file=sys.stderr)
    emit(args, report.as_dict(), report.line())
    return 0 if report.usable else EX_DATAERR


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("import", cmd_import, "import a Strava bulk export or syncd JSON Lines (no API calls)")
    p.add_argument("--athlete", required=True, help="whose activities these are")
    p.add_argument("--timezone", help="time zone for an athlete not in the config (IANA name)")
    p.add_argument("--sample", action="store_true", help="import the bundled sample athlete")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="activities.csv, an export folder or .zip, or a .jsonl file"
    )
