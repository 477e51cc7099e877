"""The digest's parts: its findings' lines, the head (distance, longest run, cap or recovery,
strength), runs left out, and the push-sized summary; the chart's weeks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from statistics import median

from syncd.coach import lang as _lang
from syncd.coach import wording
from syncd.coach.digest_model import Spike, WeekPoint, clip, day_label, km
from syncd.domain import Finding
from syncd.history import Facts, History
from syncd.rules.base import Rule
from syncd.rules.strength import recovery_moments
from syncd.rules.windows import Acwr

STRENGTH_TARGET = (2, 3)
PREVIOUS_WEEKS = 4  # weeks compared with this one in the text


def rule_of(f: Finding) -> type[Rule] | None:
    return wording.rule_class(f.rule)


def has(f: Finding, attribute: str) -> bool:
    """A class attribute of the finding's rule (False for a rule no longer installed)."""
    cls = rule_of(f)
    return bool(getattr(cls, attribute, False)) if cls is not None else attribute == "digest_line"


def dedupe(findings: Iterable[Finding]) -> dict[str, Finding]:
    """One finding per key: the most severe, then the latest day."""
    best: dict[str, Finding] = {}
    for f in findings:
        old = best.get(f.key)
        if old is None or (f.severity, f.day) > (old.severity, old.day):
            best[f.key] = f
    return best


def week_findings(by_key: dict[str, Finding], folded: set[str]) -> tuple[list[Finding], set[str]]:
    """The text's findings: acwr left out, day-level findings of one rule collapsed to one."""
    shown: dict[str, Finding] = {}
    marks: set[str] = set()
    for f in by_key.values():
        if not has(f, "digest_line"):
            continue
        group = f.key if f.session else f"{f.rule}:day-level"
        old = shown.get(group)
        if old is None or (f.severity, f.day) > (old.severity, old.day):
            shown[group] = f
        if f.key in folded:
            marks.add(group)
    ordered = sorted(
        shown.items(), key=lambda kv: (-kv[1].severity, not has(kv[1], "health"), kv[1].day, kv[1].key)
    )
    return [f for _, f in ordered], {f.key for g, f in ordered if g in marks}


def week_points(history: History, day: date, count: int, spikes: Sequence[Finding]) -> list[WeekPoint]:
    """The `count` weeks ending on `day`, oldest first."""
    out = []
    for back in range(count - 1, -1, -1):
        end = day - timedelta(days=7 * back)
        start = end - timedelta(days=6)
        marks = tuple(
            Spike(f.day, float(f.metrics.get("distance_km", 0.0)), f.severity)
            for f in spikes
            if start <= f.day <= end
        )
        out.append(
            WeekPoint(
                start,
                end,
                km(history.run_m(end, 7)),
                km(history.longest_run_m(end, 7)),
                history.strength_count(end, 7),
                marks,
                history.first is not None and end >= history.first,
                km(sum(f.distance_m for f in history.suspects if start <= f.day <= end and f.sport.is_run)),
            )
        )
    return out


def acwr_of(history: History, day: date) -> float | None:
    """The EWMA ratio as of `day` itself (the rule reports a week's first value only)."""
    if history.days_known(day) < 28:
        return None
    found = Acwr().evaluate_day(history, day)
    return float(found.metrics["acwr_ewma"]) if found is not None else None


def finding_line(f: Finding, folded: bool, units: str, lang: str) -> str:
    """One line per finding: its push text, or its note where the push speaks of "today"."""
    message = wording.push(f, units, lang=lang)
    body = message.body
    if has(f, "digest_quotes_note"):
        body = " ".join(wording.note_lines(f, units, lang=lang)) or f.message
    return _lang.text(
        "digest.finding",
        lang,
        day=day_label(f.day, lang, weekday=True),
        title=message.title,
        text=body,
        folded=_lang.text("digest.folded", lang) if folded else "",
    )


def recover_line(
    history: History, moment: str, day: date, typical_km: float | None, units: str, lang: str
) -> str:
    """Recovery first, with the runner's usual run: the spike finding's, else the median run
    of the 30 days before the moment's day."""
    if typical_km is None:
        runs = [f.distance_m for i in range(1, 31) for f in history.runs_on(day - timedelta(days=i))]
        typical_km = round(median(runs) / 1000, 3) if runs else 0.0
    return _lang.text(
        "digest.recover",
        lang,
        moment=_lang.text(f"digest.moment.{moment}", lang),
        typical=wording.distance(typical_km, units),
        unit=_lang.text(f"unit.{units}", lang),
    )


