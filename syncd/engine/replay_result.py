"""What a replay found and delivered, and the summary `syncd replay` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from syncd.domain import Finding


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thing the runner would have received."""

    at: datetime  # UTC
    local: str  # the athlete's local time, ISO
    channel: str  # "push", "note" or "digest"
    rule: str
    severity: str
    title: str
    text: str
    key: str
    day: str  # the local day the finding is about (the week's Sunday for a digest)
    metrics: dict[str, Any] = field(default_factory=dict)  # the finding's numbers, for a push

    def to_json(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "at": self.local,
            "utc": self.at.isoformat(timespec="seconds"),
            "channel": self.channel,
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "key": self.key,
            "day": self.day,
        }


@dataclass
class ReplayResult:
    """Every delivery of a replay, in time order, and the summary `syncd replay` prints."""

    athlete: str
    first: date
    last: date
    deliveries: list[Delivery] = field(default_factory=list)
    run_days: set[date] = field(default_factory=set)  # local days with at least one counted run
    passes: int = 0
    findings: list[Finding] = field(default_factory=list)  # every finding recorded, live ones

    @property
    def run_weeks(self) -> set[str]:
        """The ISO weeks with at least one counted run."""
        return {week_of(d) for d in self.run_days}

    def summary(self) -> dict[str, Any]:
        """Pushes per week with a run (mean, max), notes, digests, share by rule."""
        pushes = [d for d in self.deliveries if d.channel == "push"]
        per_week = Counter(week_of(date.fromisoformat(d.local[:10])) for d in pushes)
        running = sorted(self.run_weeks)
        counts = [per_week.get(w, 0) for w in running]
        by_rule = Counter(d.rule for d in pushes)
        strength = [d for d in pushes if _offers_session(d.rule)]
        strength_weeks = Counter(week_of(date.fromisoformat(d.local[:10])) for d in strength)
        return {
            "weeks_with_run": len(running),
            "pushes": len(pushes),
            "pushes_in_weeks_without_run": sum(n for w, n in per_week.items() if w not in self.run_weeks),
            "pushes_per_running_week_mean": round(sum(counts) / len(running), 3) if running else 0.0,
            "pushes_per_running_week_max": max(counts, default=0),
            "notes": sum(d.channel == "note" for d in self.deliveries),
            "digests": sum(d.channel == "digest" for d in self.deliveries),
            "share_by_rule": {r: round(n / len(pushes), 3) for r, n in by_rule.most_common()},
            "strength_share": round(len(strength) / len(pushes), 3) if pushes else 0.0,
            "strength_pushes_per_week_max": max(strength_weeks.values(), default=0),
            "passes": self.passes,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "athlete": self.athlete,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "deliveries": [d.to_json() for d in self.deliveries],
            "findings": [f.to_json() for f in self.findings],
            "run_days": sorted(d.isoformat() for d in self.run_days),
            "summary": self.summary(),
        }


def _offers_session(rule_id: str) -> bool:
    """Whether the rule's findings are strength prompts (they carry a session)."""
    from syncd.coach.wording import rule_class

    cls = rule_class(rule_id)
    return cls is not None and cls.offers_session


def plain_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics as JSON takes them (an infinite monotony as "inf")."""
    return {k: "inf" if isinstance(v, float) and v == float("inf") else v for k, v in metrics.items()}


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
