"""Strava's rate budget: window arithmetic at the edges, shared persistence, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.errors import RateLimited
from syncd.providers.strava.budget import (
    Budget,
    BudgetState,
    next_midnight,
    next_window,
    window_start,
)
from syncd.store import Store


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seen(state: BudgetState, when: str) -> BudgetState:
    return BudgetState(
        state.overall_limit, state.overall_usage, state.read_limit, state.read_usage, at(when).timestamp()
    )


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        ("2024-05-01 14:59:59", "2024-05-01 14:45:00", "2024-05-01 15:00:00"),
        ("2024-05-01 15:00:00", "2024-05-01 15:00:00", "2024-05-01 15:15:00"),
        ("2024-05-01 15:14:59.999", "2024-05-01 15:00:00", "2024-05-01 15:15:00"),
        ("2024-05-01 23:59:59", "2024-05-01 23:45:00", "2024-05-02 00:00:00"),
        ("2024-05-02 00:00:00", "2024-05-02 00:00:00", "2024-05-02 00:15:00"),
    ],
)
def test_quarter_hour_windows(now: str, start: str, end: str) -> None:
    assert window_start(at(now)) == at(start)
    assert next_window(at(now)) == at(end)


def test_next_midnight_is_utc_even_for_an_aware_local_time() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2024, 5, 1, 1, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))  # 23:30 UTC 30 Apr
    assert next_midnight(local) == at("2024-05-01 00:00:00")
    assert next_midnight(at("2024-05-01 23:59:59")) == at("2024-05-02 00:00:00")
    assert next_midnight(at("2024-05-02 00:00:00")) == at("2024-05-03 00:00:00")


FULL_15 = BudgetState(overall_usage=(200, 900), read_usage=(100, 500))
FULL_DAY = BudgetState(overall_usage=(20, 2000), read_usage=(10, 1000))


def test_full_quarter_blocks_until_the_window_ends_and_not_a_second_after() -> None:
    state = seen(FULL_15, "2024-05-01 14:50:00")
    assert state.blocked_until(at("2024-05-01 14:59:59"), reads=1) == at("2024-05-01 15:00:00")
    assert state.blocked_until(at("2024-05-01 15:00:00"), reads=1) is None


def test_full_day_blocks_until_utc_midnight() -> None:
    state = seen(FULL_DAY, "2024-05-01 20:00:00")
    assert state.blocked_until(at("2024-05-01 23:59:59"), reads=1) == at("2024-05-02 00:00:00")
    # a new quarter does not help with the daily limit
    assert state.blocked_until(at("2024-05-01 21:00:00"), reads=1) == at("2024-05-02 00:00:00")
    assert state.blocked_until(at("2024-05-02 00:00:00"), reads=1) is None


def test_usage_from_yesterdays_last_window_counts_zero_after_midnight() -> None:
    state = seen(BudgetState(overall_usage=(150, 1500), read_usage=(90, 900)), "2024-05-01 23:59:59")
    now = state.current(at("2024-05-02 00:00:00"))
    assert (now.overall_usage, now.read_usage) == ((0, 0), (0, 0))
    same = state.current(at("2024-05-01 23:59:59"))
    assert (same.overall_usage, same.read_usage) == ((150, 1500), (90, 900))


def test_a_new_quarter_resets_only_the_short_window() -> None:
    state = seen(BudgetState(overall_usage=(150, 1500), read_usage=(90, 900)), "2024-05-01 14:59:59")
    now = state.current(at("2024-05-01 15:00:00"))
    assert (now.overall_usage, now.read_usage) == ((0, 1500), (0, 900))


def test_writes_count_toward_the_overall_limit_only() -> None:
    state = seen(BudgetState(overall_usage=(150, 900), read_usage=(100, 500)), "2024-05-01 10:00:00")
    now = at("2024-05-01 10:01:00")
    assert state.blocked_until(now, reads=1) == at("2024-05-01 10:15:00")
    assert state.blocked_until(now, writes=1) is None
    tight = seen(BudgetState(overall_usage=(199, 900), read_usage=(10, 500)), "2024-05-01 10:00:00")
    assert tight.blocked_until(now, writes=1) is None
    assert tight.blocked_until(now, reads=1, writes=1) == at("2024-05-01 10:15:00")


def test_headers_replace_the_usage_and_a_silent_request_still_counts() -> None:
    now = at("2024-05-01 10:00:00")
    state = BudgetState().reported(
        now,
        {
            "X-RateLimit-Limit": "600,6000",
            "X-RateLimit-Usage": "15,300",
            "X-ReadRateLimit-Limit": "300,3000",
            "X-ReadRateLimit-Usage": "5,50",
        },
        "GET",
    )
    assert state.overall_limit == (600, 6000) and state.overall_usage == (15, 300)
    assert state.read_limit == (300, 3000) and state.read_usage == (5, 50)
    counted = state.reported(now, {}, "GET")  # e.g. a 502 from a proxy, no headers
    assert counted.overall_usage == (16, 301) and counted.read_usage == (6, 51)
    put = counted.counted(now, "PUT")
    assert put.overall_usage == (17, 302) and put.read_usage == (6, 51)
    garbled = state.reported(now, {"X-RateLimit-Usage": "lots"}, "GET")
    assert garbled.overall_usage == (16, 301)


def test_after_a_429_the_wait_depends_on_which_limit_is_used_up() -> None:
    now = at("2024-05-01 10:05:00")
    short = BudgetState(overall_usage=(201, 900), read_usage=(101, 500), seen_at=now.timestamp())
    assert short.exhausted_until(now, "GET") == at("2024-05-01 10:15:00")
    daily = BudgetState(overall_usage=(20, 900), read_usage=(20, 1001), seen_at=now.timestamp())
    assert daily.exhausted_until(now, "GET") == at("2024-05-02 00:00:00")
    assert daily.exhausted_until(now, "PUT") == at("2024-05-01 10:15:00")


def test_saved_state_survives_garbage() -> None:
    assert BudgetState.from_json(None) == BudgetState()
    assert BudgetState.from_json({"overall_limit": "x"}) == BudgetState()
    state = BudgetState(overall_usage=(3, 4), seen_at=12.0)
    assert BudgetState.from_json(state.to_json()) == state


@given(
    o15=st.integers(0, 250),
    oday=st.integers(0, 2500),
    r15=st.integers(0, 120),
    rday=st.integers(0, 1200),
    reads=st.integers(0, 3),
    writes=st.integers(0, 3),
    seconds=st.integers(0, 86400 * 2),
)
def test_refusal_is_in_the_future_and_acceptance_fits_the_limits(
    o15: int, oday: int, r15: int, rday: int, reads: int, writes: int, seconds: int
) -> None:
    start = at("2024-05-01 00:00:00")
    state = BudgetState(overall_usage=(o15, oday), read_usage=(r15, rday), seen_at=start.timestamp())
    now = start + timedelta(seconds=seconds)
    until = state.blocked_until(now, reads=reads, writes=writes)
    cur = state.current(now)
    if until is None:
        assert cur.overall_usage[0] + reads + writes <= 200
        assert cur.overall_usage[1] + reads + writes <= 2000
        assert cur.read_usage[0] + reads <= 100 and cur.read_usage[1] + reads <= 1000
    else:
        assert until > now
        assert until in (next_window(now), next_midnight(now))


def test_one_budget_per_app_shared_by_athletes_and_kept_in_the_store(store: Store) -> None:
    clock = [at("2024-05-01 10:00:00")]
    sam = Budget(store, 111, lambda: clock[0])
    kim = Budget(store, 111, lambda: clock[0])
    other_app = Budget(store, 222, lambda: clock[0])
    sam.record(
        {
            "X-RateLimit-Limit": "200,2000",
            "X-RateLimit-Usage": "199,1000",
            "X-ReadRateLimit-Limit": "100,1000",
            "X-ReadRateLimit-Usage": "100,900",
        },
        "GET",
    )
    with pytest.raises(RateLimited) as caught:
        kim.reserve(reads=1)
    assert caught.value.retry_at == at("2024-05-01 10:15:00")
    kim.reserve(writes=1)  # one write still fits
    other_app.reserve(reads=1)
    assert store.provider_value("strava", "budget:111")["overall_usage"] == [199, 1000]
    clock[0] = at("2024-05-01 10:15:00")
    kim.reserve(reads=1)
    assert kim.summary()["15min"] == {"used": 0, "limit": 200, "reads_used": 0, "reads_limit": 100}
    assert kim.summary()["day"]["used"] == 1000
