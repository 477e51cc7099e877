"""`syncd sync` as a real process against the local fake Strava: what a self-hoster runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava

from syncd.providers.strava.api import StravaApp
from syncd.store import Store
from syncd.tokens import FileTokenStore

LIST = "/api/v3/athlete/activities"


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(fault_sleep_s=1.0) as server:
        yield server


class Installation:
    """A config, a state dir and a token store in a temp dir, as a runner would set them up."""

    def __init__(self, root: Path, fake: FakeStrava) -> None:
        self.fake = fake
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "STATE_DIR"))}
        self.env.update(
            {
                "HOME": str(root / "home"),
                "XDG_CONFIG_HOME": str(root / "config"),
                "XDG_STATE_HOME": str(root / "state"),
                "STRAVA_SECRET": fake.client_secret,
            }
        )
        self.config = root / "config" / "syncd" / "config.toml"
        self.config.parent.mkdir(parents=True)
        self.config.write_text(
            f'[strava]\nclient_id = {fake.client_id}\nclient_secret = "env:STRAVA_SECRET"\n'
            f'base_url = "{fake.base_url}"\n\n[[athletes]]\nname = "sam"\ntimezone = "UTC"\n'
            'providers = ["strava"]\nnotes = { strava = true }\n'
        )
        self.state = root / "state" / "syncd"
        self.tokens = FileTokenStore(self.state / "tokens")  # tokens live with the state

    def connect(self, **extra: object) -> None:
        app = StravaApp(self.fake.base_url, self.fake.client_id, self.fake.client_secret)
        saved = app.exchange(self.fake.issue_code())
        self.tokens.save("strava", "sam", {**saved, "scope": self.fake.grant_scope, **extra})

    def sync(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "syncd", "sync", "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def backfill(fake: FakeStrava, count: int) -> None:
    start = datetime(2021, 3, 1, 6, 30, tzinfo=UTC)
    for i in range(count):
        fake.add_activity(start + timedelta(hours=9 * i), name=f"Run {i}", distance=8000.0 + i % 7)


def test_backfill_idle_poll_and_a_note_through_the_real_process(tmp_path: Path, fake: FakeStrava) -> None:
    """The smoke test of the whole: a first sync of 1,030 activities is 6 list requests and
    no per-activity one, an idle sync is 1 request, and a new long run gets a note that keeps
    the runner's text. Token rotation, 429s and faults are tested in process
    (test_strava_fake.py) and in the fault suite."""
    backfill(fake, 1030)
    setup = Installation(tmp_path, fake)
    setup.connect()
    done = setup.sync()
    assert done.returncode == 0, done.stderr
    assert len(fake.requests(LIST)) == 6
    assert len(fake.requests("/api/v3/activities/")) == 0  # no per-activity request on a backfill
    [summary] = json.loads(done.stdout)
    assert summary["providers"]["strava"]["new"] == 1030
    before = len(fake.log)
    again = setup.sync()
    assert again.returncode == 0, again.stderr
    assert len(fake.log) - before == 1

    now = datetime.now(UTC)
    for i in range(12):  # 35 days of history: syncd compares only once it holds 30 days
        fake.add_activity(
            now - timedelta(days=35 - 3 * i),
            name="Easy run",
            distance=8000.0,
            moving_time=2900,
            elapsed_time=3000,
        )
    long_run = fake.add_activity(
        now - timedelta(hours=3),
        name="Long one",
        distance=16000.0,
        moving_time=5800,
        description="Great hills today.",
    )
    noted = setup.sync()
    assert noted.returncode == 0, noted.stderr
    text = fake.description(long_run["id"]) or ""
    assert text.startswith("Great hills today.\n\n— syncd —\n") and "16.0 vs 8.0 km" in text
    assert len(fake.requests(f"/api/v3/activities/{long_run['id']}", "PUT")) == 1
    with Store(setup.state) as store:
        assert len(store.activities("sam")) == 1030 + 12 + 1
    outputs = done.stdout + done.stderr + again.stdout + again.stderr + noted.stdout + noted.stderr
    assert fake.client_secret not in outputs
