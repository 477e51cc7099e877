"""The strength session on the watch: syncd's one Garmin workout, uploaded and scheduled.

`put_workout` uploads the session as a strength workout (`workout_plan`) with the library's
`upload_strength_workout` and puts it on the session's day with `schedule_workout`; the watch
picks it up from the calendar at its next sync. syncd keeps one workout at a time: the one
before is taken off the calendar (`unschedule_workout`) and out of the library
(`delete_workout`) first, a 404 meaning the runner removed it already.

Exactly once across crashes: the provider's state, per athlete, names the finding whose session
is on the calendar, the workout's name, its id and its schedule id, each saved as soon as
Garmin gave it. Before an upload or a scheduling request the state says it is under way; if
syncd stops before the answer is kept, the next try first looks for what that request made
(the workout by its name in the library, the schedule in that month's calendar) and reuses
it, so no workout is uploaded or scheduled twice. Requests: 2 for a first workout (upload,
schedule), 4 when one is replaced (unschedule, delete, upload, schedule), 2 to withdraw one,
and one look-up after a crash in the middle.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from syncd.errors import Unavailable
from syncd.providers.garmin.api import GarminCalls
from syncd.providers.garmin.workout_plan import strength_workout, workout_name

if TYPE_CHECKING:
    from pydantic import BaseModel

    from syncd.coach.session import StrengthSession
    from syncd.config import AthleteConfig, Config


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class GarminSettingsRef:
    """`GarminProvider.Settings`, imported when first read: `syncd --help` loads no pydantic."""

    def __get__(self, obj: object, owner: type) -> type[BaseModel]:
        from syncd.providers.garmin.settings import GarminSettings

        return GarminSettings


class GarminWorkouts(GarminCalls):
    """The workout half of `GarminProvider`."""

    @classmethod
    def wants_workouts(cls, config: Config, athlete: AthleteConfig) -> bool:
        """Whether `[providers.garmin] workouts` puts strength sessions on this athlete's watch."""
        from syncd.providers.garmin.settings import GarminSettings

        if "garmin" not in athlete.providers:
            return False
        return GarminSettings.model_validate(config.providers.get("garmin", {})).workouts.get(
            athlete.name, False
        )

    def scheduled_workout(self) -> tuple[str, date] | None:
        """(the key of the finding whose session is on the calendar, its day), or None."""
        state = self._workout()
        try:
            return (str(state["key"]), date.fromisoformat(state["day"])) if state else None
        except (KeyError, TypeError, ValueError):
            return None

    def put_workout(
        self, key: str, session: StrengthSession, checkpoint: Callable[[str], None] = lambda step: None
    ) -> None:
        """Put `session` on the Garmin calendar on its day as syncd's one workout, replacing
        the one before; once for `key`, however often it is asked (see the module docstring).
        Raises AuthRequired, RateLimited, Unavailable, ProviderError."""
        self._reload()
        state = self._workout()
        if state.get("key") == key and state.get("scheduled"):
            return
        if state and state.get("key") != key:
            self._take_off(state)
            state = {}
        if not state:
            state = {"key": key, "name": workout_name(session), "day": session.day.isoformat()}
            self._keep_workout(state)
        if _id(state.get("workout_id")) is None:
            self._upload(state, session, checkpoint)
        self._schedule(state, checkpoint)

    def remove_workout(self, key: str) -> None:
        """Take syncd's workout off the calendar and out of the library if it is `key`'s."""
        state = self._workout()
        if state.get("key") == key:
            self._reload()
            self._take_off(state)

    # -- the steps ------------------------------------------------------------------------------

    def _upload(
        self, state: dict[str, Any], session: StrengthSession, checkpoint: Callable[[str], None]
    ) -> None:
        found = self._uploaded(state["name"]) if state.get("uploading") else None
        if found is None:
            self._keep_workout({**state, "uploading": True})
            reply = self._call(
                "upload the strength workout",
                partial(self.api.upload_strength_workout, strength_workout(session)),
            )
            checkpoint("workout_uploaded")
            found = _id(reply.get("workoutId") if isinstance(reply, dict) else None)
            if found is None:
                raise Unavailable("Garmin's answer to the workout upload had no workout id; will retry")
        state["workout_id"] = found
        self._keep_workout(state)

    def _schedule(self, state: dict[str, Any], checkpoint: Callable[[str], None]) -> None:
        workout, day = state["workout_id"], date.fromisoformat(state["day"])
        found = self._on_calendar(workout, day) if state.get("scheduling") else None
        if found is None:
            self._keep_workout({**state, "scheduling": True})
            reply = self._call(
                f"schedule the strength workout on {day}",
                partial(self.api.schedule_workout, workout, str(day)),
            )
            checkpoint("workout_scheduled")
            found = _id(reply.get("workoutScheduleId") if isinstance(reply, dict) else None) or 0
        state.update(schedule_id=found, scheduled=True)
        self._keep_workout(state)

    def _take_off(self, state: dict[str, Any]) -> None:
        """Unschedule and delete the workout `state` describes (404s are fine), then forget it."""
        workout = _id(state.get("workout_id"))
        if workout is None and state.get("uploading"):
            workout = self._uploaded(str(state.get("name")))
        schedule = _id(state.get("schedule_id"))
        if schedule is not None:
            self._call(
                "unschedule syncd's workout", partial(self.api.unschedule_workout, schedule), missing_ok=True
            )
            self._keep_workout({**state, "schedule_id": None})
        if workout is not None:
            self._call("delete syncd's workout", partial(self.api.delete_workout, workout), missing_ok=True)
        self._keep_workout({})

    # -- looking for what a request made before a crash -------------------------------------------

    def _uploaded(self, name: str) -> int | None:
        found = self._call("list workouts", partial(self.api.get_workouts, 0, 100))
        for workout in found if isinstance(found, list) else []:
            if isinstance(workout, dict) and workout.get("workoutName") == name:
                return _id(workout.get("workoutId"))
        return None

    def _on_calendar(self, workout: int, day: date) -> int | None:
        found = self._call("read the calendar", partial(self.api.get_scheduled_workouts, day.year, day.month))
        items = found.get("calendarItems") if isinstance(found, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("workoutId") == workout and item.get("date") == str(day):
                return _id(item.get("id")) or 0
        return None

    def _workout(self) -> dict[str, Any]:
        value = self._state("workout")
        return dict(value) if isinstance(value, dict) else {}

    def _keep_workout(self, state: dict[str, Any]) -> None:
        self._set_state("workout", state or None)
