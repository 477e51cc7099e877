"""How an `Activity` is laid out in the `activities` table: columns, content hashes, rows back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from syncd.domain import Activity
from syncd.sports import Sport

NUMBERS = (
    "sport",
    "distance_m",
    "moving_s",
    "elapsed_s",
    "avg_hr",
    "max_hr",
    "rpe",
    "effort_score",
    "hr_zone45_s",
    "manual",
    "trainer",
    "deleted",
)
#: columns added after the first release: hashed only when set, so rows stored before keep their hash
LATER_NUMBERS = ("race",)
TEXTS = ("start_utc", "utc_offset_s", "sport_raw", "title", "description", "private_note")
LATER_TEXTS = ("same_as",)
COLUMNS = (
    "athlete",
    "provider",
    "provider_id",
    *TEXTS,
    *NUMBERS,
    *LATER_NUMBERS,
    *LATER_TEXTS,
    "revision",
    "raw_json",
)


def next_seq(tx: sqlite3.Connection) -> int:
    """The change number for the writes of one transaction (one more than any so far)."""
    return int(tx.execute("SELECT COALESCE(MAX(change_seq), 0) + 1 FROM activities").fetchone()[0])


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class UpsertResult:
    """What an upsert changed, in counts (what to re-evaluate comes from `changes_since`)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


def column_value(activity: Activity, name: str) -> Any:
    value = getattr(activity, name)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Sport):
        return value.value
    if isinstance(value, tuple):  # same_as: keys never hold spaces
        return " ".join(value)
    return value


def content_hash(activity: Activity, names: Iterable[str]) -> str:
    values = [column_value(activity, n) for n in names]
    later = LATER_NUMBERS if "sport" in names else LATER_TEXTS if "title" in names else ()
    # a later column joins the hash only when set, so rows stored before keep their hash
    values += [[n, column_value(activity, n)] for n in later if getattr(activity, n)]
    payload = json.dumps(values, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def activity_from_row(row: sqlite3.Row) -> Activity:
    return Activity(
        provider=row["provider"],
        provider_id=row["provider_id"],
        athlete=row["athlete"],
        start_utc=datetime.fromisoformat(row["start_utc"]),
        sport=Sport(row["sport"]),
        sport_raw=row["sport_raw"],
        utc_offset_s=row["utc_offset_s"],
        distance_m=row["distance_m"],
        moving_s=row["moving_s"],
        elapsed_s=row["elapsed_s"],
        avg_hr=row["avg_hr"],
        max_hr=row["max_hr"],
        rpe=row["rpe"],
        effort_score=row["effort_score"],
        hr_zone45_s=row["hr_zone45_s"],
        title=row["title"],
        description=row["description"],
        private_note=row["private_note"],
        manual=bool(row["manual"]),
        trainer=bool(row["trainer"]),
        deleted=bool(row["deleted"]),
        race=bool(row["race"]),
        same_as=tuple(row["same_as"].split()),
        revision=row["revision"],
        raw_json=row["raw_json"],
    )