def big_longest_day(history: History, day: date) -> date | None:
    """The day of the longest run of the 30 days ending on `day` when that run was a race or a
    warning or alert spike: a ceiling of it plus 10 % would read as permission (RULES.md)."""
    runs = [f for i in range(30) for f in history.runs_on(day - timedelta(days=i))]
    if not runs:
        return None
    longest = max(runs, key=lambda f: (f.distance_m, f.start_us))
    kinds = recovery_moments(history, longest.day)
    return longest.day if "race" in kinds or "spike" in kinds else None


def build_from_usual_line(history: History, big_day: date, units: str, lang: str) -> str:
    """Instead of a ceiling built on a big step up: build from the usual runs before it."""
    runs = [f.distance_m for i in range(1, 31) for f in history.runs_on(big_day - timedelta(days=i))]
    typical = round(median(runs) / 1000, 3) if runs else 0.0
    return _lang.text(
        "digest.cap.after_big",
        lang,
        day=day_label(big_day, lang, weekday=True),
        typical=wording.distance(typical, units),
        unit=_lang.text(f"unit.{units}", lang),
    )


def left_out_line(suspects: Sequence[Facts], first: date, last: date, units: str, lang: str) -> str:
    """One line naming the runs of the week left out as implausible (RULES.md), or ""."""
    runs = [f for f in suspects if first <= f.day <= last and f.sport.is_run]
    if not runs:
        return ""
    named = ", ".join(
        _lang.text(
            "digest.left_out.run",
            lang,
            day=day_label(f.day, lang, weekday=True),
            km=wording.distance(km(f.distance_m), units),
            unit=_lang.text(f"unit.{units}", lang),
            reason=f.suspect,
        )
        for f in runs
    )
    key = "digest.left_out.1" if len(runs) == 1 else "digest.left_out.n"
    return _lang.text(key, lang, n=len(runs), runs=named)


def head_lines(
    history: History, series: list[WeekPoint], cap: float, cap_pct: int, units: str, lang: str
) -> list[str]:
    """Distance against the weeks before, the longest run, the cap, strength against 2-3."""
    this, u = series[-1], _lang.text(f"unit.{units}", lang)

    def d(km: float) -> str:
        return wording.distance(km, units)

    before = [w for w in series[-PREVIOUS_WEEKS - 1 : -1] if w.known]
    head = [
        _lang.text(
            "digest.distance",
            lang,
            km=d(this.run_km),
            unit=u,
            n=len(before),
            previous=", ".join(d(w.run_km) for w in before),
        )
        if before
        else _lang.text("digest.distance.alone", lang, km=d(this.run_km), unit=u)
    ]
    runs = [f for i in range(7) for f in history.runs_on(this.start + timedelta(days=i))]
    if runs:
        longest = max(runs, key=lambda f: f.distance_m)
        head.append(
            _lang.text(
                "digest.longest",
                lang,
                km=d(km(longest.distance_m)),
                unit=u,
                day=day_label(longest.day, lang, weekday=True),
            )
        )
    head.append(
        _lang.text("digest.cap", lang, cap=wording.cap_distance(cap, units), unit=u, pct=cap_pct)
        if cap
        else _lang.text("digest.cap.none", lang)
    )
    low, high = STRENGTH_TARGET
    key = "digest.strength.met" if this.strength >= low else f"digest.strength.{this.strength}"
    return [*head, _lang.text(key, lang, n=this.strength, low=low, high=high)]


def push_summary(
    week: WeekPoint, cap: float, listed: list[Finding], units: str, lang: str
) -> tuple[str, str]:
    """A push-sized summary: title under 60, body under 300 characters."""
    run, u = wording.distance(week.run_km, units), _lang.text(f"unit.{units}", lang)
    if listed:
        title = _lang.text("digest.push.title", lang, km=run, unit=u, n=len(listed))
    else:
        title = _lang.text("digest.push.title.quiet", lang, km=run, unit=u)
    top = ""
    if any(has(f, "health") for f in listed):
        top = _lang.text("digest.push.pain", lang)
    elif listed:
        top = _lang.text("digest.push.top", lang, title=wording.push(listed[0], units, lang=lang).title)
    low, high = STRENGTH_TARGET
    body = _lang.text(
        "digest.push.body",
        lang,
        km=run,
        unit=u,
        longest=wording.distance(week.longest_km, units),
        strength=week.strength,
        low=low,
        high=high,
        top=top,
        cap=_lang.text("digest.push.cap", lang, unit=u, cap=wording.cap_distance(cap, units)) if cap else "",
    )
    return clip(title, 59), clip(body, 299)
