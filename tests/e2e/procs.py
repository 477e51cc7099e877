"""syncd processes: a finished run's output, and a running one to wait for, stop or kill."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, build_opener

from fakes.blocking import Block

if TYPE_CHECKING:
    from harness import Installation


@dataclass
class Run:
    """One finished (or killed) syncd process."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    killed: bool = False
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def summary(self) -> Any:
        """The JSON that `sync --json` printed (None if it printed none)."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None


class Process:
    """A running syncd process and the files its output goes to."""

    def __init__(
        self,
        owner: Installation,
        argv: tuple[str, ...],
        proc: subprocess.Popen[bytes],
        out: IO[str],
        err: IO[str],
    ) -> None:
        self.owner, self.argv, self.proc, self.out, self.err = owner, argv, proc, out, err
        self.started = time.monotonic()

    def _record(self, killed: bool) -> Run:
        if self in self.owner.live:
            self.owner.live.remove(self)
        self.out.seek(0)
        self.err.seek(0)
        run = Run(
            self.argv,
            self.proc.returncode,
            self.out.read(),
            self.err.read(),
            killed=killed,
            seconds=time.monotonic() - self.started,
        )
        self.out.close()
        self.err.close()
        self.owner.runs.append(run)
        self.owner.note_cursor()
        return run

    def finish(self, timeout: float) -> Run:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._record(killed=True)
            raise AssertionError(f"{self.argv[3:]} still running after {timeout}s") from None
        return self._record(killed=False)

    def kill(self, block: Block | None = None) -> Run:
        """kill -9, then let the fake drop the request the process was waiting on."""
        self.proc.kill()
        self.proc.wait()
        if block is not None:
            block.release()
        return self._record(killed=True)

    def terminate(self, timeout: float = 30) -> Run:
        """SIGTERM, as systemd stops the service; the run once it exited."""
        self.proc.send_signal(signal.SIGTERM)
        return self.finish(timeout)

    def log_text(self) -> str:
        """What the process wrote to stderr so far."""
        self.err.flush()
        return Path(self.err.name).read_text()


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def follow(url: str) -> str:
    """Where Strava's authorize page sends the browser (the address the runner pastes)."""
    try:
        build_opener(_NoRedirect).open(url, timeout=10)
    except HTTPError as exc:
        if exc.code == 302:
            return str(exc.headers["Location"])
        raise
    raise AssertionError("the authorize page did not redirect")
