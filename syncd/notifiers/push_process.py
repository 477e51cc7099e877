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
import sys
from typing import Any

from syncd.errors import DeliveryFailed
from syncd.notifiers.base import Action, Message
from syncd.notifiers.push import PushNotifier, _scrubber


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append([record.levelno, record.name, record.getMessage()])


def main() -> int:
    """Read one request from stdin, send it in this process, write the outcome to stdout."""
    request = json.loads(sys.stdin.read())
    notifier = PushNotifier(request["url"], timeout_s=float(request["timeout_s"]))
    collect = _Collect()
    collect.addFilter(_scrubber)
    root = logging.getLogger()
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    answer: dict[str, Any] = {}
    try:
        fields = request["message"]
        actions = tuple(Action(**a) for a in fields.pop("actions", ()))
        notifier.send(Message(**fields, actions=actions))
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
