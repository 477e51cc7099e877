"""Daily series and load numbers the rules read: pure functions of sessions and a profile.

No I/O, no clock. Every query for day D reads only sessions whose local day is <= D (the
spike window reads only earlier start times), so a finding for D never changes when later
days are added; the engine therefore re-evaluates only days >= `first_changed_day(...)`.

Load kinds: each session's load uses its richest input (RULES.md): "session_rpe"
(minutes x RPE), else "trimp" (Banister, needs avg HR and the profile's rest and max HR),
else "duration" (minutes). Daily and window loads are sums over sessions of every sport.
A window reports ONE kind: the kind that supplied the largest share of the window's load,
ties going to the richer kind (session_rpe > trimp > duration); an empty window reports
"duration". Monotony's window is its 7 days, acwr's its 28 days.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
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
    return tuple(reasons)


@dataclass(frozen=True, slots=True)
class Marks:
    """What the runner said about one session: counted or left out, race or not (None: silent)."""

    counted: bool | None = None  # True: "it was real"; False: "not a run", leave it out
    race: bool | None = None


NO_MARKS = Marks()
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
    )


def build_history(
    sessions: Sequence[Session],
    profile: Profile,
    *,
    until: date | None = None,
    previous: History | None = None,
    checkins: Sequence[CheckIn] = (),
) -> History:
    """The History of one athlete's sessions and check-ins, its day index extended to `until`.

    `previous` (a History built with the same profile) lets unchanged sessions reuse their
    extracted facts, which is what makes appending a day cheap. Raises ValueError when the
    sessions belong to more than one athlete.
    """
    cache = previous.facts_cache if previous is not None and previous.profile == profile else {}
    athletes = {s.athlete for s in sessions}
    if len(athletes) > 1:
        raise ValueError(f"one athlete per history, got {sorted(athletes)}")
    by_activity = marks_by_activity(checkins)
    new_cache: dict[tuple[str, tuple[object, ...], Marks], Facts] = {}
    for s in sessions:
        marks = session_marks(s, by_activity) if by_activity else NO_MARKS
        key = (s.id, s.activities, marks)
        found = cache.get(key)
        new_cache[key] = found if found is not None else facts(s, profile, marks)
    athlete = athletes.pop() if athletes else ""
    return History(list(new_cache.values()), profile, athlete, until, new_cache, tuple(checkins))


def first_changed_day(old: Sequence[Session], new: Sequence[Session], profile: Profile) -> date | None:
    """The earliest local day whose sessions differ between `old` and `new`; None if none do.

    The engine re-evaluates every day >= this day and keeps earlier findings: a rule's
    finding for day D reads only days <= D. A changed profile changes every day.
    """
    tz = ZoneInfo(profile.timezone)

    def days(sessions: Sequence[Session]) -> dict[tuple[str, tuple[object, ...]], date]:
        return {(s.id, s.activities): s.start_utc.astimezone(tz).date() for s in sessions}

    a, b = days(old), days(new)
    changed = [a[k] for k in a.keys() - b.keys()] + [b[k] for k in b.keys() - a.keys()]
    return min(changed, default=None)


class History:
    """One athlete's sessions indexed by local day, with the windows the rules query.

    Built by `build_history`. Days run from the first session's local day to the last (or
    `until`); days without sessions are zero. Suspect sessions stay listed in `suspects`
    and are left out of every series, window and reference.
    """

    def __init__(
        self,
        all_facts: list[Facts],
        profile: Profile,
        athlete: str,
        until: date | None,
        facts_cache: dict[tuple[str, tuple[object, ...], Marks], Facts],
        checkins: tuple[CheckIn, ...] = (),
    ) -> None:
        all_facts.sort(key=lambda f: (f.start_us, f.id))
        self.profile, self.athlete, self.facts_cache = profile, athlete, facts_cache
        self.sessions = tuple(all_facts)
        self._start_us = [f.start_us for f in all_facts]
        self.checkins = tuple(sorted(checkins, key=lambda c: c.at))
        self.suspects = tuple(f for f in all_facts if f.suspect is not None)
        ok = [f for f in all_facts if f.suspect is None]
        self.runs = tuple(f for f in ok if f.sport.is_run)
        self._run_us = [f.start_us for f in self.runs]
        self._run_m = [f.distance_m for f in self.runs]
        self._run_pos = {f.id: i for i, f in enumerate(self.runs)}
        #: the first stored session's start (any sport, suspect or not): how far back syncd sees
        self.first_start_us: int | None = all_facts[0].start_us if all_facts else None
        days = [f.day for f in all_facts]
        self.first: date | None = min(days) if days else None
        self.last: date | None = max([*days, until] if until else days) if days else None
        self.n_days = (self.last - self.first).days + 1 if self.first and self.last else 0
        self._o = self.first.toordinal() if self.first else 0
        self._on_day: dict[int, list[Facts]] = {}
        for f in all_facts:
            self._on_day.setdefault(f.day.toordinal() - self._o, []).append(f)
        self._checkins_on: dict[int, list[CheckIn]] = {}
        for c in self.checkins:
            self._checkins_on.setdefault(c.day.toordinal() - self._o, []).append(c)
        self._index_series(ok)
        scored = sorted(
            (f.day.toordinal() - self._o, f.effort_score) for f in ok if f.effort_score is not None
        )
        self._effort_i = [i for i, _ in scored]
        self._effort_v = [float(v) for _, v in scored]
        self._ewma: dict[int, list[float]] = {}
        self._hard: dict[int, tuple[str, ...]] = {}
        #: per-history results rules may keep (a rule's earlier days), keyed by the rule
        self.memo: dict[tuple[object, ...], object] = {}

    def _index_series(self, ok: list[Facts]) -> None:
        """Daily series and their prefix sums over the counted (non-suspect) sessions."""
        n = self.n_days
        run_m, runs, strength, load = [0] * n, [0] * n, [0] * n, [0.0] * n
        by_kind = [[0.0] * n for _ in LOAD_KINDS]
        for f in ok:
            i = f.day.toordinal() - self._o
            load[i] += f.load
            by_kind[LOAD_KINDS.index(f.load_kind)][i] += f.load
            if f.sport.is_run:
                run_m[i] += f.distance_m
                runs[i] += 1
            elif f.sport.is_strength:
                strength[i] += 1
        for i, day_checkins in self._checkins_on.items():
            # a session marked done counts once a day, unless the day already has a logged one
            if 0 <= i < n and any(c.kind == "strength_done" for c in day_checkins):
                strength[i] = max(strength[i], 1)
        ran = [r > 0 for r in runs]
        self._load = load
        self._kind_cum = [[0.0, *accumulate(series)] for series in by_kind]
        self._run_cum = [0, *accumulate(run_m)]
        self._runs_cum = [0, *accumulate(runs)]
        self._strength_cum = [0, *accumulate(strength)]
        self._ran_cum = [0, *accumulate(ran)]
        self._streak = list(accumulate(ran, lambda run, r: run + 1 if r else 0, initial=0))[1:]
        # every streak's last day, for the personal streak percentile
        self._streak_ends = [i for i in range(n) if ran[i] and (i + 1 == n or not ran[i + 1])]

    def _i(self, day: date) -> int:
        return day.toordinal() - self._o

    def _clip(self, i: int) -> int:
        return min(max(i, 0), self.n_days)

    def days_known(self, day: date) -> int:
        """How many indexed days lie on or before `day`; ValueError when `day` is past the end."""
        if self.last is None:
            return 0
        if day > self.last:
            raise ValueError(
                f"{day} is after the history's last day {self.last}: build it with until={day.isoformat()}"
            )
        return self._clip(self._i(day) + 1)

    def sessions_on(self, day: date, *, include_suspect: bool = False) -> list[Facts]:
        """The sessions of one local day, in start order."""
        return [f for f in self._on_day.get(self._i(day), ()) if include_suspect or f.suspect is None]

    def runs_on(self, day: date) -> list[Facts]:
        """The non-suspect runs of one local day, in start order."""
        return [f for f in self.sessions_on(day) if f.sport.is_run]

    def reference_run(self, run: Facts, window_us: int = WINDOW_30D_US) -> Facts | None:
        """The longest run starting in [start - window, start), earliest on ties; else None."""
        lo = bisect_left(self._run_us, run.start_us - window_us)
        hi = bisect_left(self._run_us, run.start_us)  # the run itself and later ones are out
        if lo == hi:
            return None
        return self.runs[self._run_m.index(max(self._run_m[lo:hi]), lo, hi)]

    def previous_run(self, run: Facts) -> Facts | None:
        """The run just before `run` in start order, or None for the first run."""
        pos = self._run_pos[run.id]
        return self.runs[pos - 1] if pos else None

    def runs_between(self, lo_us: int, hi_us: int) -> tuple[Facts, ...]:
        """Non-suspect runs starting in [lo_us, hi_us] (microseconds since the epoch)."""
        return self.runs[bisect_left(self._run_us, lo_us) : bisect_right(self._run_us, hi_us)]

    def run_m(self, last: date, days: int) -> int:
        """Whole metres run in the `days` local days ending on `last`."""
        end = self._i(last) + 1
        return self._run_cum[self._clip(end)] - self._run_cum[self._clip(end - days)]

    def run_days(self, last: date, days: int) -> int:
        """How many of the `days` local days ending on `last` have at least one run."""
        end = self._i(last) + 1
        return self._ran_cum[self._clip(end)] - self._ran_cum[self._clip(end - days)]

    def sessions_between(self, lo_us: int, hi_us: int) -> tuple[Facts, ...]:
        """Every session (suspect ones too) starting in [lo_us, hi_us), in start order."""
        return self.sessions[bisect_left(self._start_us, lo_us) : bisect_left(self._start_us, hi_us)]

    def run_count(self, last: date, days: int) -> int:
        """How many counted runs started in the `days` local days ending on `last`."""
        end = self._i(last) + 1
        return self._runs_cum[self._clip(end)] - self._runs_cum[self._clip(end - days)]

    def checkins_between(self, first: date, last: date, kind: str | None = None) -> list[CheckIn]:
        """The runner's check-ins about local days first..last, oldest first (one kind if given)."""
        out = []
        for i in range(self._i(first), self._i(last) + 1):
            out += [c for c in self._checkins_on.get(i, ()) if kind is None or c.kind == kind]
        return out

    def enough_history(self, start_us: int, window_us: int) -> bool:
        """Whether syncd holds the whole `window_us` before `start_us` (RULES.md, "Enough history")."""
        return self.first_start_us is not None and self.first_start_us <= start_us - window_us

    def longest_run_m(self, last: date, days: int) -> int:
        """The longest single run (metres) in the `days` local days ending on `last`."""
        end = self._i(last)
        return max(
            (
                f.distance_m
                for i in range(end - days + 1, end + 1)
                for f in self._on_day.get(i, ())
                if f.suspect is None and f.sport.is_run
            ),
            default=0,
        )

    def streak(self, day: date) -> int:
        """Consecutive local days with a run, ending on `day` (0 when `day` has none)."""
        i = self._i(day)
        return self._streak[i] if 0 <= i < self.n_days else 0

    def streaks_ended(self, first: date, last: date) -> list[int]:
        """Lengths of the streaks whose last day lies in [first, last], oldest first."""
        lo = bisect_left(self._streak_ends, self._i(first))
        hi = bisect_right(self._streak_ends, self._i(last))
        return [self._streak[e] for e in self._streak_ends[lo:hi]]

    def strength_count(self, last: date, days: int) -> int:
        """Strength sessions in the `days` local days ending on `last`."""
        end = self._i(last) + 1
        return self._strength_cum[self._clip(end)] - self._strength_cum[self._clip(end - days)]

    def daily_loads(self, last: date, days: int) -> list[float]:
        """The loads of the `days` local days ending on `last`, oldest first (0 before day one)."""
        end = self._i(last) + 1
        pad = [0.0] * max(0, days - end)
        return pad + self._load[self._clip(end - days) : self._clip(end)]

    def load_kind(self, last: date, days: int) -> str:
        """The kind that supplied most of the window's load; ties go to the richer kind."""
        hi = self._clip(self._i(last) + 1)
        lo = self._clip(self._i(last) + 1 - days)
        # a difference of prefix sums can leave float dust where the window's load is zero
        totals = [round(c[hi] - c[lo], 6) for c in self._kind_cum]
        if not any(totals):
            return "duration"
        return LOAD_KINDS[max(range(3), key=lambda k: (totals[k], -k))]

    def ewma(self, day: date, span: int) -> float:
        """Exponentially weighted daily load, lambda = 2/(span+1), seeded with day one's load."""
        series = self._ewma.get(span)
        if series is None:
            lam, value, series = 2 / (span + 1), self._load[0] if self._load else 0.0, []
            for x in self._load:
                value = lam * x + (1 - lam) * value
                series.append(value)
            self._ewma[span] = series
        i = self._i(day)
        if i >= self.n_days:
            self.days_known(day)  # raises past the end: the EWMA there is not zero
        return series[i] if 0 <= i < self.n_days else 0.0

    def hard_reasons(self, day: date) -> tuple[str, ...]:
        """Why `day` is hard, in HARD_REASONS order; empty when it is not (RULES.md).

        A session that day has RPE >= 7, >= 10 min in HR zones 4-5, average HR >= 88 % of
        the profile's max HR over >= 20 min, or an effort score that fewer than a fifth of
        the scores of the 84 local days ending on `day` exceed (needs 10 scores).
        """
        i = self._i(day)
        if i not in self._hard:
            today = self.sessions_on(day)
            reasons = {r for f in today for r in f.hard_reasons}
            scores = [f.effort_score for f in today if f.effort_score is not None]
            if any(self._effort_top(i, score) for score in scores):
                reasons.add("effort_top_20pct")
            self._hard[i] = tuple(r for r in HARD_REASONS if r in reasons)
        return self._hard[i]

    def _effort_top(self, i: int, score: float) -> bool:
        # top 20 %: fewer than a fifth of the scores of the 84 days ending on day i exceed it
        lo = bisect_left(self._effort_i, i - EFFORT_WINDOW_DAYS + 1)
        hi = bisect_right(self._effort_i, i)
        if hi - lo < EFFORT_MIN_SAMPLES:
            return False
        window = sorted(self._effort_v[lo:hi])
        above = len(window) - bisect_right(window, score)
        return 5 * above < len(window)
