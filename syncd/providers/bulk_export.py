"""Offline import: Strava bulk exports (csv, unzipped folder, zip) and syncd's JSON Lines.

Bad records never stop an import: each becomes an `ImportProblem` naming the file, the
physical line it starts on and what is wrong, and the good records are kept.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from syncd.domain import Activity
from syncd.sports import Sport, sport_from

EXPORT_CSV = "activities.csv"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
#: "Oct 6, 2022, 11:19:20 PM" (Strava's US layout), "21 Feb 2024, 01:17:32" (its British
#: one), with or without seconds and the comma, and "2014-09-12 16:54:28" (before 2019)
_DATE = re.compile(
    r"""^\s*(?:
        (?P<mon1>[A-Za-z]{3,9})\.?\s+(?P<day1>\d{1,2}),?\s+(?P<year1>\d{4})
      | (?P<day2>\d{1,2})\.?\s+(?P<mon2>[A-Za-z]{3,9})\.?,?\s+(?P<year2>\d{4})
      | (?P<year3>\d{4})-(?P<month3>\d{1,2})-(?P<day3>\d{1,2})
    )(?:,?\s+|T)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?
    \s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\s*(?:Z|UTC|GMT)?\s*$""",
    re.X,
)
#: Export display names that are not simply the API's sport_type without spaces and dashes.
_STRAVA_ALIASES = {
    "HIIT": "HighIntensityIntervalTraining",
    "RockClimb": "RockClimbing",
    "Canoe": "Canoeing",
    "Kayak": "Kayaking",
    "IceSkating": "IceSkate",
    "InlineSkating": "InlineSkate",
    "Windsurfing": "Windsurf",
    "Kitesurfing": "Kitesurf",
    "Snowboarding": "Snowboard",
    "Skateboarding": "Skateboard",
}
#: The export layout before 2019 ("id,date,name,type,…"): its columns under today's names.
_OLD_LAYOUT = {
    "id": "Activity ID",
    "date": "Activity Date",
    "name": "Activity Name",
    "type": "Activity Type",
    "description": "Activity Description",
    "elapsed_time": "Elapsed Time",
    "moving_time": "Moving Time",
    "distance": "Distance",  # metres in that layout
}
_TRUE = {"1", "1.0", "true", "yes", "y"}
_REQUIRED = ("provider", "id", "start", "sport")
#: Optional JSON Lines keys (named as the Activity fields they fill) and their types.
_OPTIONAL: dict[str, type] = {
    "distance_m": int,
    "moving_s": int,
    "elapsed_s": int,
    "avg_hr": float,
    "max_hr": float,
    "rpe": int,
    "effort_score": float,
    "hr_zone45_s": int,
    "title": str,
    "description": str,
    "private_note": str,
    "manual": bool,
    "trainer": bool,
    "deleted": bool,
    "race": bool,
}

Outcome = tuple[int, Activity | str]  # (first line, the activity or why it was refused)
Parser = Callable[[str, str], Iterator[Outcome]]


@dataclass(frozen=True)
class ImportProblem:
    """One record or file that could not be imported."""

    path: str  # the file as given; inside a zip: "export.zip:activities.csv"
    line: int  # 1-based physical line where the bad record starts; 0 for the whole file
    reason: str


@dataclass
class ParseResult:
    """What an import found: the good activities, the problems, and how many files it read."""

    activities: list[Activity] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    files_read: int = 0


class _Bad(ValueError):
    """A record's or file's problem, in plain words."""


def read_paths(paths: Iterable[Path], athlete: str) -> ParseResult:
    """Activities from every path plus one problem per bad record or unusable file; never
    raises for bad input."""
    result = ParseResult()
    for path in paths:
        try:
            name, text = _open(Path(path))
            parser = _parser_for(name, text)
        except _Bad as exc:
            result.problems.append(ImportProblem(str(path), 0, str(exc)))
            continue
        result.files_read += 1
        for line, item in parser(text, athlete):
            if isinstance(item, Activity):
                result.activities.append(item)
            else:
                result.problems.append(ImportProblem(name, line, item))
    return result


def _open(path: Path) -> tuple[str, str]:
    """(name to report, text) of a file, an unzipped export folder or an export zip; raises _Bad."""
    try:
        if path.is_dir():
            for found in [path / EXPORT_CSV, *sorted(path.glob(f"*/{EXPORT_CSV}"))]:
                if found.is_file():
                    return str(found), _decode(found.read_bytes())
            raise _Bad(f"folder has no {EXPORT_CSV}: is it an unzipped Strava export?")
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if PurePosixPath(n).name == EXPORT_CSV]
                if not names:
                    raise _Bad(f"zip has no {EXPORT_CSV}: is it a Strava bulk export?")
                member = min(names, key=lambda n: (n.count("/"), n))  # the export's own, at the top
                return f"{path}:{member}", _decode(archive.read(member))
        return str(path), _decode(path.read_bytes())
    except OSError as exc:
        raise _Bad(f"cannot read it: {exc.strerror or exc}") from exc
    except zipfile.BadZipFile as exc:
        raise _Bad(f"damaged zip file: {exc}") from exc


def _decode(data: bytes) -> str:
    """UTF-8 text without a byte-order mark; raises _Bad."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Bad(f"not UTF-8 text (byte {exc.start})") from exc


