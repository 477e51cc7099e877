"""How right and rare syncd's advice is on real runners' histories (issue 9).

For each export found in ../shared/real_athletes/<alias>/activities.csv (read at run time;
the data never enters the project), this script:

1. counts the rows and the running km the file itself holds (its precise Distance column),
2. imports it into a fresh state with `syncd import`, and compares,
3. replays the whole history with `syncd replay --json`, as the daemon would have run it,
4. prints per athlete: import counts, pushes per week with a run (mean, max), the strength
   prompts' share, and every push with its date.

    .venv/bin/python bench/advice.py [--only ALIAS] [--pushes]

The time zones come from SOURCES.txt beside the data (the sources' own inference).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SYNCD_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "real_athletes"
RUN_TYPES = {"Run", "Trail Run", "Virtual Run", "Treadmill Run"}
#: what issue 9 says the five must get as pushes: (alias, the local day the finding is about, rule)
EXPECTED = [
    ("dhruva05", "2024-04-28", "session_spike"),  # a half marathon after a 6 km longest run
    ("dhruva05", "2024-06-30", "session_spike"),
    ("dhruva05", "2024-09-01", "session_spike"),
    ("dhruva05", "2024-10-20", "session_spike"),  # the marathon
    ("dillm94", "2021-04-26", "pain_reported"),  # "Hot weather bad knees"
    ("dillm94", "2021-06-03", "pain_reported"),  # "my knees would say otherwise"
    ("dillm94", "2021-06-01", "session_spike"),  # the +72 % half
    ("aakashb", "2023-04-01", "session_spike"),  # the first marathon
    ("aakashb", "2024-05-25", "session_spike"),  # the 100 km ultra, counted
    ("mattwasd", "2019-10-15", "session_spike"),  # +99 %
]
WINDOW_RULES = ("weekly_progression", "acwr", "monotony")
MOMENT_DAYS = 6  # "in the last 7 days": the moment's day and the 6 after it


def zones() -> dict[str, str]:
    """alias -> time zone, from the table in SOURCES.txt."""
    out = {}
    for line in (DATA / "SOURCES.txt").read_text().splitlines():
        parts = line.split()
        if parts and (DATA / parts[0]).is_dir():
            zone = next((p for p in parts[5:] if re.fullmatch(r"[A-Z][a-z]+/[A-Za-z_]+", p)), None)
            if zone:
                out[parts[0]] = zone
    return out


def file_counts(path: Path) -> tuple[int, float]:
    """(rows, running km) as the file says: the last Distance column is the precise one (m)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        type_col = header.index("Activity Type") if "Activity Type" in header else header.index("type")
        dist_cols = [i for i, h in enumerate(header) if h.strip() in ("Distance", "distance")]
        rows, metres = 0, 0.0
        for row in reader:
            if not any(v.strip() for v in row):
                continue
            rows += 1
            if row[type_col] in RUN_TYPES:
                value = row[dist_cols[-1]].strip()
                metres += float(value) if value else 0.0
    return rows, metres / 1000


def syncd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args], capture_output=True, text=True, env=env, timeout=1800
    )


def stored_run_km(state: Path, alias: str) -> float:
    import sqlite3

    with sqlite3.connect(state / "syncd.sqlite3") as db:
        (metres,) = db.execute(
            "SELECT COALESCE(SUM(distance_m), 0) FROM activities WHERE athlete = ? AND deleted = 0 "
            "AND sport IN ('run', 'trail_run', 'treadmill_run', 'track_run', 'virtual_run', 'ultra_run')",
            (alias,),
        ).fetchone()
    return float(metres) / 1000


def _days(text: str) -> date:
    return date.fromisoformat(text[:10])


def moments(findings: list[dict[str, Any]], deliveries: list[dict[str, Any]]) -> list[tuple[date, str]]:
    """(day, when syncd knew it) of each warning or alert spike, race or pain mention; it knew
    at its first push, else at the end of its day (a Sunday run uploaded after the digest)."""
    pushed: dict[str, str] = {}
    for d in deliveries:
        if d["channel"] == "push":
            pushed.setdefault(d["key"], d["utc"])
    out = []
    for f in findings:
        spike = f["rule"] == "session_spike" and (
            f["severity"] in ("warning", "alert") or f["metrics"].get("race")
        )
        if spike or f["rule"] == "pain_reported":
            out.append((_days(f["day"]), pushed.get(f["key"], f"{f['day']}T23:59:59")))
    return out


def violations(result: dict[str, Any]) -> list[str]:
    """What issue 9 says must never happen, found in one replay."""
    first, out = _days(result["first"]), []
    findings, deliveries = result["findings"], result["deliveries"]
    run_days = {_days(d) for d in result["run_days"]}
    known = moments(findings, deliveries)
    recover = [day for day, _ in known]
    for f in findings:
        day = _days(f["day"])
        if f["rule"] == "session_spike":
            m = f["metrics"]
            if max(m["reference_km"], m.get("min_reference_km", 0)) < 5:
                out.append(f"{day} spike from a reference under 5 km")
            if (day - first).days < 30:
                out.append(f"{day} spike in the history's first 30 days")
        if f["rule"] in WINDOW_RULES and not any(day - timedelta(days=k) in run_days for k in range(7)):
            out.append(f"{day} {f['rule']} in a week without a run")
    for d in deliveries:
        day = _days(d["day"])
        near = [
            m for m, at in known if timedelta(0) <= day - m <= timedelta(days=MOMENT_DAYS) and at <= d["utc"]
        ]
        if near and re.search(r"under \d", d["text"]):
            out.append(
                f"{d['at'][:16]} {d['channel']} offers a bigger number {day - near[-1]} after {near[-1]}"
            )
        prompt = d["rule"] == "strength_frequency" and d["channel"] == "push"
        if prompt and any(timedelta(0) <= day - m <= timedelta(days=2) for m in recover):
            out.append(f"{d['at'][:16]} strength prompt within 48 h of a recovery moment")
        if d["channel"] == "digest":
            week = {day - timedelta(days=k) for k in range(14)}
            if not week & run_days:
                out.append(f"{d['at'][:16]} digest in a week without a run after the quiet one")
    return out


