"""Ramp-up rules (RULES.md): session_spike, weekly_progression, acwr, return_from_break."""

from __future__ import annotations

import math
from datetime import date
from statistics import median
from typing import Self

from pydantic import Field, model_validator

from syncd.domain import Finding, Severity
from syncd.history import WINDOW_30D_US, History
from syncd.rules.base import Rule, Words, km
from syncd.rules.pain import mentions

_DAY_US = 24 * 3600 * 1_000_000


def next_run_cap_km(history: History, day: date, cap_pct: int = 10) -> float:
    """The digest's cap as of `day`: the longest run of the 30 local days ending on `day`
    plus `cap_pct` percent, in km (0.0 when there was no run)."""
    return round(history.longest_run_m(day, 30) * (100 + cap_pct) / 100_000, 3)


def pain_mentioned(history: History, start_us: int, days: int = 7) -> bool:
    """Whether the runner mentioned pain (any site) in the `days` before `start_us`, or at it."""
    window = history.sessions_between(start_us - days * _DAY_US, start_us + 1)
    return any(mentions(f) for f in window)


class SessionSpike(Rule):
    """A run much longer than the longest run of the previous 30 days (about the run)."""

    id = "session_spike"
    digest_cap_setting = "cap_pct"
    title = "Longer run than usual"
    grade = "B"
    citation = "frandsen2025"
    citation_text = (
        "Frandsen et al., How much running is too much? Br J Sports Med 2025 "
        "(Garmin-RUNSAFE, 5,205 runners, 588,071 runs)"
    )
    metrics = (
        "distance_km",
        "reference_km",
        "reference_activity",
        "pct_over_reference",
        "next_run_cap_km",
        "typical_run_km",
        "race",
        "min_reference_km",
        "recovery_first",
    )

    class Config(Rule.Config):
        caution_pct: int = Field(
            default=10,
            ge=0,
            description=(
                "A run more than this many percent longer than the reference is a caution "
                "(whole percent; exactly this much is not)."
            ),
        )
        warning_pct: int = Field(default=30, ge=0, description="More than this: a warning.")
        alert_pct: int = Field(default=100, ge=0, description="More than this: an alert.")
        cap_pct: int = Field(
            default=10,
            ge=0,
            description="The next-run cap is the longest run of the last 30 days plus this percent.",
        )
        min_reference_km: float = Field(
            default=5.0,
            ge=0,
            description=(
                "A longest run shorter than this counts as this long: +131 % of 1.6 km is 2 km, "
                "not the increment of load the study describes."
            ),
        )

        @model_validator(mode="after")
        def _ordered(self) -> Self:
            if not self.caution_pct < self.warning_pct < self.alert_pct:
                raise ValueError(
                    "caution_pct < warning_pct < alert_pct must hold, got "
                    f"{self.caution_pct}, {self.warning_pct}, {self.alert_pct}"
                )
            return self

    chart_mark = True
    digest_quotes_note = True

    @classmethod
    def questions(
        cls, finding: Finding, activity: str | None, today: date
    ) -> list[tuple[str, str, str, str]]:
        if not activity:
            return []
        return [
            ("button.run.race", "run", activity, "race"),
            ("button.run.left_out", "run", activity, "left_out"),
        ]

    @classmethod
    def variant(cls, finding: Finding) -> str | None:
        """ "race" after a race, "recover" when recovery comes first (RULES.md), else None."""
        if finding.metrics.get("race"):
            return "race"
        return "recover" if finding.metrics.get("recovery_first") else None

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m, pct = finding.metrics, float(finding.metrics["pct_over_reference"])
        band = 3 if pct > 100 else 2 if pct > 30 else 1 if pct > 10 else 0
        ref, floor = float(m["reference_km"]), float(m.get("min_reference_km", 0.0))
        fields = {
            "distance": words.distance(m["distance_km"]),
            "reference": words.distance(ref),
            "compared": words.distance(max(ref, floor)),
            "cap": words.cap(m["next_run_cap_km"]),
            "pct": words.percent(pct),
            "typical": words.distance(m.get("typical_run_km", ref)),
            "evidence": words.text(f"session_spike.evidence.{band}"),
        }
        floored = ".floor" if ref < floor else ""
        fields["against"] = words.text(f"session_spike.against{floored}", **fields)
        fields["note_against"] = words.text(f"session_spike.note_against{floored}", **fields)
        fields["recover"] = words.text("session_spike.recover", **fields)
        return fields

    def band(self, distance_m: int, reference_m: int) -> Severity | None:
        """The spike band of a run against its (floored) reference; None up to caution_pct."""
        c, d = self.config, distance_m
        r = max(reference_m, round(c.min_reference_km * 1000))
        over = 100 * (d - r)  # integer arithmetic: boundaries land exactly
        if r <= 0 or over <= c.caution_pct * r:
            return None
        if over > c.alert_pct * r:
            return Severity.ALERT
        return Severity.WARNING if over > c.warning_pct * r else Severity.CAUTION

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """A finding for each run on `day` whose band is above none, once 30 days are stored."""
        c = self.config
        out = []
        for run in history.runs_on(day):
            if not history.enough_history(run.start_us, WINDOW_30D_US):
                continue  # the first weeks after a first import are context, not alarms
            ref = history.reference_run(run)
            if ref is None or ref.distance_m == 0:
                continue  # no reference: return_from_break speaks instead
            severity = self.band(run.distance_m, ref.distance_m)
            if severity is None:
                continue
            d, r = run.distance_m, ref.distance_m
            floor_m = round(c.min_reference_km * 1000)
            compared = max(r, floor_m)
            before = history.runs_between(run.start_us - WINDOW_30D_US, run.start_us - 1)
            typical = median(f.distance_m for f in before)
            recovery = severity >= Severity.WARNING or run.race or pain_mentioned(history, run.start_us)
            pct = 100 * (d - compared) / compared
            cap_km = max(d, r) * (100 + c.cap_pct) / 100_000
            metrics = {
                "distance_km": km(d),
                "reference_km": km(r),
                "reference_activity": ref.id,
                "pct_over_reference": pct,
                "next_run_cap_km": round(cap_km, 3),
                "typical_run_km": km(typical),
                "race": run.race,
                "min_reference_km": c.min_reference_km,
                "recovery_first": bool(recovery),
            }
            advice = (
                f"Recover first: the next runs easy and no longer than {typical / 1000:.1f} km."
                if recovery
                else f"Next long run: under {math.floor(cap_km * 10) / 10:.1f} km."
            )
            out.append(
                self.finding(
                    history,
                    day,
                    severity,
                    run.id,
                    metrics,
                    session=run.id,
                    message=(
                        f"{d / 1000:.1f} km is {pct:.0f} % longer than "
                        + (
                            f"your longest run in 30 days ({r / 1000:.1f} km). "
                            if r >= floor_m
                            else f"{compared / 1000:.1f} km, the shortest reference compared with. "
                        )
                        + advice
                    ),
                )
            )
        return out


