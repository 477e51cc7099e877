"""Recovery rules (RULES.md): monotony, run_streak, back_to_back_hard, strength_frequency."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Self

from pydantic import Field, model_validator

from syncd.domain import Finding, Severity
from syncd.history import HARD_REASONS, History
from syncd.rules.base import Rule, WeeklyRule, Words, iso_week, load_words


def nearest_rank(values: list[int], pct: int) -> int:
    """The nearest-rank percentile: the ceil(pct/100 * n)-th smallest value; 0 when empty."""
    if not values:
        return 0
    rank = (pct * len(values) + 99) // 100  # ceil in integers
    return sorted(values)[max(rank, 1) - 1]


class Monotony(WeeklyRule):
    """Foster's monotony over the last 7 days (population SD, rest days as 0)."""

    id = "monotony"
    title = "Same load every day"
    grade = "C"
    citation = "foster1998"
    citation_text = "Foster, Med Sci Sports Exerc 1998 (monitoring training, overtraining)"
    metrics = ("monotony", "strain", "load_kind")

    class Config(Rule.Config):
        info_at: float = Field(default=1.5, gt=0, description="Info at or above this monotony.")
        caution_above: float = Field(default=2.0, gt=0, description="Caution above this.")

        @model_validator(mode="after")
        def _ordered(self) -> Self:
            if self.info_at > self.caution_above:
                raise ValueError(
                    f"info_at ({self.info_at}) must not exceed caution_above ({self.caution_above})"
                )
            return self

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "monotony": words.number(m["monotony"]),
            "strain": words.number(m["strain"]),
            "load": load_words(finding, words),
        }

    def evaluate_day(self, history: History, day: date) -> Finding | None:
        """One finding for `day` (keyed by ISO week) when monotony reaches `info_at`."""
        if history.days_known(day) < 7 or history.run_count(day, 7) == 0:
            return None  # RULES.md: only while the athlete is running
        loads = history.daily_loads(day, 7)
        total = sum(loads)
        if total <= 0:
            return None
        if max(loads) == min(loads):
            value = math.inf  # SD exactly 0 (tested on the values, not on rounded arithmetic)
        else:
            mean = total / 7
            value = mean / math.sqrt(sum((x - mean) ** 2 for x in loads) / 7)
        if value > self.config.caution_above:
            severity = Severity.CAUTION
        elif value >= self.config.info_at:
            severity = Severity.INFO
        else:
            return None
        kind = history.load_kind(day, 7)
        metrics = {"monotony": value, "strain": total * value, "load_kind": kind}
        return self.finding(
            history,
            day,
            severity,
            iso_week(day),
            metrics,
            load_kind=kind,
            message="Your load has been much the same every day this week; an easy or rest day adds variety.",
        )


class RunStreak(WeeklyRule):
    """Many days in a row with a run, judged against the runner's own recent streaks.

    personal_p90_streak: nearest-rank 90th percentile of the lengths of the streaks whose
    last day falls in the `p90_window_days` days before the current streak's first day
    (full lengths); 0 when there are none. Findings are keyed by the streak's first day.
    """

    id = "run_streak"
    title = "Run streak"
    grade = "D"
    citation = "pollock1977"
    citation_text = "Pollock et al., Med Sci Sports 1977 (frequency and injury in novices)"
    metrics = ("streak_days", "rest_days_last_7", "personal_p90_streak")

    class Config(Rule.Config):
        min_streak_days: int = Field(
            default=4,
            ge=1,
            description=("Report streaks of at least this many days (shorter ones are not news)."),
        )
        caution_streak_days: int = Field(
            default=7,
            ge=1,
            description=("Caution from this many days, with no rest day in 7, above the personal p90."),
        )
        p90_window_days: int = Field(
            default=84,
            ge=1,
            description=("Earlier streaks ending in this many days before the streak set the personal p90."),
        )

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "streak": words.number(m["streak_days"]),
            "rest": words.number(m["rest_days_last_7"]),
            "p90": words.number(m["personal_p90_streak"]),
        }

    def period_start(self, history: History, day: date) -> date:
        """A streak's findings share the streak's first day as their key."""
        return day - timedelta(days=max(history.streak(day), 1) - 1)

    def evaluate_day(self, history: History, day: date) -> Finding | None:
        """The finding for `day` while a streak of `min_streak_days` or more runs."""
        c = self.config
        streak = history.streak(day)
        if streak < c.min_streak_days:
            return None
        start = day - timedelta(days=streak - 1)
        earlier = history.streaks_ended(start - timedelta(days=c.p90_window_days), start - timedelta(days=1))
        p90 = nearest_rank(earlier, 90)
        rest = 7 - history.run_days(day, 7)
        long = streak >= c.caution_streak_days and rest == 0 and streak > p90
        metrics = {"streak_days": streak, "rest_days_last_7": rest, "personal_p90_streak": p90}
        return self.finding(
            history,
            day,
            Severity.CAUTION if long else Severity.INFO,
            f"streak-{start.isoformat()}",
            metrics,
            message=f"{streak} days in a row with a run; a rest day helps your legs adapt.",
        )


class BackToBackHard(Rule):
    """Two hard days in a row (hard-easy principle); info with a hint to go easy next."""

    id = "back_to_back_hard"
    title = "Two hard days in a row"
    grade = "D"
    citation = "hard_easy"
    citation_text = "The hard-easy principle (expert consensus)"
    metrics = ("hard_days", "reasons")

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        days, reasons = finding.metrics["hard_days"], finding.metrics.get("reasons")
        if isinstance(days, str):
            count = len([d for d in days.split(",") if d.strip()])  # "2026-11-20,2026-11-21"
        elif isinstance(days, Sequence):
            count = len(days)
        else:
            count = int(days)
        if isinstance(reasons, dict):
            reasons = [f"{k}: {v}" for k, v in reasons.items()]
        if isinstance(reasons, Iterable) and not isinstance(reasons, str):
            reasons = "; ".join(str(r) for r in reasons)
        text = str(reasons)[:110] if reasons else words.text("back_to_back_hard.no_reasons")
        return {"count": str(count), "reasons": text}

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """One info finding for `day` when both `day` and the day before are hard."""
        yesterday = day - timedelta(days=1)
        today_r, before_r = history.hard_reasons(day), history.hard_reasons(yesterday)
        if not today_r or not before_r:
            return []
        both = set(before_r + today_r)
        joined = ",".join(r for r in HARD_REASONS if r in both)
        metrics = {"hard_days": f"{yesterday.isoformat()},{day.isoformat()}", "reasons": joined}
        return [
            self.finding(
                history,
                day,
                Severity.INFO,
                day.isoformat(),
                metrics,
                message="Two hard days in a row: make tomorrow easy.",
            )
        ]


# the strength prompt has a module of its own; it is still found here, where it began
from syncd.rules.strength import StrengthFrequency  # noqa: E402

__all__ = ["BackToBackHard", "Monotony", "RunStreak", "StrengthFrequency", "nearest_rank"]
