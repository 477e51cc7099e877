"""One syncd installation in a temp dir, driven the way a self-hoster drives it.

The suite talks to syncd only through its command line (`python -m syncd ...`), the config
file, the environment, the files of the state and token directories, and the local fake
servers (tests/fakes). It imports nothing from `syncd`, so moving syncd's modules around
does not touch it. What it reads from the state database is in `StateView` alone.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fakes.blocking import Block
from fakes.push_server import PushServer
from fakes.strava_server import FakeStrava
from procs import Process, Run, follow

SYNCD = (sys.executable, "-m", "syncd")
NOTE_HEADER = "— syncd —"
#: the rules that depend on the hour (the morning strength prompt) are off, so that two
#: installations fed the same history deliver the same notes and messages
STEADY_RULES = "[rules.strength_frequency]\nenabled = false\n"


@dataclass
class Athlete:
    name: str
    strava_id: int
    notify: bool = True
    providers: tuple[str, ...] = ("strava",)


def config_text(
    fake: FakeStrava,
    push: PushServer | None,
    athletes: Sequence[Athlete],
    *,
    daemon: str = "",
    rules: str = STEADY_RULES,
    notes: bool = True,
) -> str:
    """A config like a runner's: the app's secret and the push URL are env: references."""
    # the weekly digest is due half a week away, so no run of the suite meets it
    digest = (datetime.now(UTC) + timedelta(days=3, hours=12)).strftime("%a %H:%M").lower()
    lines = ["[daemon]", 'poll_interval = "1h"', daemon, ""]
    lines += [
        "[strava]",
        f"client_id = {fake.client_id}",
        'client_secret = "env:STRAVA_SECRET"',
        f'base_url = "{fake.base_url}"',
        "",
    ]
    for athlete in athletes:
        lines += [
            "[[athletes]]",
            f'name = "{athlete.name}"',
            'timezone = "UTC"',
            "providers = [" + ", ".join(f'"{p}"' for p in athlete.providers) + "]",
            "max_push_per_day = 50",
            f'digest = "{digest}"',
            "notes = {" + ", ".join(f"{p} = {'true' if notes else 'false'}" for p in athlete.providers) + "}",
        ]
        if push is not None and athlete.notify:
            lines.append('notify = ["env:PUSH_URL"]')
        lines.append("")
    return "\n".join(lines) + "\n" + rules


#: every installation of the session, for the final secret sweep (test_e2e_z_secret_sweep.py)
EVERY: list[Installation] = []


class StateView:
    """Read-only looks into the state database (the only place the suite reads SQL)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)) as conn:
            return list(conn.execute(sql, args))

    def activity_ids(self, athlete: str) -> list[str]:
        rows = self._query(
            "SELECT provider_id FROM activities WHERE athlete = ? AND provider = 'strava' AND deleted = 0",
            athlete,
        )
        return [str(r[0]) for r in rows]

    def cursor(self, athlete: str) -> int | None:
        rows = self._query("SELECT cursor FROM cursors WHERE athlete = ? AND provider = 'strava'", athlete)
        return int(rows[0][0]) if rows else None

    def notes_retrying(self, athlete: str) -> set[str]:
        """Activities whose note delivery failed and waits for its next attempt."""
        rows = self._query(
            "SELECT m.provider_id FROM deliveries d JOIN session_members m ON m.session_id = d.target "
            "WHERE m.athlete = ? AND m.provider = 'strava' AND d.channel = 'note:strava' "
            "AND d.status = 'pending' AND d.attempts > 0",
            athlete,
        )
        return {str(r[0]) for r in rows}

    def account_status(self, athlete: str) -> str | None:
        rows = self._query("SELECT status FROM accounts WHERE athlete = ? AND provider = 'strava'", athlete)
        return str(rows[0][0]) if rows else None


def let_the_rate_limit_wait_pass(state: Path) -> None:
    """Stand in for the clock after a 429 (the quarter hour syncd must wait has passed): the
    suite's only write into syncd's state removes the `rate_limited_until:` time syncd keeps
    and honours on its next start. A state without one is left as it is."""
    with closing(sqlite3.connect(f"file:{state}?mode=rw", uri=True, timeout=10)) as conn, conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "engine_state" in tables:
            conn.execute("DELETE FROM engine_state WHERE key LIKE 'rate_limited_until:%'")


