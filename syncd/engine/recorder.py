"""What a replay delivers to instead of the runner's phone and accounts: a recorder.

`ReplayProvider` serves a stored history as a provider would have served it, one activity
at a time as the simulated clock passes the moment it was uploaded; note writes are kept,
never sent. `Recorder` is a push channel that keeps every message with the simulated time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import ClassVar

from syncd.domain import Activity
from syncd.notifiers.base import Message, Notifier
from syncd.providers.base import DescriptionEdit, Page, Provider

#: an activity reaches the provider this long after it ended (the watch's upload)
UPLOAD_DELAY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Recorded:
    """One delivery a replay made: when, on which channel, and what it said."""

    at: datetime  # UTC
    channel: str  # "push", "note" or "digest"
    key: str  # the finding key, "digest:<athlete>:<week>" or "<provider>:<id>" for a note
    title: str
    text: str
    priority: str = "normal"


def arrival(activity: Activity) -> datetime:
    """When the activity would have reached its provider: its end plus the upload delay."""
    length = activity.elapsed_s or activity.moving_s or 0
    return activity.start_utc + timedelta(seconds=length) + UPLOAD_DELAY


class Recorder(Notifier):
    """A push channel that keeps messages instead of sending them (and takes no attachment)."""

    name: ClassVar[str] = "replay"
    takes_attachments: ClassVar[bool] = False

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.sent: list[Recorded] = []

    def send(self, message: Message) -> None:
        channel = "digest" if message.key.startswith("digest:") else "push"
        self.sent.append(
            Recorded(self.clock(), channel, message.key, message.title, message.body, message.priority)
        )


class ReplayProvider(Provider):
    """One provider's copies of a stored history, each visible once the clock passes its arrival."""

    name: ClassVar[str] = "replay"
    writes_notes: ClassVar[bool] = True

    def __init__(
        self,
        athlete: str,
        provider_name: str,
        activities: list[Activity],
        clock: Callable[[], datetime],
        notes: list[Recorded],
        overlap: timedelta = timedelta(days=3),
    ) -> None:
        super().__init__(athlete)
        self.provider_name, self.clock, self.notes, self.overlap = provider_name, clock, notes, overlap
        ordered = sorted(activities, key=lambda a: (a.start_utc, a.provider_id))
        self.items = {a.provider_id: a for a in ordered}
        self._starts = [a.start_utc for a in ordered]
        self._ids = [a.provider_id for a in ordered]
        self._arrivals = sorted(arrival(a) for a in ordered)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """What the account lists now: started after the cursor minus the overlap and arrived."""
        now = self.clock()
        lo = (
            0 if cursor is None else bisect_right(self._starts, datetime.fromisoformat(cursor) - self.overlap)
        )
        hi = bisect_right(self._starts, now)
        visible = [self.items[i] for i in self._ids[lo:hi] if arrival(self.items[i]) <= now]
        newest = max((a.start_utc for a in visible), default=None)
        new_cursor = max(filter(None, (newest.isoformat() if newest else None, cursor)), default=None)
        yield Page(activities=visible, cursor=new_cursor)

    def fetch_one(self, provider_id: str) -> Activity | None:
        found = self.items.get(provider_id)
        return found if found is not None and arrival(found) <= self.clock() else None

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        current = self.items.get(provider_id)
        if current is None:
            return False
        new = edit(current.description)
        if new is None or new == current.description:
            return False
        self.items[provider_id] = replace(current, description=new)
        key = f"{self.provider_name}:{provider_id}"
        self.notes.append(Recorded(self.clock(), "note", key, current.title, new))
        return True

    def arrivals_between(self, first: datetime, last: datetime) -> list[datetime]:
        """The arrival times in [first, last]: a pass runs after each."""
        return self._arrivals[bisect_left(self._arrivals, first) : bisect_right(self._arrivals, last)]
