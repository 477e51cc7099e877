"""The Garmin provider against the fake account: recent activities read in detail once (RPE),
multisport legs as activities of their own, and deletions noticed, each with its request count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.garmin_fake import item
from test_garmin_provider import NOW, Setup, every_12h

from syncd.errors import RateLimited
from syncd.sports import Sport

HOURS_AGO = (NOW - timedelta(hours=5)).replace(tzinfo=None)


def gmt(hours_ago: float) -> datetime:
    return (NOW - timedelta(hours=hours_ago)).replace(tzinfo=None)


def stored(s: Setup, ident: int | str) -> Any:
    return next(a for a in s.store.activities("sam", include_deleted=True) if a.provider_id == str(ident))


# -- RPE from the detail ---------------------------------------------------------------------------


def test_a_new_run_is_read_in_detail_once_for_its_rpe(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(10, newest=NOW - timedelta(days=10)))
    s.sync()
    s.account.put(item(7001, gmt(5), km=10.0, minutes=50), rpe=7)
    before = len(s.account.requests)
    s.sync()
    assert s.account.requests[before:] == ["list start=0 limit=100", "get 7001"]
    assert stored(s, 7001).rpe == 7
    before = len(s.account.requests)
    s.sync()  # listed again inside the overlap: the stored detail carries over, no request
    assert s.account.requests[before:] == ["list start=0 limit=100"]
    assert stored(s, 7001).rpe == 7


def test_a_backfill_reads_only_the_recent_activities_in_detail(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(250))  # the newest 3 h ago, one every 12 h
    s.sync()
    details = [r for r in s.account.requests if r.startswith("get")]
    assert details == [f"get {1000 + i}" for i in range(6)]  # the ones within 3 days; 244 cost nothing


def test_a_failed_detail_keeps_the_summary_and_is_tried_again(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(10, newest=NOW - timedelta(days=10)))
    s.sync()
    s.account.put(item(7001, gmt(5)), rpe=6)
    s.account.faults = [None, 429]  # the listing works, the detail is throttled
    with pytest.raises(RateLimited):
        s.sync()
    assert stored(s, 7001).rpe is None  # the run is stored from the list all the same
    s.store.set_provider_value("garmin", "rate_limited_until:sam", None)
    s.sync()
    assert stored(s, 7001).rpe == 6


# -- multisport ------------------------------------------------------------------------------------


def triathlon(s: Setup, start: datetime) -> None:
    legs = [
        item(8101, start, km=1.5, minutes=30, type_key="open_water_swimming"),
        item(8102, start + timedelta(minutes=32), km=0.3, minutes=2, type_key="transition_v2"),
        item(8103, start + timedelta(minutes=34), km=40.0, minutes=70, type_key="road_biking"),
        item(8104, start + timedelta(minutes=105), km=0.2, minutes=2, type_key="bikeToRunTransition_v2"),
        item(8105, start + timedelta(minutes=107), km=10.0, minutes=50, type_key="running"),
    ]
    parent = item(8100, start, km=52.0, minutes=157, type_key="multi_sport", movingDuration=None)
    kinds = ["open_water_swimming", "transition", "road_biking", "transition", "running"]
    s.account.put_multisport(parent, legs, kinds)


def test_a_triathlons_legs_are_activities_of_their_own_and_the_parent_counts_once(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(10, newest=NOW - timedelta(days=10)))
    s.sync()
    triathlon(s, gmt(30))
    before = len(s.account.requests)
    s.sync()
    # the list, the parent's detail, then the three real legs: transitions are skipped
    assert s.account.requests[before:] == [
        "list start=0 limit=100",
        "get 8100",
        "get 8101",
        "get 8103",
        "get 8105",
    ]
    run_leg = stored(s, 8105)
    assert (run_leg.sport, run_leg.distance_m, run_leg.raw["parentId"]) == (Sport.RUN, 10000, 8100)
    assert stored(s, 8100).deleted  # kept for the record, out of every rule
    ids = {a.provider_id for session in s.store.rebuild_sessions("sam")[0] for a in session.activities}
    assert {"8101", "8103", "8105"} <= ids and "8100" not in ids
    before = len(s.account.requests)
    s.sync()  # listed again: nothing read twice
    assert s.account.requests[before:] == ["list start=0 limit=100"]


def test_a_multisport_whose_leg_cannot_be_read_counts_as_itself_until_it_can(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(10, newest=NOW - timedelta(days=10)))
    s.sync()
    triathlon(s, gmt(30))
    s.account.faults = [None, None, None, 503]  # list, parent, swim leg; the bike leg fails
    with pytest.raises(Exception, match="503"):
        s.sync()
    assert not stored(s, 8100).deleted and stored(s, 8100).sport is Sport.OTHER
    s.sync()
    assert stored(s, 8100).deleted and stored(s, 8105).sport is Sport.RUN


# -- deletions -------------------------------------------------------------------------------------


def test_an_activity_deleted_on_garmin_is_confirmed_with_one_request_and_marked(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(20, newest=NOW - timedelta(days=1)))
    s.sync()
    s.sync()  # an idle poll: the window is known
    s.account.delete(1001)  # 36 h old: inside the 3-day overlap
    before = len(s.account.requests)
    s.sync()
    assert s.account.requests[before:] == ["list start=0 limit=100", "get 1001"]
    assert stored(s, 1001).deleted
    assert "1001" not in {a.provider_id for a in s.store.activities("sam")}
    before = len(s.account.requests)
    s.sync()  # and it is not asked about again
    assert s.account.requests[before:] == ["list start=0 limit=100"]


def test_an_activity_missing_from_one_listing_but_still_on_garmin_stays(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(20, newest=NOW - timedelta(days=1)))
    s.sync()
    s.sync()
    s.account.legs[1002] = {**item(1002, gmt(48)), "activityTypeDTO": {"typeKey": "running"}}
    del s.account.items[1002]  # the page shifted: Garmin still has it, the list skipped it
    s.sync()
    assert not stored(s, 1002).deleted


def test_a_deleted_multisport_takes_its_legs_along(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(10, newest=NOW - timedelta(days=10)))
    s.sync()
    triathlon(s, gmt(30))
    s.sync()
    s.account.delete(8100)
    before = len(s.account.requests)
    s.sync()
    assert s.account.requests[before:] == ["list start=0 limit=100", "get 8100"]
    assert all(stored(s, leg).deleted for leg in (8101, 8103, 8105))


def test_an_activity_older_than_the_window_is_never_asked_about(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(20, newest=NOW - timedelta(days=1)))
    s.sync()
    s.sync()
    s.account.delete(1010)  # 6 days old: outside the overlap window
    before = len(s.account.requests)
    s.sync()
    assert s.account.requests[before:] == ["list start=0 limit=100"]
    assert not stored(s, 1010).deleted


def test_a_throttled_confirmation_is_tried_again_on_the_next_pass(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(20, newest=NOW - timedelta(days=1)))
    s.sync()
    s.sync()
    s.account.delete(1001)
    s.account.faults = [None, 429]
    with pytest.raises(RateLimited):
        s.sync()
    assert not stored(s, 1001).deleted
    s.store.set_provider_value("garmin", "rate_limited_until:sam", None)
    s.sync()
    assert stored(s, 1001).deleted


def test_window_starts_are_kept_in_utc(tmp_path: Path) -> None:
    s = Setup(tmp_path, every_12h(3, newest=NOW - timedelta(hours=2)), detail=timedelta(0))
    s.sync()
    window = s.store.provider_value("garmin", "window:sam")
    assert {datetime.fromisoformat(v).tzinfo for v in window.values()} == {UTC}
