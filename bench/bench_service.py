"""`syncd run` as a real process with push and webhooks configured, against the local fake
Strava and a local push receiver (DESIGN.md budgets: webhook event to note under 5 s; daemon
memory under 80 MiB).

Two runs, each a fresh state:

1. a standard Strava app (100 reads per 15 minutes, 1,000 a day): the daemon backfills
   `--activities` (default 4,030), then `--events` (default 50) webhook events arrive 1 s
   apart, each a new run whose description mentions a sore knee (a note and a push each).
   Measured: event to note written, for every event; requests per event; 429s.
2. memory: the same daemon backfills `--big` activities (default 16,000; an app with room
   enough to list them in one go), then the same events. Measured: the daemon's resident
   memory (VmRSS) after the backfill and after the events, and its peak (VmHWM).

The push processes (`syncd.notifiers.push_process`, one per push, gone a moment later) are not
the daemon and are not counted; their own peak is printed beside it.

Run:  .venv/bin/python bench/bench_service.py [--activities 4030] [--events 50] [--big 16000]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes.http_sink import HttpSink  # noqa: E402
from fakes.strava_server import FakeStrava  # noqa: E402

from syncd.providers.strava.api import StravaApp  # noqa: E402
from syncd.store import Store  # noqa: E402
from syncd.tokens import FileTokenStore  # noqa: E402

STANDARD = ((200, 2000), (100, 1000))
ROOMY = ((100_000, 1_000_000), (100_000, 1_000_000))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


class Service:
    """A `syncd run` with webhooks on and a push channel, on a fresh state."""

    def __init__(self, root: Path, fake: FakeStrava, sink: HttpSink) -> None:
        self.root, self.fake = root, fake
        self.port = free_port()
        self.config = root / "config.toml"
        self.config.write_text(
            f'[daemon]\npoll_interval = "15m"\nwebhook_listen = "127.0.0.1:{self.port}"\n\n'
            f'[strava]\nclient_id = {fake.client_id}\nclient_secret = "env:STRAVA_SECRET"\n'
            f'base_url = "{fake.base_url}"\n\n[[athletes]]\nname = "sam"\ntimezone = "UTC"\n'
            f'providers = ["strava"]\nnotes = {{ strava = true }}\nnotify = ["json://127.0.0.1:{sink.port}/"]\n'
        )
        self.state = root / "state"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
        self.env.update(
            {"STRAVA_SECRET": fake.client_secret, "SYNCD_TOKEN_DIR": str(root / "tokens"), "HOME": str(root)}
        )
        app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
        FileTokenStore(root / "tokens").save(
            "strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope}
        )
        with Store(self.state) as store:  # what `syncd connect` records
            store.ensure_athlete("sam", "UTC")
            store.set_account("sam", "strava", status="active", external_id=str(fake.athlete_id))
        self.log = open(root / "daemon.log", "w+")  # noqa: SIM115
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
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_log(self, text: str, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in (self.root / "daemon.log").read_text():
                return
            if self.proc.poll() is not None:
                raise RuntimeError("syncd run ended:\n" + (self.root / "daemon.log").read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError(
            f"no {text!r} within {timeout}s:\n" + (self.root / "daemon.log").read_text()[-3000:]
        )

    def subscribe(self) -> int:
        callback = f"http://127.0.0.1:{self.port}/strava"
        done = subprocess.run(
            [sys.executable, "-m", "syncd", "webhook", "subscribe", "--callback-url", callback,
             "--config", str(self.config), "--state-dir", str(self.state)],
            env=self.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        return next(iter(self.fake.subscriptions))

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()


def history(fake: FakeStrava, count: int) -> None:
    """`count` easy runs, one every 30 hours (a rest day in five) up to two days ago."""
    now = datetime.now(UTC)
    for i in range(count):
        fake.add_activity(
            now - timedelta(days=2, hours=30 * (count - i)),
            name="Easy",
            distance=8000.0 + (i * 37) % 2000,
            moving_time=2900,
            elapsed_time=3000,
        )


def events(service: Service, subscription: int, count: int) -> tuple[list[float], list[dict[str, Any]]]:
    """`count` new runs, each announced by a create event 1 s after the previous one; the
    seconds from each event to its note on the activity, and the daemon's memory after."""
    fake = service.fake
    now = datetime.now(UTC)
    sent: list[tuple[int, float]] = []
    latencies: list[float] = []
    for i in range(count):
        run = fake.add_activity(
            # 40 min apart: the 50 runs of the last 33 hours, all inside the delivery window
            # (`delivery_window_days` 3: today and the two days before; a run of an older day
            # is history and gets no note by design, which 80 min apart made of 14 of them)
            now - timedelta(minutes=40 * (count - i)),
            name=f"Run {i}",
            distance=8000.0,
            moving_time=2900,
            elapsed_time=3000,
            description="Left knee sore after the hills",
        )
        event = {
            "object_type": "activity", "object_id": run["id"], "aspect_type": "create",
            "owner_id": fake.athlete_id, "subscription_id": subscription,
            "event_time": int(time.time()), "updates": {},
        }  # fmt: skip
        sent.append((run["id"], time.monotonic()))
        status, _ = fake.send_event(event)
        assert status == 200, status
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:  # one event a second, notes checked meanwhile
            _collect(fake, sent, latencies)
            time.sleep(0.02)
    deadline = time.monotonic() + 60
    while len(latencies) < count and time.monotonic() < deadline:
        _collect(fake, sent, latencies)
        time.sleep(0.05)
    return latencies, [memory(service.proc.pid)]