class ReturnFromBreak(Rule):
    """The first run after a gap: ease back in; after 30 days without running, return mode."""

    id = "return_from_break"
    title = "Back from a break"
    grade = "D"
    citation = "feely2023"
    citation_text = "Feely et al. 2023 (300,000 marathoners); George et al. 2024 (return to run)"
    metrics = ("days_since_previous_run", "typical_run_km_before_break")

    class Config(Rule.Config):
        info_gap_days: int = Field(
            default=7,
            ge=1,
            description=("Info when the previous run's local day is at least this many days earlier."),
        )
        caution_no_run_days: int = Field(
            default=30,
            ge=1,
            description=("Caution when no run started in this many days (x 24 h) before the run."),
        )

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "days": words.number(m["days_since_previous_run"]),
            "typical": words.distance(m["typical_run_km_before_break"]),
            "evidence": words.text("return_from_break.evidence"),
        }

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """A finding on the first run of `day` when the gap before it is long enough."""
        runs = history.runs_on(day)
        if not runs:
            return []
        run = runs[0]
        prev = history.previous_run(run)
        if prev is None:
            return []  # nothing is known from before the first run in the history
        gap = (day - prev.day).days
        if gap < self.config.info_gap_days:
            return []
        window = self.config.caution_no_run_days * _DAY_US
        # the same instant window as the spike rule: caution exactly when it has no reference
        severity = Severity.CAUTION if prev.start_us < run.start_us - window else Severity.INFO
        before = history.runs_between(prev.start_us - WINDOW_30D_US, prev.start_us)
        typical = median(f.distance_m for f in before)
        metrics = {"days_since_previous_run": gap, "typical_run_km_before_break": km(typical)}
        text = (
            f"First run in {gap} days: ease back in with runs no longer than about {typical / 1000:.1f} km."
        )
        if severity is Severity.CAUTION:
            text += " The long-run check has no recent run to compare with yet."
        return [self.finding(history, day, severity, run.id, metrics, session=run.id, message=text)]
