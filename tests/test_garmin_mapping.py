"""Garmin Connect payloads (tests/data/garmin, shaped like the real JSON) → Activity."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syncd.errors import BadPayload
from syncd.providers.garmin.mapping import activity_from, flatten_detail, with_detail
from syncd.sports import Sport

DATA = Path(__file__).parent / "data" / "garmin"
LISTED: list[dict[str, Any]] = json.loads((DATA / "activities.json").read_text())
DETAIL: dict[str, Any] = json.loads((DATA / "activity-detail.json").read_text())


def test_a_watch_run_maps_every_number_in_syncd_units() -> None:
    a = activity_from(LISTED[0], "sam")
    assert (a.provider, a.provider_id, a.athlete) == ("garmin", "15213270004", "sam")
    assert a.start_utc == datetime(2024, 6, 2, 7, 12, 5, tzinfo=UTC)  # startTimeGMT is UTC
    assert a.utc_offset_s == 7200  # startTimeLocal − startTimeGMT: Amsterdam in summer
    assert (a.sport, a.sport_raw) == (Sport.RUN, "running")
    assert a.distance_m == 10012  # metres, float → int
    assert (a.moving_s, a.elapsed_s) == (3050, 3129)  # seconds, rounded
    assert (a.avg_hr, a.max_hr) == (148.0, 171.0)
    assert a.rpe is None  # list items never carry the runner's RPE ...
    assert activity_from(with_detail(LISTED[0], DETAIL), "sam").rpe == 6  # ... the detail does: 60 / 10
    assert a.effort_score == pytest.approx(112.643, abs=1e-3)  # activityTrainingLoad
    assert a.hr_zone45_s == 576  # hrTimeInZone_4 + hrTimeInZone_5 = 480.4 + 95.5
    assert a.title == "Amsterdam Running"
    assert a.description.startswith("Easy loop along the Amstel. Left knee")
    assert a.manual is False
    assert json.loads(a.raw_json) == LISTED[0]  # the payload, for replaying a mapping fix


def test_a_manual_strength_session_without_moving_time_or_heart_rate() -> None:
    a = activity_from(LISTED[1], "sam")
    assert (a.sport, a.manual, a.description) == (Sport.STRENGTH, True, "")
    assert a.distance_m == 0
    assert (a.moving_s, a.elapsed_s) == (1800, 1800)  # no movingDuration: the timer time
    assert (a.avg_hr, a.rpe, a.effort_score, a.hr_zone45_s) == (None, None, None, None)


def test_a_negative_offset_and_an_unanswered_rpe() -> None:
    a = activity_from(LISTED[2], "sam")
    assert a.utc_offset_s == -5 * 3600  # 06:05 local, 11:05 GMT
    assert a.sport is Sport.TREADMILL_RUN and a.sport.is_run
    skipped = {"summaryDTO": {"directWorkoutRpe": 0, "directWorkoutFeel": 75}}
    assert activity_from(with_detail(LISTED[2], skipped), "sam").rpe is None  # 0: the prompt was skipped
    assert a.moving_s == 2102  # duration stands in for the missing movingDuration
    assert a.description == ""  # no description key at all


@pytest.mark.parametrize(
    ("raw", "rpe"),
    [(10, 1), (50, 5), (100, 10), (0, None), (55, None), (110, None), (5, None), (None, None), (70.0, 7)],
)
def test_rpe_is_garmins_value_divided_by_ten(raw: Any, rpe: int | None) -> None:
    detail = {"summaryDTO": {"directWorkoutRpe": raw}}
    assert activity_from(with_detail(LISTED[0], detail), "sam").rpe == rpe


@pytest.mark.parametrize(
    ("key", "sport"),
    [
        ("trail_running", Sport.TRAIL_RUN),
        ("strength_training", Sport.STRENGTH),
        ("road_biking", Sport.CYCLING),
        ("yoga", Sport.MOBILITY),
        ("e_sport_made_up", Sport.OTHER),
    ],
)
def test_sports_come_from_the_type_key(key: str, sport: Sport) -> None:
    data = copy.deepcopy(LISTED[0])
    data["activityType"]["typeKey"] = key
    assert activity_from(data, "sam").sport is sport


def test_only_one_zone_known_still_counts() -> None:
    data = {k: v for k, v in LISTED[0].items() if k != "hrTimeInZone_5"}
    assert activity_from(data, "sam").hr_zone45_s == 480


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"activityId": None}, "without a numeric activityId"),
        ({"activityId": "15213270004"}, "without a numeric activityId"),
        ({"startTimeGMT": None}, "no startTimeGMT"),
        ({"startTimeGMT": "yesterday"}, "startTimeGMT 'yesterday' is not a time"),
        ({"startTimeLocal": "2024-06-03 09:12:05"}, "startTimeLocal is 93600 s away"),
        ({"distance": "10 km"}, "distance is not a number"),
        ({"averageHR": True}, "averageHR is not a number"),
        ({"manualActivity": "no"}, "manualActivity is not true or false"),
        ({"activityName": 42}, "activityName is not text"),
        ({"duration": -1.0, "movingDuration": None}, "moving_s is negative"),
    ],
)
def test_malformed_items_are_refused_with_the_reason(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadPayload, match=reason):
        activity_from({**LISTED[0], **change}, "sam")


def test_an_item_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(BadPayload, match="not a JSON object"):
        activity_from(["not", "an", "activity"], "sam")


def test_the_detail_of_get_activity_maps_like_the_list_item() -> None:
    from_detail = activity_from(flatten_detail(DETAIL), "sam")
    from_list = activity_from(with_detail(LISTED[0], DETAIL), "sam")
    assert from_detail.hr_zone45_s is None  # the detail has no zone times
    same = (
        "provider_id",
        "start_utc",
        "utc_offset_s",
        "sport",
        "distance_m",
        "moving_s",
        "elapsed_s",
        "avg_hr",
        "max_hr",
        "rpe",
        "effort_score",
        "title",
        "description",
        "manual",
    )
    assert {k: getattr(from_detail, k) for k in same} == {k: getattr(from_list, k) for k in same}
