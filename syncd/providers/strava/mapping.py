"""Strava payloads → `Activity`: SummaryActivity (the list) and DetailedActivity (one read),
with explicit types, and the detail-only fields merged onto a summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from syncd.domain import Activity
from syncd.errors import BadPayload
from syncd.providers.payload import PayloadReader
from syncd.sports import sport_from

#: Fields only the detailed representation has; their presence marks a copy as detailed.
DETAIL_KEYS = ("description", "private_note", "perceived_exertion")


class _Reader(PayloadReader):
    """A Strava payload's fields (`PayloadReader`), and its start."""

    def start(self) -> datetime:
        text = self.text("start_date")
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            raise BadPayload(f"activity {self.ident}: no readable start_date") from None
        return start if start.tzinfo else start.replace(tzinfo=UTC)


def activity_from(item: Any, athlete: str) -> Activity:
    """The Activity for one SummaryActivity or DetailedActivity payload.

    Raises BadPayload (naming the item and the field) for anything malformed."""
    if not isinstance(item, dict):
        raise BadPayload("an item that is not a JSON object")
    ident = item.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise BadPayload(f"an item without a numeric id ({str(ident)[:20]!r})")
    read = _Reader(item, ident)
    sport_raw = read.text("sport_type") or read.text("type")  # sport_type is newer, finer
    rpe = read.number("perceived_exertion")
    sport = sport_from("strava", sport_raw)
    try:
        return Activity(
            provider="strava",
            provider_id=str(ident),
            athlete=athlete,
            start_utc=read.start(),
            sport=sport,
            sport_raw=sport_raw,
            utc_offset_s=read.whole("utc_offset") or 0,
            distance_m=read.whole("distance"),
            moving_s=read.whole("moving_time"),
            elapsed_s=read.whole("elapsed_time"),
            avg_hr=read.number("average_heartrate"),
            max_hr=read.number("max_heartrate"),
            # an effort outside Strava's 1-10 slider is noise, not a reason to drop the run
            rpe=int(rpe) if rpe is not None and rpe.is_integer() and 1 <= rpe <= 10 else None,
            effort_score=read.number("suffer_score"),
            title=read.text("name"),
            description=read.text("description"),
            private_note=read.text("private_note"),
            manual=read.flag("manual"),
            trainer=read.flag("trainer"),
            # Strava's workout_type 1 is a race for runs (RULES.md: never guessed from the title)
            race=sport.is_run and read.whole("workout_type") == 1,
            raw_json=json.dumps(item, sort_keys=True),
        )
    except ValueError as exc:  # negative distances or durations, out-of-range values
        raise BadPayload(f"activity {ident}: {exc}") from None


def with_details(summary: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The summary plus the detail-only fields (all present, maybe None: the marker)."""
    return {**summary, **{k: detail.get(k) for k in DETAIL_KEYS}}
