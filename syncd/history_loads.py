"""The load side of `History`: daily loads, the load kind of a window, EWMA and hard days.

A mixin of `syncd.history.History`, which builds the series these methods read."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from datetime import date

from syncd.facts import EFFORT_MIN_SAMPLES, EFFORT_WINDOW_DAYS, HARD_REASONS, LOAD_KINDS, Facts

#: each set of hard reasons as `hard_reasons` gives it, by its bits
_REASONS = [
    tuple(r for k, r in enumerate(HARD_REASONS) if bits >> k & 1) for bits in range(1 << len(HARD_REASONS))
]


class LoadQueries:
    """Load and hard-day queries over the series `History.__init__` builds."""

    n_days: int
    _load: array[float]
    _kind_cum: list[array[float]]
    _ewma: dict[int, array[float]]
    _hard: bytearray  # per day: its HARD_REASONS as bits (bit k: reason k), 255 until asked
    _effort_i: array[int]
    _effort_v: array[float]

    def _i(self, day: date) -> int:
        raise NotImplementedError

    def _clip(self, i: int) -> int:
        raise NotImplementedError

    def days_known(self, day: date) -> int:
        raise NotImplementedError

    def sessions_on(self, day: date, *, include_suspect: bool = False) -> list[Facts]:
        raise NotImplementedError

    def daily_loads(self, last: date, days: int) -> list[float]:
        """The loads of the `days` local days ending on `last`, oldest first (0 before day one)."""
        end = self._i(last) + 1
        pad = [0.0] * max(0, days - end)
        return pad + self._load[self._clip(end - days) : self._clip(end)].tolist()

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
            lam, value, values = 2 / (span + 1), self._load[0] if self._load else 0.0, []
            for x in self._load:
                value = lam * x + (1 - lam) * value
                values.append(value)
            series = self._ewma[span] = array("d", values)
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
        bits = self._hard[i] if 0 <= i < self.n_days else 255
        if bits == 255:
            today = self.sessions_on(day)
            reasons = {r for f in today for r in f.hard_reasons}
            scores = [f.effort_score for f in today if f.effort_score is not None]
            if any(self._effort_top(i, score) for score in scores):
                reasons.add("effort_top_20pct")
            bits = sum(1 << k for k, r in enumerate(HARD_REASONS) if r in reasons)
            if 0 <= i < self.n_days:
                self._hard[i] = bits
        return _REASONS[bits]

    def _effort_top(self, i: int, score: float) -> bool:
        # top 20 %: fewer than a fifth of the scores of the 84 days ending on day i exceed it
        lo = bisect_left(self._effort_i, i - EFFORT_WINDOW_DAYS + 1)
        hi = bisect_right(self._effort_i, i)
        if hi - lo < EFFORT_MIN_SAMPLES:
            return False
        window = sorted(self._effort_v[lo:hi])
        above = len(window) - bisect_right(window, score)
        return 5 * above < len(window)
