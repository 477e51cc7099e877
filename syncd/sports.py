"""One table from every provider's activity type to syncd's `Sport`.

Strava: every `sport_type` of the API's SportType enum (stravalib's model lists the same).
Garmin Connect: the `activityType.typeKey` values for the families syncd cares about.
Unknown values map to `Sport.OTHER` with one logged warning per value, never an error.
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
    "Elliptical": Sport.OTHER,
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
    "StairStepper": Sport.OTHER,
    "StandUpPaddling": Sport.OTHER,
    "Surfing": Sport.OTHER,
    "TableTennis": Sport.OTHER,
    "Tennis": Sport.OTHER,
    "VirtualRow": Sport.OTHER,
    "Volleyball": Sport.OTHER,
    "Wheelchair": Sport.OTHER,
    "Windsurf": Sport.OTHER,
}

#: Garmin Connect `activityType.typeKey` -> Sport.
GARMIN_TYPE_KEYS: dict[str, Sport] = {
    "running": Sport.RUN,
    "street_running": Sport.RUN,
    "obstacle_run": Sport.TRAIL_RUN,
    "trail_running": Sport.TRAIL_RUN,
    "treadmill_running": Sport.TREADMILL_RUN,
    "indoor_running": Sport.TREADMILL_RUN,
    "track_running": Sport.TRACK_RUN,
    "virtual_run": Sport.VIRTUAL_RUN,
    "ultra_run": Sport.ULTRA_RUN,
    "strength_training": Sport.STRENGTH,
    "hiit": Sport.STRENGTH,
    "indoor_cardio": Sport.OTHER,  # cardio machines: not strength work (RULES.md's list)
    "walking": Sport.WALK,
    "casual_walking": Sport.WALK,
    "speed_walking": Sport.WALK,
    "hiking": Sport.HIKE,
    "cycling": Sport.CYCLING,
    "road_biking": Sport.CYCLING,
    "mountain_biking": Sport.CYCLING,
    "gravel_cycling": Sport.CYCLING,
    "indoor_cycling": Sport.CYCLING,
    "virtual_ride": Sport.CYCLING,
    "e_bike_fitness": Sport.CYCLING,
    "e_bike_mountain": Sport.CYCLING,
    "cyclocross": Sport.CYCLING,
    "track_cycling": Sport.CYCLING,
    "swimming": Sport.SWIM,
    "lap_swimming": Sport.SWIM,
    "open_water_swimming": Sport.SWIM,
    "yoga": Sport.MOBILITY,
    "pilates": Sport.MOBILITY,
    "breathwork": Sport.OTHER,
    "elliptical": Sport.OTHER,
    "stair_climbing": Sport.OTHER,
    "indoor_rowing": Sport.OTHER,
    "rowing": Sport.OTHER,
    "fitness_equipment": Sport.OTHER,
    "multi_sport": Sport.OTHER,
    "other": Sport.OTHER,
}

#: Names syncd's own JSON Lines format accepts: every Sport value, plus both providers' names.
_OWN = {s.value: s for s in Sport}

_warned: set[tuple[str, str]] = set()


def sport_from(provider: str, raw: str | None) -> Sport:
    """The Sport for a provider's type name; unknown names give OTHER and warn once."""
    name = (raw or "").strip()
    table: dict[str, Sport]
    if provider == "strava":
        table = STRAVA_SPORT_TYPES
    elif provider == "garmin":
        table = GARMIN_TYPE_KEYS
    else:
        table = _OWN
    sport = table.get(name)
    if sport is None and provider not in ("strava", "garmin"):
        sport = STRAVA_SPORT_TYPES.get(name) or GARMIN_TYPE_KEYS.get(name.lower())
    if sport is None:
        if (provider, name) not in _warned:
            _warned.add((provider, name))
            log.warning("unknown %s activity type %r: counted as 'other'", provider, name)
        return Sport.OTHER
    return sport
