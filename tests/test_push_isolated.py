"""The daemon's pushes go out from a process of their own: the same request, the same errors,
no secret in them, and apprise never loaded into the daemon."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.http_sink import HttpSink

from syncd.config import parse
from syncd.engine.wiring import notifier_factory
from syncd.errors import DeliveryFailed
from syncd.notifiers.base import Message
from syncd.notifiers.push import PushNotifier


def message(priority: str = "high") -> Message:
    return Message(athlete="sam", title="Easy on the knees", body="45 % longer.", priority=priority, key="t")


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


def test_an_isolated_push_sends_what_an_in_process_one_sends(sink: HttpSink) -> None:
    url = f"json://127.0.0.1:{sink.port}/"
    PushNotifier(url).send(message())
    PushNotifier(url, isolated=True).send(message())
    inside, outside = sink.requests
    assert outside.json() == inside.json() and outside.path == inside.path
    assert outside.json()["message"] == "45 % longer." and outside.json()["type"] == "warning"


def test_an_isolated_failure_is_retryable_and_names_no_secret(
    sink: HttpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sink.script(500)
    with pytest.raises(DeliveryFailed) as info:
        PushNotifier(f"json://127.0.0.1:{sink.port}/?token=Query-s3cret", isolated=True).send(message())
    assert info.value.retryable is True
    assert any(r.name.startswith("apprise") for r in caplog.records)  # its lines came back
    assert "Query-s3cret" not in str(info.value) and "Query-s3cret" not in caplog.text
    with pytest.raises(DeliveryFailed) as unusable:
        PushNotifier("notaservice://user:s3cretpw@host/x", isolated=True).send(message())
    assert unusable.value.retryable is False and "s3cretpw" not in str(unusable.value)


def test_the_daemon_context_pushes_without_loading_apprise(sink: HttpSink, tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from syncd.config import parse\n"
        "from syncd.engine.wiring import notifier_factory\n"
        "from syncd.notifiers.base import Message\n"
        f"url = 'json://127.0.0.1:{sink.port}/'\n"
        "config = parse({'athletes': [{'name': 'sam', 'notify': [url]}]}, 't')\n"
        "[push] = notifier_factory(config, isolated_push=True)(config.athlete('sam'))\n"
        "push.send(Message(athlete='sam', title='t', body='b'))\n"
        "print('apprise' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False" and len(sink.requests) == 1
    config = parse({"athletes": [{"name": "sam", "notify": [f"json://127.0.0.1:{sink.port}/"]}]}, "t")
    [cli_push] = notifier_factory(config)(config.athlete("sam"))  # `syncd sync` sends in-process
    assert isinstance(cli_push, PushNotifier) and not cli_push._isolated
