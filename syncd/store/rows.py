"""How an `Activity` is laid out in the `activities` table: columns, content hashes, rows back."""

from __future__ import annotations

import hashlib
import json
import re
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
COLUMNS = ("athlete", "provider", "provider_id", *TEXTS, *NUMBERS, *LATER_NUMBERS, "revision", "raw_json")


#: The header line syncd's note block starts with ("— syncd —", dashes of any kind), the same
#: line the pain rule stops reading at (`syncd.rules.pain_words.NOTE_HEADER`).
_NOTE_HEADER = re.compile(r"^[ \t]*[\u2014\u2013-]+[ \t]*syncd[ \t]*[\u2014\u2013-]+[ \t]*$", re.M | re.I)


def next_seq(tx: sqlite3.Connection, athlete: str) -> int:
    """The athlete's change number for the writes of one transaction (one more than any of
    theirs so far): one index lookup, whatever other athletes have stored."""
    row = tx.execute(
        "SELECT COALESCE(MAX(change_seq), 0) + 1 FROM activities WHERE athlete = ?", (athlete,)
    ).fetchone()
    return int(row[0])


def runner_text(description: str) -> str:
    """The description without syncd's own note block (from its header line on): what the
    runner wrote, the only part the rules read."""
    own = _NOTE_HEADER.search(description)
    return description if own is None else description[: own.start()].rstrip()


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
    return value


def content_hash(activity: Activity, names: Iterable[str]) -> str:
    """A short hash of the named columns; syncd's own note block in the description is left
    out, so fetching an activity again after syncd wrote its note is no change."""
    values = [
        runner_text(activity.description) if n == "description" else column_value(activity, n) for n in names
    ]
    if "sport" in names:  # the numbers: a later column joins the hash only when set
        values += [[n, column_value(activity, n)] for n in LATER_NUMBERS if getattr(activity, n)]
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
        revision=row["revision"],
        raw_json=row["raw_json"],
    )
