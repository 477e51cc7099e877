"""syncd's own JSON Lines: one activity per line, keys named as the Activity fields they fill."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any, TextIO

from syncd.domain import Activity
from syncd.providers.export_values import whole
from syncd.providers.import_types import Bad, Record, fingerprint, layout_digest
from syncd.sports import sport_from

_REQUIRED = ("provider", "id", "start", "sport")
#: Optional keys (named as the Activity fields they fill) and their types.
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
_LAYOUT = layout_digest("jsonl")


def jsonl_records(stream: TextIO, name: str, athlete: str) -> Iterator[Record]:
    """Each non-blank, non-comment line as a Record with its line number. The stream is
    opened with newline="\n": lines end at "\n" only (str.splitlines would also break at
    U+2028 and friends inside strings)."""
    for number, line in enumerate(stream, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield Record(
                name, number, fingerprint(_LAYOUT, [stripped]), partial(jsonl_activity, stripped, athlete)
            )


def jsonl_activity(line: str, athlete: str) -> Activity:
    """The Activity one JSON line describes; raises ValueError with the reason."""
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Bad(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(obj, dict):
        raise Bad("not a JSON object")
    unknown = sorted(set(obj) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise Bad(f"unknown key {', '.join(map(repr, unknown))}")
    missing = [key for key in _REQUIRED if obj.get(key) in (None, "")]
    if missing:
        raise Bad(f"missing required key {', '.join(map(repr, missing))}")
    provider, sport, ident = obj["provider"], obj["sport"], obj["id"]
    if not isinstance(provider, str) or not isinstance(sport, str):
        raise Bad("'provider' and 'sport' must be text")
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        raise Bad(f"'id' {ident!r} must be text or a whole number")
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
        raise Bad(f"start {value!r} is not an ISO 8601 time like 2026-08-03T07:12:00+02:00")
    if start.utcoffset() is None:
        raise Bad(f"start {value!r} has no UTC offset: add one, e.g. +02:00 or Z")
    return start


def _typed(key: str, value: object, kind: type) -> Any:
    """A JSON value checked against the type its key needs; raises _Bad."""
    if kind is bool or kind is str:
        if not isinstance(value, kind):
            raise Bad(f"{key} {value!r} must be {'true or false' if kind is bool else 'text'}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Bad(f"{key} {value!r} is not a number")
    return float(value) if kind is float else whole(key, value, exact=key == "rpe")
