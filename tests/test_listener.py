"""The service's plumbing under strain (issue 10, defects 5, 8 and 10; issue 13, item 10): the
listener drops requests slower than its deadline and stops cleanly, systemd's notify socket
never blocks, a taken port is a config error, and the log is journald-friendly."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from syncd.daemon import Daemon
from syncd.errors import ConfigError
from syncd.providers.strava import server
from syncd.providers.strava.endpoint import serve
from syncd.service_log import JournalFormatter, RoutineToDebug, on_journal
from syncd.systemd_notify import sd_notify


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[server.Server, str]]:
    monkeypatch.setattr(server, "REQUEST_DEADLINE_S", 0.5)
    listener = serve(hello, "127.0.0.1", 0)
    thread = threading.Thread(target=listener.run, daemon=True)
    thread.start()
    yield listener, f"http://127.0.0.1:{listener.effective_port}/"
    listener.close()
    thread.join(10)
    assert not thread.is_alive()


def test_requests_slower_than_the_deadline_are_dropped_and_others_answered(
    running: tuple[server.Server, str],
) -> None:
    listener, url = running
    slow = []
    for _ in range(20):  # each sends its head and a byte of a 400-byte body, then trickles
        conn = socket.create_connection(("127.0.0.1", listener.effective_port), timeout=5)
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n ")
        slow.append(conn)
    with urlopen(url, timeout=2) as answer:  # a whole request is answered at once
        assert answer.read() == b"ok"
    deadline = time.monotonic() + 8  # the deadline (0.5 s here) plus the once-a-second check
    while slow and time.monotonic() < deadline:
        still = []
        for conn in slow:
            try:
                conn.send(b" ")  # still trickling, as a slowloris does: never idle
                conn.settimeout(0.02)
                gone = conn.recv(1) == b""
            except TimeoutError:
                gone = False
            except OSError:
                gone = True
            if gone:
                conn.close()
            else:
                still.append(conn)
        slow = still
        time.sleep(0.1)
    assert not slow, f"{len(slow)} slow requests were kept past the deadline"


def test_stopping_with_requests_arriving_leaves_no_traceback(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    died: list[BaseException | None] = []  # an exception that ends a thread (the loop's own)
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    listener = serve(hello, "127.0.0.1", 0)
    thread = threading.Thread(target=listener.run, daemon=True)
    thread.start()
    stop = threading.Event()

    def knock() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                urlopen(f"http://127.0.0.1:{listener.effective_port}/", timeout=1).read()

    knockers = [threading.Thread(target=knock, daemon=True) for _ in range(4)]
    for k in knockers:
        k.start()
    time.sleep(0.3)
    listener.close()
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert not died, died
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_notify_never_blocks_on_a_full_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    busy = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # systemd, busy: nothing reads it
    busy.bind(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    answers: list[bool] = []
    sender = threading.Thread(target=lambda: answers.extend(sd_notify("WATCHDOG=1") for _ in range(5000)))
    sender.daemon = True
    sender.start()
    sender.join(30)
    busy.close()
    assert not sender.is_alive(), "sd_notify blocked on the full socket"
    assert answers[0] is True and False in answers  # sent while there was room, then dropped


def test_a_taken_port_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[daemon]\nwebhook_listen = "127.0.0.1:{port}"\npublic_url = "https://runs.example.org"\n\n'
        '[[athletes]]\nname = "sam"\ntimezone = "UTC"\nproviders = ["strava"]\n'
    )
    daemon = Daemon(config, tmp_path / "state")
    try:
        with pytest.raises(ConfigError) as refused:
            daemon.start()
    finally:
        daemon.shutdown()
        holder.close()
    assert "daemon.webhook_listen" in str(refused.value) and "in use" in str(refused.value)
    assert daemon.scheduler is not None and not daemon.scheduler.running  # no job ever ran


def test_journal_lines_carry_their_priority(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    record = logging.LogRecord("syncd.engine", logging.ERROR, __file__, 1, "sam/strava: %s", ("gone",), None)
    assert JournalFormatter("%(name)s: %(message)s").format(record) == "<3>syncd.engine: sam/strava: gone"
    record.levelno = logging.INFO
    assert JournalFormatter("%(message)s").format(record).startswith("<6>")
    with open(tmp_path / "journal", "w") as stream:
        info = os.fstat(stream.fileno())
        monkeypatch.setattr(sys, "stderr", stream)
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino}")
        assert on_journal()
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino + 1}")
        assert not on_journal()  # a stream inherited from elsewhere: plain level names


def test_the_schedulers_routine_warnings_become_debug_lines() -> None:
    skipped = logging.LogRecord(
        "apscheduler.scheduler",
        logging.WARNING,
        __file__,
        1,
        'Execution of job "pass" skipped: maximum number of running instances reached (1)',
        (),
        None,
    )
    assert RoutineToDebug().filter(skipped) is False and skipped.levelno == logging.DEBUG
    missed = logging.LogRecord(
        "apscheduler.scheduler", logging.WARNING, __file__, 1, "Run time was missed", (), None
    )
    assert RoutineToDebug().filter(missed) is True and missed.levelno == logging.WARNING


def test_sigterm_during_a_poll_stops_the_service_instead_of_hanging(tmp_path: Path) -> None:
    """The scheduler's shutdown waits for the running poll while holding its job store: the
    poll's successor must not be added then (it would wait for that lock for ever)."""
    config = tmp_path / "config.toml"
    config.write_text('[[athletes]]\nname = "sam"\ntimezone = "UTC"\nproviders = []\n')
    daemon = Daemon(config, tmp_path / "state")
    polling, release = threading.Event(), threading.Event()

    def long_pass(name: str, **_: Any) -> None:
        polling.set()
        release.wait(10)

    daemon.pass_job = long_pass  # type: ignore[method-assign]
    daemon.start()
    daemon.planner.take = lambda: "sam"
    daemon.scheduler.add_job(daemon.poll_job, args=[daemon._generation])
    assert polling.wait(10), "the poll never started"
    stopper = threading.Thread(target=daemon.shutdown, daemon=True)
    stopper.start()
    time.sleep(0.3)  # the scheduler's shutdown is waiting for the poll now
    release.set()
    stopper.join(10)
    assert not stopper.is_alive(), "the service hung on SIGTERM during a poll"
