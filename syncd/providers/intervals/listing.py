"""The pieces of one intervals.icu listing: the window, the pages' items read into activities,
the next page's bound, and which stored activities the window should have listed.

intervals.icu takes and compares local wall-clock times (`start_date_local`), so the window
and the page bounds are naive local datetimes; stored activities are placed in it by their
UTC start plus their offset."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from syncd.domain import Activity
from syncd.errors import BadPayload
from syncd.providers.intervals.mapping import activity_from, is_strava_stub, valid_id

log = logging.getLogger("syncd.providers.intervals.provider")

NAME = "intervals"
FIRST_DAY = "1970-01-01"
LOOKAHEAD = timedelta(days=2)  # the window's last day: today wherever the athlete is
LOCAL = "%Y-%m-%dT%H:%M:%S"


def account_key(athlete: str) -> str:
    """Where the state keeps an athlete's account: {"key": reference, "athlete_id": id}."""
    return f"account:{athlete}"


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from ISO text (naive is UTC), else None."""
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return None if when is None else when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_local(value: Any) -> datetime | None:
    """A naive wall-clock datetime from intervals.icu's local ISO text, else None."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass
class Scan:
    """One listing across its pages: the window [low, top] and what was listed in it."""

    low: str
    top: str
    newest: datetime | None
    seen: set[str] = field(default_factory=set)  # every id listed, readable or not
    oldest_local: datetime | None = None
    listed: int = 0
    complete: bool = True  # False once an item had no id: deletions are not judged then
    stubs: list[str] = field(default_factory=list)  # Strava-sourced stubs listed
    placed: dict[str, str] = field(default_factory=dict)  # id → local start of each activity read

    def read(self, items: list[Any], athlete: str) -> tuple[list[Activity], list[str]]:
        """The page's activities not listed before and one reason per unreadable item."""
        activities: list[Activity] = []
        skipped: list[str] = []
        for item in items:
            ident = valid_id(item.get("id")) if isinstance(item, dict) else None
            self.complete = self.complete and ident is not None
            local = parse_local(item.get("start_date_local")) if isinstance(item, dict) else None
            if local is not None and (self.oldest_local is None or local < self.oldest_local):
                self.oldest_local = local
            if ident is not None and ident in self.seen:
                continue  # the page boundary, listed again
            self.listed += 1
            if ident is not None:
                self.seen.add(ident)
            if is_strava_stub(item):
                self.stubs.append(str(ident))
                continue
            try:
                activity = activity_from(item, athlete)
            except BadPayload as exc:
                skipped.append(str(exc))
                continue
            activities.append(activity)
            local_start = activity.start_utc.replace(tzinfo=None) + timedelta(seconds=activity.utc_offset_s)
            self.placed[activity.provider_id] = local_start.strftime(LOCAL)
            if self.newest is None or activity.start_utc > self.newest:
                self.newest = activity.start_utc
        return activities, skipped

    def next_before(self, before: str) -> str | None:
        """The `newest` of the next page: the oldest local start listed, one second earlier
        if a whole page started in the same second (None: nothing to page by)."""
        oldest = self.oldest_local
        if oldest is None:
            return None
        bound = parse_local(before)
        if bound is not None and "T" in before and oldest >= bound:
            oldest = bound - timedelta(seconds=1)
            log.warning("intervals: a whole page of activities started at %s; paging on", before)
        return oldest.strftime(LOCAL)

    def unlisted(self, previous: Mapping[str, str], capped: bool) -> list[str]:
        """The ids the last listing placed in this window (id → local start) that this one
        did not list, newest first; none when this listing could not be judged whole."""
        low = self.oldest_local if capped else parse_local(self.low)
        high = parse_local(self.top)
        if not self.complete or low is None or high is None:
            return []
        if "T" not in self.top:
            high += timedelta(days=1)  # a day as `newest` takes the whole day in
        missing = [
            (local, ident)
            for ident, text in previous.items()
            if ident not in self.seen and (local := parse_local(text)) is not None and low <= local <= high
        ]
        return [ident for _, ident in sorted(missing, reverse=True)]

    def remembered(self, pending: Mapping[str, str], overlap: timedelta) -> dict[str, str]:
        """What the next listing should find again (id → local start): the activities read
        now and the unchecked `pending` ones, if inside the next window."""
        keep = {**pending, **self.placed}
        if self.newest is None:
            return keep
        low = datetime.combine((self.newest - overlap).date() - timedelta(days=1), datetime.min.time())
        return {k: v for k, v in keep.items() if (local := parse_local(v)) is not None and local >= low}
