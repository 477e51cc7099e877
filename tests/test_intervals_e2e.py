"""An intervals.icu-only runner, through real `syncd` processes against the local fake server:
connect checks the key with one request, a first sync of 250 activities costs 2 list
requests, an idle sync 1, and a long run gets findings, a note that keeps the runner's text
and a push (json:// to a local receiver). The key never shows in any output or in the state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.http_sink import HttpSink
from fakes.intervals_server import FakeIntervals

LIST = "/api/v1/athlete/0/activities"


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals() as server:
        yield server


def syncd(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_intervals_only_runner_syncs_gets_a_note_and_a_push(tmp_path: Path, fake: FakeIntervals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "STATE_DIR"))}
    env.update(
        {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "SYNCD_PLUGINS": "builtin",
            "SAM_INTERVALS_KEY": fake.key,
        }
    )
    start = datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    for i in range(250):  # three months of history, synced from the watch through intervals.icu
        fake.add_activity(start + timedelta(hours=9 * i), 8.0 + i % 4, name=f"Run {i}")
    with HttpSink() as phone:
        config = tmp_path / "config" / "syncd" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(
            f'[providers.intervals]\nbase_url = "{fake.base_url}"\n\n[[athletes]]\nname = "sam"\n'
            'timezone = "Europe/Amsterdam"\nproviders = ["intervals"]\nnotes = { intervals = true }\n'
            f'notify = ["json://127.0.0.1:{phone.port}/sam"]\n'
        )
        connected = syncd(env, "connect", "intervals", "--athlete", "sam", "--key", "env:SAM_INTERVALS_KEY")
        assert connected.returncode == 0, connected.stderr
        assert [r.path for r in fake.log] == ["/api/v1/athlete/0"]

        first = syncd(env, "sync", "--json")
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)[0]["providers"]["intervals"]["new"] == 250
        assert len(fake.log) == 1 + 2 == 1 + len(fake.requests(LIST))  # 1 + ⌊249/199⌋, nothing per activity

        before = len(fake.log)
        idle = syncd(env, "sync", "--json")
        assert idle.returncode == 0, idle.stderr
        assert [r.path for r in fake.log[before:]] == [LIST]  # an idle poll is one request

        now = datetime.now(UTC)
        for i in range(12):  # the last 35 days: an 8 km run every third day
            fake.add_activity(now - timedelta(days=35 - 3 * i), 8.0, minutes=48, name="Easy run")
        for i in range(12):  # and strength work twice a week, so no weekly prompt rides on a run
            fake.add_activity(
                now - timedelta(days=35 - 3 * i, hours=5), None, minutes=30, kind="WeightTraining"
            )
        long_run = fake.add_activity(
            now - timedelta(hours=3), 16.0, minutes=96, name="Long one", description="Great hills today."
        )
        before, pushed = len(fake.log), len(phone.requests)
        noted = syncd(env, "sync", "--json")
        assert noted.returncode == 0, noted.stderr
        [summary] = json.loads(noted.stdout)
        assert summary["findings"] >= 1 and summary["providers"]["intervals"]["new"] == 25
        text = fake.description(long_run["id"]) or ""
        assert text.startswith("Great hills today.\n\n— syncd —\n") and "16.0 vs 8.0 km" in text
        new_requests = [(r.method, r.path) for r in fake.log[before:]]
        note = f"/api/v1/activity/{long_run['id']}"
        assert new_requests == [("GET", LIST), ("GET", note), ("PUT", note)]  # a note is a GET and a PUT
        assert any("16.0" in r.body.decode() for r in phone.requests[pushed:])

    outputs = "".join(p.stdout + p.stderr for p in (connected, first, idle, noted))
    assert fake.key not in outputs
    state = b"".join(p.read_bytes() for p in (tmp_path / "state").rglob("*") if p.is_file())
    assert fake.key.encode() not in state
