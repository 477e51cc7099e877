"""Last (the name sorts it last): the search of every file and every output for the secrets.

Every installation the session made (crash worlds, API fault worlds, defect worlds, broken
configs) is searched, outside its token files, for the app's client secret, every code and
token the fake Strava ever issued to it, and the push password: state database and its WAL,
config, logs, leftovers, and the output of every command. One more installation runs the
commands most likely to print one, at the most verbose log level: a sync, the service with
its webhook, `webhook subscribe/status`, `status`, `check`, `notify test`, `disconnect`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from faulttable import Tally, record
from harness import EVERY
from world import World, listening


def test_no_secret_in_any_file_or_output(tmp_path: Path) -> None:
    world = World(tmp_path / "verbose", datetime.now(UTC), old_runs=3)
    try:
        inst = world.inst
        assert inst.cli("sync", "-vv", "--json").returncode == 0
        service = inst.start("run", "-vv")
        deadline = time.monotonic() + 20
        while not listening(world.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inst.cli("webhook", "subscribe", "--callback-url", world.callback, "-vv").returncode == 0
        world.fake.send_event(world.event(world.spike, aspect="update"))
        time.sleep(1)
        assert service.terminate().returncode == 0
        for args in (
            ("webhook", "status", "-vv"),
            ("status", "-vv"),
            ("status", "--json"),
            ("check", "--athlete", "sam", "--json", "-vv"),
            ("notify", "test", "--athlete", "sam", "-vv"),
            ("disconnect", "strava", "--athlete", "sam", "-vv"),
        ):
            run = inst.cli(*args)
            assert run.returncode in (0, 75), (args, run.output[-500:])
    finally:
        world.close()
    rows = []
    files = outputs = 0
    for installation in EVERY:
        leaks = installation.leaks()
        files += sum(1 for p in installation.root.rglob("*") if p.is_file())
        outputs += len(installation.runs)
        if leaks:
            rows.append(Tally(installation.root.name, secrets=len(leaks), problems=leaks))
    rows.append(Tally(f"{len(EVERY)} installations: {files} files, {outputs} outputs searched"))
    record("secret search", rows)
    found = [p for r in rows for p in r.problems]
    assert not found, "\n".join(found)
