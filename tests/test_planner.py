"""The poll planner: one fair rotation within Strava's budget for the app, on an injected clock."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syncd.config import Config, parse
from syncd.planner import Planner, Rotation, duration_text, plan_polls
from syncd.providers.strava.budget import Budget, BudgetState
from syncd.store import Store

START = datetime(2026, 3, 2, 9, 7, 31, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def config(athletes: int, *, webhooks: bool = False, poll: str = "15m") -> Config:
    daemon = {"poll_interval": poll, **({"webhook_listen": "127.0.0.1:8421"} if webhooks else {})}
    return parse(
        {
            "daemon": daemon,
            "strava": {"client_id": 4242, "client_secret": "env:X"},
            "athletes": [{"name": f"a{i:03d}", "providers": ["strava"]} for i in range(athletes)],
        },
        "test",
    )


def test_the_interval_is_stretched_to_what_the_app_affords() -> None:
    assert plan_polls(900, 1).interval_s == 900 and not plan_polls(900, 1).stretched
    ten = plan_polls(900, 10)  # 960 polls a day would not fit 75 % of 1,000 reads
    assert ten.interval_s == 1152 and ten.stretched  # 75 polls a day each
    hundred = plan_polls(900, 100)
    assert 86400 / hundred.interval_s == 7  # 7 a day each
    assert plan_polls(900, 100, webhooks=True).interval_s == 17280  # webhooks bring the news: 5 a day
    bigger = BudgetState(overall_limit=(600, 30000), read_limit=(300, 15000))
    assert plan_polls(900, 100, bigger).interval_s == 900  # an app Strava gave more reads
    assert plan_polls(900, 1000).interval_s > 86400  # more accounts than reads a day: every few days
    assert "stretched from 15m" in hundred.describe() and duration_text(12343) == "3h25m43s"


def test_a_rotation_takes_turns_one_step_apart_and_never_bursts() -> None:
    rotation = Rotation(["a", "b", "c"], 60, START)
    order = []
    now = START
    for _ in range(7):
        assert rotation.due(now - timedelta(seconds=1)) is None  # not before its time
        name = rotation.due(now)
        assert name is not None
        order.append(name)
        rotation.done(now)
        now = rotation.next_at
    assert order == ["a", "b", "c", "a", "b", "c", "a"]
    rotation.done(now + timedelta(hours=5))  # a pass that took hours: no burst to catch up
    assert rotation.next_at == now + timedelta(hours=5)
    assert rotation.planned(rotation.next_at, rotation.next_at + timedelta(seconds=150)) == 3


def simulate(planner: Planner, clock: Clock, budget: Budget, hours: float) -> Counter[str]:
    """Poll whoever's turn it is until `hours` have passed; every poll costs one GET."""
    polls: Counter[str] = Counter()
    end = clock.now + timedelta(hours=hours)
    while True:
        clock.now = max(clock.now, planner.next_due())
        if clock.now >= end:
            return polls
        name = planner.take()
        if name is not None:
            assert budget.state().blocked_until(clock.now, reads=1) is None
            budget.record(None, "GET")
            polls[name] += 1


def test_a_hundred_athletes_on_one_app_are_polled_equally_within_the_windows(tmp_path: Path) -> None:
    clock = Clock(START)
    store = Store(tmp_path)
    budget = Budget(store, 4242, clock)
    planner = Planner(config(100), store, clock)
    per_window: Counter[datetime] = Counter()
    per_day: Counter[object] = Counter()
    polls: Counter[str] = Counter()
    for _ in range(48 * 4):  # two days, a quarter hour at a time
        got = simulate(planner, clock, budget, 0.25)
        polls.update(got)
        used = budget.state().read_usage
        per_window[clock.now] = used[0]
        per_day[clock.now.date()] = max(per_day[clock.now.date()], used[1])
    counts = sorted(polls.values())
    assert len(polls) == 100 and counts[-1] - counts[0] <= 1 and counts[0] >= 13  # 7 a day each
    assert max(per_window.values()) <= 75 and max(per_day.values()) <= 750  # polls keep to their share


def test_a_full_budget_defers_the_rotation_and_nobody_is_skipped(tmp_path: Path) -> None:
    clock = Clock(START)
    store = Store(tmp_path)
    budget = Budget(store, 4242, clock)
    planner = Planner(config(3, poll="2m"), store, clock)
    assert planner.take() == "a000"
    budget.record({"X-RateLimit-Usage": "60,300", "X-ReadRateLimit-Usage": "100,300"}, "GET")
    clock.now = planner.next_due()
    assert planner.take() is None  # the window's reads are gone: a001 waits for the next one
    assert planner.next_due() == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    clock.now = planner.next_due()
    assert planner.take() == "a001"


def test_webhook_events_may_use_what_the_planned_polls_leave(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC))
    store = Store(tmp_path)
    budget = Budget(store, 4242, clock)
    planner = Planner(config(100, webhooks=True), store, clock)
    planned = planner.strava.planned(clock.now, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    events = 0
    while planner.event_room() is None:
        budget.record(None, "GET")
        events += 1
    assert planned >= 1 and events == 100 - planned - 5  # 5 reads kept for notes
    assert planner.event_room() == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    clock.now = planner.next_due()
    assert planner.take() is not None  # the planned poll still finds its read


def test_a_stretched_interval_is_logged_once_and_shown_in_status(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from syncd.cli.status import extra_status
    from syncd.status import render_status

    caplog.set_level(logging.INFO, logger="syncd.planner")
    clock = Clock(START)
    store = Store(tmp_path)
    planner = Planner(config(100), store, clock)
    simulate(planner, clock, Budget(store, 4242, clock), 6)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "polling 100 Strava account(s) every 3h25m43s, stretched from 15m: 100 Strava "
        "account(s) share the app's 100 reads per 15 minutes and 1,000 a day, 75 % of them for polls"
    ]
    shown = render_status(
        {
            "version": "x",
            "state_db": "s",
            "schema_version": 1,
            "athletes": {},
            **extra_status(config(100), store),
        }
    )
    assert "Polling each Strava account every 3h25m43s, stretched from 15m" in shown
