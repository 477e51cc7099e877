"""The provider plugin interface: where activities come from, and where notes are written.

A provider turns its raw payloads into `Activity` objects at once and maps every failure to
the domain exceptions in `syncd.errors` (AuthRequired, RateLimited, Unavailable, BadPayload).
It never sleeps to wait out a rate limit: it raises, and the caller waits.
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from syncd.domain import UNRANKED, Activity

if TYPE_CHECKING:
    from pydantic import BaseModel

    from syncd.config import AthleteConfig, Config
    from syncd.store import Store

#: Gets the current description, returns the one to write or None to leave it as it is.
DescriptionEdit = Callable[[str], str | None]


@dataclass(frozen=True)
class Rejected:
    """A listed item that could not be read: kept raw with its error and retried later
    (`Provider.reread`), so the cursor can move past it without losing it."""

    provider_id: str
    start_utc: str | None  # ISO 8601 when the item says, else None
    raw: Any
    error: str


@dataclass(frozen=True)
class Page:
    """One batch of a listing: store its activities and rejected items, then save `cursor`
    in the same step."""

    activities: list[Activity]
    cursor: str | None
    skipped: list[str] = field(default_factory=list)  # one reason per malformed item
    rejected: list[Rejected] = field(default_factory=list)  # those of them that have an id


@dataclass
class ConnectRequest:
    """What `syncd connect <provider>` / `syncd disconnect <provider>` hands the provider:
    the config, the athlete, the provider's own command-line options, and the state (opened
    only when asked, so a refused config leaves no state behind)."""

    config: Config
    athlete: AthleteConfig
    options: argparse.Namespace
    open_store: Callable[[], Store]

    def settings(self, cls: type[Provider]) -> Any:
        """The provider's `[providers.<name>]` table, validated (see `Provider.Settings`)."""
        return cls.settings_of(self.config)


class Provider(ABC):
    """One athlete's account at one service.

    Class attributes say what the engine and the CLI may ask of it: `rank` breaks ties
    between two providers' copies of one run (lowest wins: richer watch data first),
    `writes_notes` and `note_help` offer the note block (the athlete's `notes.<name>`),
    `label` is how people know the service, `connect_help` / `disconnect_help` add
    `syncd connect <name>` / `syncd disconnect <name>` (empty: no such command), and
    `Settings`, a pydantic model with extra keys forbidden, validates its `[providers.<name>]`
    table (None: the provider takes no table).
    """

    name: ClassVar[str]
    label: ClassVar[str] = ""
    #: the module with `connect(request, **hooks)`, `disconnect(request)` and, optionally,
    #: `add_arguments(parser)`, imported only when a connect command runs; None: no commands
    connect_module: ClassVar[str | None] = None
    rank: ClassVar[int] = UNRANKED
    writes_notes: ClassVar[bool] = False
    note_help: ClassVar[str] = ""
    connect_help: ClassVar[str] = ""
    disconnect_help: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel] | None] = None

    def __init__(self, athlete: str) -> None:
        self.athlete = athlete

    @classmethod
    def settings_of(cls, config: Config) -> Any:
        """The validated `[providers.<name>]` table (None when `Settings` is None).
        Raises pydantic.ValidationError; `syncd.registry.check_plugins` reports it first."""
        table = config.providers.get(cls.name, {})
        return None if cls.Settings is None else cls.Settings.model_validate(table)

    @classmethod
    def cursor_for(cls, known_until: datetime, current: str | None) -> str | None:
        """The cursor that says every activity starting up to `known_until` is stored (a
        whole-account export was imported), if it is further than `current`; None to leave
        `current` as it is. The default: a provider without such a cursor lists as before."""
        return None

    @classmethod
    def display_name(cls) -> str:
        return cls.label or cls.name.capitalize()

    @classmethod
    def connect_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add the options of `syncd connect <name>` (the CLI adds --athlete itself)."""
        add = getattr(cls._connect_commands(), "add_arguments", None) if cls.connect_module else None
        if add is not None:
            add(parser)

    @classmethod
    def _connect_commands(cls) -> Any:
        import importlib

        if cls.connect_module is None:
            raise NotImplementedError(f"{cls.name} has no connect command")
        return importlib.import_module(cls.connect_module)

    @classmethod
    def connect(cls, request: ConnectRequest, **hooks: Any) -> int:
        """Connect the athlete's account interactively and save what it needs; the exit
        status. `hooks` let tests stand in for the person. Raises SyncdError subclasses."""
        return int(cls._connect_commands().connect(request, **hooks))

    @classmethod
    def disconnect(cls, request: ConnectRequest) -> int:
        """Forget the athlete's account (revoke what can be revoked); the exit status."""
        return int(cls._connect_commands().disconnect(request))

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

    def reread(self, item: Rejected) -> Activity | None:
        """A rejected item read again: the activity, or None when the provider says it is
        gone. Raises BadPayload while it stays unreadable. Default: `fetch_one`."""
        return self.fetch_one(item.provider_id)
