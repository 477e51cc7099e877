"""Push notifications through apprise: one notifier per service URL (ntfy, Gotify, Pushover, …)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict
from typing import Any, ClassVar
from urllib.parse import unquote

from syncd.errors import DeliveryFailed
from syncd.notifiers.answers import with_answers
from syncd.notifiers.base import PRIORITIES, Message, Notifier
from syncd.secrets import mask_url, secret_parts

# How each service spells our four priorities, as its apprise URL argument `priority=`.
# Gotify: apprise reads "2" as its LOW (0), which Gotify clients do not show at all, so low
# uses 3 (still silent on Android). Pushover: 2 (emergency) needs retry/expire, so urgent is 1.
_SERVICE_PRIORITY: dict[str, dict[str, str]] = {
    "ntfy": {"low": "low", "normal": "default", "high": "high", "urgent": "max"},
    "gotify": {"low": "3", "normal": "5", "high": "8", "urgent": "10"},
    "pover": {"low": "-1", "normal": "0", "high": "1", "urgent": "1"},
}
_SCHEME_FAMILY = {"ntfy": "ntfy", "ntfys": "ntfy", "gotify": "gotify", "gotifys": "gotify", "pover": "pover"}

# Loggers whose records may quote a push URL, a topic or a token (apprise at every level,
# urllib3 at DEBUG with request paths).
_SCRUBBED_LOGGERS = ("apprise", "urllib3.connectionpool")

DEFAULT_TIMEOUT_S = 6.0


class _Scrubber(logging.Filter):
    """Rewrites log records so no registered push URL or secret part of one survives."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        # Replaced whole, never mutated, so log calls on other threads read them lock-free.
        self._urls: tuple[tuple[str, str], ...] = ()
        self._parts: tuple[str, ...] = ()

    def register(self, url: str) -> None:
        """Start scrubbing `url` and its secret parts (raw and percent-decoded) from logs."""
        with self._lock:
            if not self._urls:  # the first push channel: watch the libraries' loggers from now on
                for name in _SCRUBBED_LOGGERS:
                    logging.getLogger(name).addFilter(self)
            if any(url == known for known, _ in self._urls):
                return
            self._urls = (*self._urls, (url, mask_url(url)))
            parts = set(self._parts)
            for part in secret_parts(url):
                # Two-letter fragments would mangle ordinary words and guard nothing.
                parts.update(p for p in (part, unquote(part)) if len(p) >= 3)
            self._parts = tuple(sorted(parts, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """`text` with registered URLs masked and any remaining secret part replaced."""
        for url, masked in self._urls:
            text = text.replace(url, masked)
        for part in self._parts:
            text = text.replace(part, "****")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A broken format would make logging print msg and args raw: keep both, scrubbed.
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


_scrubber = _Scrubber()  # installs itself on the libraries' loggers with the first URL


def channel_id(url: str) -> str:
    """The channel name for `url`: "push:" and 8 hex chars of its sha256, never the URL."""
    return "push:" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]


def url_for(url: str, priority: str, timeout_s: float) -> str:
    """`url` with the service's priority argument and apprise's socket timeouts added."""
    base, hash_sep, fragment = url.partition("#")
    base, _, query = base.partition("?")
    family = _SCHEME_FAMILY.get(base.partition("://")[0].lower())
    items = [i for i in query.split("&") if i]
    keys = {i.partition("=")[0].lower() for i in items}
    extra = [f"{k}={timeout_s:g}" for k in ("cto", "rto") if k not in keys]
    if family:
        # The message decides the priority, whatever the configured URL says.
        items = [i for i in items if i.partition("=")[0].lower() != "priority"]
        extra.append(f"priority={_SERVICE_PRIORITY[family][priority]}")
    return f"{base}?{'&'.join(items + extra)}" + (hash_sep + fragment)


def notify_type(priority: str) -> str:
    """apprise's NotifyType value for a priority: info, or warning for high and urgent."""
    return "warning" if priority in ("high", "urgent") else "info"


class PushNotifier(Notifier):
    """Delivers to exactly one apprise URL, so one failing service never resends another."""

    name: ClassVar[str] = "push"

    def __init__(self, url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, isolated: bool = False) -> None:
        """`isolated`: send each message from a short-lived process of its own (the daemon:
        apprise is then never loaded into it; see `push_process`)."""
        self._url = url
        self._timeout_s = timeout_s
        self._isolated = isolated
        self.masked_url = mask_url(url)
        _scrubber.register(url)

    @property
    def channel(self) -> str:
        return channel_id(self._url)

    def __repr__(self) -> str:
        return f"PushNotifier({self.masked_url!r})"

    def send(self, message: Message) -> None:
        """Send one notification; raises DeliveryFailed (retryable unless the URL is unusable)."""
        if message.priority not in PRIORITIES:
            raise ValueError(
                f"unknown priority {message.priority!r}; expected one of {', '.join(PRIORITIES)}"
            )
        title, body = _title_and_body(message)
        if self._isolated:
            send_isolated(self._url, message, self._timeout_s, self.masked_url)
            return
        url, body = with_answers(url_for(self._url, message.priority, self._timeout_s), body, message)
        apobj = self._apprise(url)
        extra = {"attach": message.attach} if message.attach else {}
        result = apobj.notify(title=title, body=body, notify_type=notify_type(message.priority), **extra)
        if not result:
            raise DeliveryFailed(f"push to {self.masked_url} failed: {_reason(result)}", retryable=True)

    def _apprise(self, url: str) -> Any:
        """An apprise.Apprise holding just `url`; raises DeliveryFailed(retryable=False)."""
        import apprise  # lazy: loading its ~190 plugins costs a quarter of a second

        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise DeliveryFailed(
                f"push to {self.masked_url}: apprise cannot use this URL "
                "(unknown scheme or missing parts); fix it in the athlete's "
                "notify list",
                retryable=False,
            )
        apobj = apprise.Apprise()
        apobj.add(plugin)
        return apobj


def _title_and_body(message: Message) -> tuple[str, str]:
    """Title and body for apprise, which refuses an empty body: a lone title becomes the body."""
    if message.body.strip():
        return message.title, message.body
    if message.title.strip():
        return "", message.title
    raise DeliveryFailed("push: the message has neither title nor body", retryable=False)


def _reason(result: Any) -> str:
    """The last warning apprise recorded for a failed call, scrubbed, or a generic reason."""
    # apprise ≥ 2 returns an AppriseResult carrying the call's log; older ones a bare bool.
    logs = getattr(result, "logs", None)
    messages = [entry.message for entry in logs()] if callable(logs) else []
    if not messages:
        return "the service refused the message or could not be reached"
    return _scrubber.scrub(messages[-1])


def send_isolated(url: str, message: Message, timeout_s: float, masked: str) -> None:
    """Send `message` to `url` from a short-lived process; raises DeliveryFailed as an
    in-process send would (retryable unless the URL is unusable)."""
    request = {"url": url, "timeout_s": timeout_s, "message": asdict(message)}
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
