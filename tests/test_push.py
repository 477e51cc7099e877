"""Push delivery: real apprise requests to a local HTTP sink, failures, and no leaked secrets."""

from __future__ import annotations

import io
import logging
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import pytest
import responses
from fakes.http_sink import HttpSink, Request
from hypothesis import given
from hypothesis import strategies as st

from syncd.errors import DeliveryFailed
from syncd.notifiers.base import Message
from syncd.notifiers.console import ConsoleNotifier
from syncd.notifiers.push import PushNotifier, url_for

PUSHOVER_API = "https://api.pushover.net/1/messages.json"
PUSHOVER_USER = "u1" * 15
PUSHOVER_TOKEN = "a2" * 15


def message(
    priority: str = "normal",
    title: str = "Easy on the knees",
    body: str = "45 % longer than your longest run in 30 days.",
) -> Message:
    return Message(athlete="sam", title=title, body=body, priority=priority, key="test")


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: connections are refused at once, and no one takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (in the kernel backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_json_delivers_title_and_body(sink: HttpSink) -> None:
    PushNotifier(f"json://127.0.0.1:{sink.port}/hooks/syncd").send(message())

    [request] = sink.requests
    assert (request.method, request.path) == ("POST", "/hooks/syncd")
    payload = request.json()
    assert payload["title"] == "Easy on the knees"
    assert payload["message"] == "45 % longer than your longest run in 30 days."


def test_ntfy_posts_topic_title_and_body(sink: HttpSink) -> None:
    PushNotifier(f"ntfy://127.0.0.1:{sink.port}/sam-running").send(message("high"))

    [request] = sink.requests
    assert request.json() == {
        "topic": "sam-running",
        "title": "Easy on the knees",
        "message": "45 % longer than your longest run in 30 days.",
    }


def _header(name: str) -> Callable[[Request], object]:
    return lambda request: request.headers.get(name)


def _json_field(name: str) -> Callable[[Request], object]:
    return lambda request: request.json().get(name)


@pytest.mark.parametrize(
    ("url", "priority", "read", "expected"),
    [
        # ntfy: apprise sends X-Priority, and leaves it out for ntfy's default.
        ("ntfy://127.0.0.1:{port}/sam-running", "low", _header("x-priority"), "low"),
        ("ntfy://127.0.0.1:{port}/sam-running", "normal", _header("x-priority"), None),
        ("ntfy://127.0.0.1:{port}/sam-running", "high", _header("x-priority"), "high"),
        ("ntfy://127.0.0.1:{port}/sam-running", "urgent", _header("x-priority"), "max"),
        # Gotify: priority is a number in the JSON body.
        ("gotify://127.0.0.1:{port}/AppTokenAbc", "low", _json_field("priority"), 3),
        ("gotify://127.0.0.1:{port}/AppTokenAbc", "normal", _json_field("priority"), 5),
        ("gotify://127.0.0.1:{port}/AppTokenAbc", "high", _json_field("priority"), 8),
        ("gotify://127.0.0.1:{port}/AppTokenAbc", "urgent", _json_field("priority"), 10),
        # Services without priorities get apprise's notification type.
        ("json://127.0.0.1:{port}/", "low", _json_field("type"), "info"),
        ("json://127.0.0.1:{port}/", "normal", _json_field("type"), "info"),
        ("json://127.0.0.1:{port}/", "high", _json_field("type"), "warning"),
        ("json://127.0.0.1:{port}/", "urgent", _json_field("type"), "warning"),
    ],
)
def test_priority_reaches_the_service(
    sink: HttpSink,
    url: str,
    priority: str,
    read: Callable[[Request], object],
    expected: object,
) -> None:
    PushNotifier(url.format(port=sink.port)).send(message(priority))

    [request] = sink.requests
    assert read(request) == expected


def test_gotify_sends_its_token_as_a_header(sink: HttpSink) -> None:
    PushNotifier(f"gotify://127.0.0.1:{sink.port}/AppTokenAbc").send(message())

    [request] = sink.requests
    assert request.path == "/message"
    assert request.headers["x-gotify-key"] == "AppTokenAbc"


def test_configured_priority_is_overridden_by_the_message(sink: HttpSink) -> None:
    PushNotifier(f"ntfy://127.0.0.1:{sink.port}/sam-running?priority=min").send(message("high"))

    assert sink.requests[0].headers["x-priority"] == "high"


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        ("low", "-1"),
        ("normal", "0"),
        ("high", "1"),
        ("urgent", "1"),
    ],
)
def test_pushover_priority_never_needs_retry_and_expire(priority: str, expected: str) -> None:
    # Pushover's host is fixed, so this one is checked at the HTTP boundary instead.
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add(responses.POST, PUSHOVER_API, json={"status": 1}, status=200)
        PushNotifier(f"pover://{PUSHOVER_USER}@{PUSHOVER_TOKEN}").send(message(priority))
        form = parse_qs(mock.calls[0].request.body)

    assert form["priority"] == [expected]
    assert "retry" not in form and "expire" not in form


