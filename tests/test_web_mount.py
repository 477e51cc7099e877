"""One listener for both: the Strava webhook answers as before, /syncd/ goes to the runner's app."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_world import WebWorld

from syncd.config import parse
from syncd.providers.strava.endpoint import WebhookApp, serve
from syncd.providers.strava.events import WebhookEvent
from syncd.web.keys import state_key
from syncd.web.links import page_link
from syncd.web.mount import Listener, listener


class State:
    """The webhook's view of the state: one subscription, one connected athlete."""

    def __init__(self) -> None:
        self.remembered: list[str] = []

    def subscription_id(self) -> int:
        return 77

    def athlete_for(self, owner_id: int) -> str | None:
        return "sam" if owner_id == 5 else None

    def remember(self, event: WebhookEvent) -> bool:
        self.remembered.append(event.key)
        return True


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, WebWorld, list[Any]]]:
    world = WebWorld(tmp_path, public="http://127.0.0.1")
    world.sync()
    queued: list[Any] = []
    webhook = WebhookApp("verify-me", State(), enqueue=queued.append)  # type: ignore[arg-type]
    server = serve(Listener(webhook, world.app), "127.0.0.1", 0)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", world, queued
    finally:
        server.close()
        thread.join(timeout=5)


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_strava_webhook_answers_as_before_beside_the_runners_pages(
    served: tuple[str, WebWorld, list[Any]],
) -> None:
    base, world, queued = served
    assert fetch(f"{base}/strava?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=abc") == (
        200,
        '{"hub.challenge": "abc"}',
    )
    assert fetch(f"{base}/strava?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=abc")[0] == 403
    event = {
        "object_type": "activity",
        "object_id": 9,
        "aspect_type": "create",
        "owner_id": 5,
        "subscription_id": 77,
        "event_time": 1700000000,
        "updates": {},
    }
    assert fetch(f"{base}/strava", json.dumps(event).encode()) == (200, '{"status": "ok"}')
    assert [e.object_id for e in queued] == [9]
    link = page_link(world.config, "sam", world.now, key=state_key(world.state))
    assert link is not None
    status, html = fetch(base + link.removeprefix("http://127.0.0.1"))
    assert status == 200 and "Today&#x27;s strength session" in html
    assert fetch(f"{base}/syncd/static/page.js")[0] == 200
    assert fetch(f"{base}/syncd/static/../app.py")[0] == 404


def test_without_public_url_the_listener_is_the_webhook_alone(tmp_path: Path) -> None:
    config = parse({}, "test")
    webhook = WebhookApp("v", State(), enqueue=lambda e: None)  # type: ignore[arg-type]
    app = listener(webhook, lambda: config, tmp_path, on_answer=lambda a: None)
    assert isinstance(app, Listener) and app.runner is None
    got: dict[str, str] = {}
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": "/syncd/r/x/y/", "QUERY_STRING": ""},
            lambda s, h: got.update(status=s),
        )
    )
    assert got["status"].startswith("400") and b"hub.challenge" in body  # the webhook's own answer
    assert listener(None, lambda: config, tmp_path, on_answer=lambda a: None) is None


def test_the_owners_status_page_behind_its_own_link(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from syncd.web.links import status_link

    world = WebWorld(tmp_path)
    world.sync()
    app = listener(
        None,
        lambda: world.config,
        world.state,
        on_answer=lambda a: None,
        next_passes=lambda: {"pass:sam": "2026-04-13 05:15:00+00:00"},
    )
    assert app is not None and app.runner is not None
    now = datetime.now(UTC)
    url = status_link(world.config, now, key=state_key(world.state))
    runner = page_link(world.config, "sam", now, key=state_key(world.state))
    assert url is not None and runner is not None

    def get(path: str) -> tuple[str, str]:
        got: dict[str, str] = {}
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""}
        body = b"".join(app(environ, lambda s, h: got.update(status=s)))
        return got["status"], body.decode()

    status, html = get(url.removeprefix("https://runs.example.org"))
    assert status.startswith("200") and "syncd status" in html and "pass:sam" in html
    assert "32 activities" in html  # 21 runs and 11 strength sessions
    owner_token = url.rstrip("/").rsplit("/", 1)[1]
    assert get(f"/syncd/r/sam/{owner_token}/")[0].startswith("403")  # not a runner's link
    runner_token = runner.rstrip("/").rsplit("/", 1)[1]
    assert get(f"/syncd/owner/{runner_token}/")[0].startswith("403")  # not the owner's
