"""A real provider that keeps its activities in memory: for tests, the demo and `--dry-run`.

It behaves like a remote service: a listing in pages with a cursor, single fetches that can
miss, descriptions that can be read and written, and a request counter. Faults can be
queued to make the next call fail the way a real service fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import ClassVar

from syncd.domain import Activity
from syncd.providers.base import DescriptionEdit, Page, Provider


class MemoryProvider(Provider):
    """An in-memory account; `name` defaults to "memory" but can pose as "strava" or "garmin"."""

    name: ClassVar[str] = "memory"
    writes_notes: ClassVar[bool] = True

    def __init__(
        self,
        athlete: str,
        activities: Iterable[Activity] = (),
        *,
        provider_name: str | None = None,
        page_size: int = 200,
        overlap: timedelta = timedelta(days=3),
    ) -> None:
        super().__init__(athlete)
        self.overlap = overlap
        self.provider_name = provider_name or self.name
        self.page_size = page_size
        self.items: dict[str, Activity] = {}
        self.requests: list[str] = []
        self.faults: list[Exception] = []
        self.writes: list[tuple[str, str]] = []  # (provider_id, new description)
        for activity in activities:
            self.put(activity)

    def put(self, activity: Activity) -> None:
        """Add or change an activity, as the runner would on the service."""
        self.items[activity.provider_id] = replace(
            activity, provider=self.provider_name, athlete=self.athlete
        )

    def remove(self, provider_id: str) -> None:
        self.items.pop(provider_id, None)

    def _request(self, what: str) -> None:
        self.requests.append(what)
        if self.faults:
            raise self.faults.pop(0)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Activities that started after the cursor (an ISO start time) minus the overlap
        window, oldest first; the overlap catches recent edits and late uploads, as with Strava."""
        after = None if cursor is None else datetime.fromisoformat(cursor) - self.overlap
        pending = sorted(
            (a for a in self.items.values() if after is None or a.start_utc > after),
            key=lambda a: (a.start_utc, a.provider_id),
        )
        offset = 0
        while True:
            self._request(f"list offset={offset}")
            page = pending[offset : offset + self.page_size]
            offset += len(page)
            newest = page[-1].start_utc.isoformat() if page else cursor
            new_cursor = max(filter(None, (newest, cursor)), default=None)
            yield Page(activities=page, cursor=new_cursor)
            if len(page) < self.page_size:
                return

    def fetch_one(self, provider_id: str) -> Activity | None:
        self._request(f"get {provider_id}")
        return self.items.get(provider_id)

    def description(self, provider_id: str) -> str:
        return self.items[provider_id].description

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        self._request(f"get {provider_id}")
        current = self.items.get(provider_id)
        if current is None:
            return False
        new = edit(current.description)
        if new is None or new == current.description:
            return False
        self._request(f"put {provider_id}")
        self.items[provider_id] = replace(current, description=new)
        self.writes.append((provider_id, new))
        return True
