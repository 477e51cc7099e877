"""Garmin Connect payloads → `Activity`: the list item shape, and the detail flattened to it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from syncd.domain import Activity
from syncd.errors import BadPayload
from syncd.sports import sport_from


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


def activity_from(data: Any, athlete: str) -> Activity:
    """The Activity for one item of the list `get_activities` returns.

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
    kind = data.get("activityType")
    type_key = kind.get("typeKey") if isinstance(kind, dict) else None
    type_key = type_key if isinstance(type_key, str) else ""
    zones = [z for z in (_number(data, "hrTimeInZone_4"), _number(data, "hrTimeInZone_5")) if z is not None]
    timer = _whole(data, "duration")  # pauses excluded: the best stand-in for either missing time
    moving, elapsed = _whole(data, "movingDuration"), _whole(data, "elapsedDuration")
    try:
        return Activity(
            provider="garmin",
            provider_id=str(ident),
            athlete=athlete,
            start_utc=gmt.replace(tzinfo=UTC),
            sport=sport_from("garmin", type_key),
            sport_raw=type_key,
            utc_offset_s=offset,
            distance_m=_whole(data, "distance"),
            moving_s=timer if moving is None else moving,
            elapsed_s=timer if elapsed is None else elapsed,
            avg_hr=_number(data, "averageHR"),
            max_hr=_number(data, "maxHR"),
            rpe=_rpe(_number(data, "directWorkoutRpe")),
            effort_score=_number(data, "activityTrainingLoad"),
            hr_zone45_s=round(sum(zones)) if zones else None,
            title=_field(data, "activityName", (str,), "text") or "",
            description=_field(data, "description", (str,), "text") or "",
            manual=bool(_field(data, "manualActivity", (bool,), "true or false")),
            raw_json=json.dumps(data, sort_keys=True),
        )
    except ValueError as exc:  # negative distances or durations
        raise BadPayload(f"activity {ident}: {exc}") from None


def flatten_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A `get_activity` payload in the list's shape. The detail nests its numbers in summaryDTO,
    the type in activityTypeDTO, the manual flag in metadataDTO; it has no zone times."""
    summary, meta = detail.get("summaryDTO"), detail.get("metadataDTO")
    flat = {**detail, **(summary if isinstance(summary, dict) else {})}
    flat["activityType"] = detail.get("activityTypeDTO")
    if isinstance(meta, dict) and "manualActivity" in meta:
        flat["manualActivity"] = meta["manualActivity"]
    return flat
