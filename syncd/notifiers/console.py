"""A notifier that prints messages to a terminal or log stream (for `syncd demo` and tests)."""

from __future__ import annotations

import sys
from typing import ClassVar, TextIO

from syncd.errors import DeliveryFailed
from syncd.notifiers.base import Message, Notifier


class ConsoleNotifier(Notifier):
    """Prints `[priority] title` then the body indented by two spaces."""

    name: ClassVar[str] = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, message: Message) -> None:
        """Write the message; raises DeliveryFailed(retryable=False) if the stream is gone."""
        # Looked up at send time so a redirected sys.stdout (pytest, a pager) is honoured.
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            stream.write(format_message(message))
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: the stream was closed
            raise DeliveryFailed(f"console: cannot write ({exc})", retryable=False) from exc


def format_message(message: Message) -> str:
    """The printed form of a message, ending in a newline."""
    lines = [f"[{message.priority}] {message.title}"]
    lines += [f"  {line}" if line else "" for line in message.body.splitlines()]
    return "\n".join(lines) + "\n"