def _collect(fake: FakeStrava, sent: list[tuple[int, float]], latencies: list[float]) -> None:
    for ident, at in list(sent):
        if "— syncd —" in (fake.description(ident) or ""):
            latencies.append(time.monotonic() - at)
            sent.remove((ident, at))


def latency_run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeStrava(limits=STANDARD) as fake, HttpSink() as sink:
        history(fake, args.activities)
        service = Service(Path(tmp), fake, sink)
        try:
            service.wait_log(f"sam: fetched {args.activities}", 600)
            subscription = service.subscribe()
            before = len(fake.log)
            latencies, _ = events(service, subscription, args.events)
            time.sleep(2)
            after = fake.log[before:]
        finally:
            service.stop()
        reads = sum(r.method == "GET" and r.path.startswith("/api/v3/activities/") for r in after)
        lists = sum(r.path == "/api/v3/athlete/activities" for r in after)
        puts = sum(r.method == "PUT" for r in after)
        limited = sum(r.status == 429 for r in fake.log)
        print(
            f"webhook -> note, standard app, {args.events} events 1 s apart over {args.activities} "
            f"stored: {len(latencies)}/{args.events} notes, median {statistics.median(latencies):.2f} s, "
            f"max {max(latencies):.2f} s (budget 5 s); {reads} activity reads, {lists} listings, "
            f"{puts} note writes, {len(sink.requests)} pushes, {limited} answers 429"
        )


def memory_run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeStrava(limits=ROOMY) as fake, HttpSink() as sink:
        history(fake, args.big)
        service = Service(Path(tmp), fake, sink)
        try:
            service.wait_log(f"sam: fetched {args.big}", 1800)
            after_backfill = memory(service.proc.pid)
            subscription = service.subscribe()
            latencies, [after_events] = events(service, subscription, args.events)
            time.sleep(3)
            settled = memory(service.proc.pid)
        finally:
            service.stop()
        print(
            f"daemon memory with push and webhooks: {after_backfill['VmRSS']:.1f} MiB after a backfill of "
            f"{args.big:,}, {after_events['VmRSS']:.1f} after {args.events} events and "
            f"{len(sink.requests)} pushes, {settled['VmRSS']:.1f} settled; peak {settled['VmHWM']:.1f} "
            f"MiB (budget 80); notes {len(latencies)}/{args.events}, max {max(latencies):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=4030)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--big", type=int, default=16_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    latency_run(args)
    if not args.skip_memory:
        memory_run(args)


if __name__ == "__main__":
    main()
