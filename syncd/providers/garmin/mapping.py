"""Garmin Connect payloads → `Activity`: the list item shape, and the detail flattened to it.

What Garmin's payloads say, field by field (checked against recorded responses):
- RPE and feel (`directWorkoutRpe` 10-100, `directWorkoutFeel` 0-100) exist only in the detail's
  `summaryDTO`, never in list items. The provider keeps the detail's few fields under
  "summaryDTO" in the stored item (`with_detail`), and this mapping reads them from there.
- `movingDuration` counts only the seconds the watch saw the runner move: for a strength or
  yoga session (no distance) that is a fraction of the session, so those take `duration`.
- Older payloads give `elapsedDuration` (sometimes other durations) in milliseconds: a value
  100 times the smallest duration or more, that still is one once divided by 1000, is read so.
- A multisport parent (`parent`, or `isMultiSportParent` in the detail) is kept for the record
  but out of every rule (`deleted`) once its legs are known (`metadataDTO.childIds`, from its
  detail): the legs are activities of their own. Until then it counts as itself.
- Races: the event type `race` (`eventType` in the list, `eventTypeDTO` in the detail).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from syncd.domain import Activity
from syncd.errors import BadPayload
from syncd.sports import garmin_sport

#: What the detail adds to a list item; the provider keeps these under "summaryDTO".
DETAIL_KEYS = ("directWorkoutRpe", "directWorkoutFeel")
MS_FACTOR = 100  # a duration this many times the smallest one is in milliseconds


def _field(data: dict[str, Any], key: str, kinds: tuple[type, ...], what: str) -> Any:
    """data[key] if None or of `kinds`; raises BadPayload naming the activity and the field."""
    value = data.get(key)
    flag = isinstance(value, bool)  # a bool is an int to Python: numbers must refuse it
    if value is not None and (flag != (bool in kinds) or not isinstance(value, kinds)):
        raise BadPayload(f"activity {data['activityId']}: {key} is not {what}")
    return value


def _number(data: dict[str, Any], key: str) -> float | None:
    value = _field(data, key, (int, float), "a number")
    return None if value is None else float(value)


def _whole(data: dict[str, Any], key: str) -> int | None:
    value = _number(data, key)
    return None if value is None else round(value)


def _time(data: dict[str, Any], key: str) -> datetime | None:
    """Naive wall-clock time: "2024-01-01 10:00:00" (list) or "2024-01-01T10:00:00.0" (detail)."""
    value = _field(data, key, (str,), "a date and time")
    try:
        return None if value is None else datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise BadPayload(f"activity {data['activityId']}: {key} {value[:30]!r} is not a time") from None


def _rpe(raw: float | None) -> int | None:
    # Garmin keeps the 1-10 exertion prompt × 10; 0 or anything else means "not answered"
    if raw is None or not raw.is_integer() or not 10 <= raw <= 100 or raw % 10:
        return None
    return int(raw) // 10


def _durations(data: dict[str, Any]) -> tuple[int | None, int | None, int | None]:
    """(timer, moving, elapsed) in whole seconds, millisecond values read as such."""
    values = [_number(data, k) for k in ("duration", "movingDuration", "elapsedDuration")]
    positive = [v for v in values if v is not None and v > 0]
    base = min(positive) if positive else None
    out = []
    for value in values:
        if value is not None and base is not None and value >= MS_FACTOR * base and value / 1000 >= base / 2:
            value /= 1000
        out.append(None if value is None else round(value))
    return out[0], out[1], out[2]


def _nested(data: dict[str, Any], outer: str, key: str) -> Any:
    inner = data.get(outer)
    return inner.get(key) if isinstance(inner, dict) else None


def _type(data: dict[str, Any], key: str) -> str:
    kind = data.get(key)
    value = kind.get("typeKey") if isinstance(kind, dict) else None
    return value if isinstance(value, str) else ""


def is_multisport_parent(data: dict[str, Any]) -> bool:
    """Whether the item is the parent of a multisport activity (its legs are listed apart)."""
    return data.get("parent") is True or data.get("isMultiSportParent") is True


def legs_of(data: dict[str, Any]) -> list[int] | None:
    """The ids of a multisport parent's legs, when its detail was read (None: not yet)."""
    ids = _nested(data, "metadataDTO", "childIds")
    if not isinstance(ids, list) or not ids:
        return None
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]


