"""The provider plugin interface: where activities come from, and where notes are written.

A provider turns its raw payloads into `Activity` objects at once and maps every failure to
the domain exceptions in `syncd.errors` (AuthRequired, RateLimited, Unavailable, BadPayload).
It never sleeps to wait out a rate limit: it raises, and the caller waits.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from syncd.domain import Activity

if TYPE_CHECKING:
    from syncd.config import AthleteConfig, Config
    from syncd.store import Store

#: Gets the current description, returns the one to write or None to leave it as it is.
DescriptionEdit = Callable[[str], str | None]


@dataclass(frozen=True)
class Page:
    """One batch of a listing: store its activities, then save `cursor` in the same step."""

    activities: list[Activity]
    cursor: str | None
    skipped: list[str] = field(default_factory=list)  # one reason per malformed item


class Provider(ABC):
    """One athlete's account at one service."""

    name: ClassVar[str]
    writes_notes: ClassVar[bool] = False

    def __init__(self, athlete: str) -> None:
        self.athlete = athlete

    @classmethod
    def create(cls, config: Config, athlete: AthleteConfig, store: Store) -> Provider:
        """The provider for one athlete's account, from the config and the secret store.

        Raises AuthRequired when the athlete has not connected this account yet."""
        raise NotImplementedError(f"{cls.name} cannot be created from the config")

    @abstractmethod
    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """New and changed activities since `cursor` (None: everything), page by page."""

    @abstractmethod
    def fetch_one(self, provider_id: str) -> Activity | None:
        """One activity in full detail; None when the provider says it no longer exists."""

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        """Read the description, apply `edit`, write it back if it changed; True if written."""
        raise NotImplementedError(f"{self.name} cannot write notes")
