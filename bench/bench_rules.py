"""Rule evaluation over 10 years of history (DESIGN.md budgets: < 200 ms from scratch,
< 20 ms for one new day).

"From scratch" = build the History from merged sessions and evaluate every rule for the last
day. "One new day" = append a day's activities, rebuild the History reusing the previous
one's extracted facts, and evaluate every rule for that day. Merging copies into sessions
(syncd.merge) is the store's step and is timed separately. Run:

    .venv/bin/python bench/bench_rules.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from syncd.domain import Activity, Sport
from syncd.history import Profile, build_history
from syncd.merge import group_sessions
from syncd.registry import evaluate_day, evaluate_range, load_rules

START = datetime(2016, 1, 4, 6, 30, tzinfo=UTC)
PROFILE = Profile(timezone="Europe/Amsterdam", sex="female", rest_hr=50, max_hr=190)
PROFILE_TZ = ZoneInfo(PROFILE.timezone)


def make_activities(days: int = 3650, seed: int = 7) -> list[Activity]:
    """About 4,000 activities: runs on ~5 days a week, strength, walks, Strava duplicates."""
    rng = random.Random(seed)
    out: list[Activity] = []
    for d in range(days):
        t = START + timedelta(days=d, minutes=rng.randint(0, 600))
        if rng.random() < 0.72:
            metres = rng.randint(4_000, 22_000)
            secs = metres * rng.randint(280, 380) // 1000
            run = Activity(
                provider="garmin",
                provider_id=f"g{d}",
                athlete="sam",
                start_utc=t,
                sport=Sport.RUN,
                distance_m=metres,
                moving_s=secs,
                elapsed_s=secs + 60,
                avg_hr=rng.uniform(130, 175),
                rpe=rng.choice([None, None, 4, 6, 8]),
                effort_score=rng.uniform(20, 200),
                hr_zone45_s=rng.randint(0, 1500),
                title=rng.choice(["Morning run", "Easy", "Knee sore after run", "No knee pain"]),
            )
            out.append(run)
            if rng.random() < 0.2:  # the same run forwarded to Strava
                out.append(
                    Activity(
                        provider="strava",
                        provider_id=f"s{d}",
                        athlete="sam",
                        start_utc=t + timedelta(seconds=5),
                        sport=Sport.RUN,
                        distance_m=metres + 20,
                        moving_s=secs,
                        elapsed_s=secs,
                    )
                )
        if rng.random() < 0.25:
            out.append(
                Activity(
                    provider="garmin",
                    provider_id=f"w{d}",
                    athlete="sam",
                    start_utc=t + timedelta(hours=8),
                    sport=Sport.STRENGTH,
                    moving_s=1800,
                    rpe=6,
                )
            )
    return out


def best_of(n: int, fn: Callable[[], object]) -> float:
    """The fastest of `n` runs of `fn`, in milliseconds."""
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main() -> None:
    """Print the figures."""
    acts = make_activities()
    sessions = group_sessions(acts)
    rules = load_rules({})
    old = [s for s in sessions if s.start_utc < sessions[-1].start_utc - timedelta(hours=20)]
    last_day = max(s.start_utc.astimezone(PROFILE_TZ).date() for s in sessions)

    def from_scratch() -> None:
        h = build_history(sessions, PROFILE)
        assert h.last is not None
        evaluate_day(rules, h, h.last)

    prev = build_history(old, PROFILE)

    def one_new_day() -> None:
        h = build_history(sessions, PROFILE, previous=prev)
        evaluate_day(rules, h, last_day)

    full = build_history(sessions, PROFILE)
    assert full.first is not None and full.last is not None
    first, last = full.first, full.last
    print(f"{len(acts)} activities, {len(sessions)} sessions, {full.n_days} days, {len(rules)} rules")
    print(f"merge copies into sessions       {best_of(5, lambda: group_sessions(acts)):8.1f} ms")
    print(f"from scratch: build + last day   {best_of(7, from_scratch):8.1f} ms  (budget 200)")
    print(f"one new day: rebuild + evaluate  {best_of(7, one_new_day):8.1f} ms  (budget 20)")
    print(f"one day on a built history       {best_of(7, lambda: evaluate_day(rules, full, last)):8.1f} ms")

    def every_day() -> None:
        evaluate_range(rules, build_history(sessions, PROFILE), first, last)

    print(f"build + every day ({full.n_days} days)    {best_of(3, every_day):8.1f} ms")


if __name__ == "__main__":
    main()
