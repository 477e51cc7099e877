"""A Strava bulk export's activities.csv, row by row, reading only the columns syncd uses.

The header is read once into the positions of the columns that matter (every copy of a
repeated one: the export has two Distance and two Elapsed Time columns, the later precise);
a row is split by the csv module and parsed only when it is not known already. The raw row
(every column, repeated names suffixed ".1", ".2", ...) is kept with the activity.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from functools import partial
from typing import TextIO

from syncd.domain import Activity
from syncd.providers.export_values import export_date, export_distance, parse_number, strava_type, whole
from syncd.providers.import_types import Bad, Record, fingerprint, layout_digest
from syncd.sports import Sport, sport_from

#: The export layout before 2019 ("id,date,name,type,…"): its columns under today's names.
OLD_LAYOUT = {
    "id": "Activity ID",
    "date": "Activity Date",
    "name": "Activity Name",
    "type": "Activity Type",
    "description": "Activity Description",
    "elapsed_time": "Elapsed Time",
    "moving_time": "Moving Time",
    "distance": "Distance",  # metres in that layout
}
#: The columns syncd reads; every other one is only kept in the raw row.
USED = (
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Activity Private Note",
    "Elapsed Time",
    "Moving Time",
    "Distance",
    "Average Heart Rate",
    "Max Heart Rate",
    "Perceived Exertion",
    "Relative Effort",
    "Competition",
    "Workout Type",
)
_TRUE = {"1", "1.0", "true", "yes", "y"}


def header_name(title: str) -> str:
    """A column title without the HTML a badly translated export wraps around some of them
    (`<span class="translation_missing" …>Type</span>`)."""
    return re.sub(r"<[^>]*>", "", title).strip()


def unique_keys(header: list[str]) -> list[str]:
    """Header names made unique: later copies of a repeated name get ".1", ".2", ..."""
    seen: dict[str, int] = {}
    keys = []
    for title in header:
        keys.append(f"{title}.{seen[title]}" if title in seen else title)
        seen[title] = seen.get(title, 0) + 1
    return keys


class ExportLayout:
    """Where the used columns sit in one file's header, and how its rows become activities.
    `metres`: the layout's single Distance column is in metres (before 2019)."""

    def __init__(self, header: list[str], *, old: bool) -> None:
        titles = [header_name(title) for title in header]
        if old:
            titles = [OLD_LAYOUT.get(title.lower(), title) for title in titles]
        self.width = len(titles)
        self.keys = unique_keys(titles)
        self.at = {name: [i for i, title in enumerate(titles) if title == name] for name in USED}
        self.metres = old
        self.digest = layout_digest("strava-export", str(old), *titles)

    def _copies(self, values: list[str], name: str) -> list[str]:
        return [values[i].strip() for i in self.at[name]]

    def _best(self, values: list[str], name: str) -> str:
        """The last non-empty copy of a column (later copies are the precise ones), or ""."""
        for i in reversed(self.at[name]):
            value = values[i].strip()
            if value:
                return value
        return ""

    def _number(self, values: list[str], name: str) -> float | None:
        return parse_number(name, self._best(values, name))

    def activity(self, values: list[str], athlete: str) -> Activity:
        """The Activity for one row; raises ValueError with the reason."""
        activity_id = self._best(values, "Activity ID")
        if not activity_id:
            raise Bad("Activity ID is empty")
        sport_raw = strava_type(self._best(values, "Activity Type"))
        sport = sport_from("strava", sport_raw)
        moving, elapsed, rpe = (
            self._number(values, k) for k in ("Moving Time", "Elapsed Time", "Perceived Exertion")
        )
        distances = self._copies(values, "Distance")
        return Activity(
            provider="strava",
            provider_id=activity_id,
            athlete=athlete,
            start_utc=export_date(self._best(values, "Activity Date")),
            sport=sport,
            sport_raw=sport_raw,
            distance_m=export_distance(["", *distances] if self.metres else distances, sport),
            moving_s=None if moving is None else round(moving),
            elapsed_s=None if elapsed is None else round(elapsed),
            avg_hr=self._number(values, "Average Heart Rate"),
            max_hr=self._number(values, "Max Heart Rate"),
            rpe=None if rpe is None else whole("Perceived Exertion", rpe, exact=True),
            effort_score=self._number(values, "Relative Effort"),
            title=self._best(values, "Activity Name"),
            description=self._best(values, "Activity Description"),
            private_note=self._best(values, "Activity Private Note"),
            race=self._race(values, sport),
            raw_json=json.dumps(dict(zip(self.keys, values, strict=True)), ensure_ascii=False),
        )

    def _race(self, values: list[str], sport: Sport) -> bool:
        """Whether the export marks the run as a race: its "Competition" tag, or a "Workout
        Type" of 1 (Strava's race for runs). Titles are never guessed from (RULES.md)."""
        if not sport.is_run:
            return False
        if self._best(values, "Competition").lower() in _TRUE:
            return True
        return self._best(values, "Workout Type").lower() in {"1", "1.0", "race"}


def export_records(stream: TextIO, name: str, athlete: str, *, old: bool = False) -> Iterator[Record]:
    """Each row of an export's activities.csv (opened with newline="") as a Record, with the
    physical line it starts on; blank rows are skipped."""
    reader = csv.reader(stream)
    layout = ExportLayout(next(reader, []), old=old)
    end = reader.line_num
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            if not "".join(values).strip():
                continue
            if len(values) != layout.width:
                problem = f"row has {len(values)} fields but the header has {layout.width}"
                yield Record(name, start, "", None, problem)
                continue
            yield Record(
                name, start, fingerprint(layout.digest, values), partial(layout.activity, values, athlete)
            )
    except csv.Error as exc:
        yield Record(name, end + 1, "", None, f"unreadable CSV from here on: {exc}")