def test_failure_then_success_sends_twice(sink: HttpSink) -> None:
    notifier = PushNotifier(f"json://127.0.0.1:{sink.port}/")
    sink.script(500, 200)

    with pytest.raises(DeliveryFailed) as info:
        notifier.send(message())
    assert info.value.retryable
    notifier.send(message())

    assert len(sink.requests) == 2
    assert sink.requests[0].body == sink.requests[1].body


@pytest.mark.parametrize(
    ("target", "retryable"),
    [
        ("json://127.0.0.1:{sink}/ status 500", True),
        ("json://127.0.0.1:{sink}/ status 404", True),
        ("ntfy://127.0.0.1:{sink}/sam-running status 503", True),
        ("gotify://127.0.0.1:{sink}/AppTokenAbc status 401", True),
        ("json://127.0.0.1:{closed}/", True),
        ("ntfy://127.0.0.1:{closed}/sam-running", True),
        ("json://127.0.0.1:{silent}/", True),
        ("notaservice://x", False),
        ("gotify://127.0.0.1", False),
        ("pover://only-a-user-key", False),
        ("json://", False),
    ],
)
def test_failures_are_classified_quickly(
    sink: HttpSink,
    closed_port: int,
    silent_port: int,
    target: str,
    retryable: bool,
) -> None:
    url, _, status = target.format(sink=sink.port, closed=closed_port, silent=silent_port).partition(
        " status "
    )
    if status:
        sink.script(int(status))
    started = time.monotonic()

    with pytest.raises(DeliveryFailed) as info:
        PushNotifier(url, timeout_s=1).send(message())

    assert info.value.retryable is retryable
    assert time.monotonic() - started < 5


def test_default_timeouts_are_short_and_user_settings_win() -> None:
    assert "cto=6&rto=6" in url_for("json://host/", "normal", 6)
    assert url_for("json://host/?cto=20", "normal", 6) == "json://host/?cto=20&rto=6"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ntfys://h/topic", "ntfys://h/topic?cto=4&rto=4&priority=high"),
        ("ntfy://h/topic?priority=min&tags=run", "ntfy://h/topic?tags=run&cto=4&rto=4&priority=high"),
        ("gotifys://h/tok#frag", "gotifys://h/tok?cto=4&rto=4&priority=8#frag"),
        ("pover://u@t", "pover://u@t?cto=4&rto=4&priority=1"),
        ("json://h/?+X-Run=a%20b", "json://h/?+X-Run=a%20b&cto=4&rto=4"),
    ],
)
def test_url_for_adds_priority_without_reencoding(url: str, expected: str) -> None:
    assert url_for(url, "high", 4) == expected


