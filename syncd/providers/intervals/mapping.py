"""intervals.icu Activity payloads → `Activity`, with explicit types.

Fields read: `id`; `start_date` (UTC) and `start_date_local` (the athlete's wall clock),
whose difference is the offset (`timezone` stands in for a missing `start_date`); `type` and
`trainer` (→ Sport, see `types`); `distance` (else intervals.icu's own `icu_distance`);
`moving_time`, `elapsed_time`; `average_heartrate`, `max_heartrate`; the runner's effort:
`icu_rpe` (1-10, as entered in intervals.icu), else `perceived_exertion` (what the watch or
Strava brought), else `session_rpe` ÷ moving minutes (intervals.icu's session RPE is RPE ×
minutes); `feel` (1-5) stays in the raw payload, no rule reads it; `icu_training_load` as the
provider effort score; `icu_hr_zone_times` for time in zones 4-5 (a 5-zone setup: zones 4
and 5; the 7-zone default: zones 4 to 7, threshold and above; other setups: unknown);
`name`, `description`; `race` or `sub_type` RACE for runs; `source` MANUAL → manual.

Links to the other copies (`Activity.same_as`): `source` GARMIN_CONNECT with an
`external_id` holding the Garmin activity id → "garmin:<id>"; `strava_id` → "strava:<id>".

Activities intervals.icu received from Strava come back as a stub (`source` STRAVA, an id, a
start and a `_note`, no numbers): Strava's terms forbid passing them on. `is_strava_stub`
finds them; they are not activities syncd can read.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd.domain import Activity
from syncd.errors import BadPayload
from syncd.providers.intervals.types import sport_of
from syncd.providers.payload import PayloadReader

_ID = re.compile(r"[A-Za-z0-9]{1,40}")
_GARMIN_ID = re.compile(r"\d{6,20}")
MAX_OFFSET = timedelta(hours=14)


def valid_id(ident: object) -> str | None:
    """The id if it is one intervals.icu could have given (letters and digits), else None."""
    return ident if isinstance(ident, str) and _ID.fullmatch(ident) else None


def is_strava_stub(item: Any) -> bool:
    """True for the numberless stub intervals.icu lists in place of a Strava-sourced activity."""
    if not isinstance(item, dict) or item.get("source") != "STRAVA":
        return False
    return all(item.get(k) is None for k in ("distance", "moving_time", "elapsed_time", "type"))


class _Reader(PayloadReader):
    """An intervals.icu payload's fields (`PayloadReader`), and its times."""

    def time(self, key: str) -> datetime | None:
        text = self.text(key)
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            raise BadPayload(f"activity {self.ident}: {key} {text[:30]!r} is not a time") from None


def _start(read: _Reader) -> tuple[datetime, int]:
    """(the start in UTC, the offset of the athlete's clock from UTC in seconds)."""
    utc, local = read.time("start_date"), read.time("start_date_local")
    local = None if local is None else local.replace(tzinfo=None)
    if utc is None and local is not None:
        try:
            utc = local.replace(tzinfo=ZoneInfo(read.text("timezone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            raise read.bad("timezone", "a known time zone") from None
    if utc is None:
        raise BadPayload(f"activity {read.ident}: no start_date")
    utc = (utc if utc.tzinfo else utc.replace(tzinfo=UTC)).astimezone(UTC)
    if local is None:
        return utc, 0
    offset = local - utc.replace(tzinfo=None)
    if abs(offset) > MAX_OFFSET:
        raise BadPayload(f"activity {read.ident}: start_date_local is {offset} away from start_date")
    return utc, round(offset.total_seconds())


def _rpe(read: _Reader, moving_s: int | None) -> int | None:
    """The runner's RPE, 1-10 (see the module docstring); None when none is usable."""
    for value in (read.number("icu_rpe"), read.number("perceived_exertion")):
        if value is not None and 1 <= round(value) <= 10:
            return round(value)
    session = read.number("session_rpe")
    if session and moving_s:
        value = round(session / (moving_s / 60))
        return value if 1 <= value <= 10 else None
    return None


def _zone45(read: _Reader) -> int | None:
    zones = read.item.get("icu_hr_zone_times")
    if zones is None:
        return None
    if not isinstance(zones, list) or not all(isinstance(z, int | float) and z >= 0 for z in zones):
        raise read.bad("icu_hr_zone_times", "a list of seconds")
    if len(zones) not in (5, 7):
        return None
    return round(sum(zones[3:]))


def _links(read: _Reader) -> tuple[str, ...]:
    links = []
    if read.text("source") == "GARMIN_CONNECT":
        found = _GARMIN_ID.findall(read.text("external_id"))
        if found:
            links.append(f"garmin:{found[-1]}")
    strava = read.item.get("strava_id")
    if isinstance(strava, int | str) and not isinstance(strava, bool) and str(strava).isdigit():
        links.append(f"strava:{strava}")
    return tuple(links)


def activity_from(item: Any, athlete: str) -> Activity:
    """The Activity for one intervals.icu Activity payload (the list's items and a single read).

    Raises BadPayload, naming the item and the field, for anything malformed (a Strava stub
    included: see `is_strava_stub`)."""
    if not isinstance(item, dict):
        raise BadPayload("an item that is not a JSON object")
    ident = valid_id(item.get("id"))
    if ident is None:
        raise BadPayload(f"an item without a usable id ({str(item.get('id'))[:20]!r})")
    if is_strava_stub(item):
        raise BadPayload(f"activity {ident} came from Strava: intervals.icu may not pass it on")
    read = _Reader(item, ident)
    start, offset = _start(read)
    sport_raw = read.text("type")
    sport = sport_of(sport_raw, trainer=read.flag("trainer"))
    distance = read.whole("distance")
    moving = read.whole("moving_time")
    try:
        return Activity(
            provider="intervals",
            provider_id=ident,
            athlete=athlete,
            start_utc=start,
            sport=sport,
            sport_raw=sport_raw,
            utc_offset_s=offset,
            distance_m=read.whole("icu_distance") if distance is None else distance,
            moving_s=moving,
            elapsed_s=read.whole("elapsed_time"),
            avg_hr=read.number("average_heartrate"),
            max_hr=read.number("max_heartrate"),
            rpe=_rpe(read, moving),
            effort_score=read.number("icu_training_load"),
            hr_zone45_s=_zone45(read),
            title=read.text("name"),
            description=read.text("description"),
            manual=read.text("source") == "MANUAL",
            trainer=read.flag("trainer"),
            race=sport.is_run and (read.flag("race") or read.text("sub_type") == "RACE"),
            same_as=_links(read),
            raw_json=json.dumps(item, sort_keys=True),
        )
    except ValueError as exc:  # negative distances or durations
        raise BadPayload(f"activity {ident}: {exc}") from None
