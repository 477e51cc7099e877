"""Merged sessions, kept in memory per athlete and brought up to date from the change numbers.

The merge is local: copies whose starts lie more than `START_WINDOW` apart never meet in one
session, so a change regroups only the cluster of copies around it (chains of starts at most
5 minutes apart), with the same `group_sessions` a full regroup uses; the `sessions` tables
are rewritten only where they changed. A grouping is trusted while the athlete's newest
change number is the one it was brought up to; anything else (another process's writes
included) is read from the change numbers, or from the whole table when there is no grouping
in memory. At most `budget` activities are kept over all athletes (the one used last always).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from syncd.domain import UNRANKED, Activity, Session
from syncd.merge import START_WINDOW, group_sessions
from syncd.store.activities import ActivityTables
from syncd.store.rows import COLUMNS, activity_from_row

#: changes above this share of an athlete's activities regroup everything at once
FULL_SHARE = 0.25
DEFAULT_BUDGET = 20_000


@dataclass
class Grouping:
    """One athlete's non-deleted activities in merge order and their sessions, at change `seq`."""

    seq: int
    rank: dict[str, int]
    acts: list[Activity] = field(default_factory=list)
    starts: list[datetime] = field(default_factory=list)
    by_id: dict[str, Session] = field(default_factory=dict)
    of_key: dict[str, str] = field(default_factory=dict)  # activity key -> its session's id
    saved: bool = False  # the tables hold every session but those touched since (`dirty`)
    dirty_keys: set[str] = field(default_factory=set)
    dirty_ids: set[str] = field(default_factory=set)  # session ids whose rows must go
    ordered: list[Session] | None = None

    def order(self, a: Activity) -> tuple[object, ...]:
        return (a.start_utc, self.rank.get(a.provider, UNRANKED), a.provider, a.provider_id)

    def sessions(self) -> list[Session]:
        if self.ordered is None:
            self.ordered = sorted(self.by_id.values(), key=lambda s: (s.start_utc, s.id))
        return list(self.ordered)

    def put_sessions(self, sessions: list[Session]) -> None:
        for s in sessions:
            self.by_id[s.id] = s
            for a in s.activities:
                self.of_key[a.key] = s.id
        self.ordered = None

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


