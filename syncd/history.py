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

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo

from syncd.domain import CheckIn, Session
from syncd.facts import (
    HARD_REASONS,
    LOAD_KINDS,
    NO_MARKS,
    WINDOW_30D_US,
    Facts,
    Marks,
    Profile,
    facts,
    marks_by_activity,
    session_load,
    session_marks,
    suspect_reason,
)
from syncd.history_loads import LoadQueries

__all__ = [
    "HARD_REASONS",
    "LOAD_KINDS",
    "WINDOW_30D_US",
    "Facts",
    "History",
    "Marks",
    "Profile",
    "build_history",
    "first_changed_day",
    "session_load",
    "suspect_reason",
]


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
    same = previous is not None and previous.profile == profile
    cache = {f.id: f for f in previous.sessions} if previous is not None and same else {}
    athletes = {s.athlete for s in sessions}
    if len(athletes) > 1:
        raise ValueError(f"one athlete per history, got {sorted(athletes)}")
    by_activity = marks_by_activity(checkins)
    out: list[Facts] = []
    for s in sessions:
        marks = session_marks(s, by_activity) if by_activity else NO_MARKS
        found = cache.get(s.id)
        if found is None or found.marks != marks or found.session.activities != s.activities:
            found = facts(s, profile, marks)
        out.append(found)
    athlete = athletes.pop() if athletes else ""
    return History(out, profile, athlete, until, tuple(checkins))


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


class History(LoadQueries):
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
        checkins: tuple[CheckIn, ...] = (),
    ) -> None:
        # the day series are arrays of machine numbers, not lists of Python objects: ten
        # years of them stay small in a daemon that keeps its Histories between passes
        all_facts.sort(key=lambda f: (f.start_us, f.id))
        self.profile, self.athlete = profile, athlete
        self.sessions = tuple(all_facts)
        self._start_us = array("q", [f.start_us for f in all_facts])
        self.checkins = tuple(sorted(checkins, key=lambda c: c.at))
        self.suspects = tuple(f for f in all_facts if f.suspect is not None)
        ok = [f for f in all_facts if f.suspect is None]
        self.runs = tuple(f for f in ok if f.sport.is_run)
        self._run_us = array("q", [f.start_us for f in self.runs])
        self._run_m = array("q", [f.distance_m for f in self.runs])
        #: the first stored session's start (any sport, suspect or not): how far back syncd sees
        self.first_start_us: int | None = all_facts[0].start_us if all_facts else None
        days = [f.day for f in all_facts]
        self.first: date | None = min(days) if days else None
        self.last: date | None = max([*days, until] if until else days) if days else None
        self.n_days = (self.last - self.first).days + 1 if self.first and self.last else 0
        self._o = self.first.toordinal() if self.first else 0
        # the sessions by local day (then start): the start order but where a zone's clock went back
        in_order = all(a <= b for a, b in pairwise(days))
        self._by_day = self.sessions if in_order else tuple(sorted(all_facts, key=lambda f: f.day))
        counts = [0] * self.n_days
        for f in self._by_day:
            counts[f.day.toordinal() - self._o] += 1
        self._day_at = array("l", accumulate(counts, initial=0))  # day i: _by_day[_day_at[i]:_day_at[i+1]]
        self._checkins_on: dict[int, list[CheckIn]] = {}
        for c in self.checkins:
            self._checkins_on.setdefault(c.day.toordinal() - self._o, []).append(c)
        self._index_series(ok)
        scored = sorted(
            (f.day.toordinal() - self._o, f.effort_score) for f in ok if f.effort_score is not None
        )
        self._effort_i = array("l", [i for i, _ in scored])
        self._effort_v = array("d", [v for _, v in scored])
        self._ewma: dict[int, array[float]] = {}
        self._hard = bytearray(b"\xff") * self.n_days  # each day's hard reasons as bits, once asked
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
        self._load = array("d", load)
        self._kind_cum = [array("d", accumulate(series, initial=0.0)) for series in by_kind]
        self._run_cum = array("q", accumulate(run_m, initial=0))
        self._runs_cum = array("q", accumulate(runs, initial=0))
        self._strength_cum = array("q", accumulate(strength, initial=0))
        self._ran_cum = array("q", accumulate(ran, initial=0))
        self._streak = array("l", accumulate(ran, lambda run, r: run + 1 if r else 0, initial=0))[1:]
        # every streak's last day, for the personal streak percentile
        self._streak_ends = array("l", [i for i in range(n) if ran[i] and (i + 1 == n or not ran[i + 1])])

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
        i = self._i(day)
        if not 0 <= i < self.n_days or (lo := self._day_at[i]) == (hi := self._day_at[i + 1]):
            return []
        return [f for f in self._by_day[lo:hi] if include_suspect or f.suspect is None]

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
        pos = bisect_left(self._run_us, run.start_us)
        while self.runs[pos] is not run and self.runs[pos].id != run.id:
            pos += 1
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
        lo, hi = self._day_at[self._clip(end - days + 1)], self._day_at[self._clip(end + 1)]
        return max(
            (f.distance_m for f in self._by_day[lo:hi] if f.suspect is None and f.sport.is_run), default=0
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
