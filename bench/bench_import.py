"""`syncd import` of a Strava bulk export against a floor of its own, measured in the same run
(issue 11 budgets: at most 1.5x the floor; importing the unchanged file again at most 25 % of
a fresh import).

The export: the columns and rows of a real export in ../shared/real_athletes (read at run
time, never copied into the project; a synthetic 99-column export when it is not there),
repeated with new ids and dates to 10,000 and 50,000 rows.

The floor is the least any importer does with that file: the csv module reads it, and each
row's used columns plus the whole row as JSON (syncd keeps the raw row) go into one SQLite
table with a primary key, in one transaction. syncd's import (`import_paths`, what `syncd
import` runs) also parses dates and numbers, maps sports, checks every value, stores change
numbers and content hashes, and merges the sessions.

Each figure is the best of `--runs` (default 3), each on a fresh state; peak memory is the
process's VmHWM after the largest import (the import streams: it grows with nothing but
the state's own caches).

Run:  .venv/bin/python bench/bench_import.py [--rows 10000 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent.parent / "shared" / "real_athletes"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/real_athletes")

from syncd.importing import import_paths  # noqa: E402
from syncd.store import Store  # noqa: E402

USED = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Distance",
    "Moving Time",
    "Elapsed Time",
    "Average Heart Rate",
    "Max Heart Rate",
]


def source_rows() -> tuple[list[str], list[list[str]], str]:
    """(header, rows, where they came from): the largest real export, else synthetic ones."""
    exports = (
        sorted(SHARED.glob("*/activities.csv"), key=lambda p: p.stat().st_size) if SHARED.is_dir() else []
    )
    if exports:
        with exports[-1].open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = [r for r in reader if len(r) == len(header)]
        return header, rows, f"{exports[-1].parent.name}'s export shape ({len(header)} columns)"
    header = [*USED, *(f"Extra {i}" for i in range(89))]
    rows = [
        [str(i), "", "Morning Run", "Run", "", "8100", "2900", "3000", "150", "171", *"x" * 89]
        for i in range(2000)
    ]
    return header, rows, "a synthetic 99-column export"


def write_export(path: Path, count: int) -> str:
    """An activities.csv of `count` rows shaped like the source; returns its description."""
    header, rows, where = source_rows()
    at = {name: header.index(name) for name in ("Activity ID", "Activity Date")}
    start = datetime(1990, 1, 1, 6, 30, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(count):
            row = list(rows[i % len(rows)])
            row[at["Activity ID"]] = str(20_000_000 + i)
            row[at["Activity Date"]] = (start + timedelta(hours=19 * i)).strftime("%b %-d, %Y, %-I:%M:%S %p")
            writer.writerow(row)
    return where


def floor(path: Path, db: Path) -> None:
    """The floor: the same rows stored the plain way. The csv module reads the file; each row
    becomes its activity's columns (the date as ISO text, the numbers as numbers) and the whole
    row as JSON, inserted with executemany into a table keyed like syncd's activities, with
    its index by start, in one transaction. No checks, no hashes, no change numbers, no merge."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE activities (athlete TEXT, provider TEXT, provider_id TEXT, start_utc TEXT, "
        "sport TEXT, title TEXT, description TEXT, distance_m INTEGER, moving_s INTEGER, "
        "elapsed_s INTEGER, avg_hr REAL, max_hr REAL, raw_json TEXT, "
        "PRIMARY KEY (athlete, provider, provider_id))"
    )
    conn.execute("CREATE INDEX activities_by_start ON activities (athlete, start_utc)")

    def number(text: str) -> float | None:
        return float(text) if text else None

    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        at = {name: [i for i, title in enumerate(header) if title == name] for name in USED}
        keys = [f"{t}.{header[:i].count(t)}" if t in header[:i] else t for i, t in enumerate(header)]

        def row_of(row: list[str]) -> tuple[object, ...]:
            start = datetime.strptime(row[at["Activity Date"][0]], "%b %d, %Y, %I:%M:%S %p")
            distance = number(row[at["Distance"][-1]])
            return (
                "sam", "strava", row[at["Activity ID"][0]], start.replace(tzinfo=UTC).isoformat(),
                row[at["Activity Type"][0]], row[at["Activity Name"][0]], row[at["Activity Description"][0]],
                None if distance is None else round(distance), number(row[at["Moving Time"][-1]]),
                number(row[at["Elapsed Time"][-1]]), number(row[at["Average Heart Rate"][-1]]),
                number(row[at["Max Heart Rate"][-1]]), json.dumps(dict(zip(keys, row, strict=True))),
            )  # fmt: skip

        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT OR REPLACE INTO activities VALUES ({', '.join('?' * 13)})", map(row_of, reader)
        )
        conn.execute("COMMIT")
    conn.close()


def timed(fns: list[Callable[[], None]], runs: int) -> list[tuple[float, float]]:
    """The best (wall, CPU) seconds of `runs` calls of each, taken in turns (the machine is
    shared: turns put every one through the same spells of load)."""
    best = [(float("inf"), float("inf"))] * len(fns)
    for _ in range(runs):
        for k, fn in enumerate(fns):
            w, c = time.perf_counter(), time.process_time()
            fn()
            best[k] = (min(best[k][0], time.perf_counter() - w), min(best[k][1], time.process_time() - c))
    return best


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(root: Path, count: int, runs: int) -> str:
    """One line: the floor, a fresh import and the unchanged file again, for `count` rows."""
    export = root / f"export-{count}" / "activities.csv"
    export.parent.mkdir()
    where = write_export(export, count)
    n = iter(range(10**6))
    states: list[Store] = []

    def floor_run() -> None:
        floor(export, root / f"floor-{count}-{next(n)}.sqlite3")

    def fresh() -> None:
        store = states.pop()  # opened (and migrated) beforehand: the import alone is timed
        report = import_paths(store, "sam", "UTC", [export])
        assert report.new == count, report.line()
        store.close()

    def again() -> None:
        with Store(root / f"again-{count}") as store:  # a new process would open it the same way
            report = import_paths(store, "sam", "UTC", [export])
            assert report.unchanged == count, report.line()

    with Store(root / f"again-{count}") as store:
        import_paths(store, "sam", "UTC", [export])
    states += [Store(root / f"state-{count}-{i}") for i in range(runs)]
    f, s, a = timed([floor_run, fresh, again], runs)
    return (
        f"{count:>6,} rows ({where}): floor {f[0]:5.2f} s (CPU {f[1]:5.2f}), syncd import {s[0]:5.2f} s "
        f"(CPU {s[1]:5.2f}) = {s[0] / f[0]:4.2f}x the floor, CPU {s[1] / f[1]:4.2f}x (budget 1.5x); "
        f"the unchanged file again {a[0]:5.2f} s = {100 * a[0] / s[0]:3.0f} % (budget 25 %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.rows:
            print(measure(Path(tmp), count, args.runs), flush=True)
    print(f"peak memory of this process (VmHWM): {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
