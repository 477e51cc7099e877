"""A third-party syncd provider, as someone outside syncd would write one: the "service" is a
folder of JSON files (one per account), so tests can play the runner and the outage.

It is installed only through its entry point (syncd_folder-0.1.dist-info/entry_points.txt
beside this package); syncd itself does not know it. It takes a `[providers.folder]` table
(`root`, the folder of accounts), connects with `syncd connect folder --account NAME`, lists
incrementally with a one-day overlap, reads single activities and writes notes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from syncd.domain import Activity
from syncd.errors import AuthRequired, BadPayload, RateLimited, Unavailable
from syncd.providers.base import ConnectRequest, DescriptionEdit, Page, Provider
from syncd.sports import Sport

OVERLAP = timedelta(days=1)


class FolderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    root: str


class FolderProvider(Provider):
    """One athlete's account: `<root>/<account>.json`, {"activities": [...], "faults": [...]}."""

    name: ClassVar[str] = "folder"
    label: ClassVar[str] = "Folder"
    rank: ClassVar[int] = 5
    writes_notes: ClassVar[bool] = True
    note_help: ClassVar[str] = "Write syncd's note block into the folder's descriptions."
    connect_help: ClassVar[str] = "connect an athlete's folder account"
    disconnect_help: ClassVar[str] = "forget an athlete's folder account"
    Settings: ClassVar[type[BaseModel] | None] = FolderSettings

    def __init__(self, athlete: str, path: Path) -> None:
        super().__init__(athlete)
        self.path = path

    @classmethod
    def create(cls, config: Any, athlete: Any, store: Any) -> FolderProvider:
        account = store.provider_value("folder", f"account:{athlete.name}")
        if account is None:
            raise AuthRequired(
                f"{athlete.name} has not connected a folder account; run `syncd connect folder`"
            )
        return cls(athlete.name, Path(cls.settings_of(config).root) / f"{account}.json")

    # the service ---------------------------------------------------------------------

    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        faults = data.get("faults") or []
        if faults:
            fault = faults.pop(0)
            self._save(data)
            if fault == "auth":
                raise AuthRequired("the folder account no longer accepts syncd")
            if fault == "rate":
                raise RateLimited("the folder is busy", datetime.now(UTC) + timedelta(minutes=5))
            raise Unavailable("the folder is not there right now")
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    def _activity(self, raw: dict[str, Any]) -> Activity:
        try:
            return Activity(
                provider=self.name,
                provider_id=str(raw["id"]),
                athlete=self.athlete,
                start_utc=datetime.fromisoformat(raw["start"]),
                sport=Sport.RUN,
                distance_m=round(raw["km"] * 1000),
                moving_s=round(raw.get("minutes", raw["km"] * 6) * 60),
                title=raw.get("title", ""),
                description=raw.get("description") or "",
                raw_json=json.dumps(raw),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadPayload(f"activity {raw.get('id')}: {exc}") from None

    # the provider interface -------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        after = None if cursor is None else datetime.fromisoformat(cursor) - OVERLAP
        listed, skipped = [], []
        for raw in self._data()["activities"]:
            try:
                activity = self._activity(raw)
            except BadPayload as exc:
                skipped.append(str(exc))
                continue
            if after is None or activity.start_utc > after:
                listed.append(activity)
        newest = max((a.start_utc.isoformat() for a in listed), default=cursor)
        yield Page(
            activities=listed, cursor=max(filter(None, (newest, cursor)), default=None), skipped=skipped
        )

    def fetch_one(self, provider_id: str) -> Activity | None:
        for raw in self._data()["activities"]:
            if str(raw["id"]) == provider_id:
                return self._activity(raw)
        return None

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        data = self._data()
        for raw in data["activities"]:
            if str(raw["id"]) == provider_id:
                new = edit(raw.get("description") or "")
                if new is None or new == (raw.get("description") or ""):
                    return False
                raw["description"] = new
                self._save(data)
                return True
        return False

    # connect -------------------------------------------------------------------------------

    @classmethod
    def connect_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--account", required=True, help="the account's name in the folder")

    @classmethod
    def connect(cls, request: ConnectRequest, **hooks: Any) -> int:
        root = Path(cls.settings_of(request.config).root)
        path = root / f"{request.options.account}.json"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"activities": [], "faults": []}), encoding="utf-8")
        name = request.athlete.name
        with request.open_store() as store:
            store.ensure_athlete(name, request.config.timezone_of(request.athlete))
            store.set_provider_value("folder", f"account:{name}", request.options.account)
            store.set_account(name, "folder", status="active", external_id=request.options.account)
        print(f"Connected folder account {request.options.account} for {name}.")
        return 0

    @classmethod
    def disconnect(cls, request: ConnectRequest) -> int:
        name = request.athlete.name
        with request.open_store() as store:
            store.set_provider_value("folder", f"account:{name}", None)
            store.set_account(name, "folder", status="disconnected", error="disconnected")
        print(f"Disconnected the folder account of {name}.")
        return 0
