"""One table from every provider's activity type to syncd's `Sport`.

Strava: every `sport_type` of the API's SportType enum (stravalib's model lists the same).
Garmin Connect: every `activityType.typeKey` Garmin lists (151 of them), and older keys still
found in older activities; a key newer than the table falls back to its group (a new kind of
run is a run). Unknown values map to `Sport.OTHER` with one logged warning per value.

Families decide which copies may merge (DESIGN.md, "Session"): a workout recorded by the watch
and forwarded to Strava must land in one family on both sides (`FORWARDED_TO_STRAVA`). Gym
work (strength, cardio machines and classes, mobility) is one family: two indoor sessions
that start within minutes of each other with the same length are one workout, and the
watch's copy then says which kind it was.
"""

from __future__ import annotations

import logging
from enum import StrEnum

log = logging.getLogger(__name__)


class Sport(StrEnum):
    """What kind of workout an activity was; `family` groups the kinds rules compare."""

    RUN = "run"
    TRAIL_RUN = "trail_run"
    TREADMILL_RUN = "treadmill_run"
    TRACK_RUN = "track_run"
    VIRTUAL_RUN = "virtual_run"
    ULTRA_RUN = "ultra_run"
    STRENGTH = "strength"
    WALK = "walk"
    HIKE = "hike"
    CYCLING = "cycling"
    SWIM = "swim"
    MOBILITY = "mobility"  # yoga, pilates: not strength (RULES.md)
    CARDIO = "cardio"  # cardio machines and classes (elliptical, stair climber): not strength
    OTHER = "other"

    @property
    def family(self) -> str:
        return _FAMILY.get(self, self.value)

    @property
    def is_run(self) -> bool:
        return self.family == "run"

    @property
    def is_strength(self) -> bool:
        return self is Sport.STRENGTH


_FAMILY = {
    Sport.RUN: "run",
    Sport.TRAIL_RUN: "run",
    Sport.TREADMILL_RUN: "run",
    Sport.TRACK_RUN: "run",
    Sport.VIRTUAL_RUN: "run",
    Sport.ULTRA_RUN: "run",
    Sport.WALK: "walk",
    Sport.HIKE: "walk",
    Sport.STRENGTH: "gym",
    Sport.CARDIO: "gym",
    Sport.MOBILITY: "gym",
}

#: Strava `sport_type` (the API's SportType enum, complete) -> Sport.
STRAVA_SPORT_TYPES: dict[str, Sport] = {
    "Run": Sport.RUN,
    "TrailRun": Sport.TRAIL_RUN,
    "VirtualRun": Sport.VIRTUAL_RUN,
    "WeightTraining": Sport.STRENGTH,
    "Workout": Sport.STRENGTH,
    "Crossfit": Sport.STRENGTH,
    "HighIntensityIntervalTraining": Sport.STRENGTH,
    "Walk": Sport.WALK,
    "Hike": Sport.HIKE,
    "Snowshoe": Sport.HIKE,
    "Ride": Sport.CYCLING,
    "MountainBikeRide": Sport.CYCLING,
    "GravelRide": Sport.CYCLING,
    "EBikeRide": Sport.CYCLING,
    "EMountainBikeRide": Sport.CYCLING,
    "VirtualRide": Sport.CYCLING,
    "Velomobile": Sport.CYCLING,
    "Handcycle": Sport.CYCLING,
    "Swim": Sport.SWIM,
    "Yoga": Sport.MOBILITY,
    "Pilates": Sport.MOBILITY,
    "PhysicalTherapy": Sport.MOBILITY,
    "AlpineSki": Sport.OTHER,
    "BackcountrySki": Sport.OTHER,
    "Badminton": Sport.OTHER,
    "Basketball": Sport.OTHER,
    "Canoeing": Sport.OTHER,
    "Cricket": Sport.OTHER,
    "Dance": Sport.OTHER,
    "Elliptical": Sport.CARDIO,
    "Golf": Sport.OTHER,
    "IceSkate": Sport.OTHER,
    "InlineSkate": Sport.OTHER,
    "Kayaking": Sport.OTHER,
    "Kitesurf": Sport.OTHER,
    "NordicSki": Sport.OTHER,
    "Padel": Sport.OTHER,
    "Pickleball": Sport.OTHER,
    "Racquetball": Sport.OTHER,
    "RockClimbing": Sport.OTHER,
    "RollerSki": Sport.OTHER,
    "Rowing": Sport.OTHER,
    "Sail": Sport.OTHER,
    "Skateboard": Sport.OTHER,
    "Snowboard": Sport.OTHER,
    "Soccer": Sport.OTHER,
    "Squash": Sport.OTHER,
    "StairStepper": Sport.CARDIO,
    "StandUpPaddling": Sport.OTHER,
    "Surfing": Sport.OTHER,
    "TableTennis": Sport.OTHER,
    "Tennis": Sport.OTHER,
    "VirtualRow": Sport.OTHER,
    "Volleyball": Sport.OTHER,
    "Wheelchair": Sport.OTHER,
    "Windsurf": Sport.OTHER,
}


