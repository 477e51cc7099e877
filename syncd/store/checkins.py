"""What the runner tells syncd (check-ins): kept as events with their time, never edited."""

from __future__ import annotations

import json
from datetime import date, datetime

from syncd.domain import CheckIn
from syncd.store.activities import Tables


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
