"""One session's numbers as the rules use them (`Facts`), extracted once, and what they depend
on: the athlete's `Profile`, the session's load, whether its numbers look implausible, and
what the runner said about it (`Marks`, from check-ins). Pure functions; no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd.domain import CheckIn, Session
from syncd.sports import Sport

LOAD_KINDS = ("session_rpe", "trimp", "duration")  # richest first
HARD_REASONS = ("rpe", "hr_zones_4_5", "avg_hr_88pct", "effort_top_20pct", "race")
WINDOW_30D_US = 30 * 24 * 3600 * 1_000_000  # the spike window, in microseconds
EFFORT_WINDOW_DAYS = 84  # "top 20 % of the last 12 weeks"
EFFORT_MIN_SAMPLES = 10  # fewer scored sessions than this: no effort-based hard day
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_TRIMP_AB = {"male": (0.64, 1.92), "female": (0.86, 1.67), None: (0.75, 1.795)}


@dataclass(frozen=True, slots=True)
class Profile:
    """The athlete facts rules need; suspect thresholds are configurable."""

    timezone: str = "UTC"
    sex: Literal["male", "female"] | None = None
    rest_hr: int | None = None
    max_hr: int | None = None
    suspect_fastest_s_per_km: int = 150  # faster than 2:30 min/km ...
    suspect_fastest_over_m: int = 1000  # ... over more than 1 km
    suspect_slowest_s_per_km: int = 1200  # slower than 20 min/km

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if self.sex not in ("male", "female", None):
            raise ValueError(f"sex must be 'male', 'female' or unset, not {self.sex!r}")
        if self.rest_hr is not None and self.max_hr is not None and self.rest_hr >= self.max_hr:
            raise ValueError(f"rest_hr {self.rest_hr} must be below max_hr {self.max_hr}")


@dataclass(frozen=True, slots=True)
class Marks:
    """What the runner said about one session: counted or left out, race or not (None: silent)."""

    counted: bool | None = None  # True: "it was real"; False: "not a run", leave it out
    race: bool | None = None


NO_MARKS = Marks()


@dataclass(frozen=True, slots=True)
class Facts:
    """One session's numbers as the rules use them, extracted once."""

    id: str
    start_utc: datetime
    start_us: int  # microseconds since the epoch: exact window arithmetic
    day: date  # local day in the athlete's time zone
    sport: Sport
    distance_m: int
    duration_s: int | None
    load: float
    load_kind: str
    effort_score: float | None
    hard_reasons: tuple[str, ...]  # reasons known from the session alone
    suspect: str | None  # why the numbers look implausible (or the runner left it out), or None
    session: Session = field(compare=False, repr=False)
    race: bool = False  # the provider or the runner marked it as a race
    marks: Marks = field(default=NO_MARKS, compare=False, repr=False)  # what they were extracted with


def session_load(s: Session, profile: Profile) -> tuple[float, str]:
    """The session's load and its kind, richest input first (RULES.md)."""
    minutes = (s.duration_s or 0) / 60
    if s.rpe is not None:
        return minutes * s.rpe, "session_rpe"
    avg, rest, top = s.avg_hr, profile.rest_hr, profile.max_hr
    if avg is not None and rest is not None and top is not None:
        # clamped so a sensor glitch below rest HR never gives a negative load
        hrr = min(1.0, max(0.0, (avg - rest) / (top - rest)))
        a, b = _TRIMP_AB[profile.sex]
        return minutes * hrr * a * math.exp(b * hrr), "trimp"
    return minutes, "duration"


def suspect_reason(s: Session, profile: Profile) -> str | None:
    """Why the run's numbers look implausible (RULES.md), or None when they look fine.

    Only the pace on moving time counts: a 100 km ultra in 19 h is real, and a watch left
    running inflates elapsed time, not moving time. Without a moving time the elapsed time
    can still show a run too fast (it is never shorter than the moving time), never one too slow.
    """
    dist = s.distance_m
    if not s.sport.is_run or not dist:
        return None  # pace only means something for a run with a distance
    moving = s.moving_s
    fastest = moving if moving is not None else s.elapsed_s
    over = fastest is not None and dist > profile.suspect_fastest_over_m
    if over and fastest is not None and fastest * 1000 < profile.suspect_fastest_s_per_km * dist:
        return f"pace faster than {_pace(profile.suspect_fastest_s_per_km)} min/km"
    if moving is not None and moving * 1000 > profile.suspect_slowest_s_per_km * dist:
        return f"pace slower than {_pace(profile.suspect_slowest_s_per_km)} min/km"
    return None


def _pace(s_per_km: int) -> str:
    return f"{s_per_km // 60}:{s_per_km % 60:02d}"


def _hard_reasons(s: Session, profile: Profile, race: bool) -> tuple[str, ...]:
    reasons = []
    if s.rpe is not None and s.rpe >= 7:
        reasons.append("rpe")
    if (s.hr_zone45_s or 0) >= 600:
        reasons.append("hr_zones_4_5")
    avg, top = s.avg_hr, profile.max_hr
    long_enough = (s.duration_s or 0) >= 1200
    if avg is not None and top is not None and long_enough and avg * 100 >= 88 * top:
        reasons.append("avg_hr_88pct")
    if race:
        reasons.append("race")  # RULES.md: a race is a hard day
    found = tuple(reasons)
    return _REASON_SETS.setdefault(found, found)  # one tuple per set of reasons, not per session


_REASON_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}


_COUNTED = {"real": True, "left_out": False}
_RACE = {"race": True, "not_race": False}


def marks_by_activity(checkins: Iterable[CheckIn]) -> dict[str, Marks]:
    """The runner's latest word on each activity key, from the check-ins about activities."""
    out: dict[str, Marks] = {}
    for c in sorted(checkins, key=lambda c: c.at):
        if c.about is None or (c.kind not in _COUNTED and c.kind not in _RACE):
            continue
        old = out.get(c.about, NO_MARKS)
        if c.kind in _COUNTED:
            out[c.about] = Marks(_COUNTED[c.kind], old.race)
        else:
            out[c.about] = Marks(old.counted, _RACE[c.kind])
    return out


def session_marks(s: Session, by_activity: Mapping[str, Marks]) -> Marks:
    """One session's marks: any copy's mark speaks for the whole workout."""
    found = [by_activity[a.key] for a in s.activities if a.key in by_activity]
    if not found:
        return NO_MARKS
    counted = next((m.counted for m in found if m.counted is not None), None)
    race = next((m.race for m in found if m.race is not None), None)
    return Marks(counted, race)


def facts(s: Session, profile: Profile, marks: Marks = NO_MARKS) -> Facts:
    """Extract the numbers of one session (Session properties are slow to read repeatedly)."""
    start = s.start_utc
    load, kind = session_load(s, profile)
    race = s.race if marks.race is None else marks.race
    suspect = suspect_reason(s, profile)
    if marks.counted is True:
        suspect = None  # the runner confirmed it
    elif marks.counted is False:
        suspect = "you marked it as not a run to count"
    return Facts(
        id=s.id,
        start_utc=start,
        start_us=(start - _EPOCH) // _US,
        day=start.astimezone(ZoneInfo(profile.timezone)).date(),
        sport=s.sport,
        distance_m=int(s.distance_m or 0),
        duration_s=s.duration_s,
        load=load,
        load_kind=kind,
        effort_score=s.effort_score,
        hard_reasons=_hard_reasons(s, profile, race),
        suspect=suspect,
        session=s,
        race=race,
        marks=marks,
    )
