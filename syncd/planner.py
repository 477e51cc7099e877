"""When each athlete is polled: one fair rotation within Strava's budget for the whole app.

Strava gives an API application, not an athlete, its reads: by default 100 per 15 minutes
(windows starting at :00 :15 :30 :45 UTC) and 1,000 per UTC day, shared by every connected
athlete; an idle poll is one read. So the planner

- keeps polls to `POLL_SHARE` of the app's reads (`WEBHOOK_POLL_SHARE` when webhook events
  bring the news), leaving the rest for webhook events, new activities' details and notes;
- stretches the poll interval when the configured one does not fit: long enough that every
  account is polled once per interval within that share of both windows, rounded up so a
  whole number of rotations fits in a day (every athlete is polled as often as the others,
  every day);
- polls in one fixed rotation, an account every interval / accounts: counts never differ by
  more than one, and a window's reads are spread over it instead of spent at its start;
- defers a poll the budget has no room for (the rotation waits, nobody is skipped), and tells
  webhook event handling whether an event's read fits without taking a planned poll's.

Athletes without Strava keep the configured interval in a rotation of their own. Everything
takes the time as an argument or from the injected clock.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from syncd.providers.strava.budget import Budget, BudgetState, next_midnight, next_window

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.store import Store

log = logging.getLogger("syncd.planner")

POLL_SHARE = 0.75
WEBHOOK_POLL_SHARE = 0.5
#: reads of each window kept for the GET before a note's PUT (when no fresh copy is at hand)
NOTE_SHARE = 0.05
DAY_S = 86_400


@dataclass(frozen=True)
class PollPlan:
    """How often each of `accounts` Strava accounts is polled, and why."""

    configured_s: int
    interval_s: float
    accounts: int
    read_limit: tuple[int, int]
    share: float

    @property
    def stretched(self) -> bool:
        return self.interval_s > self.configured_s

    @property
    def step_s(self) -> float:
        """Seconds between two polls of the rotation."""
        return self.interval_s / max(1, self.accounts)

    def describe(self) -> str:
        """One line for the log and `syncd status`."""
        every = f"every {duration_text(self.interval_s)}"
        if not self.stretched:
            return f"{every} (as configured)"
        return (
            f"{every}, stretched from {duration_text(self.configured_s)}: {self.accounts} Strava "
            f"account(s) share the app's {self.read_limit[0]} reads per 15 minutes and "
            f"{self.read_limit[1]:,} a day, {round(100 * self.share)} % of them for polls"
        )


def plan_polls(
    configured_s: int, accounts: int, state: BudgetState | None = None, *, webhooks: bool = False
) -> PollPlan:
    """The poll interval `accounts` Strava accounts of one app can afford (at least the
    configured one), from the app's limits as Strava last reported them."""
    state = state or BudgetState()
    share = WEBHOOK_POLL_SHARE if webhooks else POLL_SHARE
    limits = (
        min(state.read_limit[0], state.overall_limit[0]),
        min(state.read_limit[1], state.overall_limit[1]),
    )
    interval = float(configured_s)
    if accounts > 0:
        per_window = max(1, math.floor(share * limits[0]))
        per_day = max(1, math.floor(share * limits[1]))
        interval = max(interval, 900 * accounts / per_window, DAY_S * accounts / per_day)
    if interval < DAY_S:  # a whole number of rotations a day: everybody polled equally often
        interval = DAY_S / math.floor(DAY_S / interval)
    return PollPlan(configured_s, interval, accounts, state.read_limit, share)


