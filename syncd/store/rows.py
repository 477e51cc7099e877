"""How an `Activity` is laid out in the `activities` table: columns, content hashes, rows back."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii
from operator import attrgetter
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


_GETTERS: dict[tuple[str, ...], Callable[[Activity], tuple[Any, ...]]] = {}


def _stored(value: Any) -> Any:
    """A value as the table holds it: times as ISO text, flags as 0/1, sports by name."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Sport):
        return value.value
    if isinstance(value, tuple):  # same_as: keys never hold spaces
        return " ".join(value)
    return value


def column_value(activity: Activity, name: str) -> Any:
    return _stored(getattr(activity, name))


#: how a value of each type an Activity holds is stored (None: as it is); others go to `_stored`
_STORED_AS: dict[type, Callable[[Any], Any] | None] = {
    str: None,
    int: None,
    float: None,
    type(None): None,
    datetime: datetime.isoformat,
    bool: int,
    Sport: attrgetter("value"),
    tuple: " ".join,
}


def column_values(activity: Activity, names: tuple[str, ...]) -> list[Any]:
    """The named columns' values as the table holds them (one C call fetches them all)."""
    getter = _GETTERS.get(names)
    if getter is None:
        getter = _GETTERS.setdefault(names, attrgetter(*names))
    get = _STORED_AS.get
    return [v if (how := get(type(v), _stored)) is None else how(v) for v in getter(activity)]


#: where the texts, the numbers and the later columns sit in `column_values(a, FIELDS)`
FIELDS = COLUMNS[:-2]  # a copy's own columns; the store adds revision and raw_json
_TEXTS = slice(3, 3 + len(TEXTS))
_NUMBERS = slice(_TEXTS.stop, _TEXTS.stop + len(NUMBERS))
_LATER_NUMBERS = tuple(
    zip(LATER_NUMBERS, range(_NUMBERS.stop, _NUMBERS.stop + len(LATER_NUMBERS)), strict=True)
)
_AFTER = _NUMBERS.stop + len(LATER_NUMBERS)
_LATER_TEXTS = tuple(zip(LATER_TEXTS, range(_AFTER, _AFTER + len(LATER_TEXTS)), strict=True))
_DESCRIPTION = TEXTS.index("description")


def content_of(values: list[Any]) -> str:
    """The content hash ("numbers:texts", as `content_hash` gives them) of a copy whose
    `column_values(a, FIELDS)` are `values`: one pass over the copy serves hash and row.
    A later column joins its hash only when set, so rows stored before keep their hash."""
    texts = values[_TEXTS]
    texts[_DESCRIPTION] = runner_text(texts[_DESCRIPTION])
    texts += [[n, values[i]] for n, i in _LATER_TEXTS if values[i]]
    numbers = values[_NUMBERS] + [[n, values[i]] for n, i in _LATER_NUMBERS if values[i]]
    return f"{_digest(numbers)}:{_digest(texts)}"


_ENCODER = json.JSONEncoder(default=str)  # what json.dumps(values, default=str) builds each call
#: the C encoder that JSONEncoder.encode builds anew on every call, built once (the same
#: arguments, no check for cycles: a row's values hold none); None without the C module
_C_ENCODE: Callable[[Any, int], Iterable[str]] | None = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(None, str, encode_basestring_ascii, None, ": ", ", ", False, False, True)
)


def _digest(values: list[Any]) -> str:
    text = _ENCODER.encode(values) if _C_ENCODE is None else "".join(_C_ENCODE(values, 0))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def content_hash(activity: Activity, names: tuple[str, ...]) -> str:
    """A short hash of the named columns; syncd's own note block in the description is left
    out, so fetching an activity again after syncd wrote its note is no change."""
    values = column_values(activity, names)
    if "description" in names:
        at = names.index("description")
        values[at] = runner_text(values[at])
    later = LATER_NUMBERS if "sport" in names else LATER_TEXTS if "title" in names else ()
    # a later column joins the hash only when set, so rows stored before keep their hash
    values += [[n, column_value(activity, n)] for n in later if getattr(activity, n)]
    return _digest(values)


#: the columns of an Activity, in the order of its fields (for `activity_from_tuple`)
ACTIVITY_COLUMNS = (
    "provider, provider_id, athlete, start_utc, sport, sport_raw, utc_offset_s, distance_m, moving_s, "
    "elapsed_s, avg_hr, max_hr, rpe, effort_score, hr_zone45_s, title, description, private_note, "
    "manual, trainer, deleted, race, same_as, revision"
)
_SPORTS = {s.value: s for s in Sport}
_TZ_UTC = UTC


def activity_from_tuple(row: tuple[Any, ...], raw_json: str = "{}") -> Activity:
    """The Activity of a row selected as ACTIVITY_COLUMNS (the fast way to read thousands).
    The values thousands of rows share (provider, athlete, type name, offset, a title like
    "Morning Run", heart rates and scores) are kept once: ten years of activities stay small
    in a daemon's memory."""
    start = datetime.fromisoformat(row[3])
    if start.tzinfo is not _TZ_UTC:
        start = start.astimezone(_TZ_UTC)
    return Activity(
        _shared(row[0]), row[1], _shared(row[2]), start, _SPORTS.get(row[4]) or Sport(row[4]),
        _shared(row[5]), _shared(row[6]), row[7], row[8], row[9], _real(row[10]), _real(row[11]),
        row[12], _real(row[13]), row[14], _shared(row[15]), row[16], row[17], bool(row[18]),
        bool(row[19]), bool(row[20]),
        bool(row[21]), tuple(row[22].split()) if row[22] else (), row[23], raw_json,
    )  # fmt: skip


_SHARED: dict[Any, Any] = {}


def _shared(value: Any) -> Any:
    """One object for each short text or number seen (the first 4,096 of them: the common
    ones come early, and a unique title is not kept alive for nothing). Only texts and
    whole numbers come here, which never compare equal to each other."""
    found = _SHARED.get(value)
    if found is None:
        if len(_SHARED) >= 4096 or (isinstance(value, str) and len(value) > 40):
            return value
        found = _SHARED[value] = value
    return found


_REALS: dict[float, float] = {}


def _real(value: float | None) -> float | None:
    """One object for each heart rate or score seen (the first 4,096 of them, as `_shared`);
    kept apart from `_shared`, where a whole number would stand for the equal float."""
    if value is None:
        return None
    found = _REALS.get(value)
    if found is None:
        if len(_REALS) >= 4096:
            return value
        found = _REALS[value] = value
    return found


_OWN_FIELDS = attrgetter(*(name.strip() for name in ACTIVITY_COLUMNS.split(",")))


def without_raw(activity: Activity) -> Activity:
    """The same copy without its raw payload (what the sessions and rules are given)."""
    make: Any = Activity  # positional, from the fields in order (dataclasses.replace is 5x slower)
    copy: Activity = make(*_OWN_FIELDS(activity), "{}")
    return copy


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