def activity_from(data: Any, athlete: str) -> Activity:
    """The Activity for one item of the list `get_activities` returns (or a flattened detail).

    Raises BadPayload, naming the item and the field, for anything malformed."""
    if not isinstance(data, dict):
        raise BadPayload("an item that is not a JSON object")
    ident = data.get("activityId")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise BadPayload(f"an item without a numeric activityId ({str(ident)[:20]!r})")
    gmt, local = _time(data, "startTimeGMT"), _time(data, "startTimeLocal")
    if gmt is None:
        raise BadPayload(f"activity {ident}: no startTimeGMT")
    offset = 0 if local is None else round((local - gmt).total_seconds())
    if abs(offset) > 14 * 3600:
        raise BadPayload(f"activity {ident}: startTimeLocal is {offset} s away from startTimeGMT")
    type_key = _type(data, "activityType")
    sport = garmin_sport(type_key, _nested(data, "activityType", "parentTypeId"))
    zones = [z for z in (_number(data, "hrTimeInZone_4"), _number(data, "hrTimeInZone_5")) if z is not None]
    timer, moving, elapsed = _durations(data)
    distance = _whole(data, "distance")
    if not distance and timer is not None:
        moving = timer  # no distance (strength, yoga): the watch's "moving" time is a fraction
    summary = data.get("summaryDTO")
    detail = summary if isinstance(summary, dict) else {}
    rpe = _number(detail, "directWorkoutRpe")  # never in list items: from the detail only
    event = _type(data, "eventType") or _type(data, "eventTypeDTO")
    try:
        return Activity(
            provider="garmin",
            provider_id=str(ident),
            athlete=athlete,
            start_utc=gmt.replace(tzinfo=UTC),
            sport=sport,
            sport_raw=type_key,
            utc_offset_s=offset,
            distance_m=distance,
            moving_s=timer if moving is None else moving,
            elapsed_s=timer if elapsed is None else elapsed,
            avg_hr=_number(data, "averageHR"),
            max_hr=_number(data, "maxHR"),
            rpe=_rpe(rpe),
            effort_score=_number(data, "activityTrainingLoad"),
            hr_zone45_s=round(sum(zones)) if zones else None,
            title=_field(data, "activityName", (str,), "text") or "",
            description=_field(data, "description", (str,), "text") or "",
            manual=bool(_field(data, "manualActivity", (bool,), "true or false")),
            race=sport.is_run and event == "race",
            deleted=is_multisport_parent(data) and legs_of(data) is not None,
            raw_json=json.dumps(data, sort_keys=True),
        )
    except ValueError as exc:  # negative distances or durations
        raise BadPayload(f"activity {ident}: {exc}") from None


def with_detail(item: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The list item with what only its detail has: RPE and feel (under "summaryDTO"), the
    description when the item has none, and for a multisport parent its legs (metadataDTO)."""
    summary, meta = detail.get("summaryDTO"), detail.get("metadataDTO")
    summary = summary if isinstance(summary, dict) else {}
    out = {**item, "summaryDTO": {k: summary.get(k) for k in DETAIL_KEYS}}
    if not isinstance(item.get("description"), str) and isinstance(detail.get("description"), str):
        out["description"] = detail["description"]
    if isinstance(meta, dict) and is_multisport_parent({**item, **detail}):
        out["metadataDTO"] = {k: meta.get(k) for k in ("childIds", "childActivityTypes")}
    return out


def detail_known(raw: Any) -> dict[str, Any] | None:
    """What a stored item kept from its detail, in the detail's shape (for `with_detail` on a
    new listing of it), or None if it was never read in detail. List items carry the
    description themselves, so only RPE, feel and legs are carried over."""
    if not isinstance(raw, dict) or not isinstance(raw.get("summaryDTO"), dict):
        return None
    kept: dict[str, Any] = {"summaryDTO": raw["summaryDTO"]}
    if isinstance(raw.get("metadataDTO"), dict):
        kept["metadataDTO"] = raw["metadataDTO"]
    return kept


def flatten_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A `get_activity` payload in the list's shape. The detail nests its numbers in summaryDTO,
    the type in activityTypeDTO, the event type in eventTypeDTO, the manual flag in
    metadataDTO; it has no zone times."""
    summary, meta = detail.get("summaryDTO"), detail.get("metadataDTO")
    flat = {**detail, **(summary if isinstance(summary, dict) else {})}
    flat["activityType"] = detail.get("activityTypeDTO")
    flat["eventType"] = detail.get("eventTypeDTO")
    if isinstance(meta, dict) and "manualActivity" in meta:
        flat["manualActivity"] = meta["manualActivity"]
    return flat
