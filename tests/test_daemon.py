"""`syncd run` as a real process: systemd notifications, the first pass, SIGHUP, SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava

from syncd.providers.strava.api import StravaApp
from syncd.store import Store
from syncd.tokens import FileTokenStore


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


class Service:
    """A `syncd run` process with a NOTIFY_SOCKET the test listens on."""

    def __init__(self, root: Path, fake: FakeStrava, extra: str = "") -> None:
        self.root = root
        self.config = root / "config.toml"
        self.config.write_text(
            f'[daemon]\npoll_interval = "1m"\n{extra}\n[strava]\nclient_id = {fake.client_id}\n'
            f'client_secret = "env:STRAVA_SECRET"\nbase_url = "{fake.base_url}"\n\n'
            '[[athletes]]\nname = "sam"\ntimezone = "UTC"\nproviders = ["strava"]\n'
        )
        self.state = root / "state"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "STATE_DIR"))}
        self.env.update(
            {
                "HOME": str(root),
                "XDG_CONFIG_HOME": str(root / "xdg"),
                "STRAVA_SECRET": fake.client_secret,
                "SYNCD_TOKEN_DIR": str(root / "tokens"),
                "NOTIFY_SOCKET": str(root / "notify.sock"),
                "WATCHDOG_USEC": "400000",
            }
        )
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(root / "notify.sock"))
        self.sock.settimeout(0.5)
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.log = open(self.root / "daemon.log", "w+")  # noqa: SIM115 (read while it runs)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syncd",
                "run",
                "--config",
                str(self.config),
                "--state-dir",
                str(self.state),
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def wait_for(self, text: str, timeout: float = 20) -> list[str]:
        """Notifications received until one contains `text`."""
        seen: list[str] = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                seen.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue
            if text in seen[-1]:
                return seen
        raise AssertionError(f"no {text!r} from syncd within {timeout}s; got {seen}")

    def stop(self) -> tuple[int, str]:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=30)
        self.sock.close()
        self.log.close()
        return self.proc.returncode, (self.root / "daemon.log").read_text()


def test_service_starts_syncs_survives_a_bad_reload_and_stops_cleanly(
    tmp_path: Path, fake: FakeStrava
) -> None:
    now = datetime.now(UTC)
    for i in range(5):
        fake.add_activity(now - timedelta(days=20 - 2 * i), name="Easy", distance=8000.0)
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    FileTokenStore(tmp_path / "tokens").save(
        "strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope}
    )
    service = Service(tmp_path, fake)
    service.start()
    seen = service.wait_for("READY=1")
    seen += service.wait_for("STATUS=sam: fetched 5")
    seen += service.wait_for("WATCHDOG=1")
    with Store(service.state) as store:
        assert len(store.activities("sam")) == 5

    good = service.config.read_text()
    service.config.write_text(good + "\n[rules.no_such_rule]\n")
    assert service.proc is not None
    service.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    log = service.root / "daemon.log"
    while time.monotonic() < deadline and "config not reloaded" not in log.read_text():
        time.sleep(0.1)
    assert service.proc.poll() is None  # still running on the old config
    code, err = service.stop()
    assert code == 0, err
    assert "config not reloaded" in err and "no_such_rule" in err
    assert fake.client_secret not in err
    # one start line says what runs; the scheduler's routine lines stay out of the log
    start = next(line for line in err.splitlines() if "syncd running:" in line)
    assert f"config {service.config}" in start and "athletes sam" in start and "poll every 1m" in start
    assert "webhook off" in start and "next digest sam " in start
    assert "Running job" not in err and "executed successfully" not in err and "apscheduler" not in err


def test_broken_config_exits_78_before_starting(tmp_path: Path, fake: FakeStrava) -> None:
    service = Service(tmp_path, fake, extra='poll_intervall = "5m"')
    service.start()
    assert service.proc is not None
    service.proc.communicate(timeout=30)
    service.sock.close()
    service.log.close()
    err = (tmp_path / "daemon.log").read_text()
    assert service.proc.returncode == 78
    assert "daemon.poll_intervall: unknown key" in err
    assert "Traceback" not in err


def test_the_unit_file_is_a_hardened_notify_service() -> None:
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(Path(__file__).resolve().parents[1] / "systemd" / "syncd.service")
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["ExecStart"].split()[1:3] == ["run", "--config"]
    assert service["RestartPreventExitStatus"] == "78"  # a broken config is not retried
    assert service["StateDirectory"] == "syncd" and service["User"] == "syncd"
    assert service["LoadCredential"].startswith("strava_client_secret:")
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
    }.items():
        assert service[key] == value
    assert "WatchdogSec" in service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_webhook_event_to_note_through_the_running_service(tmp_path: Path, fake: FakeStrava) -> None:
    now = datetime.now(UTC)
    for i in range(12):  # 35 days: syncd compares a run only once it holds the 30 days before
        fake.add_activity(
            now - timedelta(days=35 - 3 * i),
            name="Easy",
            distance=8000.0,
            moving_time=2900,
            elapsed_time=3000,
        )
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    FileTokenStore(tmp_path / "tokens").save(
        "strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope}
    )
    with Store(tmp_path / "state") as store:  # what `syncd connect` records
        store.ensure_athlete("sam", "UTC")
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO accounts (athlete, provider, external_id, status) "
                "VALUES ('sam', 'strava', ?, 'active')",
                (str(fake.athlete_id),),
            )
    port = _free_port()
    service = Service(tmp_path, fake, extra=f'webhook_listen = "127.0.0.1:{port}"')
    service.config.write_text(service.config.read_text() + "notes = { strava = true }\n")
    service.start()
    service.wait_for("STATUS=sam: fetched 12")
    subscribed = subprocess.run(
        [
            sys.executable,
            "-m",
            "syncd",
            "webhook",
            "subscribe",
            "--callback-url",
            f"http://127.0.0.1:{port}/strava",
            "--config",
            str(service.config),
            "--state-dir",
            str(service.state),
        ],
        env=service.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert subscribed.returncode == 0, subscribed.stdout + subscribed.stderr
    [subscription] = fake.subscriptions

    long_run = fake.add_activity(
        now - timedelta(hours=1),
        name="Long one",
        distance=16000.0,
        moving_time=5800,
        elapsed_time=6000,
        description="Hills!",
    )
    started = time.monotonic()
    status, took = fake.send_event(
        {
            "object_type": "activity",
            "object_id": long_run["id"],
            "aspect_type": "create",
            "owner_id": fake.athlete_id,
            "subscription_id": subscription,
            "event_time": int(time.time()),
            "updates": {},
        }
    )
    assert status == 200 and took < 2.0
    while time.monotonic() - started < 5.0 and "— syncd —" not in (fake.description(long_run["id"]) or ""):
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    print(f"webhook event to note written: {elapsed:.2f} s")  # shown with pytest -s
    code, err = service.stop()
    assert code == 0, err
    note = fake.description(long_run["id"]) or ""
    assert note.startswith("Hills!\n\n— syncd —\n") and "16.0 vs 8.0 km" in note, err
    assert elapsed < 5.0  # DESIGN.md budget: webhook event to note written