def duration_text(seconds: float) -> str:
    """'15m', '3h25m43s', '2d': the largest units, zeros left out."""
    s = round(seconds)
    parts = []
    for unit, size in (("d", DAY_S), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= size:
            parts.append(f"{s // size}{unit}")
            s %= size
    return "".join(parts) or "0s"


class Rotation:
    """Names polled in turn, one every `step_s` seconds from `start`."""

    def __init__(self, names: Sequence[str], step_s: float, start: datetime) -> None:
        self.names = list(names)
        self.step = timedelta(seconds=step_s)
        self.next_at = start
        self.pointer = 0

    def due(self, now: datetime) -> str | None:
        """The name whose turn it is, if its time has come."""
        if not self.names or now < self.next_at:
            return None
        return self.names[self.pointer % len(self.names)]

    def done(self, now: datetime) -> None:
        """The turn was taken: the next name's time is one step later, or now after a slow
        pass (turns missed meanwhile are not made up in a burst)."""
        self.pointer = (self.pointer + 1) % len(self.names)
        self.next_at = max(self.next_at + self.step, now)

    def wait(self, until: datetime) -> None:
        """The budget has no room: the same name goes first at `until`."""
        self.next_at = max(self.next_at, until)

    def planned(self, now: datetime, until: datetime) -> int:
        """How many turns fall in [now, until)."""
        if not self.names or until <= now:
            return 0
        first = max(self.next_at, now)
        return 0 if first >= until else 1 + int((until - first) / self.step)


class Planner:
    """The daemon's poll schedule: a rotation of the Strava athletes within the app's budget
    and one of the others at the configured interval."""

    def __init__(self, config: Config, store: Store, clock: Callable[[], datetime]) -> None:
        from syncd.config import duration_seconds

        self.store, self.clock = store, clock
        self.configured_s = duration_seconds(config.daemon.poll_interval)
        self.webhooks = bool(config.daemon.webhook_listen)
        self.strava_names = [a.name for a in config.athletes if "strava" in a.providers]
        others = [a.name for a in config.athletes if "strava" not in a.providers]
        client_id = config.strava.client_id
        self.budget = Budget(store, client_id, clock) if client_id is not None else None
        start = clock()
        self.plan = self._plan()
        self.strava = Rotation(self.strava_names, self.plan.step_s, start)
        self.others = Rotation(others, self.configured_s / max(1, len(others)), start)
        log.info("polling %d Strava account(s) %s", len(self.strava_names), self.plan.describe())

    def _state(self) -> BudgetState:
        return self.budget.state() if self.budget is not None else BudgetState()

    def _plan(self) -> PollPlan:
        return plan_polls(self.configured_s, len(self.strava_names), self._state(), webhooks=self.webhooks)

    def next_due(self) -> datetime:
        """When the next poll is due (either rotation)."""
        times = [r.next_at for r in (self.strava, self.others) if r.names]
        return min(times) if times else self.clock() + timedelta(days=1)

    def take(self) -> str | None:
        """The athlete to poll now, or None (nothing due, or the budget asks to wait)."""
        now = self.clock()
        name = self.others.due(now)
        if name is not None:
            self.others.done(now)
            return name
        name = self.strava.due(now)
        if name is None:
            return None
        self._replan()
        until = self._state().blocked_until(now, reads=1)
        if until is not None:
            log.debug("the Strava budget is used up; the poll of %s waits until %s", name, until)
            self.strava.wait(until)
            return None
        self.strava.done(now)
        return name

    def _replan(self) -> None:
        """A new plan when Strava reports other limits than those planned with (logged once)."""
        plan = self._plan()
        if plan != self.plan:
            self.plan = plan
            self.strava.step = timedelta(seconds=plan.step_s)
            log.info("polling %d Strava account(s) %s", plan.accounts, plan.describe())

    def event_room(self) -> datetime | None:
        """None when one webhook event's read fits now without taking a read the planned
        polls of this window and of today need; else when to try again."""
        now = self.clock()
        state = self._state().current(now)
        limit, used = state.read_limit, state.read_usage
        window_end, midnight = next_window(now), next_midnight(now)
        keep = (self.strava.planned(now, window_end), self.strava.planned(now, midnight))
        margin = (math.ceil(NOTE_SHARE * limit[0]), math.ceil(NOTE_SHARE * limit[1]))
        if used[1] + 1 + keep[1] + margin[1] > limit[1]:
            return midnight
        if used[0] + 1 + keep[0] + margin[0] > limit[0]:
            return window_end
        return state.blocked_until(now, reads=1)


def planned_interval(config: Config, store: Store) -> PollPlan:
    """The plan the daemon runs with this config and the budget Strava last reported, for
    `syncd status`."""
    from syncd.config import duration_seconds

    accounts = sum("strava" in a.providers for a in config.athletes)
    client_id = config.strava.client_id
    state = Budget(store, client_id).state() if client_id is not None else BudgetState()
    configured = duration_seconds(config.daemon.poll_interval)
    return plan_polls(configured, accounts, state, webhooks=bool(config.daemon.webhook_listen))
