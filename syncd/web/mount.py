"""The runner's app beside the Strava webhook on one listener: paths under /syncd/ go to the
runner's app, every other path to the webhook endpoint, exactly as before."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from syncd.config import Config
from syncd.store import Store
from syncd.web import PREFIX
from syncd.web.app import MAX_FORM, RunnerApp

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Listener:
    """One WSGI app for the listener; `max_body` is the larger of the two apps' limits."""

    def __init__(self, webhook: WsgiApp | None, runner: RunnerApp | None) -> None:
        self.webhook, self.runner = webhook, runner
        self.max_body = max(int(getattr(webhook, "max_body", 0)), MAX_FORM)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if self.runner is not None and (path == PREFIX or path.startswith(PREFIX + "/")):
            return self.runner(environ, start_response)
        if self.webhook is not None:
            return self.webhook(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]


def listener(
    webhook: WsgiApp | None,
    config: Callable[[], Config],
    state_dir: Path,
    *,
    on_answer: Callable[[str], None],
    next_passes: Callable[[], dict[str, str]] = dict,
) -> Listener | None:
    """The listener's app: the webhook (if any) and, when `[daemon] public_url` is set, the
    runner's app (`on_answer(athlete)` runs the athlete's pass). None when there is neither."""
    runner = None
    if config().daemon.public_url:

        def status(store: Store) -> dict[str, Any]:
            from syncd.web.status import status_data

            return {**status_data(config(), store), "next_passes": next_passes()}

        runner = RunnerApp(config, state_dir, on_answer=on_answer, status=status)
    if webhook is None and runner is None:
        return None
    return Listener(webhook, runner)
