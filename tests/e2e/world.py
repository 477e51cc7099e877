"""A runner's world for the crash runs: Strava and a push service (both fakes), one syncd
installation, and a life of four steps, each of which can be killed at a chosen request.

The life: (1) the first sync backfills 450 old runs, notes a long run and pushes about it;
(2) the runner corrects that run's distance on Strava, and the next sync rewrites the note
and pushes the escalation; (3) Strava expires the access token, a new run appears and the
long run is corrected once more, so the sync refreshes the token (Strava's documented
policy: the old refresh token dies when the new one is issued) and rewrites the note;
(4) `syncd run` gets a webhook event for a new long run and notes it.

Every world is built from the same fixed moment, so activity ids, texts and findings are the
same in every world, and a world run without crashes is the yardstick for the others.
"""

from __future__ import annotations

import re
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fakes.blocking import Block
from fakes.push_server import PushServer
from fakes.strava_server import FakeStrava
from harness import NOTE_HEADER, Installation
from procs import Process

LIST = "/api/v3/athlete/activities"
ACTIVITY = "/api/v3/activities/"
TOKEN = "/api/v3/oauth/token"
OLD_RUNS = 450  # three list pages of 200
RUNNER_TEXT = "Great hills today."
WEBHOOK_TEXT = "Long one by the river."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Point:
    """Where a kill happens: the request that is held (`skip` matching ones go through
    first), the stage (`before` it is handled or `after`), and what kind of work it is."""

    kind: str  # backfill, note, push, refresh, webhook
    step: int
    target: str  # "list", "activity:<which>", "token", "push"
    stage: str
    skip: int = 0
    method: str | None = None

    @property
    def label(self) -> str:
        where = {"list": "GET list", "token": "POST token", "push": "push"}.get(self.target, "")
        if not where:
            which = self.target.split(":")[1]
            where = f"{self.method or 'GET'} {which}"
        nth = f" #{self.skip + 1}" if self.skip else ""
        return f"{self.step}:{self.kind} {where}{nth} {self.stage}"


@dataclass
class Snapshot:
    """What the runner can see: the descriptions on Strava, the messages on the phone."""

    descriptions: dict[int, str | None]
    pushes: Counter[str]
    on_strava: set[str]
    stored: set[str]
    retrying: set[str] = field(default_factory=set)  # activities whose note write waits for a retry


