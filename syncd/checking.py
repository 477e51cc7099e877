"""`syncd check` and `syncd rules`: evaluate stored history on demand; nothing is recorded."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from syncd.config import Config
from syncd.domain import Finding
from syncd.evaluation import stored_history
from syncd.history import History, Profile
from syncd.registry import evaluate_range, installed_rules, load_rules
from syncd.rules.base import Rule
from syncd.store import Store


def athlete_profile(config: Config, store: Store, name: str, timezone: str | None = None) -> Profile:
    """The athlete's profile from the config, else the time zone the state recorded."""
    from dataclasses import replace

    from syncd.engine.context import profile_of

    for athlete in config.athletes:
        if athlete.name == name:
            profile = profile_of(config, athlete)
            return replace(profile, timezone=timezone) if timezone else profile
    stored = {r["name"]: r["timezone"] for r in store.athletes()}
    return Profile(timezone=timezone or stored.get(name) or config.daemon.timezone)


def today_in(profile: Profile) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(profile.timezone)).date()


@dataclass
class CheckResult:
    findings: list[Finding]
    failures: list[str]
    suspects: list[dict[str, Any]] = field(default_factory=list)
    first: date | None = None
    last: date | None = None


def check(
    config: Config, store: Store, athlete: str, first: date, last: date, rules: list[Rule] | None = None
) -> CheckResult:
    """Every enabled rule's findings for the days first..last, and the suspect sessions."""
    profile = athlete_profile(config, store, athlete)
    history = stored_history(store, athlete, profile, until=last)
    rules = load_rules(config.rules) if rules is None else rules
    findings, failures = evaluate_range(rules, history, first, last)
    return CheckResult(findings, [str(f) for f in failures], suspects(history), first, last)


def suspects(history: History) -> list[dict[str, Any]]:
    """The sessions left out of every rule (RULES.md), with the activity ids to confirm them by."""
    return [
        {
            "session": f.id,
            "activities": [a.key for a in f.session.activities],
            "day": f.day.isoformat(),
            "sport": f.sport.value,
            "distance_km": round(f.distance_m / 1000, 2),
            "moving_s": f.session.moving_s,
            "reason": f.suspect,
        }
        for f in history.suspects
        if f.day is not None
    ]


def check_json(result: CheckResult) -> dict[str, Any]:
    """`syncd check --json`: the findings, the runs left out in the period, and rule failures."""
    first, last = result.first, result.last
    left_out = [
        s
        for s in result.suspects
        if (first is None or s["day"] >= first.isoformat()) and (last is None or s["day"] <= last.isoformat())
    ]
    return {
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "findings": [f.to_json() for f in result.findings],
        "left_out": left_out,
        "rule_failures": result.failures,
    }


def render_check(result: CheckResult, units: str = "km") -> str:
    """A readable table: day, severity, rule, and the runner-facing text."""
    from syncd.coach.wording import long_form

    period = f"{result.first}" if result.first == result.last else f"{result.first} to {result.last}"
    if not result.findings:
        lines = [f"No findings for {period}."]
    else:
        lines = [f"{len(result.findings)} finding(s) for {period}:", ""]
        lines.append(f"{'DAY':<10}  {'SEVERITY':<8}  {'RULE':<18}  TITLE")
        for f in sorted(result.findings, key=lambda f: (f.day, -int(f.severity), f.rule)):
            lines.append(f"{f.day.isoformat():<10}  {f.severity.label:<8}  {f.rule:<18}  {f.title}")
        lines += ["", "Details:"]
        ordered = sorted(result.findings, key=lambda f: (f.day, -int(f.severity), f.rule))
        # prompts that carry a whole strength session: detail only the last one in full
        prompts = [f for f in ordered if _offers_session(f)]
        for f in ordered:
            if _offers_session(f) and f is not prompts[-1]:
                continue
            lines += ["", f"[{f.day}] {f.severity.label} · {f.rule}", long_form(f, units)]
    shown = check_json(result)["left_out"]
    if shown:
        lines += ["", "Left out of every rule (`syncd confirm ACTIVITY` counts one that was real):"]
        lines += [
            f"  {s['day']} {s['sport']} {s['distance_km']} km — {s['reason']} ({', '.join(s['activities'])})"
            for s in shown
        ]
    for failure in result.failures:
        lines.append(f"rule skipped after an error: {failure}")
    return "\n".join(lines)


def _offers_session(f: Finding) -> bool:
    from syncd.coach.wording import rule_class

    cls = rule_class(f.rule)
    return cls is not None and cls.offers_session


def rules_table(config: Config) -> list[dict[str, Any]]:
    """Installed rules with grade, citation and the thresholds in force."""
    configured = {r.id: r for r in load_rules(config.rules)}
    out = []
    for rule_id, cls in sorted(installed_rules().items()):
        rule = configured.get(rule_id)
        settings = (rule.config if rule else cls.Config(**config.rules.get(rule_id, {}))).model_dump()
        out.append(
            {
                "id": rule_id,
                "title": cls.title,
                "grade": cls.grade,
                "citation": cls.citation,
                "source": cls.citation_text,
                "enabled": rule is not None,
                "module": cls.__module__,
                "settings": settings,
            }
        )
    return out


def render_rules(table: list[dict[str, Any]]) -> str:
    lines = []
    for r in table:
        state = "" if r["enabled"] else "  (disabled)"
        lines.append(f"{r['id']}  [grade {r['grade']}]{state}  {r['title']}")
        lines.append(f"    source: {r['source']}")
        settings = {k: v for k, v in r["settings"].items() if k != "enabled"}
        if settings:
            shown = ", ".join(
                f"{k}={'inf' if isinstance(v, float) and math.isinf(v) else v}" for k, v in settings.items()
            )
            lines.append(f"    thresholds: {shown}")
    return "\n".join(lines)
