"""The ten defects of issue 10, one test each (defect 10 has one case per broken start-up).

Each drives real syncd processes against the local fakes, as the fault suite does, and
checks what a runner or a self-hoster would notice. They fail on the code they were written
against; phase 2 of the issue fixes them.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest
from configs import CASES, Case, Place, check
from fakes.push_server import PushServer
from fakes.strava_server import FakeStrava
from faulttable import record
from harness import NOTE_HEADER, Athlete, Installation, Tally
from world import ACTIVITY, RUNNER_TEXT, TOKEN, World, free_port, listening


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path / "world", datetime.now(UTC), old_runs=3)
    yield made
    made.close()


def _row(name: str, ok: bool, problem: str, **counts: int) -> None:
    row = Tally(name, injected=1, recovered=int(ok), **counts)
    if not ok:
        row.problems.append(problem)
    record("defects of issue 10, one test each", [row])


def _correct(world: World, km: float) -> None:
    """The runner corrects the long run's distance on Strava."""
    world.fake.update_activity(
        world.spike, distance=km * 1000, moving_time=int(km * 360), elapsed_time=int(km * 370)
    )


def _reconnect_notices(world: World) -> list[str]:
    return [m.text for m in world.push.messages() if "syncd connect strava" in m.text]


# -- 1 and 2: the note intent forgets a block that may already be on the activity ---------------


def test_defect_1_two_crashes_on_a_new_note_leave_one_block_with_the_latest_numbers(world: World) -> None:
    spike = f"{ACTIVITY}{world.spike}"
    first = world.inst.killed_at(world.fake.block(spike, "PUT", stage="after"), "sync", "--json")
    assert first.killed and NOTE_HEADER in (world.fake.description(world.spike) or "")  # on Strava
    _correct(world, 18)
    second = world.inst.killed_at(world.fake.block(spike, "GET"), "sync", "--json")  # before its PUT
    assert second.killed
    world.complete_sync()
    text = world.fake.description(world.spike) or ""
    ok = text.count(NOTE_HEADER) == 1 and "18.0 vs 8.0 km" in text
    _row(
        "1 new note: PUT applied+kill, correction, kill at GET",
        ok,
        f"note is {text!r}",
        duplicate_notes=int(not ok),
    )
    assert text.count(NOTE_HEADER) == 1, text
    assert text.startswith(f"{RUNNER_TEXT}\n\n{NOTE_HEADER}\n") and "18.0 vs 8.0 km" in text


def test_defect_2_two_crashes_on_an_older_note_still_bring_the_next_correction(world: World) -> None:
    spike = f"{ACTIVITY}{world.spike}"
    world.complete_sync()  # the note (16 km) is written and confirmed
    _correct(world, 18)
    assert world.inst.killed_at(world.fake.block(spike, "PUT", stage="after"), "sync", "--json").killed
    _correct(world, 20)
    assert world.inst.killed_at(world.fake.block(spike, "GET"), "sync", "--json").killed
    world.complete_sync()
    _correct(world, 21)  # and a later correction still reaches the activity
    world.complete_sync()
    text = world.fake.description(world.spike) or ""
    ok = text.count(NOTE_HEADER) == 1 and "21.0 vs 8.0 km" in text
    _row(
        "2 older note: same two crashes, then a correction", ok, f"note is {text!r}", stale_notes=int(not ok)
    )
    assert text.count(NOTE_HEADER) == 1, text
    assert "21.0 vs 8.0 km" in text, text


# -- 3: a crash inside the token refresh -----------------------------------------------------------


def test_defect_3_a_crash_in_the_token_refresh_costs_one_plain_reconnect_message(world: World) -> None:
    """Strava retires the old refresh token the moment it issues a new one (its docs:
    "Once a new refresh token is returned, the older refresh token is invalidated
    immediately"), so a kill between Strava's answer and syncd's save cannot be undone: the
    runner must reconnect once, and must be told so once, in plain words."""
    world.complete_sync()
    world.fake.expire_access_tokens()
    assert world.inst.killed_at(world.fake.block(TOKEN, "POST", stage="after"), "sync", "--json").killed
    runs = [world.inst.sync() for _ in range(2)]
    service = world.inst.start("run")  # the service comes up too, and must not ask again
    time.sleep(2)
    service.terminate()
    notices = _reconnect_notices(world)
    status = world.inst.cli("status").stdout
    ok = len(notices) == 1 and "revoked" not in notices[0] and "refresh_token invalid" not in status
    _row(
        "3 kill inside the token refresh (Strava policy)",
        ok,
        f"notices {notices!r}; status {status[-300:]!r}",
    )
    assert all("Traceback" not in r.stderr for r in runs)
    assert len(notices) == 1, notices
    # the runner revoked nothing and nothing expired on their side: syncd was interrupted
    assert "revoked" not in notices[0] and "expired" not in notices[0], notices[0]
    assert "syncd connect strava --athlete sam" in notices[0]
    assert "refresh_token invalid" not in status, status  # Strava's jargon is not the explanation
    world.fake.add_activity(world.now - timedelta(hours=1), name="During the pause", distance=6000.0)
    world.inst.connect()
    world.complete_sync()
    assert len(world.inst.state.activity_ids("sam")) == len(world.fake.activities)  # nothing lost


