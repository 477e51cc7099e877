"""One push sent from a process of its own, so apprise is loaded only where it is used.

apprise loads every one of its ~190 service plugins on first use: about 21 MiB that would
stay in the daemon for good after its first push (its memory budget is 80 MiB). The daemon
therefore sends each push through `python -m syncd.notifiers.push_process`: the message
goes in on stdin as JSON, the outcome and apprise's (already scrubbed) log lines come back
on stdout, and the process, apprise with it, is gone a moment later.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

from syncd.errors import DeliveryFailed
from syncd.notifiers.base import Message

log = logging.getLogger("syncd.push")


def send_isolated(url: str, message: Message, timeout_s: float, masked: str) -> None:
    """Send `message` to `url` from a short-lived process; raises DeliveryFailed as an
    in-process send would (retryable unless the URL is unusable)."""
    request = {"url": url, "timeout_s": timeout_s, "message": vars(message)}
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")])),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "syncd.notifiers.push_process"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=4 * timeout_s + 30,  # connect and read per try, and apprise's start-up
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeliveryFailed(f"push to {masked} failed: {type(exc).__name__}", retryable=True) from None
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise DeliveryFailed(
            f"push to {masked} failed: the push process ended without an answer (exit {done.returncode})",
            retryable=True,
        ) from None
    for level, name, text in answer.get("logs", []):
        logging.getLogger(name).log(int(level), "%s", text)  # scrubbed there, and again here
    if answer.get("error"):
        raise DeliveryFailed(str(answer["error"]), retryable=bool(answer.get("retryable", True)))


def _package_root() -> str:
    """The directory holding the `syncd` package, so the child imports this very copy."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append([record.levelno, record.name, record.getMessage()])


def main() -> int:
    """Read one request from stdin, send it in this process, write the outcome to stdout."""
    from syncd.notifiers.push import PushNotifier, _scrubber

    request = json.loads(sys.stdin.read())
    notifier = PushNotifier(request["url"], timeout_s=float(request["timeout_s"]))
    collect = _Collect()
    collect.addFilter(_scrubber)
    root = logging.getLogger()
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    answer: dict[str, Any] = {}
    try:
        notifier.send(Message(**request["message"]))
    except DeliveryFailed as exc:
        answer = {"error": str(exc), "retryable": exc.retryable}
    except Exception as exc:  # an apprise failure of its own: reported, scrubbed, retried later
        answer = {
            "error": _scrubber.scrub(f"push to {notifier.masked_url} failed: {exc!r}"),
            "retryable": True,
        }
    answer["logs"] = [line for line in collect.lines if line[1].startswith(("apprise", "urllib3"))]
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
