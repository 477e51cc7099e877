"""intervals.icu payloads → Activity: every field the rules use, the links to the Garmin and
Strava originals, every activity type the API lists, and malformed items refused by name."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from syncd.errors import BadPayload
from syncd.providers.intervals.mapping import activity_from, is_strava_stub
from syncd.providers.intervals.types import INTERVALS_TYPES, sport_of
from syncd.sports import Sport

#: Every value of the activity type enum in intervals.icu's API description.
DOCUMENTED_TYPES = """
Ride Run Swim WeightTraining Hike Walk AlpineSki BackcountrySki Badminton Canoeing Crossfit
EBikeRide EMountainBikeRide Elliptical Golf GravelRide TrackRide Handcycle
HighIntensityIntervalTraining Hockey IceSkate InlineSkate Kayaking Kitesurf MountainBikeRide
NordicSki OpenWaterSwim Padel Pilates Pickleball Racquetball Rugby RockClimbing RollerSki Rowing
Sail Skateboard Snowboard Snowshoe Soccer Squash StairStepper StandUpPaddling Surfing TableTennis
Tennis TrailRun Transition Velomobile VirtualRide VirtualRow VirtualRun WaterSport Wheelchair
Windsurf Workout Yoga Other
""".split()  # noqa: SIM905  (a block reads like the enum)


def payload(**fields: Any) -> dict[str, Any]:
    """A run synced from Garmin Connect, as intervals.icu lists it (Amsterdam, summer time)."""
    item: dict[str, Any] = {
        "id": "i40000123",
        "start_date_local": "2026-05-04T08:00:00",
        "start_date": "2026-05-04T06:00:00Z",
        "timezone": "Europe/Amsterdam",
        "type": "Run",
        "name": "Hill reps",
        "description": "Legs heavy.",
        "distance": 10012.4,
        "icu_distance": 10050.0,
        "moving_time": 3000,
        "elapsed_time": 3120,
        "average_heartrate": 151,
        "max_heartrate": 178,
        "icu_rpe": 7,
        "feel": 2,
        "session_rpe": 350,
        "perceived_exertion": None,
        "icu_training_load": 74,
        "icu_hr_zone_times": [300, 900, 900, 600, 240, 60, 0],
        "trainer": False,
        "race": False,
        "sub_type": "NONE",
        "source": "GARMIN_CONNECT",
        "external_id": "18234567890",
        "strava_id": None,
    }
    item.update(fields)
    return item


def test_every_field_the_rules_use() -> None:
    a = activity_from(payload(), "sam")
    assert (a.provider, a.provider_id, a.athlete) == ("intervals", "i40000123", "sam")
    assert a.start_utc == datetime(2026, 5, 4, 6, 0, tzinfo=UTC) and a.utc_offset_s == 7200
    assert (a.sport, a.sport_raw) == (Sport.RUN, "Run")
    assert (a.distance_m, a.moving_s, a.elapsed_s) == (10012, 3000, 3120)
    assert (a.avg_hr, a.max_hr, a.rpe, a.effort_score) == (151.0, 178.0, 7, 74.0)
    assert a.hr_zone45_s == 600 + 240 + 60  # 7 zones: threshold (Z4) and above
    assert (a.title, a.description) == ("Hill reps", "Legs heavy.")
    assert not (a.manual or a.trainer or a.race or a.deleted)
    assert a.same_as == ("garmin:18234567890",)
    assert a.raw["feel"] == 2  # kept in the payload; no rule reads it


def test_the_start_from_the_local_time_and_the_time_zone_when_the_utc_start_is_missing() -> None:
    a = activity_from(payload(start_date=None, start_date_local="2026-01-10T07:30:00"), "sam")
    assert a.start_utc == datetime(2026, 1, 10, 6, 30, tzinfo=UTC) and a.utc_offset_s == 3600


@pytest.mark.parametrize(
    ("fields", "rpe"),
    [
        ({"icu_rpe": 4, "perceived_exertion": 9.0}, 4),  # the runner's own entry in intervals.icu first
        ({"icu_rpe": None, "perceived_exertion": 6.0}, 6),  # what the watch or Strava brought
        ({"icu_rpe": None, "session_rpe": 300}, 6),  # session RPE is RPE × moving minutes (50)
        ({"icu_rpe": 0, "session_rpe": None}, None),  # 0: not answered
        ({"icu_rpe": 14, "session_rpe": 2000}, None),  # nothing on the 1-10 scale
    ],
)
def test_the_runners_effort(fields: dict[str, Any], rpe: int | None) -> None:
    assert activity_from(payload(**fields), "sam").rpe == rpe


def test_zone_times_of_a_five_zone_setup_and_of_others() -> None:
    assert activity_from(payload(icu_hr_zone_times=[600, 900, 600, 420, 180]), "sam").hr_zone45_s == 600
    assert activity_from(payload(icu_hr_zone_times=[600, 900, 600]), "sam").hr_zone45_s is None
    assert activity_from(payload(icu_hr_zone_times=None), "sam").hr_zone45_s is None


def test_races_are_runs_intervals_marks_as_races() -> None:
    assert activity_from(payload(race=True), "sam").race
    assert activity_from(payload(sub_type="RACE"), "sam").race
    assert not activity_from(payload(type="Ride", race=True), "sam").race  # RULES.md: races are runs
    assert not activity_from(payload(name="Parkrun race!"), "sam").race  # never from the title


def test_an_indoor_run_is_a_treadmill_run_and_a_manual_entry_is_manual() -> None:
    indoor = activity_from(payload(trainer=True), "sam")
    assert indoor.sport is Sport.TREADMILL_RUN and indoor.trainer
    assert activity_from(payload(source="MANUAL", external_id=None), "sam").manual


def test_links_name_the_garmin_and_strava_originals() -> None:
    both = activity_from(payload(strava_id="13987654321"), "sam")
    assert both.same_as == ("garmin:18234567890", "strava:13987654321")
    assert activity_from(payload(external_id="garmin_18234567890.fit"), "sam").same_as == (
        "garmin:18234567890",
    )
    # an upload's file name, or a Wahoo id, names no Garmin activity
    assert activity_from(payload(source="UPLOAD", external_id="18234567890.fit"), "sam").same_as == ()
    assert activity_from(payload(external_id="2026-05-04-08-00-00.fit"), "sam").same_as == ()


def test_a_strava_stub_is_no_activity() -> None:
    stub = {"id": "13987654321", "source": "STRAVA", "start_date_local": "2026-05-04T08:00:00", "_note": "x"}
    assert is_strava_stub(stub) and not is_strava_stub(payload())
    with pytest.raises(BadPayload, match="came from Strava"):
        activity_from(stub, "sam")


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("not an object", "not a JSON object"),
        (payload(id=40000123), "without a usable id"),
        (payload(id="../athlete/0"), "without a usable id"),
        (payload(start_date=None, start_date_local=None), "i40000123: no start_date"),
        (payload(start_date="soon"), "i40000123: start_date 'soon' is not a time"),
        (payload(start_date_local="2026-05-05T08:00:00"), "i40000123: start_date_local is 1 day"),
        (payload(distance="10 km"), "i40000123: distance is not a number"),
        (payload(moving_time=True), "i40000123: moving_time is not a number"),
        (payload(moving_time=-5), "i40000123: moving_s is negative"),
        (payload(name=["Hill"]), "i40000123: name is not text"),
        (payload(icu_hr_zone_times="lots"), "i40000123: icu_hr_zone_times is not a list"),
        (payload(start_date=None, timezone="Mars/Olympus"), "timezone is not a known time zone"),
    ],
)
def test_a_malformed_item_is_refused_by_name(item: Any, says: str) -> None:
    with pytest.raises(BadPayload, match=says.replace("(", r"\(")):
        activity_from(item, "sam")


def test_every_documented_type_has_a_sport() -> None:
    assert sorted(INTERVALS_TYPES) == sorted(DOCUMENTED_TYPES)
    runs = {t for t, s in INTERVALS_TYPES.items() if s.is_run}
    strength = {t for t, s in INTERVALS_TYPES.items() if s.is_strength}
    assert runs == {"Run", "TrailRun", "VirtualRun"}
    assert strength == {"WeightTraining", "Workout", "Crossfit", "HighIntensityIntervalTraining"}
    assert {INTERVALS_TYPES[t] for t in ("Yoga", "Pilates")} == {Sport.MOBILITY}  # not strength
    assert INTERVALS_TYPES["Elliptical"] is Sport.OTHER and INTERVALS_TYPES["StairStepper"] is Sport.OTHER


def test_an_unknown_type_counts_as_other_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert sport_of("Parkour") is Sport.OTHER
        assert sport_of("Parkour") is Sport.OTHER
    assert len([r for r in caplog.records if "Parkour" in r.getMessage()]) == 1


def test_the_same_payload_maps_the_same_after_a_round_trip_through_the_store(store) -> None:
    store.ensure_athlete("sam", "UTC")
    a = activity_from(payload(strava_id="13987654321"), "sam")
    store.upsert_activities([a])
    [back] = store.activities("sam")
    assert back.same_as == a.same_as and back == a
    assert store.upsert_activities([a]).unchanged == 1  # nothing changed: nothing rewritten
    assert back.start_utc + timedelta(seconds=back.utc_offset_s) == datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
