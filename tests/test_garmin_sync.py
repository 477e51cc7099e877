"""`syncd sync` for a Garmin-only athlete, through the real garminconnect client with HTTP mocked:
a new run gets session-RPE load (RPE from its detail), a strength session counts its whole
length, a triathlon's run leg is a run, and the day's strength session lands on the Garmin
calendar, in exactly the requests counted here. A strength session of the day before that
the watch uploads late withdraws the prompt, and its workout comes off the calendar again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import garminconnect.client
import pytest
import responses
from fakes.garmin_fake import detail_of, item
from garminconnect.workout import StrengthWorkout
from responses import matchers
from test_garmin_library import API, LIST, jwt, session

from syncd.cli import main
from syncd.config import parse
from syncd.engine import Context, run_once
from syncd.evaluation import stored_history
from syncd.history import Profile
from syncd.providers.garmin import GarminProvider
from syncd.registry import load_rules
from syncd.sports import Sport
from syncd.store import Store
from syncd.tokens import token_store

DETAIL = f"{API}/activity-service/activity"
UPLOAD = f"{API}/workout-service/workout"
RUN, STRENGTH, TRI, SWIM, T1, BIKE, T2, RUN_LEG = 7101, 7102, 7200, 7201, 7202, 7203, 7204, 7205


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))  # naive GMT, as Garmin lists it


def history(today: date) -> list[dict[str, Any]]:
    """Five weeks of 8 km runs every other day and daily strength work until 8 days ago (twice
    that day), so the strength prompt, which counts the 7 days before its Monday, speaks today
    (a Monday, with yesterday's session: 1 in 7 days); nothing in the
    detail window."""
    runs = [item(6000 + n, at(today - timedelta(days=n), 7), km=8.0, minutes=48) for n in range(4, 37, 2)]
    gym = [
        item(6500 + n, at(today - timedelta(days=n), 18), km=None, minutes=30, type_key="strength_training")
        for n in range(8, 15)
    ]
    extra = item(6599, at(today - timedelta(days=8), 7), km=None, minutes=30, type_key="strength_training")
    return runs + gym + [extra]


def new_items(today: date) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """(the new list items, the details Garmin answers for them): a run and a strength session
    yesterday, a triathlon the day before."""
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    run = item(RUN, at(yesterday, 7), km=8.0, minutes=48)
    gym = item(
        STRENGTH,
        at(yesterday, 18),
        km=0.0,
        minutes=20,
        type_key="strength_training",
        duration=1207.4,
        movingDuration=301.9,
        elapsedDuration=1207.4,
    )
    start = at(before, 8)
    legs = {
        SWIM: item(SWIM, start, km=1.5, minutes=30, type_key="open_water_swimming"),
        BIKE: item(BIKE, start + timedelta(minutes=33), km=30.0, minutes=60, type_key="road_biking"),
        RUN_LEG: item(RUN_LEG, start + timedelta(minutes=96), km=8.0, minutes=45, type_key="running"),
    }
    parent = item(TRI, start, km=39.5, minutes=141, type_key="multi_sport", parent=True, movingDuration=None)
    kinds = ["open_water_swimming", "transition", "road_biking", "transition", "running"]
    details = {
        RUN: detail_of(run, {"directWorkoutRpe": 50, "directWorkoutFeel": 50}),
        STRENGTH: detail_of(gym, {"directWorkoutRpe": 60}),
        TRI: detail_of(
            parent, {"metadataDTO": {"childIds": [SWIM, T1, BIKE, T2, RUN_LEG], "childActivityTypes": kinds}}
        ),
        **{ident: {**detail_of(leg), "parentId": TRI} for ident, leg in legs.items()},
    }
    return [gym, run, parent], details


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", False)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def garmin_account(
    http: responses.RequestsMock, today: date, state: Path
) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    token_store(state).save("garmin", "sam", {"session": session(jwt(3600))})
    new, details = new_items(today)
    listed = sorted(new + history(today), key=lambda d: d["startTimeGMT"], reverse=True)
    http.get(LIST, json=listed, match=[matchers.query_param_matcher({"start": "0", "limit": "100"})])
    for ident in (STRENGTH, RUN, TRI, SWIM, BIKE, RUN_LEG):
        http.get(f"{DETAIL}/{ident}", json=details[ident])
    http.post(UPLOAD, json={"workoutId": 9001})
    http.post(
        f"{API}/workout-service/schedule/9001",
        json={"workoutScheduleId": 4401},
        match=[matchers.json_params_matcher({"date": today.isoformat()})],
    )
    return listed, details


CONFIG = """
[providers.garmin]
workouts = { sam = true }

[[athletes]]
name = "sam"
timezone = "UTC"
providers = ["garmin"]
"""


def test_syncd_sync_for_a_garmin_only_athlete(
    http: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = date(2026, 3, 16)  # a Monday: the week's strength prompt goes out on its morning
    monkeypatch.setattr("syncd.clock.utcnow", lambda: datetime.combine(today, time(12, 0), UTC))
    garmin_account(http, today, tmp_path / "state")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    argv = ["sync", "--config", str(config), "--state-dir", str(tmp_path / "state")]
    assert main(argv) == 0
    paths = [c.request.method + " " + c.request.url.removeprefix(API).split("?")[0] for c in http.calls]
    assert paths == [
        "GET /activitylist-service/activities/search/activities",
        f"GET /activity-service/activity/{STRENGTH}",
        f"GET /activity-service/activity/{RUN}",
        f"GET /activity-service/activity/{TRI}",  # the triathlon: its legs, transitions skipped
        f"GET /activity-service/activity/{SWIM}",
        f"GET /activity-service/activity/{BIKE}",
        f"GET /activity-service/activity/{RUN_LEG}",
        "POST /workout-service/workout",
        "POST /workout-service/schedule/9001",
    ]  # 9 requests: 1 list, 6 details, 2 for the workout

    with Store(tmp_path / "state") as store:
        stored = {a.provider_id: a for a in store.activities("sam", include_deleted=True)}
        facts = {f.session.primary.provider_id: f for f in stored_history(store, "sam", Profile()).sessions}
    assert (stored[str(RUN)].rpe, facts[str(RUN)].load_kind) == (5, "session_rpe")
    assert facts[str(RUN)].load == pytest.approx(47.8 * 5)  # minutes x RPE, not 47.8 minutes
    assert (stored[str(STRENGTH)].moving_s, facts[str(STRENGTH)].duration_s) == (1207, 1207)  # 20 min, not 5
    assert stored[str(RUN_LEG)].sport is Sport.RUN and facts[str(RUN_LEG)].sport is Sport.RUN
    assert stored[str(TRI)].deleted and str(TRI) not in facts  # kept, never counted next to its legs

    upload = json.loads(http.calls[7].request.body)
    assert StrengthWorkout.model_validate(upload).workoutName == f"syncd strength {today.day} {today:%b}"

    before = len(http.calls)
    assert main(argv) == 0  # the next poll: one request, nothing uploaded again
    assert len(http.calls) == before + 1


def test_a_late_strength_session_takes_the_workout_off_the_calendar(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    today = date(2026, 3, 16)  # a Monday
    now = datetime.combine(today, time(12, 0), UTC)
    listed, _ = garmin_account(http, today, tmp_path / "state")
    config = parse(
        {
            "providers": {"garmin": {"workouts": {"sam": True}}},
            "athletes": [{"name": "sam", "timezone": "UTC", "providers": ["garmin"]}],
        },
        "test",
    )
    with Store(tmp_path / "state") as store:
        provider = GarminProvider.create(config, config.athlete("sam"), store, clock=lambda: now)
        ctx = Context(
            config, store, load_rules({}), lambda a: {"garmin": provider}, lambda a: [], now=lambda: now
        )
        run_once(ctx, "sam")
        assert provider.scheduled_workout() is not None
        done = item(
            7300, at(today - timedelta(days=1), 10), km=None, minutes=25, type_key="strength_training"
        )
        http.replace(responses.GET, LIST, json=[listed[0], done, *listed[1:]])  # newest first
        http.get(f"{DETAIL}/7300", json=detail_of(done))
        http.delete(f"{API}/workout-service/schedule/4401", status=204)
        http.delete(f"{UPLOAD}/9001", status=204)
        before = len(http.calls)
        summary = run_once(ctx, "sam")
        assert summary.withdrawn >= 1
        assert [c.request.method for c in http.calls[before:]] == ["GET", "GET", "DELETE", "DELETE"]
        assert provider.scheduled_workout() is None
        rows = store.conn.execute("SELECT status FROM deliveries WHERE channel = 'workout:garmin'").fetchall()
        assert [r["status"] for r in rows] == ["withdrawn"]
