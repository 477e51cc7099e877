"""The values of a Strava bulk export's activities.csv: dates in every layout Strava writes,
numbers with a decimal point or comma, distances, and activity type display names."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from syncd.providers.import_types import Bad
from syncd.sports import Sport

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


def strava_type(display: str) -> str:
    """The API sport_type for an export display name ("Weight Training" -> "WeightTraining")."""
    name = display.replace(" ", "").replace("-", "")
    return _STRAVA_ALIASES.get(name, name)


def parse_number(label: str, text: str) -> float | None:
    """A decimal written with a point or a comma, None when empty; raises Bad."""
    if not text:
        return None
    if "," not in text and " " not in text:  # the usual "2980.0": no separator to sort out
        try:
            value = float(text)
        except ValueError:
            raise Bad(f"{label} {text!r} is not a number") from None
        if not math.isfinite(value):
            raise Bad(f"{label} {text!r} is not a number")
        return value
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
        raise Bad(f"{label} {text!r} is not a number")
    return value


def export_distance(copies: list[str], sport: Sport) -> int | None:
    """Metres: the precise second Distance column, else the first (km; metres for swims)."""
    first, precise = ([*copies, "", ""])[:2]
    metres = parse_number("Distance", precise)
    if metres is None:
        km_or_m = parse_number("Distance", first)
        metres = km_or_m if km_or_m is None or sport is Sport.SWIM else km_or_m * 1000
    return None if metres is None else round(metres)


#: every English month name and abbreviation: its first three letters or more
_MONTH_OF = {full[:n]: i + 1 for i, full in enumerate(_FULL_MONTHS) for n in range(3, len(full) + 1)}


def _month(name: str) -> int:
    """1-12 for an English month name or its abbreviation ("Sep", "Sept", "September")."""
    month = _MONTH_OF.get(name.lower().rstrip("."))
    if month is None:
        raise ValueError(name)
    return month


def export_date(text: str) -> datetime:
    """The UTC start written in an export's "Activity Date", in any layout Strava writes
    (month or day first, English month names, 12- or 24-hour clock, seconds or not, or the
    ISO layout of older exports); raises Bad."""
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
        raise Bad(
            f"Activity Date {text!r} is not a date Strava writes, like 'Jan 1, 2024, 10:00:00 AM' "
            "or '1 Jan 2024, 10:00:00'"
        ) from None


def whole(label: str, value: float, exact: bool) -> int:
    """A number rounded to an int; raises Bad for a fraction when `exact`."""
    if exact and not float(value).is_integer():
        raise Bad(f"{label} {value:g} is not a whole number")
    return round(value)