def _parser_for(name: str, text: str) -> Parser:
    """The parser that fits the content (the .jsonl name decides only for odd content);
    raises _Bad if none does."""
    lines = (ln.strip() for ln in text.split("\n"))
    first = next((ln for ln in lines if ln and not ln.startswith("#")), "")
    if "Activity ID" in first and "Activity Date" in first:
        return _parse_export
    if first.lower().replace('"', "").startswith("id,date,name,type"):
        return _parse_old_export
    if first.startswith("{") or name.endswith(".jsonl"):
        return _parse_jsonl
    raise _Bad("neither a Strava export activities.csv nor a syncd .jsonl file")


def _parse_old_export(text: str, athlete: str) -> Iterator[Outcome]:
    """The export layout before 2019: the same rows under other column names, distances in metres."""
    return _parse_export(text, athlete, old=True)


def _header_name(title: str) -> str:
    """A column title without the HTML a badly translated export wraps around some of them
    (`<span class="translation_missing" …>Type</span>`)."""
    return re.sub(r"<[^>]*>", "", title).strip()


def _parse_export(text: str, athlete: str, *, old: bool = False) -> Iterator[Outcome]:
    """Each row of an export's activities.csv as an Activity or a reason, with its first line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_header_name(title) for title in next(reader, [])]
    if old:
        header = [_OLD_LAYOUT.get(title.lower(), title) for title in header]
    keys = _unique_keys(header)
    end = reader.line_num
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                yield start, f"row has {len(values)} fields but the header has {len(header)}"
                continue
            named: dict[str, list[str]] = {}
            for title, value in zip(header, values, strict=True):
                named.setdefault(title, []).append(value.strip())
            raw = json.dumps(dict(zip(keys, values, strict=True)), ensure_ascii=False)
            try:
                yield start, _export_activity(named, raw, athlete, metres=old)
            except ValueError as exc:
                yield start, str(exc)
    except csv.Error as exc:
        yield end + 1, f"unreadable CSV from here on: {exc}"


def _unique_keys(header: list[str]) -> list[str]:
    """Header names made unique: later copies of a repeated name get ".1", ".2", ..."""
    seen: dict[str, int] = {}
    keys = []
    for title in header:
        keys.append(f"{title}.{seen[title]}" if title in seen else title)
        seen[title] = seen.get(title, 0) + 1
    return keys


def _export_activity(
    named: dict[str, list[str]], raw: str, athlete: str, *, metres: bool = False
) -> Activity:
    """The Activity for one export row (columns by name, every copy); raises ValueError.
    `metres`: the layout's single Distance column is in metres (before 2019)."""
    activity_id = _best(named, "Activity ID")
    if not activity_id:
        raise _Bad("Activity ID is empty")
    sport_raw = _strava_type(_best(named, "Activity Type"))
    sport = sport_from("strava", sport_raw)
    moving, elapsed, rpe = (_number(named, k) for k in ("Moving Time", "Elapsed Time", "Perceived Exertion"))
    return Activity(
        provider="strava",
        provider_id=activity_id,
        athlete=athlete,
        start_utc=_export_date(_best(named, "Activity Date")),
        sport=sport,
        sport_raw=sport_raw,
        distance_m=_export_distance(
            ["", *named.get("Distance", [])] if metres else named.get("Distance", []), sport
        ),
        moving_s=None if moving is None else round(moving),
        elapsed_s=None if elapsed is None else round(elapsed),
        avg_hr=_number(named, "Average Heart Rate"),
        max_hr=_number(named, "Max Heart Rate"),
        rpe=None if rpe is None else _whole("Perceived Exertion", rpe, exact=True),
        effort_score=_number(named, "Relative Effort"),
        title=_best(named, "Activity Name"),
        description=_best(named, "Activity Description"),
        private_note=_best(named, "Activity Private Note"),
        race=_export_race(named, sport),
        raw_json=raw,
    )


def _export_race(named: dict[str, list[str]], sport: Sport) -> bool:
    """Whether the export marks the run as a race: its "Competition" tag, or a "Workout Type"
    of 1 (Strava's race for runs). Titles are never guessed from (RULES.md)."""
    if not sport.is_run:
        return False
    if _best(named, "Competition").strip().lower() in _TRUE:
        return True
    return _best(named, "Workout Type").strip().lower() in {"1", "1.0", "race"}


def _strava_type(display: str) -> str:
    """The API sport_type for an export display name ("Weight Training" -> "WeightTraining")."""
    name = display.replace(" ", "").replace("-", "")
    return _STRAVA_ALIASES.get(name, name)


def _best(named: dict[str, list[str]], name: str) -> str:
    """The last non-empty copy of a column (later copies are the precise ones), or ""."""
    return next((value for value in reversed(named.get(name, [])) if value), "")


def _number(named: dict[str, list[str]], name: str) -> float | None:
    """The best copy of a numeric column, None when empty; raises _Bad."""
    return _parse_number(name, _best(named, name))