# -- 4: a malformed old activity ------------------------------------------------------------------


def test_defect_4_a_malformed_old_activity_is_stored_once_it_is_fixed(world: World) -> None:
    bad = world.fake.add_activity(world.now - timedelta(days=40), name="Odd one", distance="12 km")["id"]
    world.complete_sync()  # the backfill skips it, and goes on
    world.fake.update_activity(bad, distance=12000.0)  # fixed on Strava (or by a mapping fix)
    world.complete_sync()
    world.complete_sync()
    stored = str(bad) in world.inst.state.activity_ids("sam")
    _row("4 malformed old item in a backfill, fixed later", stored, "never stored", lost=int(not stored))
    assert stored, "the fixed activity was never listed again"


# -- 5 and 6: the webhook endpoint under abuse -----------------------------------------------------


def _post(url: str, body: dict[str, object], timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    req = Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urlopen(req, timeout=timeout) as resp:
            return resp.status, time.monotonic() - started
    except (URLError, TimeoutError, OSError):
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


# -- 7: one provider's failure stops everything ------------------------------------------------------


def test_defect_7_an_unexpected_error_in_one_account_does_not_stop_the_others(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with FakeStrava(refresh_policy="strava") as fake, PushServer() as push:
        amy, sam = Athlete("amy", 2024), Athlete("sam", fake.athlete_id)
        # amy's list carries a number Python cannot round (1e999 is inf): not a ProviderError
        fake.add_activity(
            now - timedelta(days=2), athlete_id=amy.strava_id, distance=5000.0, moving_time=1e999
        )
        for i in range(3):
            fake.add_activity(
                now - timedelta(days=90 + i), distance=8000.0, moving_time=2900, elapsed_time=3000
            )
        for i in range(8):
            fake.add_activity(
                now - timedelta(days=24 - 3 * i), distance=8000.0, moving_time=2900, elapsed_time=3000
            )
        spike = fake.add_activity(
            now - timedelta(hours=3), distance=16000.0, moving_time=5800, elapsed_time=6000
        )
        inst = Installation(tmp_path / "two", fake, push, athletes=[amy, sam])
        inst.connect(amy)
        inst.connect(sam)
        run = inst.sync()
        noted = NOTE_HEADER in (fake.description(spike["id"]) or "")
        ok = "Traceback" not in run.stderr and run.returncode in (0, 75) and noted and bool(push.messages())
        _row(
            "7a one account's unexpected error in a pass", ok, f"exit {run.returncode}: {run.stderr[-200:]!r}"
        )
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert run.returncode == 75  # amy's account failed, and says so
        assert noted and push.messages(), "sam's note and push were never delivered"


def test_defect_7_a_provider_that_fails_to_set_up_once_keeps_its_queued_notes(world: World) -> None:
    # the pass is killed at the read before the note's write: the note stays queued
    assert world.inst.killed_at(
        world.fake.block(f"{ACTIVITY}{world.spike}", "GET", skip=1), "sync", "--json"
    ).killed
    broken = world.inst.cli("sync", "--json", env={"STRAVA_SECRET": None})  # the secret is missing
    assert broken.returncode == 75
    world.complete_sync()  # the secret is back
    noted = NOTE_HEADER in (world.fake.description(world.spike) or "")
    _row(
        "7b provider set-up failing for one pass",
        noted,
        "the queued note was dropped",
        stale_notes=int(not noted),
    )
    assert noted, "the note queued before the failed pass was never written"


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


# -- 9: two processes refresh the same token --------------------------------------------------------


def test_defect_9_a_sync_beside_the_running_service_does_not_lose_the_connection(world: World) -> None:
    world.complete_sync()
    world.fake.expire_access_tokens()
    held = world.fake.block(
        TOKEN, "POST", stage="after"
    )  # the service's refresh: done at Strava, answer late
    service = world.inst.start("run")
    assert held.wait(30)
    refreshes = len(world.fake.requests(TOKEN, "POST"))
    beside = world.inst.start("sync", "--json")  # the runner syncs by hand meanwhile
    deadline = time.monotonic() + 5  # until it tries a refresh of its own (or waits its turn)
    while time.monotonic() < deadline and len(world.fake.requests(TOKEN, "POST")) == refreshes:
        time.sleep(0.05)
    time.sleep(0.3)
    held.release(answer=True)
    run = beside.finish(60)
    time.sleep(1)
    service.terminate()
    notices = _reconnect_notices(world)
    ok = run.returncode == 0 and not notices
    _row("9 `syncd sync` next to `syncd run`, both refreshing", ok, f"sync exit {run.returncode}, {notices}")
    assert not notices, notices
    assert run.returncode == 0, run.output[-2000:]
    assert world.inst.state.account_status("sam") == "active"


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
    _row(f"10 config: {case.name}", not problems, "; ".join(problems))
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
