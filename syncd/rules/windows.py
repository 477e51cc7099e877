"""Window rules (RULES.md): weekly_progression and acwr, which speak only while running."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Self

from pydantic import Field, model_validator

from syncd.domain import Finding, Severity
from syncd.history import History
from syncd.rules.base import Rule, WeeklyRule, Words, iso_week, km, load_words

_DAY_US = 24 * 3600 * 1_000_000


def running(history: History, day: date, runs: int = 1, days: int = 7) -> bool:
    """RULES.md "Only while running": at least `runs` counted runs in the `days` ending on `day`."""
    return history.run_count(day, days) >= runs


class WeeklyProgression(Rule):
    """Running distance of the last 7 days well above the 7 days before (info only).

    Raised at most once in any 7 days (RULES.md): a finding on day D needs the condition on D
    and no finding on the 6 days before D. Keyed by its day.
    """

    id = "weekly_progression"
    title = "Weekly distance went up"
    grade = "C"
    citation = "nielsen2014"
    citation_text = "Nielsen et al., J Orthop Sports Phys Ther 2014; Damsted et al. 2019"
    metrics = ("last_7d_km", "previous_7d_km", "pct_change")
    SPACING_DAYS = 7

    class Config(Rule.Config):
        min_previous_km: float = Field(
            default=5.0, ge=0, description="No finding unless the previous 7 days had at least this many km."
        )
        pct_over: int = Field(
            default=30,
            ge=0,
            description="Finding when the last 7 days are more than this many percent above the 7 before.",
        )

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "last": words.distance(m["last_7d_km"]),
            "previous": words.distance(m["previous_7d_km"]),
            "pct": words.percent(m["pct_change"]),
        }

    def _holds(self, history: History, day: date) -> bool:
        if history.days_known(day) < 14 or not running(history, day):
            return False  # a partial previous week would overstate the rise
        w1, w0 = history.run_m(day, 7), history.run_m(day - timedelta(days=7), 7)
        floor_m = round(self.config.min_previous_km * 1000)
        return not (w0 < floor_m or w0 == 0 or 100 * (w1 - w0) <= self.config.pct_over * w0)

    def _fires(self, history: History, day: date) -> bool:
        """Whether the rule speaks on `day` (memoised per history; iterative, never recursive)."""
        memo = history.memo
        key = (self.id, id(self))
        fired = memo.setdefault(key, {})
        assert isinstance(fired, dict)
        if day in fired:
            return bool(fired[day])
        # walk back to a point the past cannot influence: 6 quiet days in a row, or day one
        start, quiet = day, 0
        while quiet < self.SPACING_DAYS - 1 and start not in fired and history.days_known(start) > 1:
            start -= timedelta(days=1)
            quiet = 0 if self._holds(history, start) else quiet + 1
        probe = start
        while probe <= day:
            if probe not in fired:
                recent = any(fired.get(probe - timedelta(days=k)) for k in range(1, self.SPACING_DAYS))
                fired[probe] = self._holds(history, probe) and not recent
            probe += timedelta(days=1)
        return bool(fired[day])

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """One info finding for `day` when the rise passes the threshold and none came in 6 days."""
        if not self._fires(history, day):
            return []
        w1, w0 = history.run_m(day, 7), history.run_m(day - timedelta(days=7), 7)
        pct = 100 * (w1 - w0) / w0
        metrics = {"last_7d_km": km(w1), "previous_7d_km": km(w0), "pct_change": pct}
        return [
            self.finding(
                history,
                day,
                Severity.INFO,
                day.isoformat(),
                metrics,
                message=f"{w1 / 1000:.1f} km in 7 days, {pct:.0f} % more than "
                f"the 7 days before ({w0 / 1000:.1f} km).",
            )
        ]


class Acwr(WeeklyRule):
    """The acute:chronic workload ratio, descriptive only: never above info."""

    id = "acwr"
    title = "Acute:chronic workload ratio"
    grade = "X"
    citation = "williams2017"
    citation_text = (
        "Williams et al. 2017 (EWMA ACWR); contested: Lolli 2019, Impellizzeri 2020, Frandsen 2025"
    )
    metrics = ("acwr_ewma", "acwr_rolling_uncoupled", "load_kind")

    class Config(Rule.Config):
        acute_days: int = Field(default=7, ge=1, description="Acute window N (days).")
        chronic_days: int = Field(
            default=28,
            ge=2,
            description=("Chronic window N (days); also the history needed before a ratio is shown."),
        )

        @model_validator(mode="after")
        def _ordered(self) -> Self:
            if self.acute_days >= self.chronic_days:
                raise ValueError(
                    f"acute_days ({self.acute_days}) must be below chronic_days ({self.chronic_days})"
                )
            return self

    digest_line = False  # descriptive only: the digest gives the ratio on a line of its own

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "ewma": f"{float(m['acwr_ewma']):.1f}",
            "rolling": f"{float(m['acwr_rolling_uncoupled']):.1f}",
            "load": load_words(finding, words),
        }

    def evaluate_day(self, history: History, day: date) -> Finding | None:
        """One info finding for `day` (keyed by ISO week) once `chronic_days` of history exist."""
        a, c = self.config.acute_days, self.config.chronic_days
        if history.days_known(day) < c or not running(history, day):
            return None  # RULES.md: load rules speak only while the athlete is running
        chronic = history.ewma(day, c)
        loads = history.daily_loads(day, c)
        acute_sum, before_sum = sum(loads[-a:]), sum(loads[:-a])
        if chronic <= 0 or acute_sum + before_sum == 0:
            return None
        # last `a` days divided by the mean `a`-day load of the days before them
        mean_before = before_sum * a / (c - a)
        rolling = acute_sum / mean_before if mean_before else float("inf")
        kind = history.load_kind(day, c)
        metrics: dict[str, Any] = {
            "acwr_ewma": history.ewma(day, a) / chronic,
            "acwr_rolling_uncoupled": rolling,
            "load_kind": kind,
        }
        return self.finding(
            history,
            day,
            Severity.INFO,
            iso_week(day),
            metrics,
            load_kind=kind,
            message=f"Acute:chronic ratio {metrics['acwr_ewma']:.2f} (descriptive, not a risk score).",
        )
