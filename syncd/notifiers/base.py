"""The notifier plugin interface: one channel that delivers a message or raises DeliveryFailed."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Action:
    """One answer button: a label and the signed link it opens (the answer is given there)."""

    label: str
    url: str


@dataclass(frozen=True)
class Message:
    """What one channel delivers: already worded, already within the channel's limits.

    `actions` are answer buttons where the service has them (ntfy: at most 3) and `click` the
    page a tap on the message opens; a service without buttons gets `link` in the body."""

    athlete: str
    title: str
    body: str
    priority: str = "normal"  # one of PRIORITIES
    key: str = ""  # the finding key (or "test"), for logs
    attach: str | None = None  # a file to attach where the service takes one (the digest chart)
    actions: tuple[Action, ...] = ()
    click: str | None = None
    link: str | None = None  # the one link for services without buttons (the question's page)


class Notifier(ABC):
    """A delivery channel. `channel` names it in the outbox and in `syncd status`."""

    name: ClassVar[str]
    #: whether the channel sends files along (the digest's chart is drawn only if one does)
    takes_attachments: ClassVar[bool] = True

    @property
    def channel(self) -> str:
        return self.name

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver the message; raises DeliveryFailed(retryable=...) when it could not."""
