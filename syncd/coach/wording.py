"""Turn a Finding into words for three channels: push, the activity note, the long form.

The texts live in `strings_<lang>.py`; this module computes the numbers (in the athlete's
units, one decimal), picks the template for the rule and severity, and enforces the limits
of each channel. Rules syncd does not know (third-party plugins) fall back to their own
`title` and `message`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from syncd.coach import lang as _lang
from syncd.coach.session import ONE_LINE_MAX, StrengthSession, offered_session
from syncd.domain import Finding, Severity

Units = Literal["km", "mi"]
Priority = Literal["low", "normal", "high", "urgent"]

KM_PER_MILE = 1.609344
HEADER = "— syncd —"
NOTE_MAX_LINES = 5  # header included
NOTE_MAX_CHARS = 500
NOTE_LINE_MAX = 240
TITLE_MAX = 59  # push title shorter than 60
BODY_MAX = 299  # push body shorter than 300
PRIORITY: dict[Severity, Priority] = {
    Severity.INFO: "low",
    Severity.CAUTION: "normal",
    Severity.WARNING: "high",
    Severity.ALERT: "urgent",
}
_LOAD_KINDS = {
    "session_rpe": "session_rpe",
    "srpe": "session_rpe",
    "rpe": "session_rpe",
    "trimp": "trimp",
    "duration": "duration",
    "minutes": "duration",
    "time": "duration",
}


@dataclass(frozen=True, slots=True)
class PushMessage:
    title: str
    body: str
    priority: Priority


# -- numbers -----------------------------------------------------------------------------


def _check_units(units: str) -> Units:
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', not {units!r}")
    return "km" if units == "km" else "mi"


def distance(km: float, units: str) -> str:
    """A distance given in km, shown in `units` with one decimal: 16.0 km → "9.9" in mi."""
    value = float(km) / KM_PER_MILE if _check_units(units) == "mi" else float(km)
    return f"{value:.1f}"


def cap_distance(km: float, units: str) -> str:
    """Like `distance`, rounded down, so "under X" never exceeds the computed cap."""
    value = float(km) / KM_PER_MILE if _check_units(units) == "mi" else float(km)
    return f"{math.floor(value * 10 + 1e-6) / 10:.1f}"


def percent(pct: float) -> str:
    """Whole percent, with one decimal where rounding would land on a band edge."""
    whole = round(float(pct))
    if whole in (10, 30, 100) and abs(float(pct) - whole) > 1e-9:
        return f"{float(pct):.1f}"
    return str(whole)


def number(value: float, lang: str = _lang.DEFAULT_LANG) -> str:
    """One decimal; whole numbers without it; infinity as words."""
    value = float(value)
    if not math.isfinite(value):
        return _lang.text("value.same_every_day", lang)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- facts per rule: the fields their templates use -----------------------------------------

Fields = dict[str, str]


def _load(f: Finding, lang: str) -> str:
    raw = f.metrics.get("load_kind") or f.load_kind
    if not raw:
        return _lang.text("load.unknown", lang)
    known = _LOAD_KINDS.get(str(raw).lower())
    return _lang.text(f"load.{known}", lang) if known else str(raw).replace("_", " ")


def _spike(f: Finding, u: str, lang: str) -> Fields:
    m, pct = f.metrics, float(f.metrics["pct_over_reference"])
    band = 3 if pct > 100 else 2 if pct > 30 else 1 if pct > 10 else 0
    return {
        "distance": distance(m["distance_km"], u),
        "reference": distance(m["reference_km"], u),
        "cap": cap_distance(m["next_run_cap_km"], u),
        "pct": percent(pct),
        "evidence": _lang.text(f"session_spike.evidence.{band}", lang),
    }


def _weekly(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    return {
        "last": distance(m["last_7d_km"], u),
        "previous": distance(m["previous_7d_km"], u),
        "pct": percent(m["pct_change"]),
    }


def _acwr(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    return {
        "ewma": f"{float(m['acwr_ewma']):.1f}",
        "rolling": f"{float(m['acwr_rolling_uncoupled']):.1f}",
        "load": _load(f, lang),
    }


def _break(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    return {
        "days": number(m["days_since_previous_run"]),
        "typical": distance(m["typical_run_km_before_break"], u),
        "evidence": _lang.text("return_from_break.evidence", lang),
    }


def _monotony(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    return {
        "monotony": number(m["monotony"], lang),
        "strain": number(m["strain"], lang),
        "load": _load(f, lang),
    }


def _streak(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    return {
        "streak": number(m["streak_days"]),
        "rest": number(m["rest_days_last_7"]),
        "p90": number(m["personal_p90_streak"]),
    }


def _hard(f: Finding, u: str, lang: str) -> Fields:
    days, reasons = f.metrics["hard_days"], f.metrics.get("reasons")
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
    text = _clip(str(reasons), 110) if reasons else _lang.text("back_to_back_hard.no_reasons", lang)
    return {"count": str(count), "reasons": text}


def _strength(f: Finding, u: str, lang: str) -> Fields:
    m = f.metrics
    target = int(m["target_per_week"])
    # the reference article recommends 2 to 3 sessions a week; the rule prompts below `target`
    shown = f"{target} to 3" if target < 3 else number(target)
    return {"n7": number(m["strength_last_7d"]), "n14": number(m["strength_last_14d"]), "target": shown}


def _pain(f: Finding, u: str, lang: str) -> Fields:
    matched = str(f.metrics["matched_text"]).replace('"', "'")
    return {
        "matched": _clip(matched, 50),
        "activity": str(f.metrics.get("activity") or ""),
        "day": f.day.strftime("%a %d %b").replace(" 0", " "),
    }


_FACTS: dict[str, Callable[[Finding, str, str], Fields]] = {
    "session_spike": _spike,
    "weekly_progression": _weekly,
    "acwr": _acwr,
    "return_from_break": _break,
    "monotony": _monotony,
    "run_streak": _streak,
    "back_to_back_hard": _hard,
    "strength_frequency": _strength,
    "pain_reported": _pain,
}


def _render(f: Finding, part: str, units: str, lang: str, **extra: str) -> str | None:
    """The `part` template of the finding's rule, or None when the generic text must do."""
    facts = _FACTS.get(f.rule)
    if facts is None:
        return None
    unit = _lang.text(f"unit.{_check_units(units)}", lang)
    try:
        fields: dict[str, Any] = {"unit": unit, **facts(f, units, lang), **extra}
    except (KeyError, TypeError, ValueError):
        return None  # metrics missing or malformed: say what the rule itself said
    sev = f.severity.label

    def fill(name: str) -> str | None:
        key = _lang.first((f"{f.rule}.{name}.{sev}", f"{f.rule}.{name}"), lang)
        return _lang.text(key, lang, **fields) if key else None

    fields["action"] = fill("action") or ""
    return fill(part)


