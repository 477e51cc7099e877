"""Garmin's payloads as they really come (syncd's own fixtures in tests/data/garmin, shaped like
responses recorded from Garmin Connect in 2012-2026): each maps as its own fields say. One test
per defect the recordings showed: RPE only in the detail, the whole length of a session without
distance, durations in milliseconds, multisport legs, zones, type keys, races."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from syncd.domain import Activity, Session
from syncd.history import Profile, session_load, suspect_reason
from syncd.merge import copies_match
from syncd.providers.garmin.mapping import activity_from, flatten_detail, with_detail
from syncd.sports import (
    FORWARDED_TO_STRAVA,
    GARMIN_OLDER_KEYS,
    GARMIN_TYPE_KEYS,
    STRAVA_SPORT_TYPES,
    Sport,
    garmin_sport,
)

DATA = Path(__file__).parent / "data" / "garmin"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def mapped(data: dict[str, Any]) -> Activity:
    return activity_from(
        flatten_detail(data) if "summaryDTO" in data and "activityTypeDTO" in data else data, "sam"
    )


def session(activity: Activity) -> Session:
    return Session("s1", "sam", (activity,))


# (fixture, index in a list or None, sport, distance_m, moving_s, elapsed_s, rpe, zones 4-5, kept out)
PAYLOADS = [
    ("list-page-1.json", 0, Sport.TRAIL_RUN, 6120, 2688, 2719, None, 170, False),
    ("list-page-1.json", 1, Sport.HIKE, 7410, 5820, 6556, None, 0, False),
    ("list-page-1.json", 2, Sport.OTHER, 4006, 3011, 3603, None, 0, False),
    ("list-page-2.json", 0, Sport.OTHER, 4006, 3011, 3603, None, 0, False),
    ("list-page-2.json", 1, Sport.SWIM, 512, 688, 1411, None, 0, False),
    ("detail-trail-run.json", None, Sport.TRAIL_RUN, 6120, 2688, 2719, 4, None, False),
    ("detail-yoga.json", None, Sport.MOBILITY, None, 2702, 3021, None, None, False),
    ("strength-list-item.json", None, Sport.STRENGTH, 0, 1207, 1207, None, None, False),
    ("list-2018-ms.json", 0, Sport.OTHER, 9310, 3061, 3105, None, None, False),
    ("detail-2018-xc-ski.json", None, Sport.OTHER, 9310, 3061, 3105, None, None, False),
    ("detail-gpx-device-null.json", None, Sport.OTHER, 12304, 4202, 4510, None, None, False),
    ("detail-gpx-device-0.json", None, Sport.OTHER, 10116, 3251, 3300, None, None, False),
    ("detail-emoji.json", None, Sport.RUN, 5012, 1720, 1802, None, None, False),
    ("multisport-list-item.json", None, Sport.OTHER, 41021, 10804, 11890, None, None, False),
    ("multisport-detail.json", None, Sport.OTHER, 41021, 10804, 11890, None, None, True),
    ("multisport-leg.json", None, Sport.WALK, 4410, 4190, 5501, None, None, False),
]


@pytest.mark.parametrize(
    ("name", "index", "sport", "dist", "moving", "elapsed", "rpe", "zones", "out"), PAYLOADS
)
def test_each_of_the_sixteen_payloads_maps_as_its_fields_say(
    name: str,
    index: int | None,
    sport: Sport,
    dist: int | None,
    moving: int,
    elapsed: int,
    rpe: int | None,
    zones: int | None,
    out: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = load(name)
    a = mapped(data if index is None else data[index])
    assert (a.sport, a.distance_m, a.moving_s, a.elapsed_s) == (sport, dist, moving, elapsed)
    assert (a.rpe, a.hr_zone45_s, a.deleted) == (rpe, zones, out)
    assert "unknown garmin activity type" not in caplog.text  # every key is in the table


# -- one test per defect --------------------------------------------------------------------------


def test_rpe_comes_from_the_detail_and_gives_session_rpe_load() -> None:
    listed, detail = load("list-page-1.json")[0], load("detail-trail-run.json")
    assert "directWorkoutRpe" not in listed  # Garmin never lists it
    summary_only = activity_from(listed, "sam")
    assert summary_only.rpe is None
    assert session_load(session(summary_only), Profile()) == (pytest.approx(44.8), "duration")
    full = activity_from(with_detail(listed, detail), "sam")
    assert full.rpe == 4  # directWorkoutRpe 40 on Garmin's 10-100 scale
    assert session_load(session(full), Profile()) == (pytest.approx(179.2), "session_rpe")  # 44.8 min x 4
    assert full.raw["summaryDTO"]["directWorkoutFeel"] == 75  # the runner's feel, kept with it
    assert full.hr_zone45_s == 170  # the list's zone times survive the detail


def test_a_strength_session_counts_its_whole_length_and_merges_with_its_strava_copy() -> None:
    strength = activity_from(load("strength-list-item.json"), "sam")
    assert strength.raw["movingDuration"] == pytest.approx(301.89, abs=0.01)  # the watch's "moving"
    assert (strength.moving_s, strength.duration_s) == (1207, 1207)  # 20 minutes, not 5
    strava = Activity(
        provider="strava",
        provider_id="9",
        athlete="sam",
        start_utc=strength.start_utc,
        sport=Sport.STRENGTH,
        distance_m=0,
        moving_s=1207,
        elapsed_s=1207,
    )
    assert copies_match(strength, strava)


def test_a_yoga_session_is_its_timer_time_and_keeps_the_runners_words() -> None:
    yoga = mapped(load("detail-yoga.json"))
    assert (yoga.sport, yoga.moving_s, yoga.description) == (
        Sport.MOBILITY,
        2702,
        "Hips felt tight, knees fine",
    )


def test_durations_in_milliseconds_are_read_as_such() -> None:
    [ski] = load("list-2018-ms.json")
    assert ski["elapsedDuration"] > 3_000_000
    a = activity_from(ski, "sam")
    assert (a.elapsed_s, a.moving_s) == (3105, 3061)
    as_a_run = activity_from({**ski, "activityType": {"typeKey": "running", "parentTypeId": 17}}, "sam")
    assert as_a_run.sport is Sport.RUN and suspect_reason(session(as_a_run), Profile()) is None
    paused = {**ski, "movingDuration": 600.0, "duration": 600.0, "elapsedDuration": 61_000.0}
    assert activity_from(paused, "sam").elapsed_s == 61_000  # a watch left running for hours is real time


def test_a_multisport_parent_is_kept_but_out_once_its_legs_are_known() -> None:
    parent, detail, leg = (
        load("multisport-list-item.json"),
        load("multisport-detail.json"),
        load("multisport-leg.json"),
    )
    alone = activity_from(parent, "sam")
    assert (alone.deleted, alone.elapsed_s) == (False, 11890)  # until the legs are read, it counts as itself
    split = activity_from(with_detail(parent, detail), "sam")
    assert split.deleted  # kept for the record, never counted next to its legs
    assert split.raw["metadataDTO"]["childActivityTypes"][1] == "transition"
    walk = mapped(leg)
    assert (walk.sport, walk.provider_id, walk.raw["parentId"]) == (Sport.WALK, "6601222019", 6601222000)


def test_a_race_is_a_race_only_for_runs() -> None:
    run = load("list-page-1.json")[0]
    race = {"typeId": 1, "typeKey": "race", "sortOrder": 2}
    assert activity_from({**run, "eventType": race}, "sam").race
    assert not activity_from(run, "sam").race
    ride = {**run, "eventType": race, "activityType": {"typeKey": "road_biking", "parentTypeId": 2}}
    assert not activity_from(ride, "sam").race
    detail = load("detail-emoji.json")
    assert mapped({**detail, "eventTypeDTO": race}).race  # the detail's eventTypeDTO


# -- the sport table ---------------------------------------------------------------------------------


def type_keys() -> dict[str, str]:
    lines = (DATA / "activity_type_keys.txt").read_text().splitlines()
    return dict(line.split() for line in lines if line and not line.startswith("#"))


def test_every_one_of_garmins_151_type_keys_is_in_the_table() -> None:
    keys = type_keys()
    assert len(keys) == 151
    assert set(keys) == set(GARMIN_TYPE_KEYS)
    assert not set(GARMIN_OLDER_KEYS) & set(keys)  # the older ones are only the ones Garmin dropped
    assert "rowing" not in keys and {"rowing_v2", "indoor_rowing"} <= set(keys)


GROUP_FAMILY = {
    "running": "run",
    "cycling": "cycling",
    "hiking": "walk",
    "walking": "walk",
    "swimming": "swim",
}


def test_each_key_lands_in_its_groups_family() -> None:
    for key, parent in type_keys().items():
        group = key if parent == "all" else parent
        if group in GROUP_FAMILY:
            assert GARMIN_TYPE_KEYS[key].family == GROUP_FAMILY[group], key
    for key in ("hand_cycling", "e_enduro_mtb", "indoor_hand_cycling", "downhill_biking"):
        assert GARMIN_TYPE_KEYS[key] is Sport.CYCLING
    assert GARMIN_TYPE_KEYS["rucking"] is Sport.HIKE and GARMIN_TYPE_KEYS["mobility"] is Sport.MOBILITY
    assert not GARMIN_TYPE_KEYS["indoor_cardio"].is_strength  # RULES.md: cardio is no strength work


@pytest.mark.parametrize(("garmin", "strava"), sorted(FORWARDED_TO_STRAVA.items()))
def test_a_workout_forwarded_to_strava_lands_in_one_family(garmin: str, strava: str) -> None:
    assert GARMIN_TYPE_KEYS[garmin].family == STRAVA_SPORT_TYPES[strava].family


def test_a_key_newer_than_the_table_falls_back_to_its_group(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert garmin_sport("moon_running_v3", 1) is Sport.RUN
    assert garmin_sport("moon_riding_v3", 2) is Sport.CYCLING
    assert garmin_sport("moon_dancing_v3", 29) is Sport.OTHER
    assert "moon_dancing_v3" in caplog.text and "moon_running_v3" not in caplog.text
