"""The coach's strength session as a Garmin strength workout, built with garminconnect's own
workout models (`garminconnect.workout`) and exercise catalogue (`garminconnect.exercises`).

Each exercise is one repeat block of its sets: the exercise step (reps, or a timed hold),
twice for an exercise done on each side (left, then right), then the rest the coach plans for
that kind of exercise; the last rest is skipped. Each step's note carries the exercise's own
name in syncd's words, so the watch shows what the catalogue has no exact entry for (a
narrow-stance squat is Garmin's plain squat).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncd.coach.catalogue import REST_S
from syncd.errors import ProviderError

if TYPE_CHECKING:
    from syncd.coach.catalogue import Dose, Exercise
    from syncd.coach.session import StrengthSession

#: syncd's exercise id → the display name of the matching exercise in Garmin's catalogue.
GARMIN_EXERCISES: dict[str, str] = {
    "neutral_squat": "Squat",
    "wide_squat": "Sumo Squat",
    "staggered_squat": "Staggered Squat",
    "narrow_squat": "Squat",
    "wall_sit": "Body-weight Wall Squat",
    "lateral_lunge": "Side Lunge",
    "side_lying_leg_raise": "Side-lying Leg Raise",
    "clamshell": "Banded Clam Shells",  # the band is optional; the note names the exercise
    "calf_raise": "Standing Calf Raise",
    "hamstring_stretch": "Hamstring Stretch",
    "calf_stretch": "Calf Stretch",
}


def workout_name(session: StrengthSession) -> str:
    """The workout's name on the watch: short, and one per day (found again after a crash)."""
    kind = "gentle strength" if session.gentle else "strength"
    return f"syncd {kind} {session.day.day} {session.day:%b}"


def garmin_exercise(exercise_id: str) -> tuple[str, str]:
    """(category, exerciseName) of the exercise in garminconnect's catalogue; raises
    ProviderError when the installed library no longer has it."""
    from garminconnect import exercises

    entry = exercises.resolve(GARMIN_EXERCISES.get(exercise_id, ""))
    if entry is None:
        raise ProviderError(
            f"garminconnect's exercise catalogue has no {GARMIN_EXERCISES.get(exercise_id, exercise_id)!r} "
            f"(for syncd's {exercise_id}); the strength workout was not uploaded"
        )
    return entry["category"], entry["exercise"]


def _block(exercise: Exercise, dose: Dose, order: int) -> tuple[Any, int]:
    """One exercise's repeat block starting at step `order`, and the next free step order."""
    from garminconnect.workout import (
        create_repeat_group,
        create_strength_exercise_step,
        create_strength_rest_step,
        create_strength_timed_step,
    )

    category, name = garmin_exercise(exercise.id)
    steps: list[Any] = []
    for side in ("left side", "right side") if dose.per_side else ("",):
        note = f"{exercise.name}, {side}" if side else exercise.name
        at = order + len(steps) + 1
        if dose.reps is not None:
            steps.append(create_strength_exercise_step(category, at, dose.reps, name, description=note))
        else:
            steps.append(
                create_strength_timed_step(category, at, float(dose.hold_s or 0), name, description=note)
            )
    steps.append(create_strength_rest_step(float(REST_S[exercise.kind]), order + len(steps) + 1))
    return create_repeat_group(dose.sets, steps, order, skip_last_rest_step=True), order + len(steps) + 1


def strength_workout(session: StrengthSession) -> Any:
    """The session as a `garminconnect.workout.StrengthWorkout` (for `upload_strength_workout`)."""
    from garminconnect.workout import SportType, StrengthWorkout, WorkoutSegment

    blocks, order = [], 1
    for exercise, dose in session.items:
        block, order = _block(exercise, dose, order)
        blocks.append(block)
    sport = {
        "sportTypeId": SportType.STRENGTH_TRAINING,
        "sportTypeKey": "strength_training",
        "displayOrder": 5,
    }
    return StrengthWorkout(
        workoutName=workout_name(session),
        description=session.one_line(note=True),
        estimatedDurationInSecs=session.total_seconds,
        workoutSegments=[WorkoutSegment(segmentOrder=1, sportType=sport, workoutSteps=blocks)],
    )
