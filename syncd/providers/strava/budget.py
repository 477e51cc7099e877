"""Strava's request budget: one per API application, shared by every athlete, kept across restarts.

Strava counts two budgets per application, each with a 15-minute and a daily window:
every request counts toward the overall limit (default 200 / 2,000) and reads (GET) also
toward the read limit (default 100 / 1,000). The 15-minute windows reset at :00, :15, :30
and :45 UTC, the daily one at UTC midnight, and over-limit requests still count. Every
response reports the application's usage in `X-RateLimit-*` / `X-ReadRateLimit-*` headers,
so the budget is the last reported usage, plus requests sent since without an answer.

Before each request `Budget.reserve` refuses one that would cross a limit with
RateLimited(retry_at): syncd waits for the window to reset instead of earning 429s.
The arithmetic (`BudgetState`) is pure and takes the time as an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from syncd.errors import RateLimited

if TYPE_CHECKING:
    from syncd.store import Store

WINDOW = timedelta(minutes=15)
DEFAULT_OVERALL = (200, 2000)
DEFAULT_READ = (100, 1000)


def window_start(now: datetime) -> datetime:
    """The start of the 15-minute window holding `now` (UTC, at :00 :15 :30 or :45)."""
    now = now.astimezone(UTC)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


def next_window(now: datetime) -> datetime:
    """When the current 15-minute window ends."""
    return window_start(now) + WINDOW


def next_midnight(now: datetime) -> datetime:
    """The next UTC midnight after `now`."""
    now = now.astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def _pair(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """'15,300' -> (15, 300); anything unreadable gives `default`."""
    try:
        short, daily = (int(part) for part in (value or "").split(","))
    except ValueError:
        return default
    return (short, daily) if short >= 0 and daily >= 0 else default


@dataclass(frozen=True)
class BudgetState:
    """Limits and usage as last reported, and when (epoch seconds) that usage was seen."""

    overall_limit: tuple[int, int] = DEFAULT_OVERALL
    overall_usage: tuple[int, int] = (0, 0)
    read_limit: tuple[int, int] = DEFAULT_READ
    read_usage: tuple[int, int] = (0, 0)
    seen_at: float = 0.0

    def current(self, now: datetime) -> BudgetState:
        """The usage that still counts at `now`: windows that reset since `seen_at` count 0."""
        seen = datetime.fromtimestamp(self.seen_at, UTC)
        same_day = seen.date() == now.astimezone(UTC).date()
        same_window = same_day and window_start(seen) == window_start(now)

        def keep(usage: tuple[int, int]) -> tuple[int, int]:
            return (usage[0] if same_window else 0, usage[1] if same_day else 0)

        return replace(
            self,
            overall_usage=keep(self.overall_usage),
            read_usage=keep(self.read_usage),
            seen_at=now.timestamp(),
        )

    def blocked_until(self, now: datetime, *, reads: int = 0, writes: int = 0) -> datetime | None:
        """None if `reads` GETs and `writes` other requests fit now; else when they may."""
        state = self.current(now)
        total = reads + writes
        if (
            state.overall_usage[1] + total > state.overall_limit[1]
            or state.read_usage[1] + reads > state.read_limit[1]
        ):
            return next_midnight(now)
        if (
            state.overall_usage[0] + total > state.overall_limit[0]
            or state.read_usage[0] + reads > state.read_limit[0]
        ):
            return next_window(now)
        return None

    def counted(self, now: datetime, method: str) -> BudgetState:
        """After a request that got no usage headers: it still counts (Strava counts it)."""
        state = self.current(now)
        read = 1 if method.upper() == "GET" else 0
        return replace(
            state,
            overall_usage=(state.overall_usage[0] + 1, state.overall_usage[1] + 1),
            read_usage=(state.read_usage[0] + read, state.read_usage[1] + read),
        )

    def reported(self, now: datetime, headers: Mapping[str, str], method: str) -> BudgetState:
        """After a response: its headers replace the usage (they count every client of the
        app); without them the request is counted locally."""
        usage = headers.get("X-RateLimit-Usage")
        if usage is None or _pair(usage, (-1, -1)) == (-1, -1):
            return self.counted(now, method)
        return BudgetState(
            overall_limit=_pair(headers.get("X-RateLimit-Limit"), self.overall_limit),
            overall_usage=_pair(usage, (0, 0)),
            read_limit=_pair(headers.get("X-ReadRateLimit-Limit"), self.read_limit),
            read_usage=_pair(headers.get("X-ReadRateLimit-Usage"), self.read_usage),
            seen_at=now.timestamp(),
        )

    def exhausted_until(self, now: datetime, method: str) -> datetime:
        """After a 429: UTC midnight if a daily limit is used up, else the next window."""
        state = self.current(now)
        daily_full = state.overall_usage[1] >= state.overall_limit[1] or (
            method.upper() == "GET" and state.read_usage[1] >= state.read_limit[1]
        )
        return next_midnight(now) if daily_full else next_window(now)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> BudgetState:
        """The state saved by `to_json`; anything unreadable gives a fresh default budget."""
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                overall_limit=_ints(data["overall_limit"]),
                overall_usage=_ints(data["overall_usage"]),
                read_limit=_ints(data["read_limit"]),
                read_usage=_ints(data["read_usage"]),
                seen_at=float(data["seen_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return cls()


def _ints(value: Any) -> tuple[int, int]:
    short, daily = value
    return int(short), int(daily)


class Budget:
    """The persisted budget of one Strava application (client id), shared by all athletes."""

    def __init__(
        self, store: Store, client_id: int, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.key = f"budget:{client_id}"
        self.clock = clock

    def state(self) -> BudgetState:
        """The saved state as it stands now (reset windows count 0)."""
        return BudgetState.from_json(self.store.provider_value("strava", self.key)).current(self.clock())

    def _save(self, state: BudgetState) -> None:
        self.store.set_provider_value("strava", self.key, state.to_json())

    def reserve(self, *, reads: int = 0, writes: int = 0) -> None:
        """Raise RateLimited(retry_at) if these requests would cross a limit now."""
        now = self.clock()
        until = self.state().blocked_until(now, reads=reads, writes=writes)
        if until is not None:
            raise RateLimited(
                f"Strava's request budget for this app is used up until "
                f"{until:%H:%M} UTC; syncd will continue then",
                until,
            )

    def record(self, headers: Mapping[str, str] | None, method: str) -> BudgetState:
        """Update the usage after a request (headers None: no response at all)."""
        now, state = self.clock(), self.state()
        state = state.counted(now, method) if headers is None else state.reported(now, headers, method)
        self._save(state)
        return state

    def summary(self) -> dict[str, Any]:
        """Usage for `syncd status`: {'15min': {...}, 'day': {...}}."""
        state = self.state()
        return {
            "15min": {
                "used": state.overall_usage[0],
                "limit": state.overall_limit[0],
                "reads_used": state.read_usage[0],
                "reads_limit": state.read_limit[0],
            },
            "day": {
                "used": state.overall_usage[1],
                "limit": state.overall_limit[1],
                "reads_used": state.read_usage[1],
                "reads_limit": state.read_limit[1],
            },
        }