def _all(sport: Sport, keys: str) -> dict[str, Sport]:
    return dict.fromkeys(keys.split(), sport)


#: Garmin Connect `activityType.typeKey` -> Sport: all 151 keys Garmin lists today
#: (tests/data/garmin/activity_type_keys.txt), then older keys still found in older payloads.
GARMIN_TYPE_KEYS: dict[str, Sport] = {
    "running": Sport.RUN,
    "street_running": Sport.RUN,
    "trail_running": Sport.TRAIL_RUN,
    "obstacle_run": Sport.TRAIL_RUN,
    "track_running": Sport.TRACK_RUN,
    "treadmill_running": Sport.TREADMILL_RUN,
    "indoor_running": Sport.TREADMILL_RUN,
    "virtual_run": Sport.VIRTUAL_RUN,
    "ultra_run": Sport.ULTRA_RUN,
    **_all(
        Sport.CYCLING,
        "cycling mountain_biking road_biking cyclocross downhill_biking track_cycling recumbent_cycling "
        "indoor_cycling bmx gravel_cycling virtual_ride e_bike_mountain e_bike_fitness hand_cycling "
        "indoor_hand_cycling enduro_mtb e_enduro_mtb",
    ),
    **_all(Sport.HIKE, "hiking rucking snow_shoe_ws"),
    **_all(Sport.WALK, "walking casual_walking speed_walking"),
    **_all(Sport.SWIM, "swimming lap_swimming open_water_swimming"),
    **_all(Sport.STRENGTH, "strength_training hiit"),
    # cardio machines and classes: gym work, but not strength work (RULES.md's list)
    **_all(Sport.CARDIO, "indoor_cardio elliptical stair_climbing jump_rope"),
    **_all(Sport.MOBILITY, "yoga pilates mobility"),
    **_all(
        Sport.OTHER,
        # fitness equipment that is neither strength, cardio nor mobility; rowing stays with
        # Strava's Rowing, which names indoor and outdoor rowing alike
        "fitness_equipment indoor_rowing indoor_climbing bouldering onshore_grinding_v2 dance "
        # the top-level groups and multisport (its legs are activities of their own)
        "other multi_sport steps diving safety winter_sports para_sports team_sports racket_sports "
        "water_sports "
        "mountaineering wind_kite_surfing horseback_riding driving_general flying "
        "whitewater_rafting_kayaking inline_skating golf hunting_fishing sky_diving rc_drone "
        "rock_climbing hang_gliding wingsuit_flying floor_climbing stop_watch auto_racing breathwork "
        "e_sport motorcycling_v2 motocross_v2 atv_v2 transition_v2 swimToBikeTransition_v2 "
        "bikeToRunTransition_v2 runToBikeTransition_v2 hunting meditation disc_golf boxing archery "
        "mixed_martial_arts overland "
        "single_gas_diving multi_gas_diving gauge_diving apnea_diving apnea_hunting ccr_diving pool_apnea "
        "assistance incident_detected "
        "snowmobiling_ws skating_ws backcountry_skiing_snowboarding_ws skate_skiing_ws "
        "cross_country_skiing_ws resort_skiing_snowboarding_ws backcountry_skiing "
        "backcountry_snowboarding resort_skiing resort_snowboarding "
        # wheelchair pushes: Strava's Wheelchair is no run either (RULES.md's running list)
        "wheelchair_push_run wheelchair_push_walk "
        "cricket rugby ice_hockey field_hockey lacrosse volleyball ultimate_disc softball soccer "
        "american_football basketball baseball "
        "table_tennis platform_tennis racquetball squash badminton pickleball paddelball tennis_v2 "
        "boating_v2 fishing_v2 kayaking_v2 kiteboarding_v2 offshore_grinding_v2 paddling_v2 "
        "whitewater_rafting_v2 rowing_v2 sailing_v2 stand_up_paddleboarding_v2 surfing_v2 water_tubing "
        "windsurfing_v2 wakeboarding_v2 wakesurfing waterskiing snorkeling",
    ),
}

