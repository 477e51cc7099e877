"""A Strava bulk export's activities.csv, row by row, reading only the columns syncd uses.

The header is read once into the positions of the columns that matter (every copy of a
repeated one: the export has two Distance and two Elapsed Time columns, the later precise);
a row is split by the csv module and parsed only when it is not known already. The raw row
(every column, repeated names suffixed ".1", ".2", ...) is kept with the activity.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import partial
from itertools import chain
from json.encoder import encode_basestring_ascii as _quote  # json.dumps's own string quoting
from operator import itemgetter
from typing import TextIO

from syncd.domain import Activity
from syncd.providers.export_values import export_date, export_distance, parse_number, strava_type, whole
from syncd.providers.import_types import Bad, Record, joined_fingerprint, layout_digest
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
#: text json.dumps writes unchanged between its quotes: printable ASCII but `"` and `\\`
_VERBATIM = re.compile(r"[ !#-\[\]-~]*").fullmatch
_TRUE = {"1", "1.0", "true", "yes", "y"}
_NUMBERS = (
    "Moving Time",
    "Elapsed Time",
    "Perceived Exertion",
    "Average Heart Rate",
    "Max Heart Rate",
    "Relative Effort",
)


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
        at = {name: [i for i, title in enumerate(titles) if title == name] for name in USED}
        self.metres = old
        self.digest = layout_digest("strava-export", str(old), *titles)
        # every copy of every used column, fetched from a row in one go; for each name, its
        # copies' places in what is fetched, the last (the precise one) first
        columns = [i for name in USED for i in at[name]]
        self._fetch = itemgetter(*columns) if len(columns) > 1 else lambda row: tuple(row[i] for i in columns)
        # a name with at most one copy is read straight from what is fetched (with "" added at
        # its end, for the names with none); the others take their last non-empty copy
        last_first = {name: [columns.index(i) for i in reversed(at[name])] for name in USED}
        once = {name: places[0] if places else len(columns) for name, places in last_first.items()}
        once = {name: place for name, place in once.items() if len(last_first[name]) <= 1}
        self._once_names = tuple(once)
        self._once = (
            itemgetter(*once.values()) if len(once) > 1 else lambda row: tuple(row[i] for i in once.values())
        )
        self._repeated = [(name, places) for name, places in last_first.items() if name not in once]
        self._distances = [columns.index(i) for i in at["Distance"]]
        self._key_parts = [("{" if i == 0 else ", ") + _quote(key) + ": " for i, key in enumerate(self.keys)]
        # the same object with every value's place left open: a row whose values JSON writes
        # as they are (printable ASCII, no quote or backslash) fills it in one step
        self._template = "".join(part.replace("%", "%%") + '"%s"' for part in self._key_parts) + "}"

    def raw_json(self, values: list[str]) -> str:
        """The whole row as the JSON object json.dumps(dict(zip(keys, values))) writes, built
        from the quoted keys and values (in C) without the dict."""
        if not values:
            return "{}"
        if len(values) == self.width and _VERBATIM("".join(values)):
            return self._template % tuple(values)
        return "".join(chain.from_iterable(zip(self._key_parts, map(_quote, values), strict=True))) + "}"

    def activity(self, values: list[str], athlete: str) -> Activity:
        """The Activity for one row, without its raw payload (`raw_json` gives it); raises
        ValueError with the reason."""
        fetched = [v.strip() for v in self._fetch(values)]
        fetched.append("")
        best = dict(zip(self._once_names, self._once(fetched), strict=True))
        for name, places in self._repeated:  # the last non-empty copy, or ""
            best[name] = next(filter(None, map(fetched.__getitem__, places)), "")
        activity_id = best["Activity ID"]
        if not activity_id:
            raise Bad("Activity ID is empty")
        sport_raw = strava_type(best["Activity Type"])
        sport = sport_from("strava", sport_raw)
        moving, elapsed, rpe, avg_hr, max_hr, effort = [parse_number(k, best[k]) for k in _NUMBERS]
        distances = [fetched[p] for p in self._distances]
        return Activity(
            provider="strava",
            provider_id=activity_id,
            athlete=athlete,
            start_utc=export_date(best["Activity Date"]),
            sport=sport,
            sport_raw=sport_raw,
            distance_m=export_distance(["", *distances] if self.metres else distances, sport),
            moving_s=None if moving is None else round(moving),
            elapsed_s=None if elapsed is None else round(elapsed),
            avg_hr=avg_hr,
            max_hr=max_hr,
            rpe=None if rpe is None else whole("Perceived Exertion", rpe, exact=True),
            effort_score=effort,
            title=best["Activity Name"],
            description=best["Activity Description"],
            private_note=best["Activity Private Note"],
            race=_race(best, sport),
        )


def _race(best: dict[str, str], sport: Sport) -> bool:
    """Whether the export marks the run as a race: its "Competition" tag, or a "Workout Type"
    of 1 (Strava's race for runs). Titles are never guessed from (RULES.md)."""
    if not sport.is_run:
        return False
    if best["Competition"].lower() in _TRUE:
        return True
    return best["Workout Type"].lower() in {"1", "1.0", "race"}


def export_records(stream: TextIO, name: str, athlete: str, *, old: bool = False) -> Iterator[Record]:
    """Each row of an export's activities.csv (opened with newline="") as a Record, with the
    physical line it starts on; blank rows are skipped."""
    reader = csv.reader(stream)
    layout = ExportLayout(next(reader, []), old=old)
    end = reader.line_num
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            joined = "\x1f".join(values)  # the separator is whitespace too, to strip()
            if not joined.strip():
                continue
            if len(values) != layout.width:
                problem = f"row has {len(values)} fields but the header has {layout.width}"
                yield Record(name, start, "", None, problem)
                continue
            build = partial(layout.activity, values, athlete)
            yield Record(
                name,
                start,
                joined_fingerprint(layout.digest, joined),
                build,
                None,
                True,
                partial(layout.raw_json, values),
            )
    except csv.Error as exc:
        yield Record(name, end + 1, "", None, f"unreadable CSV from here on: {exc}")
