"""One athlete's merged sessions as kept in memory (`Grouping`), the groupings of all athletes
within a budget (`Groupings`), and how sessions are written to their tables."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right, insort
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime

from syncd.domain import UNRANKED, Activity, Session
from syncd.merge import START_WINDOW

DEFAULT_BUDGET = 40_000


class Places:
    """Activity key ("strava:123") -> the id of its session, held as provider -> provider id
    -> session id: the keys are the copies' own strings, no key text is kept per copy."""

    def __init__(self) -> None:
        self.by_provider: dict[str, dict[str, str]] = {}

    def put(self, act: Activity, sid: str) -> None:
        self.by_provider.setdefault(act.provider, {})[act.provider_id] = sid

    def get(self, key: str) -> str | None:
        provider, _, provider_id = key.partition(":")
        found = self.by_provider.get(provider)
        return None if found is None else found.get(provider_id)

    def pop(self, key: str, default: str | None = None) -> str | None:
        provider, _, provider_id = key.partition(":")
        found = self.by_provider.get(provider)
        return default if found is None else found.pop(provider_id, default)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str) -> str:
        sid = self.get(key)
        if sid is None:
            raise KeyError(key)
        return sid


@dataclass
class Grouping:
    """One athlete's non-deleted activities in merge order and their sessions, at change `seq`."""

    seq: int
    rank: dict[str, int]
    acts: list[Activity] = field(default_factory=list)
    starts: list[datetime] = field(default_factory=list)
    by_id: dict[str, Session] = field(default_factory=dict)
    of_key: Places = field(default_factory=Places)  # activity key -> its session's id
    saved: bool = False  # the tables hold every session but those touched since (`dirty`)
    dirty_keys: set[str] = field(default_factory=set)
    dirty_ids: set[str] = field(default_factory=set)  # session ids whose rows must go
    ordered: list[Session] | None = None

    def order(self, a: Activity) -> tuple[object, ...]:
        return (a.start_utc, self.rank.get(a.provider, UNRANKED), a.provider, a.provider_id)

    def sessions(self) -> list[Session]:
        """All sessions, by start (then id), as group_sessions orders them."""
        if self.ordered is None:
            self.ordered = sorted(self.by_id.values(), key=_by_start)
        return list(self.ordered)

    def put_sessions(self, sessions: list[Session], *, ordered: bool = False) -> None:
        """Add sessions; `ordered`: they are all of them, in order (as group_sessions gives them)."""
        for s in sessions:
            self.by_id[s.id] = s
            for a in s.activities:
                self.of_key.put(a, s.id)
            if not ordered and self.ordered is not None:
                insort(self.ordered, s, key=_by_start)
        if ordered:
            self.ordered = list(sessions)

    def drop_session(self, sid: str) -> Session:
        """Take one session out (its copies' places in `of_key` are the caller's to update)."""
        session = self.by_id.pop(sid)
        if self.ordered is not None:
            i = bisect_left(self.ordered, _by_start(session), key=_by_start)
            while self.ordered[i] is not session:
                i += 1
            del self.ordered[i]
        return session

    def remove_act(self, act: Activity) -> None:
        i = bisect_left(self.starts, act.start_utc)
        while self.acts[i].key != act.key:
            i += 1
        del self.acts[i], self.starts[i]

    def insert_act(self, act: Activity) -> None:
        at = bisect_right(self.acts, self.order(act), key=self.order)
        self.acts.insert(at, act)
        self.starts.insert(at, act.start_utc)

    def cluster(self, point: datetime) -> range:
        """Indexes of the copies chained (starts at most START_WINDOW apart) to `point`."""
        lo = bisect_left(self.starts, point - START_WINDOW)
        hi = bisect_right(self.starts, point + START_WINDOW)
        if lo == hi:
            return range(0)
        while lo > 0 and self.starts[lo] - self.starts[lo - 1] <= START_WINDOW:
            lo -= 1
        while hi < len(self.starts) and self.starts[hi] - self.starts[hi - 1] <= START_WINDOW:
            hi += 1
        return range(lo, hi)


class Groupings:
    """The groupings in memory, least recently used first, within a budget of activities."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.items: OrderedDict[str, Grouping] = OrderedDict()

    def get(self, athlete: str) -> Grouping | None:
        found = self.items.get(athlete)
        if found is not None:
            self.items.move_to_end(athlete)
        return found

    def put(self, athlete: str, grouping: Grouping) -> None:
        self.items[athlete] = grouping
        self.items.move_to_end(athlete)
        while len(self.items) > 1 and sum(len(g.acts) for g in self.items.values()) > self.budget:
            self.items.popitem(last=False)


def _by_start(s: Session) -> tuple[datetime, str]:
    return (s.start_utc, s.id)


def _session_row(s: Session, athlete: str) -> tuple[object, ...]:
    if len(s.activities) == 1:  # most sessions: the one copy supplies every number
        a = s.activities[0]
        return (s.id, athlete, a.start_utc.isoformat(), a.sport.value, a.distance_m, 1)
    return (s.id, athlete, s.start_utc.isoformat(), s.sport.value, s.distance_m, len(s.activities))


def unique_ids(sessions: list[Session]) -> list[Session]:
    """The sessions with every id used once. A copy whose start moved away from the session
    it shared computes the very id that session keeps (ids derive from the earliest copy):
    the later one of two sessions with one id gets it with a letter added ("b", "c", ...)."""
    seen: set[str] = set()
    out = []
    for s in sessions:
        sid, n = s.id, 0
        while sid in seen:
            n += 1
            sid = f"{s.id}{chr(ord('a') + n)}"
        seen.add(sid)
        out.append(s if sid == s.id else replace(s, id=sid))
    return out


def insert_sessions(tx: sqlite3.Connection, athlete: str, sessions: list[Session]) -> None:
    tx.executemany(
        "INSERT INTO sessions (id, athlete, start_utc, sport, distance_m, members) VALUES (?, ?, ?, ?, ?, ?)",
        [_session_row(s, athlete) for s in sessions],
    )
    tx.executemany(
        "INSERT INTO session_members (session_id, athlete, provider, provider_id) VALUES (?, ?, ?, ?)",
        [(s.id, athlete, a.provider, a.provider_id) for s in sessions for a in s.activities],
    )