class SessionTables(ActivityTables):
    """The `sessions` and `session_members` tables, and the groupings kept in memory."""

    groupings: Groupings

    def change_seq(self, athlete: str) -> int:
        """The athlete's newest change number (0 before any activity): one index lookup."""
        row = self.conn.execute(
            "SELECT COALESCE(MAX(change_seq), 0) FROM activities WHERE athlete = ?", (athlete,)
        ).fetchone()
        return int(row[0])

    def sessions(self, athlete: str) -> list[Session]:
        """The athlete's merged sessions, ordered by start, computed from the stored
        activities; a session keeps the id it was first stored under."""
        return self._grouping(athlete).sessions()

    def _grouping(self, athlete: str) -> Grouping:
        seq = self.change_seq(athlete)
        grouping = self.groupings.get(athlete)
        if grouping is not None and grouping.seq == seq:
            return grouping
        if grouping is None or grouping.seq > seq or not self._catch_up(athlete, grouping):
            grouping = self._load(athlete, seq)
        self.groupings.put(athlete, grouping)
        return grouping

    def _load(self, athlete: str, seq: int) -> Grouping:
        """Everything regrouped from the table (read after `seq`: a later write is read
        again from the change numbers, which is harmless)."""
        known = {
            f"{r[0]}:{r[1]}": r[2]
            for r in self.conn.execute(
                "SELECT provider, provider_id, session_id FROM session_members WHERE athlete = ?", (athlete,)
            )
        }
        grouping = Grouping(seq, dict(self.rank))
        grouping.acts = sorted(self.activities(athlete, raw=False), key=grouping.order)
        grouping.starts = [a.start_utc for a in grouping.acts]
        grouping.put_sessions(group_sessions(grouping.acts, known, self.rank))
        return grouping

    def _catch_up(self, athlete: str, g: Grouping) -> bool:
        """Apply the changes after `g.seq` to `g`; False when a full regroup is the better
        (or the only exact) way."""
        columns = ", ".join(c for c in COLUMNS if c != "raw_json") + ", '{}' AS raw_json, change_seq"
        rows = self.conn.execute(
            f"SELECT {columns} FROM activities WHERE athlete = ? AND change_seq > ? ORDER BY change_seq",
            (athlete, g.seq),
        ).fetchall()
        if len(rows) > max(50, FULL_SHARE * len(g.acts)):
            return False
        points: list[datetime] = []
        old_ids: set[str] = set()
        for row in rows:
            act = activity_from_row(row)
            sid = g.of_key.get(act.key)
            if sid is not None:
                old = next(a for a in g.by_id[sid].activities if a.key == act.key)
                g.remove_act(old)
                points.append(old.start_utc)
                old_ids.add(sid)
            if not act.deleted:
                g.insert_act(act)
                points.append(act.start_utc)
        if not self._regroup(athlete, g, points, old_ids, {activity_from_row(r).key for r in rows}):
            return False
        g.seq = int(rows[-1]["change_seq"]) if rows else g.seq
        return True

    def _regroup(
        self, athlete: str, g: Grouping, points: list[datetime], old_ids: set[str], changed: set[str]
    ) -> bool:
        """Regroup the clusters around `points` (and every old session they touch)."""
        region: set[int] = set()
        seen: set[str] = set()
        while True:
            for point in points:
                region.update(g.cluster(point))
            found = {g.of_key[g.acts[i].key] for i in region if g.acts[i].key in g.of_key} | old_ids
            new = found - seen
            if not new:
                break
            seen |= new
            # every copy of a session the region touches is regrouped with it
            points = [a.start_utc for sid in new for a in g.by_id[sid].activities if a.key not in changed]
        old_ids = seen
        members = [g.acts[i] for i in sorted(region)]
        known = {a.key: g.of_key[a.key] for a in members if a.key in g.of_key}
        known.update(self._stored_ids(athlete, [a for a in members if a.key not in known]))
        fresh = group_sessions(members, known, g.rank)
        if any(s.id in g.by_id and s.id not in old_ids for s in fresh):
            return False  # an id another session holds: only a full regroup decides that exactly
        for sid in old_ids:
            for a in g.by_id.pop(sid).activities:
                g.of_key.pop(a.key, None)
        for key in changed:
            g.of_key.pop(key, None)
        g.put_sessions(fresh)
        g.dirty_keys |= changed | {a.key for a in members}
        g.dirty_ids |= old_ids | {s.id for s in fresh}
        return True

    def _stored_ids(self, athlete: str, acts: list[Activity]) -> dict[str, str]:
        out = {}
        for a in acts:
            row = self.conn.execute(
                "SELECT session_id FROM session_members WHERE athlete = ? AND provider = ? "
                "AND provider_id = ?",
                (athlete, a.provider, a.provider_id),
            ).fetchone()
            if row is not None:
                out[a.key] = str(row[0])
        return out

    def rebuild_sessions(self, athlete: str) -> tuple[list[Session], int]:
        """Bring the athlete's stored sessions up to date; returns them and how many more
        copies are merged into another provider's session than before."""
        g = self._grouping(athlete)
        merged = self._save_dirty(athlete, g) if g.saved else self._save_all(athlete, g)
        g.saved, g.dirty_keys, g.dirty_ids = True, set(), set()
        return g.sessions(), merged

    def _save_all(self, athlete: str, g: Grouping) -> int:
        sessions = g.sessions()
        before = self.conn.execute(
            "SELECT COALESCE(SUM(members - 1), 0) FROM sessions WHERE athlete = ?", (athlete,)
        ).fetchone()[0]
        with self.transaction() as tx:
            tx.execute("DELETE FROM session_members WHERE athlete = ?", (athlete,))
            tx.execute("DELETE FROM sessions WHERE athlete = ?", (athlete,))
            _insert(tx, athlete, sessions)
        return sum(len(s.activities) - 1 for s in sessions) - int(before)

    def _save_dirty(self, athlete: str, g: Grouping) -> int:
        ids = sorted(g.dirty_ids)
        now = [g.by_id[sid] for sid in sorted({g.of_key[k] for k in g.dirty_keys if k in g.of_key})]
        with self.transaction() as tx:
            before = 0
            for sid in ids:
                row = tx.execute(
                    "SELECT members FROM sessions WHERE id = ? AND athlete = ?", (sid, athlete)
                ).fetchone()
                before += int(row[0]) - 1 if row else 0
                tx.execute("DELETE FROM sessions WHERE id = ? AND athlete = ?", (sid, athlete))
            for key in sorted(g.dirty_keys):
                provider, _, provider_id = key.partition(":")
                tx.execute(
                    "DELETE FROM session_members WHERE athlete = ? AND provider = ? AND provider_id = ?",
                    (athlete, provider, provider_id),
                )
            _insert(tx, athlete, now)
        return sum(len(s.activities) - 1 for s in now) - before

    def has_sessions(self, athlete: str) -> bool:
        """Whether the athlete has any stored session."""
        row = self.conn.execute("SELECT 1 FROM sessions WHERE athlete = ? LIMIT 1", (athlete,)).fetchone()
        return row is not None


def _insert(tx: sqlite3.Connection, athlete: str, sessions: list[Session]) -> None:
    tx.executemany(
        "INSERT INTO sessions (id, athlete, start_utc, sport, distance_m, members) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (s.id, athlete, s.start_utc.isoformat(), s.sport.value, s.distance_m, len(s.activities))
            for s in sessions
        ],
    )
    tx.executemany(
        "INSERT INTO session_members (session_id, athlete, provider, provider_id) VALUES (?, ?, ?, ?)",
        [(s.id, athlete, a.provider, a.provider_id) for s in sessions for a in s.activities],
    )
