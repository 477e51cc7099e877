"""`syncd status` after real syncs against the local fake Strava (issue 13, item 7): times in
the athlete's zone, "last sync" only for a pass that succeeded, nothing about a provider the
config no longer names, never "connected" alone while notes wait for a permission, and the
service's next pass and next digest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakes.strava_server import FakeStrava
from test_sync_outcomes import Setup

from syncd.cli import main
from syncd.providers.strava.api import StravaApp
from syncd.tokens import FileTokenStore

ZONE = "America/New_York"


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(fault_sleep_s=0.0) as server:
        server.add_activity(datetime.now(UTC) - timedelta(hours=5), name="Easy", distance=8000.0)
        yield server


@pytest.fixture
def setup(tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> Setup:
    made = Setup(tmp_path, fake, monkeypatch)
    made.write('providers = ["strava"]\nnotes = { strava = true }', zone=ZONE)
    return made


def status(setup: Setup, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["status", "--config", str(setup.config), "--state-dir", str(setup.state), *extra]) == 0
    return capsys.readouterr().out


def strava_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("strava "))


def test_times_are_the_athletes_and_last_sync_only_counts_a_pass_that_succeeded(
    setup: Setup, fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    assert setup.sync(capsys)[0] == 0
    text = status(setup, capsys)
    assert f"sam ({ZONE})" in text
    [run] = fake.activities.values()
    start = datetime.fromisoformat(run["start_date"].replace("Z", "+00:00"))
    assert f"last        {start.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M %Z}" in text
    assert re.search(r"strava +connected; last sync \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", text), text
    fake.fail_next("500", times=5)
    assert setup.sync(capsys)[0] == 75
    line = strava_line(status(setup, capsys))
    assert "last sync" not in line and "failed:" in line and "last attempt" in line, line


def test_a_provider_taken_out_of_the_config_is_not_shown(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    setup.write('providers = ["strava", "garmin"]', zone=ZONE)
    setup.sync(capsys)
    assert "garmin" in status(setup, capsys)
    setup.write('providers = ["strava"]', zone=ZONE)
    text = status(setup, capsys)
    assert "garmin" not in text, text
    assert "garmin" not in json.dumps(json.loads(status(setup, capsys, "--json"))["athletes"])


def test_strava_without_the_write_permission_is_never_shown_as_simply_connected(
    setup: Setup, fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    saved = app.exchange(fake.issue_code("read,activity:read_all"))
    tokens = FileTokenStore(setup.state / "tokens")
    tokens.save("strava", "sam", {**saved, "scope": "read,activity:read_all"})
    setup.sync(capsys)
    line = strava_line(status(setup, capsys))
    assert "connected, but notes wait" in line and "activity:write" in line, line


def test_the_service_line_gives_the_next_pass_and_the_next_digest(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    setup.sync(capsys)
    text = status(setup, capsys)
    line = next(line for line in text.splitlines() if line.strip().startswith("service"))
    soon = datetime.now(UTC) + timedelta(minutes=15)
    assert f"next pass {soon.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:}" in line, line
    assert "(every 15m, while `syncd run` runs)" in line and "next digest Sun " in line and "19:00" in line