#: Keys Garmin no longer lists but older activities still carry (the 2012-2021 payloads).
GARMIN_OLDER_KEYS: dict[str, Sport] = {
    "snow_shoe": Sport.HIKE,
    **_all(
        Sport.OTHER,
        "uncategorized cross_country_skiing skate_skiing backcountry_skiing_snowboarding "
        "resort_skiing_snowboarding rowing transition stand_up_paddleboarding kayaking tennis "
        "surfing sailing windsurfing kiteboarding",
    ),
}

#: Garmin's top-level groups by `activityType.parentTypeId`, for keys newer than this table.
GARMIN_PARENT_IDS: dict[int, Sport] = {
    1: Sport.RUN,
    2: Sport.CYCLING,
    3: Sport.HIKE,
    9: Sport.WALK,
    26: Sport.SWIM,
}

#: How a Garmin activity arrives on Strava when the watch's account forwards it there: each pair
#: must land in one sport family, or the two copies of one workout would never merge.
FORWARDED_TO_STRAVA: dict[str, str] = {
    "running": "Run",
    "street_running": "Run",
    "track_running": "Run",
    "treadmill_running": "Run",
    "indoor_running": "Run",
    "ultra_run": "Run",
    "obstacle_run": "Run",
    "trail_running": "TrailRun",
    "virtual_run": "VirtualRun",
    "strength_training": "WeightTraining",
    "hiit": "HighIntensityIntervalTraining",
    "indoor_cardio": "Workout",
    "elliptical": "Elliptical",
    "stair_climbing": "StairStepper",
    "yoga": "Yoga",
    "pilates": "Pilates",
    "walking": "Walk",
    "casual_walking": "Walk",
    "speed_walking": "Walk",
    "hiking": "Hike",
    "rucking": "Hike",
    "snow_shoe_ws": "Snowshoe",
    "cycling": "Ride",
    "road_biking": "Ride",
    "recumbent_cycling": "Ride",
    "track_cycling": "Ride",
    "bmx": "Ride",
    "cyclocross": "Ride",
    "indoor_cycling": "VirtualRide",
    "virtual_ride": "VirtualRide",
    "mountain_biking": "MountainBikeRide",
    "downhill_biking": "MountainBikeRide",
    "enduro_mtb": "MountainBikeRide",
    "gravel_cycling": "GravelRide",
    "e_bike_fitness": "EBikeRide",
    "e_bike_mountain": "EMountainBikeRide",
    "e_enduro_mtb": "EMountainBikeRide",
    "hand_cycling": "Handcycle",
    "indoor_hand_cycling": "Handcycle",
    "lap_swimming": "Swim",
    "open_water_swimming": "Swim",
    "indoor_rowing": "Rowing",
    "rowing_v2": "Rowing",
    "wheelchair_push_run": "Wheelchair",
    "wheelchair_push_walk": "Wheelchair",
    "cross_country_skiing_ws": "NordicSki",
    "resort_skiing": "AlpineSki",
    "stand_up_paddleboarding_v2": "StandUpPaddling",
}

#: Names syncd's own JSON Lines format accepts: every Sport value, plus both providers' names.
_OWN = {s.value: s for s in Sport}

_GARMIN = {**GARMIN_OLDER_KEYS, **GARMIN_TYPE_KEYS}

_warned: set[tuple[str, str]] = set()


def sport_from(provider: str, raw: str | None) -> Sport:
    """The Sport for a provider's type name; unknown names give OTHER and warn once."""
    name = (raw or "").strip()
    table: dict[str, Sport]
    if provider == "strava":
        table = STRAVA_SPORT_TYPES
    elif provider == "garmin":
        table = _GARMIN
    else:
        table = _OWN
    sport = table.get(name)
    if sport is None and provider not in ("strava", "garmin"):
        sport = STRAVA_SPORT_TYPES.get(name) or _GARMIN.get(name.lower())
    if sport is None:
        return _unknown(provider, name)
    return sport


def garmin_sport(type_key: str, parent_type_id: object = None) -> Sport:
    """The Sport for a Garmin `activityType`: its key, else its group (`parentTypeId`), so a
    kind of run added after this table still counts as a run; else OTHER, warned once."""
    sport = _GARMIN.get(type_key)
    if sport is None and isinstance(parent_type_id, int) and not isinstance(parent_type_id, bool):
        sport = GARMIN_PARENT_IDS.get(parent_type_id)
    return _unknown("garmin", type_key) if sport is None else sport


def _unknown(provider: str, name: str) -> Sport:
    if (provider, name) not in _warned:
        _warned.add((provider, name))
        log.warning("unknown %s activity type %r: counted as 'other'", provider, name)
    return Sport.OTHER