def test_unreachable_server_fails_fast_with_the_default_timeouts(closed_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as info:
        PushNotifier(f"ntfy://127.0.0.1:{closed_port}/sam-running").send(message())
    assert info.value.retryable
    assert time.monotonic() - started < 10


# Each URL carries secret parts; sending to it fails in a different way.
LEAK_CASES = [
    ("json://user:s3cretpw@127.0.0.1:{sink}/", 500, ["s3cretpw"]),
    ("json://user:s3cretpw@127.0.0.1:{closed}/hooks/PathS3cret", None, ["s3cretpw", "PathS3cret"]),
    ("ntfy://127.0.0.1:{sink}/Topic-s3cret", 500, ["Topic-s3cret"]),
    ("ntfy://tk_Bearer-s3cret@127.0.0.1:{sink}/Topic-s3cret", 403, ["tk_Bearer-s3cret", "Topic-s3cret"]),
    ("gotify://127.0.0.1:{sink}/GotifyTok3n", 401, ["GotifyTok3n"]),
    ("json://127.0.0.1:{sink}/?token=Query-s3cret", 500, ["Query-s3cret"]),
    ("notaservice://user:s3cretpw@host/PathS3cret", None, ["s3cretpw", "PathS3cret"]),
    ("gotify://user:s3cretpw@127.0.0.1", None, ["s3cretpw"]),
]


@pytest.mark.parametrize(("template", "status", "secrets"), LEAK_CASES)
def test_secrets_stay_out_of_errors_and_logs(
    sink: HttpSink,
    closed_port: int,
    caplog: pytest.LogCaptureFixture,
    template: str,
    status: int | None,
    secrets: list[str],
) -> None:
    # DEBUG is stricter than syncd's default level: apprise logs payloads and headers there.
    caplog.set_level(logging.DEBUG)
    if status is not None:
        sink.script(status)
    notifier = PushNotifier(template.format(sink=sink.port, closed=closed_port), timeout_s=2)

    with pytest.raises(DeliveryFailed) as info:
        notifier.send(message())

    assert caplog.records, "apprise logged nothing: the test would prove nothing"
    shown = "\n".join([str(info.value), caplog.text, repr(notifier), notifier.channel])
    for secret in secrets:
        assert secret not in shown


def test_pushover_keys_stay_out_of_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, PUSHOVER_API, json={"status": 0, "errors": ["bad"]}, status=400)
        with pytest.raises(DeliveryFailed) as info:
            PushNotifier(f"pover://{PUSHOVER_USER}@{PUSHOVER_TOKEN}").send(message())

    assert "Pushover Payload" in caplog.text  # apprise really did log the payload
    for secret in (PUSHOVER_USER, PUSHOVER_TOKEN):
        assert secret not in caplog.text
        assert secret not in str(info.value)


@given(secret=st.text(alphabet=string.ascii_letters + string.digits, min_size=6, max_size=30))
def test_apprise_log_lines_are_scrubbed(secret: str) -> None:
    url = f"ntfys://ntfy.example.org/{secret}"
    PushNotifier(url)
    handler = _ListHandler()
    apprise_log = logging.getLogger("apprise")
    apprise_log.addHandler(handler)
    try:
        apprise_log.warning("Failed to send ntfy notification to topic '%s'", secret)
        apprise_log.warning("Could not load URL: %s", url)
    finally:
        apprise_log.removeHandler(handler)
    assert len(handler.lines) == 2
    assert not any(secret in line for line in handler.lines)


class _ListHandler(logging.Handler):
    """Collects formatted records (caplog cannot be shared across hypothesis examples)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_channel_is_a_stable_hash_never_the_url() -> None:
    url = "ntfys://ntfy.example.org/sam-running"
    channel = PushNotifier(url).channel

    assert channel == PushNotifier(url).channel
    assert channel != PushNotifier(url + "-2").channel
    assert channel.startswith("push:")
    assert len(channel) == len("push:") + 8
    int(channel.removeprefix("push:"), 16)
    assert "sam-running" not in channel


def test_lone_title_is_sent_as_the_body(sink: HttpSink) -> None:
    PushNotifier(f"json://127.0.0.1:{sink.port}/").send(message(title="Rest day", body=" "))

    assert sink.requests[0].json()["message"] == "Rest day"


def test_empty_message_is_not_retried_and_sends_nothing(sink: HttpSink) -> None:
    with pytest.raises(DeliveryFailed) as info:
        PushNotifier(f"json://127.0.0.1:{sink.port}/").send(message(title="", body=""))

    assert info.value.retryable is False
    assert sink.requests == []


def test_unknown_priority_is_a_programming_error(sink: HttpSink) -> None:
    with pytest.raises(ValueError, match="unknown priority 'loud'"):
        PushNotifier(f"json://127.0.0.1:{sink.port}/").send(message("loud"))


def test_importing_push_does_not_import_apprise() -> None:
    code = "import sys, syncd.notifiers.push; print('apprise' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_console_prints_priority_title_and_indented_body() -> None:
    stream = io.StringIO()
    ConsoleNotifier(stream).send(message("high", body="line one\nline two"))

    assert stream.getvalue() == "[high] Easy on the knees\n  line one\n  line two\n"


def test_console_defaults_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleNotifier().send(message())

    assert capsys.readouterr().out.startswith("[normal] Easy on the knees\n  45 %")


def test_console_on_a_closed_stream_fails_without_retry() -> None:
    stream = io.StringIO()
    stream.close()

    with pytest.raises(DeliveryFailed) as info:
        ConsoleNotifier(stream).send(message())
    assert info.value.retryable is False
