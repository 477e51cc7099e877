"""The webhook endpoint of a running `syncd run` under abuse: wrong verify tokens, oversize and
malformed bodies, wrong methods, events for other subscriptions or strangers, bursts of
duplicates and a slow client; every answer in Strava's 2 seconds, no request to Strava for
what is not ours, and a real event still becomes a note afterwards. (The 110-connection
slowloris and the forged flood are defects 5 and 6: tests/e2e/test_e2e_defects.py.)
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from faulttable import Tally, record
from harness import NOTE_HEADER
from world import ACTIVITY, World

ANSWER_S = 2.0  # Strava's limit for every answer


def ask(
    url: str, body: bytes | None = None, method: str = "POST", timeout: float = 5
) -> tuple[int, float, bytes]:
    """(status, seconds, body) of one request; status 0 when no answer came."""
    started = time.monotonic()
    req = Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urlopen(req, timeout=timeout) as resp:
            return resp.status, time.monotonic() - started, resp.read()
    except HTTPError as exc:
        return exc.code, time.monotonic() - started, exc.read()
    except (URLError, TimeoutError, OSError, HTTPException):  # no answer, or garbage
        return 0, time.monotonic() - started, b""


def slow_body(port: int, event: dict[str, Any], seconds: float) -> None:
    """One client that sends its body a byte at a time over `seconds`."""
    body = json.dumps(event).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /strava HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for i in range(len(body)):
            conn.sendall(body[i : i + 1])
            time.sleep(seconds / len(body))
        conn.recv(1024)


def test_webhook_abuse_is_answered_in_time_and_costs_nothing(tmp_path: Path) -> None:
    world = World(tmp_path / "hook", datetime.now(UTC), old_runs=3)
    rows: list[Tally] = []
    try:
        service = world.serve()
        url = world.callback
        token = "syncd"  # not the verify token
        reads = lambda: len(world.fake.requests(ACTIVITY, "GET"))  # noqa: E731

        def case(name: str, check: Callable[[], str | None]) -> None:
            row = Tally(name, injected=1)
            try:
                problem = check()
            except Exception as exc:  # a broken case is a row, not a crash of the table
                problem = f"{type(exc).__name__}: {exc}"
            row.recovered = int(problem is None and service.proc.poll() is None)
            if problem:
                row.problems.append(problem)
            elif service.proc.poll() is not None:
                row.problems.append("the service died")
            rows.append(row)

        def status_is(expected: int, *args: Any, **kwargs: Any) -> Callable[[], str | None]:
            def check() -> str | None:
                status, took, _ = ask(*args, **kwargs)
                return None if status == expected and took < ANSWER_S else f"got {status} in {took:.2f} s"

            return check

        challenge = {"hub.mode": "subscribe", "hub.challenge": "c4f3", "hub.verify_token": token}
        case(
            "challenge with a wrong verify token",
            status_is(403, f"{url}?{urlencode(challenge)}", method="GET"),
        )
        case("challenge without its parameters", status_is(400, url, method="GET"))
        case("oversize body (100 KB)", status_is(413, url, b"{" + b" " * 100_000 + b"}"))
        case("body that is not JSON", status_is(400, url, b"{not json"))
        case("JSON that is not an event", status_is(400, url, b'{"object_id": "x"}'))
        case("a method Strava never uses", status_is(405, url, b"{}", method="PUT"))

        def not_ours(**change: Any) -> Callable[[], str | None]:
            def check() -> str | None:
                before = reads()
                status, took, _ = ask(url, json.dumps({**world.event(world.spike), **change}).encode())
                time.sleep(0.5)
                spent = reads() - before
                ok = status == 200 and took < ANSWER_S and spent == 0
                return None if ok else f"got {status} in {took:.2f} s, {spent} reads of Strava"

            return check

        case("event of another subscription", not_ours(subscription_id=999_999))
        case("event of a stranger (unknown owner)", not_ours(owner_id=424_242))

        def burst() -> str | None:
            before = reads()
            event = json.dumps(world.event(world.spike, aspect="update", event_time=1_700_000_000)).encode()
            with ThreadPoolExecutor(max_workers=20) as pool:
                answers = list(pool.map(lambda _: ask(url, event), range(100)))
            time.sleep(1.0)
            late = [a for a in answers if a[0] != 200 or a[1] >= ANSWER_S]
            spent = reads() - before
            return None if not late and spent <= 1 else f"{len(late)} late or refused, {spent} reads"

        case("burst of 100 copies of one event", burst)

        def slow_client() -> str | None:
            thread = threading.Thread(
                target=slow_body, args=(world.port, world.event(world.spike), 4.0), daemon=True
            )
            thread.start()
            time.sleep(0.5)
            status, took, _ = ask(url, json.dumps(world.event(world.spike, aspect="update")).encode())
            thread.join(10)
            return None if status == 200 and took < ANSWER_S else f"got {status} in {took:.2f} s"

        case("one client sending its body slowly", slow_client)

        def still_works() -> str | None:
            run = world.fake.add_activity(
                world.now - timedelta(minutes=10), name="After it all", distance=30000.0, moving_time=10800
            )["id"]
            status, _, _ = ask(url, json.dumps(world.event(run)).encode())
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and NOTE_HEADER not in (world.fake.description(run) or ""):
                time.sleep(0.05)
            noted = NOTE_HEADER in (world.fake.description(run) or "")
            return None if status == 200 and noted else f"got {status}; note written: {noted}"

        case("afterwards, a real event becomes a note in 5 s", still_works)
        stopped = service.terminate()
        clean_stop = stopped.returncode == 0 and "Traceback" not in stopped.stderr
        rows.append(
            Tally(
                "SIGTERM afterwards",
                1,
                int(clean_stop),
                problems=[] if clean_stop else [stopped.stderr[-300:]],
            )
        )
        leaks = world.inst.leaks()
        rows.append(Tally("secrets in files and output", 0, 0, secrets=len(leaks), problems=leaks))
    finally:
        world.close()
    record("webhook abuse against `syncd run`", rows)
    total = Tally("all")
    for row in rows:
        total.add(row)
    assert total.clean, "\n".join(f"{r.name}: {'; '.join(r.problems)}" for r in rows if not r.clean)