def _parse_number(label: str, text: str) -> float | None:
    """A decimal written with a point or a comma, None when empty; raises _Bad."""
    cleaned = text.replace(" ", "")
    if "," in cleaned:  # the later separator is the decimal one; the other groups thousands
        comma_last = cleaned.rfind(",") > cleaned.rfind(".")
        cleaned = cleaned.replace("." if comma_last else ",", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _Bad(f"{label} {text!r} is not a number")
    return value


def _export_distance(copies: list[str], sport: Sport) -> int | None:
    """Metres: the precise second Distance column, else the first (km; metres for swims)."""
    first, precise = ([*copies, "", ""])[:2]
    metres = _parse_number("Distance", precise)
    if metres is None:
        km_or_m = _parse_number("Distance", first)
        metres = km_or_m if km_or_m is None or sport is Sport.SWIM else km_or_m * 1000
    return None if metres is None else round(metres)


def _month(name: str) -> int:
    """1-12 for an English month name or its abbreviation ("Sep", "Sept", "September")."""
    lower = name.lower().rstrip(".")
    for i, full in enumerate(_FULL_MONTHS):
        if lower[:3] == _MONTHS[i] and full.startswith(lower):
            return i + 1
    raise ValueError(name)


def _export_date(text: str) -> datetime:
    """The UTC start written in an export's "Activity Date", in any layout Strava writes
    (month or day first, English month names, 12- or 24-hour clock, seconds or not, or the
    ISO layout of older exports); raises _Bad."""
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        g = match.groupdict()
        if g["year3"]:
            year, month, day = int(g["year3"]), int(g["month3"]), int(g["day3"])
        else:
            year = int(g["year1"] or g["year2"])
            month = _month(g["mon1"] or g["mon2"])
            day = int(g["day1"] or g["day2"])
        hour, minute, second = int(g["hour"]), int(g["minute"]), int(g["second"] or 0)
        if g["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError(text)
            hour = hour % 12 + (12 if g["ampm"].lower().startswith("p") else 0)
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise _Bad(
            f"Activity Date {text!r} is not a date Strava writes, like 'Jan 1, 2024, 10:00:00 AM' "
            "or '1 Jan 2024, 10:00:00'"
        ) from None


def _whole(label: str, value: float, exact: bool) -> int:
    """A number rounded to an int; raises _Bad for a fraction when `exact`."""
    if exact and not float(value).is_integer():
        raise _Bad(f"{label} {value:g} is not a whole number")
    return round(value)


def _parse_jsonl(text: str, athlete: str) -> Iterator[Outcome]:
    """Each non-blank, non-comment line as an Activity or a reason, with its line number."""
    # split on "\n" only: str.splitlines also breaks at U+2028 and friends inside strings
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            try:
                yield number, _jsonl_activity(stripped, athlete)
            except ValueError as exc:
                yield number, str(exc)


def _jsonl_activity(line: str, athlete: str) -> Activity:
    """The Activity one JSON line describes; raises ValueError with the reason."""
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Bad(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(obj, dict):
        raise _Bad("not a JSON object")
    unknown = sorted(set(obj) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _Bad(f"unknown key {', '.join(map(repr, unknown))}")
    missing = [key for key in _REQUIRED if obj.get(key) in (None, "")]
    if missing:
        raise _Bad(f"missing required key {', '.join(map(repr, missing))}")
    provider, sport, ident = obj["provider"], obj["sport"], obj["id"]
    if not isinstance(provider, str) or not isinstance(sport, str):
        raise _Bad("'provider' and 'sport' must be text")
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        raise _Bad(f"'id' {ident!r} must be text or a whole number")
    start = _aware(obj["start"])
    offset = start.utcoffset()
    extra = {k: _typed(k, v, _OPTIONAL[k]) for k, v in obj.items() if k in _OPTIONAL and v is not None}
    return Activity(
        provider=provider,
        provider_id=str(ident),
        athlete=athlete,
        start_utc=start,
        sport=sport_from(provider, sport),
        sport_raw=sport,
        utc_offset_s=round(offset.total_seconds()) if offset is not None else 0,
        raw_json=json.dumps(obj, sort_keys=True, ensure_ascii=False),
        **extra,
    )


def _aware(value: object) -> datetime:
    """An ISO 8601 time that carries its UTC offset; raises _Bad otherwise."""
    try:
        start = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        start = None
    if start is None:
        raise _Bad(f"start {value!r} is not an ISO 8601 time like 2026-08-03T07:12:00+02:00")
    if start.utcoffset() is None:
        raise _Bad(f"start {value!r} has no UTC offset: add one, e.g. +02:00 or Z")
    return start


def _typed(key: str, value: object, kind: type) -> Any:
    """A JSON value checked against the type its key needs; raises _Bad."""
    if kind is bool or kind is str:
        if not isinstance(value, kind):
            raise _Bad(f"{key} {value!r} must be {'true or false' if kind is bool else 'text'}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(f"{key} {value!r} is not a number")
    return float(value) if kind is float else _whole(key, value, exact=key == "rpe")
