"""intervals.icu activity types → syncd's `Sport`: every value of the API's activity type enum.

intervals.icu names types as Strava does (its `type` field takes the same enum everywhere in
its API description); the mapping follows RULES.md: running kinds are runs, weight training,
workouts, crossfit and HIIT are strength, yoga and pilates are mobility, cardio machines are
not strength. A run marked `trainer` (indoors) is a treadmill run: intervals.icu has no type
of its own for it. Unknown types give `Sport.OTHER` with one warning per value.
"""

from __future__ import annotations

import logging

from syncd.sports import STRAVA_SPORT_TYPES, Sport

log = logging.getLogger(__name__)

#: the API's activity type enum, complete
INTERVALS_TYPE_NAMES: tuple[str, ...] = tuple(
    "Run TrailRun VirtualRun WeightTraining Workout Crossfit HighIntensityIntervalTraining Walk Hike "  # noqa: SIM905
    "Snowshoe Ride MountainBikeRide GravelRide TrackRide EBikeRide EMountainBikeRide VirtualRide "
    "Velomobile Handcycle Swim OpenWaterSwim Yoga Pilates AlpineSki BackcountrySki Badminton Canoeing "
    "Elliptical Golf Hockey IceSkate InlineSkate Kayaking Kitesurf NordicSki Padel Pickleball "
    "Racquetball Rugby RockClimbing RollerSki Rowing Sail Skateboard Snowboard Soccer Squash "
    "StairStepper StandUpPaddling Surfing TableTennis Tennis Transition VirtualRow WaterSport "
    "Wheelchair Windsurf Other".split()
)
#: where intervals.icu's mapping differs from Strava's for a name both use, or names only it has
_OWN = {
    "TrackRide": Sport.CYCLING,
    "OpenWaterSwim": Sport.SWIM,
    "Elliptical": Sport.OTHER,
    "StairStepper": Sport.OTHER,
}
#: intervals.icu `type` → Sport: the names are Strava's, so is the mapping (`STRAVA_SPORT_TYPES`)
INTERVALS_TYPES: dict[str, Sport] = {
    name: _OWN.get(name, STRAVA_SPORT_TYPES.get(name, Sport.OTHER)) for name in INTERVALS_TYPE_NAMES
}

_warned: set[str] = set()


def sport_of(type_name: str, *, trainer: bool = False) -> Sport:
    """The Sport for an intervals.icu type; an indoor ("trainer") run is a treadmill run."""
    sport = INTERVALS_TYPES.get(type_name)
    if sport is None:
        if type_name not in _warned:
            _warned.add(type_name)
            log.warning("unknown intervals.icu activity type %r: counted as 'other'", type_name)
        return Sport.OTHER
    return Sport.TREADMILL_RUN if sport is Sport.RUN and trainer else sport