@dataclass
class World:
    root: Path
    now: datetime
    old_runs: int = OLD_RUNS
    refresh_policy: str = "strava"
    fake: FakeStrava = field(init=False)
    push: PushServer = field(init=False)
    inst: Installation = field(init=False)
    port: int = field(init=False)
    spike: int = 0
    webhook_run: int = 0
    reconnects: int = 0
    resends: int = 0  # messages the service may legitimately have sent twice (answers lost)
    subscribed: bool = False
    kills: list[tuple[Point, bool]] = field(default_factory=list)  # (point, reached)

    def __post_init__(self) -> None:
        self.fake = FakeStrava(refresh_policy=self.refresh_policy).__enter__()
        self.push = PushServer().__enter__()
        self.port = free_port()
        self.inst = Installation(
            self.root, self.fake, self.push, daemon=f'webhook_listen = "127.0.0.1:{self.port}"'
        )
        old = self.now - timedelta(days=180)
        for i in range(self.old_runs):
            self.fake.add_activity(
                old + timedelta(hours=8 * i),
                name=f"Run {i}",
                distance=8000.0 + i % 7,
                moving_time=2900,
                elapsed_time=3000,
            )
        for i in range(8):
            self.fake.add_activity(
                self.now - timedelta(days=24 - 3 * i),
                name="Easy",
                distance=8000.0,
                moving_time=2900,
                elapsed_time=3000,
            )
        self.spike = self.fake.add_activity(
            self.now - timedelta(hours=3),
            name="Long one",
            distance=16000.0,
            moving_time=5800,
            elapsed_time=6000,
            description=RUNNER_TEXT,
        )["id"]
        self.inst.connect()

    def close(self) -> None:
        self.inst.close()
        self.push.__exit__(None, None, None)
        self.fake.__exit__(None, None, None)

    # -- blocking points ---------------------------------------------------------------

    def arm(self, point: Point) -> Block:
        if point.target == "push":
            return self.push.block(stage=point.stage, skip=point.skip)
        if point.target == "list":
            return self.fake.block(LIST, "GET", stage=point.stage, skip=point.skip)
        if point.target == "token":
            return self.fake.block(TOKEN, "POST", stage=point.stage, skip=point.skip)
        which = {"spike": self.spike, "webhook": self.webhook_run}[point.target.split(":")[1]]
        return self.fake.block(
            f"{ACTIVITY}{which}", point.method or "GET", stage=point.stage, skip=point.skip
        )

    # -- the life ------------------------------------------------------------------------

    def prepare(self, step: int) -> None:
        """What changes on Strava before a step."""
        if step == 2:
            self.fake.update_activity(self.spike, distance=18000.0, moving_time=6500, elapsed_time=6700)
        elif step == 3:
            self.fake.add_activity(
                self.now - timedelta(hours=1),
                name="Shakeout",
                distance=5000.0,
                moving_time=1800,
                elapsed_time=1900,
            )
            self.fake.update_activity(self.spike, distance=19000.0, moving_time=6800, elapsed_time=7000)
            self.fake.expire_access_tokens()
        elif step == 4:
            self.webhook_run = self.fake.add_activity(
                self.now - timedelta(minutes=20),
                name="Longest yet",
                distance=40000.0,
                moving_time=14000,
                elapsed_time=14500,
                description=WEBHOOK_TEXT,
            )["id"]

    def step(self, step: int, point: Point | None, *, complete: bool = True) -> None:
        """Run one step, with a kill at `point` on the way; then, if `complete`, start syncd
        again until the step is done (else the next step's change and start come first)."""
        if step == 4:
            self._daemon_step(point)
            return
        self.prepare(step)
        if point is not None:
            run = self.inst.killed_at(self.arm(point), "sync", "--json")
            self.kills.append((point, run.killed))
        if complete:
            self.complete_sync()

    def complete_sync(self) -> None:
        """`syncd sync` until it completes; a paused account is reconnected, once, as the
        runner would after syncd's reconnect message."""
        for _ in range(6):
            run = self.inst.sync()
            if run.returncode == 0:
                return
            if self.inst.state.account_status("sam") == "auth_required" and self.reconnects < 2:
                self.reconnects += 1
                self.inst.connect()
        raise AssertionError(f"sync never completed:\n{run.output[-3000:]}")

    # -- the service and its webhook -------------------------------------------------------

    def _daemon(self) -> Process:
        proc = self.inst.start("run")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.proc.poll() is not None:
                raise AssertionError(f"syncd run exited: {proc.log_text()[-2000:]}")
            if _passes(proc.log_text()) >= 1 and listening(self.port):
                return proc
            time.sleep(0.05)
        proc.kill()
        raise AssertionError("syncd run did not finish its first pass in 30s")

    def serve(self) -> Process:
        """`syncd run` with its webhook callback, after its first pass, subscribed at Strava."""
        proc = self._daemon()
        if self.inst.state.account_status("sam") == "auth_required":  # the runner reconnects
            self.reconnects += 1
            self.inst.connect()
        if not self.subscribed:
            done = self.inst.cli("webhook", "subscribe", "--callback-url", self.callback)
            assert done.returncode == 0, done.output
            self.subscribed = True
        return proc

    @property
    def callback(self) -> str:
        return f"http://127.0.0.1:{self.port}/strava"

    def event(
        self, object_id: int, *, aspect: str = "create", event_time: int | None = None
    ) -> dict[str, Any]:
        """A webhook event as Strava would post it for this athlete."""
        return {
            "object_type": "activity",
            "object_id": object_id,
            "aspect_type": aspect,
            "owner_id": self.fake.athlete_id,
            "subscription_id": next(iter(self.fake.subscriptions)),
            "event_time": int(time.time()) if event_time is None else event_time,
            "updates": {},
        }

    def _event(self) -> None:
        status, _ = self.fake.send_event(self.event(self.webhook_run))
        assert status == 200

    def _daemon_step(self, point: Point | None) -> None:
        proc = self.serve()
        self.prepare(4)  # after the first pass: only the webhook event tells syncd about it
        passes = _passes(proc.log_text())
        if point is not None:
            block = self.arm(point)
            self._event()
            reached = block.wait(20)
            proc.kill(block)
            self.kills.append((point, reached))
            proc = self._daemon()  # the restart: the event is still pending, the poll lists the run
            passes = 0
        else:
            self._event()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            noted = NOTE_HEADER in (self.fake.description(self.webhook_run) or "")
            if noted and _passes(proc.log_text()) > passes:
                break
            time.sleep(0.05)
        run = proc.terminate()
        assert run.returncode == 0, f"syncd run exited {run.returncode} on SIGTERM: ...{run.stderr[-1500:]}"

    # -- what the runner sees ------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self.fake.lock:
            descriptions = {i: a.get("description") for i, a in self.fake.activities.items()}
            on_strava = {str(i) for i in self.fake.activities}
        return Snapshot(
            descriptions,
            Counter(m.text for m in self.push.messages()),
            on_strava,
            set(self.inst.state.activity_ids("sam")),
            self.inst.state.notes_retrying("sam"),
        )


def _passes(log: str) -> int:
    """Completed passes in a daemon's log (one summary line each)."""
    return len(re.findall(r"\bsam: fetched \d+", log))


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