class Installation:
    """Config, state dir and token dir of one installation, and the processes run on it."""

    def __init__(
        self,
        root: Path,
        fake: FakeStrava,
        push: PushServer | None = None,
        athletes: Sequence[Athlete] | None = None,
        **config: Any,
    ) -> None:
        self.root, self.fake, self.push = root, fake, push
        self.athletes = list(athletes or [Athlete("sam", fake.athlete_id)])
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "config.toml"
        self.state_dir = root / "state"
        self.token_dir = root / "tokens"
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.state = StateView(self.state_dir / "syncd.sqlite3")
        self.config.write_text(config_text(fake, push, self.athletes, **config))
        keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "SYSTEMROOT", "TMPDIR", "SYNCD_PLUGINS")
        self.env = {k: v for k, v in os.environ.items() if k in keep}
        self.env.update(
            {
                "HOME": str(root / "home"),
                "XDG_CONFIG_HOME": str(root / "xdg-config"),
                "XDG_STATE_HOME": str(root / "xdg-state"),
                "SYNCD_TOKEN_DIR": str(self.token_dir),
                "STRAVA_SECRET": fake.client_secret,
                "PYTHONUNBUFFERED": "1",
            }
        )
        if push is not None:
            self.env["PUSH_URL"] = push.url
        self.runs: list[Run] = []
        self.cursors: list[int | None] = []
        self._count = 0
        self.live: list[Process] = []  # started and not yet waited for
        EVERY.append(self)

    # -- processes ----------------------------------------------------------------------

    def where(self) -> tuple[str, ...]:
        return ("--config", str(self.config), "--state-dir", str(self.state_dir))

    def start(self, *args: str, env: dict[str, str | None] | None = None) -> Process:
        """A syncd process running `args`, its output going to files under logs/; `env`
        overrides the environment (None: unset the variable)."""
        self._count += 1
        argv = (*SYNCD, *args, *self.where())
        out = open(self.logs / f"{self._count:03d}.out", "w+")  # noqa: SIM115 (closed in Process)
        err = open(self.logs / f"{self._count:03d}.err", "w+")  # noqa: SIM115
        merged = {**self.env, **(env or {})}
        proc = subprocess.Popen(
            argv,
            env={k: v for k, v in merged.items() if v is not None},
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=self.root,
        )
        started = Process(self, argv, proc, out, err)
        self.live.append(started)
        return started

    def close(self) -> None:
        """Kill what is still running (a test that failed half-way leaves no process behind)."""
        for proc in list(self.live):
            proc.kill()

    def cli(self, *args: str, timeout: float = 120, env: dict[str, str | None] | None = None) -> Run:
        """Run a command to its end."""
        return self.start(*args, env=env).finish(timeout)

    def sync(self, *args: str, timeout: float = 120) -> Run:
        return self.cli("sync", "--json", *args, timeout=timeout)

    def killed_at(self, block: Block, *args: str, timeout: float = 60) -> Run:
        """Start `args`, kill -9 it as soon as it waits at `block`; the run, killed or not."""
        proc = self.start(*args)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.proc.poll() is None:
            if block.wait(0.02):
                return proc.kill(block)
        if proc.proc.poll() is None:
            raise AssertionError(f"{args} neither reached {block.path} nor ended in {timeout}s")
        block.release()
        return proc.finish(5)

    def until_complete(self, *args: str, tries: int = 6, ok: Iterable[int] = (0,)) -> list[Run]:
        """Run `args` again and again until it exits with an `ok` status."""
        done: list[Run] = []
        for _ in range(tries):
            done.append(self.cli(*args))
            if done[-1].returncode in tuple(ok):
                return done
        raise AssertionError(f"{args} did not complete in {tries} tries: {done[-1].output[-2000:]}")

    def note_cursor(self) -> None:
        self.cursors.append(self.state.cursor(self.athletes[0].name))

    # -- connecting ---------------------------------------------------------------------

    def connect(self, athlete: Athlete | None = None) -> Run:
        """`syncd connect strava --paste`, the fake playing the runner's browser."""
        who = athlete or self.athletes[0]
        self.fake.authorizing_athlete = who.strava_id
        self._count += 1
        argv = (*SYNCD, "connect", "strava", "--athlete", who.name, "--paste", *self.where())
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.root,  # `python -m` puts the cwd first on sys.path: never a checkout's syncd
        )
        assert proc.stdout is not None and proc.stdin is not None
        printed = []
        url = None
        while url is None:
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(line)
            if "/oauth/authorize?" in line:
                url = line.strip()
        redirect = follow(url) if url else ""
        out, err = proc.communicate(redirect + "\n", timeout=60)
        run = Run(argv, proc.returncode, "".join(printed) + out, err, seconds=time.monotonic() - started)
        self.runs.append(run)
        assert run.returncode == 0, run.output
        return run

    # -- what the runner sees -----------------------------------------------------------

    def secrets(self) -> dict[str, str]:
        """Every secret this installation ever handled, by a label that is not the secret."""
        found = {"strava client secret": self.fake.client_secret}
        found.update({f"strava token #{i}": t for i, t in enumerate(self.fake.issued)})
        if self.push is not None:
            found["push password"] = self.push.password
        return found

    def leaks(self) -> list[str]:
        """Where a secret shows up outside the token files: every file under the root (state,
        config, logs, leftovers) and every process's output."""
        secrets = self.secrets()
        hits = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.parent == self.token_dir:
                continue
            data = path.read_bytes()
            hits += [
                f"{path.relative_to(self.root)}: {label}"
                for label, s in secrets.items()
                if s.encode() in data
            ]
        for run in self.runs:
            hits += [f"output of {run.argv[3:5]}: {label}" for label, s in secrets.items() if s in run.output]
        # the token dir holds the current pair and nothing else (no stale copies of old ones)
        for path in sorted(self.token_dir.glob("*")) if self.token_dir.exists() else []:
            if path.name.startswith(".") and path.is_file():
                hits.append(f"tokens/{path.name}: a leftover copy of the token file")
        return sorted(set(hits))
