"""Defects 5, 6, 8 and 10 of issue 10 (the service, its webhook endpoint and its config);
1-4, 7 and 9 are in test_e2e_defects.py.

Each drives real syncd processes against the local fakes, as the fault suite does, and
checks what a runner or a self-hoster would notice. Each failed on the code it was written
against (phase 1 of the issue) and passes since its fix (phase 2).
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from http.client import HTTPException
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest
from configs import CASES, Case, Place, check
from fakes.strava_server import FakeStrava
from faulttable import Tally, record
from harness import Installation
from world import ACTIVITY, World, free_port, listening


def _row(name: str, ok: bool, problem: str, **counts: int) -> None:
    row = Tally(name, injected=1, recovered=int(ok), **counts)
    if not ok:
        row.problems.append(problem)
    record("defects of issue 10, one test each", [row])


# -- 5 and 6: the webhook endpoint under abuse -----------------------------------------------------


def _post(url: str, body: dict[str, object], timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    req = Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urlopen(req, timeout=timeout) as resp:
            return resp.status, time.monotonic() - started
    except (URLError, TimeoutError, OSError, HTTPException):  # no answer, or garbage
        return 0, time.monotonic() - started


def test_defect_5_slow_clients_do_not_stop_the_webhook_endpoint(world: World) -> None:
    service = world.serve()
    stop = threading.Event()
    slow = []
    head = (
        b"POST /strava HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 400\r\n\r\n"
    )
    for _ in range(110):
        conn = socket.create_connection(("127.0.0.1", world.port), timeout=5)
        conn.sendall(head)
        slow.append(conn)

    def trickle() -> None:  # one byte every 0.5 s on every connection
        while not stop.wait(0.5):
            for conn in slow:
                with contextlib.suppress(OSError):
                    conn.send(b" ")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1.0)
        answers = [_post(world.callback, world.event(world.spike, aspect="update"), timeout=2.0)]
    finally:
        stop.set()
        thread.join(5)
        for conn in slow:
            conn.close()
    run = service.terminate()
    ok = all(status == 200 for status, _ in answers)
    _row("5 slowloris: 110 connections trickling a body", ok, f"answers {answers}")
    assert run.returncode == 0
    assert ok, f"a real event got {answers} while slow clients held the endpoint (Strava wants 200 in 2 s)"


def test_defect_6_a_flood_of_forged_events_stays_within_the_read_budget(world: World) -> None:
    service = world.serve()
    rng = random.Random(6)
    before = len(world.fake.requests(ACTIVITY, "GET"))
    started = time.monotonic()
    forged = [world.event(rng.randrange(10**9, 10**10)) for _ in range(100)]
    forged += [world.event(world.spike, aspect="update", event_time=int(time.time()) - i) for i in range(100)]
    slow = [s for s, took in (_post(world.callback, e, timeout=5) for e in forged) if s != 200 or took > 2]
    time.sleep(max(0.0, 6 - (time.monotonic() - started)))
    reads = len(world.fake.requests(ACTIVITY, "GET")) - before
    service.terminate()
    budget = 100 // 4  # a quarter of a standard app's 100 reads per 15 minutes
    ok = reads <= budget and not slow
    _row("6 200 forged webhook events in 6 s", ok, f"{reads} reads of Strava's budget (at most {budget})")
    assert not slow
    assert reads <= budget, f"200 forged events cost {reads} GETs to Strava in 6 s"


# -- 8: systemd's notify socket ---------------------------------------------------------------------


def test_defect_8_a_full_notify_socket_never_blocks_the_service(world: World, tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))  # systemd, busy: nothing reads the socket, so its queue fills up
    try:
        service = world.inst.start("run", env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "100000"})
        time.sleep(2)
        try:
            run = service.terminate(timeout=6)
            stopped = run.returncode == 0
        except AssertionError:
            stopped = False
    finally:
        sock.close()
    _row("8 full systemd notify socket, then SIGTERM", stopped, "syncd run ignored SIGTERM")
    assert stopped, "syncd run did not stop on SIGTERM within 6 s: blocked on the notify socket"


# -- 10: broken configs and start-up ----------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c.issue], ids=lambda c: c.name)
def test_defect_10_a_broken_config_gives_exit_78_naming_the_key(tmp_path: Path, case: Case) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        with FakeStrava() as fake:
            place = Place(fake.base_url, fake.client_id, free_port(), int(holder.getsockname()[1]))
            _, problems = check(case, Installation(tmp_path / "cfg", fake), place)
    finally:
        holder.close()
    echoed = int(any("secret is echoed" in p for p in problems))
    _row(f"10 config: {case.name}", not problems, "; ".join(problems), secrets=echoed)
    assert not problems, problems


def _knock(url: str, stop: threading.Event) -> None:
    while not stop.is_set():
        _post(url, {}, timeout=1.0)


def test_defect_10_the_service_stops_without_a_traceback(world: World) -> None:
    """SIGTERM while requests reach the webhook endpoint (Strava's, or a prober's)."""
    errors = []
    for _ in range(7):
        service = world.inst.start("run")
        deadline = time.monotonic() + 20
        while not listening(world.port) and time.monotonic() < deadline:
            time.sleep(0.02)
        stop = threading.Event()
        knockers = [
            threading.Thread(target=_knock, args=(world.callback, stop), daemon=True) for _ in range(4)
        ]
        for thread in knockers:
            thread.start()
        time.sleep(0.3)
        run = service.terminate()
        stop.set()
        for thread in knockers:
            thread.join(5)
        if "Traceback" in run.stderr or run.returncode != 0:
            at = run.stderr.find("Traceback")
            errors.append(f"exit {run.returncode}: " + run.stderr[max(at, 0) : max(at, 0) + 1500])
    _row(
        "10 7 stops with requests at the webhook",
        not errors,
        f"{len(errors)} of 7: {errors[0][-160:]!r}" if errors else "",
    )
    assert not errors, errors[0]


def test_harness_reaches_the_service(world: World) -> None:
    """The pieces the defect tests rely on work today (so their failures are the defects)."""
    port = free_port()
    assert port > 0
    service = world.serve()
    status, took = _post(world.callback, world.event(world.spike, aspect="update"), timeout=2.0)
    run = service.terminate()
    assert status == 200 and took < 2.0
    assert run.returncode == 0
