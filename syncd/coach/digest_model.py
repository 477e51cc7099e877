"""What a weekly digest is: its weeks (the chart's data), its text and push, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from syncd.coach import lang as _lang
from syncd.domain import Finding, Severity


@dataclass(frozen=True, slots=True)
class Spike:
    """A run the spike rule flagged (severity caution or higher)."""

    day: date
    distance_km: float
    severity: Severity


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One week of the chart: the 7 local days `start`..`end`."""

    start: date
    end: date
    run_km: float
    longest_km: float
    strength: int
    spikes: tuple[Spike, ...] = ()
    known: bool = True  # False before the athlete's history begins: no data, not zero
    left_out_km: float = 0.0  # runs left out as implausible (RULES.md: shown wherever the week is)


@dataclass(frozen=True, slots=True)
class Digest:
    """What the digest says (text, push summary) and what its chart draws (weeks, cap)."""

    athlete: str
    day: date
    units: str
    lang: str
    title: str
    text: str
    push_title: str
    push_body: str
    weeks: tuple[WeekPoint, ...]
    cap_km: float
    acwr: float | None
    findings: tuple[Finding, ...]  # this week's, deduplicated, most important first
    folded: frozenset[str]  # keys of findings that were folded into the digest

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the digest."""
        return {
            "athlete": self.athlete,
            "day": self.day.isoformat(),
            "units": self.units,
            "title": self.title,
            "text": self.text,
            "push": {"title": self.push_title, "body": self.push_body},
            "next_run_cap_km": self.cap_km,
            "acwr_ewma": self.acwr,
            "weeks": [
                {
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                    "run_km": w.run_km,
                    "longest_km": w.longest_km,
                    "strength": w.strength,
                    "known": w.known,
                    "left_out_km": w.left_out_km,
                    "spikes": [
                        {"day": s.day.isoformat(), "distance_km": s.distance_km, "severity": s.severity.label}
                        for s in w.spikes
                    ],
                }
                for w in self.weeks
            ],
            "findings": [dict(f.to_json(), folded=f.key in self.folded) for f in self.findings],
        }


def day_label(day: date, lang: str = _lang.DEFAULT_LANG, *, weekday: bool = False) -> str:
    """'3 Nov', or 'Tue 3 Nov' with `weekday`."""
    text = f"{day.day} {_lang.text('digest.months', lang).split()[day.month - 1]}"
    name = _lang.text("digest.weekdays", lang).split()[day.weekday()]
    return f"{name} {text}" if weekday else text


def span(first: date, last: date, lang: str) -> str:
    """The week's dates, e.g. 16-22 Nov, or 30 Nov-6 Dec across months."""
    start = str(first.day) if first.month == last.month else day_label(first, lang)
    return _lang.text("digest.span", lang, first=start, last=day_label(last, lang))


def km(metres: int) -> float:
    """Whole metres as km."""
    return round(metres / 1000, 3)


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
