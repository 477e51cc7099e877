"""The strength session on the watch, through the real garminconnect client with HTTP mocked:
the upload is the library's own StrengthWorkout model, scheduled on the session's day; one syncd
workout at a time; exactly once across crashes; taken off again when asked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import garminconnect.client
import pytest
import responses
from garminconnect import exercises
from garminconnect.workout import StrengthWorkout
from responses import matchers
from test_garmin_library import API, NOW, jwt, session

from syncd.coach.catalogue import EXERCISE_IDS, REST_S
from syncd.coach.session import StrengthSession, offered_session
from syncd.errors import RateLimited
from syncd.providers.garmin import GarminProvider
from syncd.providers.garmin.auth import resume_client
from syncd.providers.garmin.workout_plan import GARMIN_EXERCISES, strength_workout
from syncd.store import Store
from syncd.tokens import FileTokenStore

UPLOAD = f"{API}/workout-service/workout"
DAY = date(2024, 6, 3)


def schedule_url(workout: int) -> str:
    return f"{API}/workout-service/schedule/{workout}"


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", False)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def garmin(tmp_path: Path) -> GarminProvider:
    access = jwt(3600)
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("garmin", "sam", {"session": session(access)})
    store = Store(tmp_path / "state")
    return GarminProvider("sam", resume_client(session(access)), tokens, store=store, clock=lambda: NOW)


def prompt(day: date = DAY, gentle: bool = False) -> StrengthSession:
    return offered_session("sam", day, gentle=gentle)


def uploads(http: responses.RequestsMock, *ids: int) -> None:
    for ident in ids:
        http.post(UPLOAD, json={"workoutId": ident, "workoutName": "syncd strength"})


def scheduled(http: responses.RequestsMock, workout: int, schedule: int, day: date = DAY) -> None:
    http.post(
        schedule_url(workout),
        json={"workoutScheduleId": schedule, "calendarDate": str(day)},
        match=[matchers.json_params_matcher({"date": str(day)})],
    )


def body(call: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(call.request.body)
    return data


def test_the_session_goes_up_as_a_strength_workout_on_its_day(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    garmin.put_workout("strength:sam:2024-06-03", prompt())
    upload, schedule = http.calls
    sent = StrengthWorkout.model_validate(body(upload))  # the library's own model reads it back
    assert sent.workoutName == "syncd strength 3 Jun"
    assert sent.sportType["sportTypeKey"] == "strength_training"
    assert sent.estimatedDurationInSecs == prompt().total_seconds
    blocks = sent.workoutSegments[0].workoutSteps
    assert len(blocks) == len(prompt().items)
    for block, (exercise, dose) in zip(
        body(upload)["workoutSegments"][0]["workoutSteps"], prompt().items, strict=True
    ):
        assert block["type"] == "RepeatGroupDTO" and block["numberOfIterations"] == dose.sets
        *work, rest = block["workoutSteps"]
        assert len(work) == (2 if dose.per_side else 1)  # each side its own step
        assert (
            rest["stepType"]["stepTypeKey"] == "rest" and rest["endConditionValue"] == REST_S[exercise.kind]
        )
        entry = exercises.resolve(GARMIN_EXERCISES[exercise.id])
        assert entry is not None
        for step in work:
            assert (step["category"], step["exerciseName"]) == (entry["category"], entry["exercise"])
            assert step["description"].startswith(exercise.name)
            if dose.reps is not None:
                assert (step["endCondition"]["conditionTypeKey"], step["endConditionValue"]) == (
                    "reps",
                    dose.reps,
                )
            else:
                assert (step["endCondition"]["conditionTypeKey"], step["endConditionValue"]) == (
                    "time",
                    dose.hold_s,
                )
    orders = [b["stepOrder"] for b in body(upload)["workoutSegments"][0]["workoutSteps"]]
    orders += [
        s["stepOrder"] for b in body(upload)["workoutSegments"][0]["workoutSteps"] for s in b["workoutSteps"]
    ]
    assert sorted(orders) == list(range(1, len(orders) + 1))  # every step its own place
    assert schedule.request.url == schedule_url(901)
    assert garmin.scheduled_workout() == ("strength:sam:2024-06-03", DAY)


def test_asking_again_for_the_same_finding_sends_nothing(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    garmin.put_workout("k1", prompt())
    garmin.put_workout("k1", prompt())
    assert len(http.calls) == 2


def test_the_next_session_replaces_the_one_before(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    garmin.put_workout("week 23", prompt())
    http.delete(schedule_url(5501), status=204)
    http.delete(f"{UPLOAD}/901", status=204)
    http.post(UPLOAD, json={"workoutId": 902})
    scheduled(http, 902, 5502, date(2024, 6, 10))
    garmin.put_workout("week 24", prompt(date(2024, 6, 10)))
    assert [(c.request.method, c.request.url.removeprefix(API)) for c in http.calls[2:]] == [
        ("DELETE", "/workout-service/schedule/5501"),
        ("DELETE", "/workout-service/workout/901"),
        ("POST", "/workout-service/workout"),
        ("POST", "/workout-service/schedule/902"),
    ]
    assert garmin.scheduled_workout() == ("week 24", date(2024, 6, 10))


def test_a_workout_the_runner_deleted_already_is_no_error(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    garmin.put_workout("week 23", prompt())
    http.delete(schedule_url(5501), status=404, json={"message": "Not Found"})
    http.delete(f"{UPLOAD}/901", status=404, json={"message": "Not Found"})
    uploads(http, 902)
    scheduled(http, 902, 5502, date(2024, 6, 10))
    garmin.put_workout("week 24", prompt(date(2024, 6, 10)))
    assert garmin.scheduled_workout() == ("week 24", date(2024, 6, 10))


class Crash(Exception):
    pass


def crash_at(step: str) -> Any:
    def checkpoint(name: str) -> None:
        if name == step:
            raise Crash(name)

    return checkpoint


def test_a_crash_after_the_upload_reuses_the_uploaded_workout(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    with pytest.raises(Crash):
        garmin.put_workout("k1", prompt(), crash_at("workout_uploaded"))  # before the id was kept
    http.get(
        f"{API}/workout-service/workouts",
        json=[
            {"workoutId": 77, "workoutName": "Long run"},
            {"workoutId": 901, "workoutName": "syncd strength 3 Jun"},
        ],
    )
    scheduled(http, 901, 5501)
    garmin.put_workout("k1", prompt())
    assert [c.request.method for c in http.calls] == ["POST", "GET", "POST"]  # one upload only


def test_a_crash_after_scheduling_finds_the_calendar_entry(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    with pytest.raises(Crash):
        garmin.put_workout("k1", prompt(), crash_at("workout_scheduled"))
    calendar = {
        "calendarItems": [{"id": 5501, "itemType": "workout", "workoutId": 901, "date": "2024-06-03"}]
    }
    http.get(f"{API}/calendar-service/year/2024/month/5", json=calendar)  # Garmin counts months from 0
    garmin.put_workout("k1", prompt())
    assert [c.request.method for c in http.calls] == ["POST", "POST", "GET"]  # scheduled once
    assert garmin.scheduled_workout() == ("k1", DAY)


def test_taking_a_workout_off_is_two_requests(http: responses.RequestsMock, garmin: GarminProvider) -> None:
    uploads(http, 901)
    scheduled(http, 901, 5501)
    garmin.put_workout("k1", prompt())
    garmin.remove_workout("other")  # not syncd's current workout: nothing
    http.delete(schedule_url(5501), status=204)
    http.delete(f"{UPLOAD}/901", status=204)
    garmin.remove_workout("k1")
    assert len(http.calls) == 4 and garmin.scheduled_workout() is None


def test_a_throttled_upload_is_rate_limited_and_nothing_is_scheduled(
    http: responses.RequestsMock, garmin: GarminProvider
) -> None:
    http.post(UPLOAD, status=429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimited):
        garmin.put_workout("k1", prompt())
    assert garmin.scheduled_workout() == ("k1", DAY)  # under way, not done: tried again later
    assert garmin.store is not None and not garmin.store.provider_value("garmin", "workout:sam").get(
        "scheduled"
    )


def test_the_gentle_session_has_no_squats_or_lunges() -> None:
    sent = strength_workout(prompt(gentle=True)).to_dict()
    assert sent["workoutName"] == "syncd gentle strength 3 Jun"
    names = {
        step.get("exerciseName")
        for block in sent["workoutSegments"][0]["workoutSteps"]
        for step in block["workoutSteps"]
    }
    assert "SQUAT" not in names and "SIDE_LUNGE" not in names
    assert "BODY_WEIGHT_WALL_SQUAT" in names  # the wall sit, held high


def test_every_exercise_of_the_coach_is_in_garmins_catalogue() -> None:
    assert set(GARMIN_EXERCISES) == set(EXERCISE_IDS)
    for name in GARMIN_EXERCISES.values():
        assert exercises.resolve(name) is not None, name
