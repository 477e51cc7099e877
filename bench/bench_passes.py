"""Real passes (`run_once`) over a stored history, as the daemon runs them (DESIGN.md budgets:
one new day under 20 ms, and here one new activity under 50 ms, over 10 years of history).

Each scenario stores one or more athletes' histories through a first pass (not timed), then
times, day after day, the pass that sees the calendar move on ("new day": nothing new listed,
the day's rules run) and the pass that lists one new run ("new activity": upsert, merge,
evaluate, record, note written). The Context is kept between passes, as the daemon keeps it.
The service is an indexed in-memory account (what a provider's API does on its side is not
syncd's cost); everything else is the real engine and the real SQLite state.

Scenarios: sam with ~4,000 activities (10 years) alone; the same sam beside nine other athletes
of ~4,000 each (40,000 stored: sam's passes must not grow with them); sam with ~40,000 of his
own (growth at most linear in his history).

Run:  .venv/bin/python bench/bench_passes.py [--days 15] [--skip-big]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_rules import make_activities  # noqa: E402

from syncd.config import parse  # noqa: E402
from syncd.domain import Activity  # noqa: E402
from syncd.engine import Context, run_once  # noqa: E402
from syncd.engine.histories import Histories  # noqa: E402
from syncd.notifiers.base import Message, Notifier  # noqa: E402
from syncd.providers.base import DescriptionEdit, Page, Provider  # noqa: E402
from syncd.registry import load_rules  # noqa: E402
from syncd.sports import Sport  # noqa: E402
from syncd.store import Store  # noqa: E402


class Service(Provider):
    """One account at an indexed service: listing by start time with an overlap, like Strava."""

    name = "strava"
    writes_notes = True

    def __init__(self, athlete: str, activities: list[Activity]) -> None:
        super().__init__(athlete)
        self.items: list[Activity] = []
        self.starts: list[datetime] = []
        self.by_id: dict[str, Activity] = {}
        for a in sorted(activities, key=lambda a: a.start_utc):
            self.put(a)

    def put(self, activity: Activity) -> None:
        activity = replace(activity, provider="strava", athlete=self.athlete)
        self.by_id[activity.provider_id] = activity
        i = bisect_right(self.starts, activity.start_utc)
        self.items.insert(i, activity)
        self.starts.insert(i, activity.start_utc)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        after = datetime.min.replace(tzinfo=UTC)
        if cursor is not None:
            after = datetime.fromisoformat(cursor) - timedelta(days=3)
        i = bisect_right(self.starts, after)
        while True:
            page = [self.by_id[a.provider_id] for a in self.items[i : i + 200]]
            i += len(page)
            newest = page[-1].start_utc.isoformat() if page else cursor
            yield Page(page, max(filter(None, (newest, cursor)), default=None))
            if len(page) < 200:
                return

    def fetch_one(self, provider_id: str) -> Activity | None:
        return self.by_id.get(provider_id)

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        current = self.by_id[provider_id]
        new = edit(current.description)
        if new is None or new == current.description:
            return False
        self.by_id[provider_id] = replace(current, description=new)
        return True


class Phone(Notifier):
    name = "push"
    channel = "push:bench"

    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: Message) -> None:
        self.sent += 1


def history_of(name: str, days: int, seed: int) -> list[Activity]:
    """The bench_rules history (runs, strength, some duplicate copies) as one Strava account."""
    out = []
    for a in make_activities(days, seed):
        if a.provider == "strava":
            continue  # one account: the duplicates' copies are another provider's
        out.append(replace(a, athlete=name, provider="strava", provider_id=f"{name}-{a.provider_id}"))
    return out


class World:
    def __init__(self, root: Path, histories: dict[str, list[Activity]]) -> None:
        athletes = [
            {"name": n, "timezone": "Europe/Amsterdam", "providers": ["strava"], "notes": {"strava": True}}
            for n in histories
        ]
        self.config = parse({"athletes": athletes}, "bench")
        self.store = Store(root / "state")
        self.services = {n: Service(n, acts) for n, acts in histories.items()}
        self.phone = Phone()
        self.wall: list[float] = []
        last = max(a.start_utc for acts in histories.values() for a in acts)
        self.now = last.replace(hour=21, minute=0, second=0, microsecond=0)
        self.ctx = Context(
            config=self.config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"strava": self.services[a.name]},
            notifiers=lambda a: [self.phone],
            now=lambda: self.now,
        )

    def backfill(self) -> float:
        began = time.perf_counter()
        for name in self.services:
            run_once(self.ctx, name)
        return time.perf_counter() - began

    def timed(self, name: str) -> float:
        """Milliseconds of one pass: the process's CPU time (the box is shared; waiting for
        it is not the pass's cost), with the wall time kept in `self.wall`."""
        began, cpu = time.perf_counter(), time.process_time()
        run_once(self.ctx, name)
        self.wall.append((time.perf_counter() - began) * 1000)
        return (time.process_time() - cpu) * 1000

    def days(self, name: str, count: int) -> tuple[list[float], list[float]]:
        """(new-day pass times, new-activity pass times), one of each per simulated day."""
        new_day, new_activity = [], []
        for k in range(count):
            day: date = (self.now + timedelta(days=1)).date()
            self.now = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)
            new_day.append(self.timed(name))
            km = 8 + (k * 3) % 9
            self.services[name].put(
                Activity(
                    provider="strava",
                    provider_id=f"{name}-new-{k}",
                    athlete=name,
                    start_utc=self.now.replace(hour=17),
                    sport=Sport.RUN,
                    distance_m=km * 1000,
                    moving_s=km * 330,
                    elapsed_s=km * 330 + 60,
                    title="Evening run",
                )
            )
            self.now = self.now.replace(hour=19)
            new_activity.append(self.timed(name))
        return new_day, new_activity


