"""The things syncd reasons about: activities, sessions, findings. Frozen, typed, UTC-aware."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import IntEnum
from typing import Any

from syncd.sports import Sport, sport_from

__all__ = ["Activity", "Finding", "Session", "Severity", "Sport", "sport_from", "utc"]

#: The rank of a provider none was given for: after every installed one.
UNRANKED = 9


def json_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics with infinities as the string "inf" (JSON has no infinity)."""
    return {k: "inf" if isinstance(v, float) and math.isinf(v) else v for k, v in metrics.items()}


def utc(value: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused (they are ambiguous)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: a time zone is required")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Activity:
    """One recorded workout as one provider holds it."""

    provider: str
    provider_id: str
    athlete: str
    start_utc: datetime
    sport: Sport
    sport_raw: str = ""
    utc_offset_s: int = 0  # the recording device's offset from UTC, as the provider reports it
    distance_m: int | None = None
    moving_s: int | None = None
    elapsed_s: int | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    rpe: int | None = None  # the runner's perceived exertion, 1-10
    effort_score: float | None = None  # provider effort score (Strava suffer score, ...)
    hr_zone45_s: int | None = None  # seconds in heart-rate zones 4-5, when known
    title: str = ""
    description: str = ""
    private_note: str = ""
    manual: bool = False
    trainer: bool = False
    deleted: bool = False
    race: bool = False  # the provider marks it as a race (never guessed from the title)
    # keys ("garmin:123") of other providers' copies of this workout, as this provider names them
    same_as: tuple[str, ...] = ()
    revision: int = 0  # bumped by the store each time the content changes
    raw_json: str = field(default="{}", compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.start_utc.tzinfo is not UTC:
            object.__setattr__(self, "start_utc", utc(self.start_utc))
        if self.rpe is not None and type(self.rpe) is not int:
            raise ValueError(f"rpe {self.rpe!r} is not a whole number")
        if self.rpe is not None and not 1 <= self.rpe <= 10:
            raise ValueError(f"rpe {self.rpe} is outside 1-10")
        for name in ("distance_m", "moving_s", "elapsed_s"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} is negative ({value})")

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.provider_id}"

    @property
    def raw(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.raw_json)
        return loaded

    @property
    def duration_s(self) -> int | None:
        return self.moving_s if self.moving_s is not None else self.elapsed_s

    def richness(self) -> int:
        """How many of the numbers rules use this copy carries."""
        fields = (
            self.distance_m,
            self.moving_s,
            self.elapsed_s,
            self.avg_hr,
            self.max_hr,
            self.rpe,
            self.effort_score,
            self.hr_zone45_s,
        )
        return sum(v is not None for v in fields)


@dataclass(frozen=True, slots=True)
class Session:
    """One real-world workout: one activity per provider that recorded it.

    `primary` supplies the numbers: the most recently edited copy, then the richest, then
    by provider rank (`rank`: provider name → rank, lowest first; the providers' own
    `Provider.rank`). Numbers the primary lacks are taken from the other copies.
    """

    id: str
    athlete: str
    activities: tuple[Activity, ...]
    rank: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    # chosen once, on creation (slots, not a cached property: thousands of sessions stay small)
    primary: Activity = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        acts = self.activities
        first = acts[0] if len(acts) == 1 else min(acts, key=self._primacy) if acts else None
        object.__setattr__(self, "primary", first)

    def _primacy(self, a: Activity) -> tuple[object, ...]:
        return (-a.revision, -a.richness(), self.rank.get(a.provider, UNRANKED), a.provider, a.provider_id)

    def _pick(self, name: str) -> Any:
        value = getattr(self.primary, name)
        if value is None:
            for other in sorted(self.activities, key=lambda a: (-a.richness(), a.key)):
                value = getattr(other, name)
                if value is not None:
                    break
        return value

    @property
    def start_utc(self) -> datetime:
        # the primary copy's start, like its other numbers: a poorer copy stamped a second
        # earlier must not move the run to another day or out of a 30-day window
        return self.primary.start_utc

    @property
    def sport(self) -> Sport:
        return self.primary.sport

    @property
    def distance_m(self) -> int | None:
        value: int | None = self._pick("distance_m")
        return value

    @property
    def moving_s(self) -> int | None:
        value: int | None = self._pick("moving_s")
        return value

    @property
    def elapsed_s(self) -> int | None:
        value: int | None = self._pick("elapsed_s")
        return value

    @property
    def avg_hr(self) -> float | None:
        value: float | None = self._pick("avg_hr")
        return value

    @property
    def max_hr(self) -> float | None:
        value: float | None = self._pick("max_hr")
        return value

    @property
    def rpe(self) -> int | None:
        value: int | None = self._pick("rpe")
        return value

    @property
    def effort_score(self) -> float | None:
        value: float | None = self._pick("effort_score")
        return value

    @property
    def hr_zone45_s(self) -> int | None:
        value: int | None = self._pick("hr_zone45_s")
        return value

    @property
    def duration_s(self) -> int | None:
        moving = self.moving_s
        return moving if moving is not None else self.elapsed_s

    @property
    def race(self) -> bool:
        """Whether any copy's provider marks this workout as a race."""
        return any(a.race for a in self.activities)

    @property
    def texts(self) -> tuple[str, ...]:
        """The runner's own words on every copy (title, description, private note)."""
        out: list[str] = []
        for a in self.activities:
            out += [t for t in (a.title, a.description, a.private_note) if t]
        return tuple(out)


class Severity(IntEnum):
    """How loudly a finding is delivered; ordered, lowest first."""

    INFO = 0
    CAUTION = 1
    WARNING = 2
    ALERT = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found on one day: numbers, a stable key, and who it is about."""

    rule: str
    severity: Severity
    athlete: str
    day: date
    key: str  # stable: rule + athlete + the period or session it is about
    title: str
    message: str
    metrics: dict[str, Any]
    citation: str
    load_kind: str | None = None
    session: str | None = None  # Session.id when the finding is about one workout

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "athlete": self.athlete,
            "day": self.day.isoformat(),
            "key": self.key,
            "session": self.session,
            "title": self.title,
            "message": self.message,
            "metrics": json_metrics(self.metrics),
            "citation": self.citation,
            "load_kind": self.load_kind,
        }


#: What a runner can tell syncd (a check-in): the kinds the rules read.
CHECKIN_KINDS = (
    "strength_done",  # a strength session done on `day` (the runner did not log it anywhere)
    "strength_skip_week",  # "not this week": no strength prompt until the next Monday
    "real",  # `about` (an activity key) is a real run: count it even if it looks implausible
    "left_out",  # `about` is not a run to count: leave it out of every rule
    "race",  # `about` was a race
    "not_race",  # `about` was not a race, whatever the provider says
    "knee_pain",  # knee pain during and after a run, 0-10 in `value`
    "knee_morning",  # the knee the next morning: "better", "same" or "worse" in `value`
    "knee_settled",  # the runner says the knee has settled
    "fewer",  # fewer messages like this: `about` is a rule id
    "fewer_undo",  # undo "fewer": `about` is a rule id
)


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One answer from the runner, with the local day it is about and when it was given."""

    athlete: str
    kind: str
    day: date
    at: datetime
    value: str | int | None = None
    about: str | None = None  # an activity key ("strava:123") or a rule id, by kind

    def __post_init__(self) -> None:
        if self.kind not in CHECKIN_KINDS:
            raise ValueError(f"unknown check-in kind {self.kind!r}; one of: {', '.join(CHECKIN_KINDS)}")
        if self.at.tzinfo is None:
            raise ValueError("a check-in's time needs a time zone")
