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

from datetime import datetime

from syncd.domain import Activity, Session
from syncd.merge import group_sessions
from syncd.store.activities import ActivityTables
from syncd.store.grouping import Grouping, Groupings, insert_sessions, unique_ids
from syncd.store.rows import COLUMNS, activity_from_row

#: changes above this share of an athlete's activities regroup everything at once
FULL_SHARE = 0.25


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

    def adopt(self, athlete: str, activities: list[Activity]) -> None:
        """Take `activities` (raw payloads left out) as the athlete's stored ones, sparing a
        read of the table: an import that stored every one of them itself, for an athlete
        who had none. Ignored unless their number matches the table's."""
        stored = self.conn.execute(
            "SELECT COUNT(*) FROM activities WHERE athlete = ? AND deleted = 0", (athlete,)
        ).fetchone()[0]
        live = [a for a in activities if not a.deleted]
        if len(live) != int(stored) or len({a.key for a in live}) != len(live):
            return
        grouping = Grouping(self.change_seq(athlete), dict(self.rank))
        grouping.acts = sorted(live, key=grouping.order)
        grouping.starts = [a.start_utc for a in grouping.acts]
        grouping.put_sessions(unique_ids(group_sessions(grouping.acts, {}, self.rank)), ordered=True)
        self.groupings.put(athlete, grouping)

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
        grouping.put_sessions(unique_ids(group_sessions(grouping.acts, known, self.rank)), ordered=True)
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
        fresh = unique_ids(group_sessions(members, known, g.rank))
        if any(s.id in g.by_id and s.id not in old_ids for s in fresh):
            return False  # an id another session holds: only a full regroup decides that exactly
        for sid in old_ids:
            for a in g.drop_session(sid).activities:
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
            insert_sessions(tx, athlete, sessions)
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
            insert_sessions(tx, athlete, now)
        return sum(len(s.activities) - 1 for s in now) - before

    def sessions_saved(self, athlete: str) -> bool:
        """Whether every stored activity has its place in a stored session (an import or a
        pass that stopped between storing and merging leaves some without)."""
        members = self.conn.execute(
            "SELECT COUNT(*) FROM session_members WHERE athlete = ?", (athlete,)
        ).fetchone()[0]
        acts = self.conn.execute(
            "SELECT COUNT(*) FROM activities WHERE athlete = ? AND deleted = 0", (athlete,)
        ).fetchone()[0]
        return int(members) == int(acts)

    def session_count(self, athlete: str) -> int:
        """How many sessions the athlete has stored."""
        return int(
            self.conn.execute("SELECT COUNT(*) FROM sessions WHERE athlete = ?", (athlete,)).fetchone()[0]
        )

    def has_sessions(self, athlete: str) -> bool:
        """Whether the athlete has any stored session."""
        row = self.conn.execute("SELECT 1 FROM sessions WHERE athlete = ? LIMIT 1", (athlete,)).fetchone()
        return row is not None
