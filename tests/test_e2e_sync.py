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

from syncd.providers.strava_auth import StravaApp
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
        self.tokens = FileTokenStore(root / "config" / "syncd" / "tokens")
        self.state = root / "state" / "syncd"

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


def test_first_sync_of_1030_is_6_list_requests_then_an_idle_sync_is_1(
    tmp_path: Path, fake: FakeStrava
) -> None:
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
    with Store(setup.state) as store:
        assert len(store.activities("sam")) == 1030
    assert fake.client_secret not in done.stdout + done.stderr + again.stdout + again.stderr


def test_a_new_spike_gets_a_note_with_the_runners_text_kept(tmp_path: Path, fake: FakeStrava) -> None:
    now = datetime.now(UTC)
    for i in range(12):  # 35 days of history: syncd compares only once it holds 30 days
        fake.add_activity(
            now - timedelta(days=35 - 3 * i),
            name="Easy run",
            distance=8000.0,
            moving_time=2900,
            elapsed_time=3000,
        )
    setup = Installation(tmp_path, fake)
    setup.connect()
    assert setup.sync().returncode == 0
    long_run = fake.add_activity(
        now - timedelta(hours=3),
        name="Long one",
        distance=16000.0,
        moving_time=5800,
        elapsed_time=6000,
        description="Great hills today.",
    )
    done = setup.sync()
    assert done.returncode == 0, done.stderr
    text = fake.description(long_run["id"]) or ""
    assert text.startswith("Great hills today.\n\n— syncd —\n")
    assert "16.0 vs 8.0 km" in text
    assert len(fake.requests(f"/api/v3/activities/{long_run['id']}", "PUT")) == 1


def test_an_expired_token_is_refreshed_and_the_rotated_one_saved(tmp_path: Path, fake: FakeStrava) -> None:
    backfill(fake, 5)
    setup = Installation(tmp_path, fake)
    setup.connect(expires_at=0)
    old = setup.tokens.load("strava", "sam")
    fake.expire_access_tokens()
    done = setup.sync()
    assert done.returncode == 0, done.stderr
    new = setup.tokens.load("strava", "sam")
    assert old and new and new["refresh_token"] != old["refresh_token"]
    assert new["expires_at"] > datetime.now(UTC).timestamp()
    assert new["refresh_token"] not in done.stdout + done.stderr


def test_a_429_stops_the_pass_cleanly_and_the_next_pass_resumes(tmp_path: Path, fake: FakeStrava) -> None:
    backfill(fake, 450)
    setup = Installation(tmp_path, fake)
    setup.connect()
    fake.fail_next("429", times=1, path=LIST)
    stopped = setup.sync()
    assert stopped.returncode == 75, stopped.stdout + stopped.stderr  # temporary failure
    [summary] = json.loads(stopped.stdout)
    assert "rate limited until" in summary["providers"]["strava"]["error"]
    assert "Traceback" not in stopped.stderr
    with Store(setup.state) as store:
        assert store.activities("sam") == []
        assert store.cursor("sam", "strava") is None
    resumed = setup.sync()
    assert resumed.returncode == 0, resumed.stderr
    with Store(setup.state) as store:
        assert len(store.activities("sam")) == 450
