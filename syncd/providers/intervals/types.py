"""intervals.icu activity types → syncd's `Sport`: every value of the API's activity type enum.

intervals.icu names types as Strava does (its `type` field takes the same enum everywhere in
its API description); the mapping follows RULES.md: running kinds are runs, weight training,
workouts, crossfit and HIIT are strength, yoga and pilates are mobility, cardio machines are
not strength. A run marked `trainer` (indoors) is a treadmill run: intervals.icu has no type
of its own for it. Unknown types give `Sport.OTHER` with one warning per value.
"""

from __future__ import annotations

import logging

from syncd.sports import Sport

log = logging.getLogger(__name__)

#: intervals.icu `type` → Sport (the API's activity type enum, complete).
INTERVALS_TYPES: dict[str, Sport] = {
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
    "TrackRide": Sport.CYCLING,
    "EBikeRide": Sport.CYCLING,
    "EMountainBikeRide": Sport.CYCLING,
    "VirtualRide": Sport.CYCLING,
    "Velomobile": Sport.CYCLING,
    "Handcycle": Sport.CYCLING,
    "Swim": Sport.SWIM,
    "OpenWaterSwim": Sport.SWIM,
    "Yoga": Sport.MOBILITY,
    "Pilates": Sport.MOBILITY,
    "AlpineSki": Sport.OTHER,
    "BackcountrySki": Sport.OTHER,
    "Badminton": Sport.OTHER,
    "Canoeing": Sport.OTHER,
    "Elliptical": Sport.OTHER,
    "Golf": Sport.OTHER,
    "Hockey": Sport.OTHER,
    "IceSkate": Sport.OTHER,
    "InlineSkate": Sport.OTHER,
    "Kayaking": Sport.OTHER,
    "Kitesurf": Sport.OTHER,
    "NordicSki": Sport.OTHER,
    "Padel": Sport.OTHER,
    "Pickleball": Sport.OTHER,
    "Racquetball": Sport.OTHER,
    "Rugby": Sport.OTHER,
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
    "Transition": Sport.OTHER,  # the changeover in a multisport file
    "VirtualRow": Sport.OTHER,
    "WaterSport": Sport.OTHER,
    "Wheelchair": Sport.OTHER,
    "Windsurf": Sport.OTHER,
    "Other": Sport.OTHER,
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