def one(alias: str, zone: str, show_pushes: bool) -> dict[str, object]:
    path = DATA / alias / "activities.csv"
    rows, km = file_counts(path)
    with tempfile.TemporaryDirectory(prefix=f"syncd-advice-{alias}-") as tmp:
        state, config = Path(tmp) / "state", Path(tmp) / "config.toml"
        config.write_text(f'[[athletes]]\nname = "{alias}"\ntimezone = "{zone}"\nproviders = []\n')
        env = {**os.environ, "SYNCD_CONFIG": str(config), "NO_COLOR": "1"}
        imported = syncd(
            "import", "--athlete", alias, str(path), "--state-dir", str(state), "--json", env=env
        )
        if imported.returncode != 0:
            raise SystemExit(f"{alias}: import failed ({imported.returncode}): {imported.stderr[-400:]}")
        report = json.loads(imported.stdout)
        stored_km = stored_run_km(state, alias)
        started = time.perf_counter()
        replayed = syncd("replay", "--athlete", alias, "--state-dir", str(state), "--json", env=env)
        took = time.perf_counter() - started
        if replayed.returncode != 0:
            raise SystemExit(f"{alias}: replay failed ({replayed.returncode}): {replayed.stderr[-800:]}")
        result = json.loads(replayed.stdout)
    summary = result["summary"]
    pushes = [d for d in result["deliveries"] if d["channel"] == "push"]
    pushed = {(d["day"], d["rule"]) for d in pushes}
    missing = [f"{day} {rule}" for a, day, rule in EXPECTED if a == alias and (day, rule) not in pushed]
    broken = violations(result)
    if show_pushes:
        for d in pushes:
            print(f"  {alias:9} {d['at'][:16]}  {d['severity']:8} {d['rule']:19} {d['title']}")
    return {
        "alias": alias,
        "rows": rows,
        "imported": report["imported"] + report["unchanged"] + report["updated"],
        "skipped": report["skipped"],
        "file_km": km,
        "stored_km": stored_km,
        "weeks_run": summary["weeks_with_run"],
        "pushes": summary["pushes"],
        "mean": summary["pushes_per_running_week_mean"],
        "max": summary["pushes_per_running_week_max"],
        "strength_share": summary["strength_share"],
        "strength_max_week": summary["strength_pushes_per_week_max"],
        "notes": summary["notes"],
        "digests": summary["digests"],
        "seconds": took,
        "missing": missing,
        "violations": broken,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="one athlete alias")
    parser.add_argument("--pushes", action="store_true", help="list every push with its date")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"no real athletes at {DATA} (set SYNCD_SHARED)", file=sys.stderr)
        return 1
    found = {k: v for k, v in sorted(zones().items()) if args.only in (None, k)}
    results = [one(alias, zone, args.pushes) for alias, zone in found.items()]
    print(
        f"\n{'athlete':9} {'rows':>5} {'imported':>8} {'file km':>9} {'stored km':>9} {'run wks':>7} "
        f"{'pushes':>6} {'/wk mean':>8} {'/wk max':>7} {'strength':>8} {'str max':>7} {'notes':>5} "
        f"{'digests':>7} {'replay s':>8}"
    )
    for r in results:
        print(
            f"{r['alias']:9} {r['rows']:>5} {r['imported']:>8} {r['file_km']:>9.1f} {r['stored_km']:>9.1f} "
            f"{r['weeks_run']:>7} {r['pushes']:>6} {r['mean']:>8.2f} {r['max']:>7} "
            f"{100 * float(r['strength_share']):>7.0f}% {r['strength_max_week']:>7} {r['notes']:>5} "
            f"{r['digests']:>7} {r['seconds']:>8.1f}"
        )
    if results:
        mean = sum(float(r["mean"]) for r in results) / len(results)
        pushes = sum(int(r["pushes"]) for r in results)  # type: ignore[call-overload]
        strength = sum(float(r["strength_share"]) * int(r["pushes"]) for r in results)  # type: ignore[call-overload]
        print(f"\nmean of the athletes' pushes per running week: {mean:.2f}")
        print(
            f"strength prompts: {strength:.0f} of {pushes} pushes ({100 * strength / max(pushes, 1):.0f} %)"
        )
    for r in results:
        for line in r["missing"]:  # type: ignore[attr-defined]
            print(f"MISSING  {r['alias']}: {line} was not pushed")
        for line in r["violations"]:  # type: ignore[attr-defined]
            print(f"NEVER    {r['alias']}: {line}")
    expected = [e for e in EXPECTED if e[0] in found]
    got = sum(len(r["missing"]) for r in results)  # type: ignore[arg-type]
    print(
        f"expected pushes delivered: {len(expected) - got} of {len(expected)}; "
        f"never-events: {sum(len(r['violations']) for r in results)}"
    )  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
