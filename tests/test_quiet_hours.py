"""policy.quiet_until: when a push held by the athlete's quiet hours may go out (local clock, DST)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from syncd.config import AthleteConfig, parse
from syncd.engine.policy import quiet_until

AMS = ZoneInfo("Europe/Amsterdam")


def athlete(quiet_hours: str | None) -> AthleteConfig:
    table = {"name": "sam", "timezone": "Europe/Amsterdam"}
    if quiet_hours is not None:
        table["quiet_hours"] = quiet_hours
    return parse({"athletes": [table]}, "t").athletes[0]


def local(y: int, mo: int, d: int, h: int, mi: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS, fold=fold)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def held_until(quiet: str | None, now: datetime) -> datetime | None:
    return quiet_until(athlete(quiet), AMS, now)


def same_instant(got: datetime | None, want: datetime) -> None:
    assert got is not None
    assert got.utcoffset() is not None
    assert got.astimezone(UTC) == want.astimezone(UTC)
    assert got.astimezone(UTC).replace(tzinfo=None) == want.astimezone(UTC).replace(tzinfo=None)


# -- over midnight: 22:00-07:00 (a summer day, CEST = UTC+2) ------------------------------


def test_no_quiet_hours_never_holds() -> None:
    assert held_until(None, local(2026, 6, 10, 23)) is None


def test_a_minute_before_the_start_is_not_quiet() -> None:
    assert held_until("22:00-07:00", local(2026, 6, 10, 21, 59)) is None


def test_the_start_minute_is_quiet_until_seven_next_morning() -> None:
    got = held_until("22:00-07:00", local(2026, 6, 10, 22, 0))
    same_instant(got, utc(2026, 6, 11, 5, 0))
    assert got is not None and got.astimezone(AMS).replace(tzinfo=None) == datetime(2026, 6, 11, 7, 0)


def test_just_before_the_end_is_quiet_until_seven_the_same_morning() -> None:
    same_instant(held_until("22:00-07:00", local(2026, 6, 11, 6, 59)), utc(2026, 6, 11, 5, 0))


def test_the_end_minute_is_not_quiet() -> None:
    assert held_until("22:00-07:00", local(2026, 6, 11, 7, 0)) is None


def test_midday_is_not_quiet() -> None:
    assert held_until("22:00-07:00", local(2026, 6, 11, 12, 0)) is None


def test_now_given_in_utc_is_read_on_the_local_clock() -> None:
    # 20:30 UTC is 22:30 in Amsterdam in summer: quiet, although 20:30 is not
    same_instant(held_until("22:00-07:00", utc(2026, 6, 10, 20, 30)), utc(2026, 6, 11, 5, 0))
    # 05:30 UTC is 07:30 local: no longer quiet, although 05:30 is
    assert held_until("22:00-07:00", utc(2026, 6, 11, 5, 30)) is None


# -- a same-day range: 13:00-15:00 (winter, CET = UTC+1) ----------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (12, 59, False),
        (13, 0, True),
        (14, 30, True),
        (14, 59, True),
        (15, 0, False),
        (23, 0, False),
        (3, 0, False),
    ],
)
def test_a_same_day_range(hour: int, minute: int, quiet: bool) -> None:
    got = held_until("13:00-15:00", local(2026, 1, 14, hour, minute))
    if quiet:
        same_instant(got, utc(2026, 1, 14, 14, 0))
    else:
        assert got is None


# -- across the DST changes in Europe/Amsterdam ------------------------------------------


def test_the_night_the_clocks_go_forward() -> None:
    # 2026-03-29 02:00 CET -> 03:00 CEST; 07:00 CEST is 05:00 UTC
    now = local(2026, 3, 28, 23, 30)
    assert now.astimezone(UTC) == utc(2026, 3, 28, 22, 30)
    got = held_until("22:00-07:00", now)
    same_instant(got, utc(2026, 3, 29, 5, 0))
    assert got is not None and got.astimezone(AMS).hour == 7


def test_the_night_the_clocks_go_back() -> None:
    # 2026-10-25 03:00 CEST -> 02:00 CET; 07:00 CET is 06:00 UTC
    now = local(2026, 10, 24, 23, 30)
    assert now.astimezone(UTC) == utc(2026, 10, 24, 21, 30)
    got = held_until("22:00-07:00", now)
    same_instant(got, utc(2026, 10, 25, 6, 0))
    assert got is not None and got.astimezone(AMS).hour == 7


@pytest.mark.parametrize(
    "now",
    [
        utc(2026, 3, 29, 0, 30),  # 01:30 CET, before the jump
        utc(2026, 3, 29, 1, 30),  # 03:30 CEST, after it
        utc(2026, 3, 29, 4, 59),  # 06:59 CEST
    ],
)
def test_inside_the_spring_forward_night(now: datetime) -> None:
    same_instant(held_until("22:00-07:00", now), utc(2026, 3, 29, 5, 0))


@pytest.mark.parametrize(
    "now",
    [
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST, the first time
        utc(2026, 10, 25, 1, 30),  # 02:30 CET, the second time
        utc(2026, 10, 25, 5, 59),  # 06:59 CET
    ],
)
def test_inside_the_fall_back_night(now: datetime) -> None:
    same_instant(held_until("22:00-07:00", now), utc(2026, 10, 25, 6, 0))


def test_the_end_of_a_dst_night_is_not_quiet() -> None:
    assert held_until("22:00-07:00", utc(2026, 3, 29, 5, 0)) is None
    assert held_until("22:00-07:00", utc(2026, 10, 25, 6, 0)) is None
    # an hour before the end in UTC terms on the fall-back day is still inside
    same_instant(held_until("22:00-07:00", utc(2026, 10, 25, 5, 0)), utc(2026, 10, 25, 6, 0))


def test_the_held_push_waits_the_real_length_of_the_night() -> None:
    # from 23:30 local: 7 h 30 min on a normal night, 6 h 30 min and 8 h 30 min on DST nights
    for now, hours in (
        (local(2026, 6, 10, 23, 30), 7.5),
        (local(2026, 3, 28, 23, 30), 6.5),
        (local(2026, 10, 24, 23, 30), 8.5),
    ):
        got = held_until("22:00-07:00", now)
        assert got is not None
        wait = got.astimezone(UTC) - now.astimezone(UTC)
        assert wait.total_seconds() == hours * 3600, now
