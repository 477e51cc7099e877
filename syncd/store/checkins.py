"""What the runner tells syncd (check-ins): kept as events with their time, never edited."""

from __future__ import annotations

import json
from datetime import date, datetime

from syncd.domain import Activity, CheckIn
from syncd.store.activities import Tables
from syncd.store.rows import activity_from_row


class CheckinTables(Tables):
    """The `checkins` table: one row per answer, the latest word on a thing wins when read."""

    def add_checkin(self, checkin: CheckIn, *, source: str = "cli") -> int:
        """Store one answer; returns its id. `source` says where it came from ("cli", "page")."""
        with self.transaction() as tx:
            cur = tx.execute(
                "INSERT INTO checkins (athlete, kind, day, at, value_json, about, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    checkin.athlete,
                    checkin.kind,
                    checkin.day.isoformat(),
                    checkin.at.isoformat(timespec="seconds"),
                    json.dumps(checkin.value),
                    checkin.about,
                    source,
                ),
            )
            return int(cur.lastrowid or 0)

    def checkins_version(self, athlete: str) -> tuple[int, int]:
        """(how many answers, the newest id): changes whenever an answer is added."""
        row = self.conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM checkins WHERE athlete = ?", (athlete,)
        ).fetchone()
        return int(row[0]), int(row[1])

    def find_activity(self, ref: str, athlete: str | None = None) -> list[Activity]:
        """The stored activities `ref` names ("strava:1234", or "1234" on any provider), of
        `athlete` when given; deleted ones are not found."""
        provider, _, ident = ref.rpartition(":")
        sql = "SELECT * FROM activities WHERE provider_id = ? AND deleted = 0"
        params: list[str] = [ident]
        if provider:
            sql += " AND provider = ?"
            params.append(provider)
        if athlete:
            sql += " AND athlete = ?"
            params.append(athlete)
        return [activity_from_row(r) for r in self.conn.execute(sql, params)]

    def checkins_since(self, athlete: str, last_id: int) -> tuple[int, date | None]:
        """(the newest check-in id, the earliest day the check-ins after `last_id` are about);
        (last_id, None) when there are none."""
        row = self.conn.execute(
            "SELECT MAX(id), MIN(day) FROM checkins WHERE athlete = ? AND id > ?", (athlete, last_id)
        ).fetchone()
        if row[0] is None:
            return last_id, None
        return int(row[0]), date.fromisoformat(row[1])

    def checkins(self, athlete: str) -> list[CheckIn]:
        """Every answer of the athlete, oldest first."""
        rows = self.conn.execute(
            "SELECT athlete, kind, day, at, value_json, about FROM checkins WHERE athlete = ? "
            "ORDER BY at, id",
            (athlete,),
        )
        return [
            CheckIn(
                athlete=r["athlete"],
                kind=r["kind"],
                day=date.fromisoformat(r["day"]),
                at=datetime.fromisoformat(r["at"]),
                value=json.loads(r["value_json"]),
                about=r["about"],
            )
            for r in rows
        ]

    def checkin_rows(self, athlete: str) -> list[dict[str, object]]:
        """Every answer of the athlete as plain data, with where it came from (`syncd export`)."""
        rows = self.conn.execute(
            "SELECT id, kind, day, at, value_json, about, source FROM checkins WHERE athlete = ? "
            "ORDER BY at, id",
            (athlete,),
        )
        return [{**dict(r), "value": json.loads(r["value_json"])} for r in rows]