def scenario(label: str, histories: dict[str, list[Activity]], days: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp), histories)
        backfill = world.backfill()
        stored = sum(len(h) for h in histories.values())
        new_day, new_activity = world.days("sam", days)
        wall = statistics.median(world.wall)
        world.ctx = replace(world.ctx, histories=Histories())  # a restarted daemon: nothing kept
        world.now += timedelta(days=1)
        cold = world.timed("sam")
        print(
            f"{label:<36} {len(histories['sam']):>6} {stored:>7}  "
            f"{statistics.median(new_day):6.1f} {max(new_day):6.1f}   "
            f"{statistics.median(new_activity):6.1f} {max(new_activity):6.1f}   {wall:6.1f}  "
            f"{cold:7.0f}   ({backfill:.0f} s)"
        )
        world.store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=15, help="simulated days per scenario")
    parser.add_argument("--skip-big", action="store_true", help="leave out the 40,000-activity athlete")
    args = parser.parse_args()
    print(
        f"run_once over stored history, {args.days} simulated days each; CPU ms of the pass (median, max); "
        "wall: median wall ms of all those passes; cold: the first new-day pass after a restart"
    )
    print(
        f"{'scenario':<36} {'sam':>6} {'stored':>7}  {'new day':>13}   {'new activity':>13}   "
        f"{'wall':>6}  {'cold':>7}   (first passes)"
    )
    sam = history_of("sam", 3650, 7)
    scenario("sam, 10 years, alone", {"sam": sam}, args.days)
    others = {f"a{i:02d}": history_of(f"a{i:02d}", 3650, 100 + i) for i in range(9)}
    scenario("sam beside 9 athletes of 10 years", {"sam": sam, **others}, args.days)
    if not args.skip_big:
        scenario("sam, 100 years (10x), alone", {"sam": history_of("sam", 36500, 7)}, args.days)
    print("budgets: new day 20 ms, new activity 50 ms; growth linear in sam's history, none with others'")


if __name__ == "__main__":
    main()
