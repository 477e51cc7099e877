"""Turn a Finding into words for three channels: push, the activity note, the long form.

The texts live in `strings_<lang>.py`; this module computes the numbers (in the athlete's
units, one decimal), picks the template for the rule and severity, and enforces the limits
of each channel. Rules syncd does not know (third-party plugins) fall back to their own
`title` and `message`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from syncd.coach import lang as _lang
from syncd.coach.session import ONE_LINE_MAX, StrengthSession, offered_session
from syncd.domain import Finding, Severity
from syncd.rules.base import Rule

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


# -- the fields of each rule's templates come from the rule itself -------------------------


@cache
def rule_class(rule_id: str) -> type[Rule] | None:
    """The installed rule class of `rule_id`, or None (a rule that is no longer installed)."""
    from syncd.registry import installed_rules

    return installed_rules().get(rule_id)


@dataclass(frozen=True, slots=True)
class _Words:
    """The coach's number formatting, lent to rules (`syncd.rules.base.Words`)."""

    units: str
    lang: str

    def distance(self, km: float) -> str:
        return distance(km, self.units)

    def cap(self, km: float) -> str:
        return cap_distance(km, self.units)

    def percent(self, pct: float) -> str:
        return percent(pct)

    def number(self, value: float) -> str:
        return number(value, self.lang)

    def text(self, key: str, **fields: Any) -> str:
        return _lang.text(key, self.lang, unit=_lang.text(f"unit.{self.units}", self.lang), **fields)

    def day(self, day: date) -> str:
        return day.strftime("%a %d %b").replace(" 0", " ")


def _render(f: Finding, part: str, units: str, lang: str, **extra: str) -> str | None:
    """The `part` template of the finding's rule, or None when the generic text must do."""
    cls = rule_class(f.rule)
    if cls is None:
        return None
    words = _Words(_check_units(units), lang)
    try:
        own = cls.template_fields(f, words)
        variant = cls.variant(f)
    except (KeyError, TypeError, ValueError):
        return None  # metrics missing or malformed: say what the rule itself said
    if own is None:
        return None
    fields: dict[str, Any] = {"unit": _lang.text(f"unit.{units}", lang), **own, **extra}
    sev = f.severity.label

    def fill(name: str) -> str | None:
        base = f"{f.rule}.{name}"
        keys = (f"{base}.{variant}.{sev}", f"{base}.{variant}") if variant else ()
        key = _lang.first((*keys, f"{base}.{sev}", base), lang)
        return _lang.text(key, lang, **fields) if key else None

    fields["action"] = fill("action") or ""
    return fill(part)


def _session_for(f: Finding, strength: StrengthSession | None) -> StrengthSession | None:
    cls = rule_class(f.rule)
    if cls is None or not cls.offers_session:
        return None
    return strength or offered_session(f.athlete, f.day, gentle=bool(f.metrics.get("gentle")))


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
    cls = rule_class(f.rule)
    return (-int(f.severity), 0 if cls is not None and cls.health else 1)


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
        lines.append(strength.one_line(room, lang, note=True))
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