def _session_for(f: Finding, strength: StrengthSession | None) -> StrengthSession | None:
    if f.rule != "strength_frequency":
        return None
    return strength or offered_session(f.athlete, f.day)


# -- channels ------------------------------------------------------------------------------


def push(
    finding: Finding,
    units: str = "km",
    *,
    strength: StrengthSession | None = None,
    lang: str = _lang.DEFAULT_LANG,
) -> PushMessage:
    """A phone notification: short title, one action in the body, priority from severity."""
    _check_units(units)
    title = _render(finding, "title", units, lang) or finding.title or finding.rule
    session = _session_for(finding, strength)
    body: str | None
    if session is not None:
        bare = _render(finding, "push", units, lang, session="") or ""
        room = min(ONE_LINE_MAX, BODY_MAX - len(bare))
        body = _render(finding, "push", units, lang, session=session.one_line(room, lang))
    else:
        body = _render(finding, "push", units, lang)
    if body is None:
        body = finding.message or finding.title
    return PushMessage(
        title=_clip(title, TITLE_MAX), body=_clip(body, BODY_MAX), priority=PRIORITY[finding.severity]
    )


def note_lines(finding: Finding, units: str = "km", *, lang: str = _lang.DEFAULT_LANG) -> list[str]:
    """The lines this finding adds to the activity note (public: calm, nothing private)."""
    _check_units(units)
    line = _render(finding, "note", units, lang)
    if line is None:  # third-party rule: its own words, without exclamation marks
        line = (finding.message or finding.title).replace("!", ".")
    return [_clip(line, NOTE_LINE_MAX)] if line.strip() else []


def _note_order(f: Finding) -> tuple[int, int]:
    return (-int(f.severity), 0 if f.rule == "pain_reported" else 1)


def note_block(
    findings: Iterable[Finding],
    units: str = "km",
    strength: StrengthSession | None = None,
    *,
    lang: str = _lang.DEFAULT_LANG,
) -> str:
    """The whole syncd block for one activity: header, then at most 4 lines, ≤ 500 chars.

    Findings are ordered highest severity first (pain first among equals); the strength
    session, when given, is the last line. Which severities get a note is the caller's
    choice (DESIGN.md, "Who hears what"). Nothing to say gives "".
    """
    lines: list[str] = []
    for f in sorted(findings, key=_note_order):
        lines += [line for line in note_lines(f, units, lang=lang) if line not in lines]
    lines = lines[: NOTE_MAX_LINES - 1 - (1 if strength is not None else 0)]

    def size(body: list[str]) -> int:
        return len("\n".join([HEADER, *body]))

    while lines and size(lines) > NOTE_MAX_CHARS:
        lines.pop()
    if strength is not None:
        while lines and NOTE_MAX_CHARS - size(lines) - 1 < 80:
            lines.pop()
        room = min(ONE_LINE_MAX, NOTE_MAX_CHARS - size(lines) - 1)
        lines.append(strength.one_line(room, lang))
    return "\n".join([HEADER, *lines]) if lines else ""


def long_form(
    finding: Finding,
    units: str = "km",
    *,
    strength: StrengthSession | None = None,
    lang: str = _lang.DEFAULT_LANG,
) -> str:
    """Several sentences for `syncd check` and the digest, with the evidence and its source."""
    _check_units(units)
    title = _render(finding, "title", units, lang) or finding.title or finding.rule
    session = _session_for(finding, strength)
    extra = {"session": session.long(lang)} if session is not None else {}
    body = _render(finding, "long", units, lang, **extra)
    if body is None:
        body = finding.message or finding.title
    out = [
        _lang.text(
            "long.heading", lang, title=title, severity=_lang.text(f"sev.{finding.severity.label}", lang)
        ),
        body,
        _lang.text("long.disclaimer", lang),
    ]
    if finding.citation:
        out.append(_lang.text("long.source", lang, citation=finding.citation))
    return "\n".join(out)
