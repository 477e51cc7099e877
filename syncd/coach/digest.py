"""The weekly digest: one message about a week of running and strength work, plus chart data.

The week is the 7 local days ending on the digest's day. Findings may cover more than the
week: those inside it feed the text, session_spike findings across the chart's weeks feed
the chart's spike marks. All words come from `strings_<lang>.py` via `syncd.coach.lang`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Any

from syncd.coach import lang as _lang
from syncd.coach import wording
from syncd.domain import Finding, Severity
from syncd.history import Facts, History, build_history
from syncd.rules.base import Rule
from syncd.rules.rampup import Acwr, next_run_cap_km
from syncd.rules.strength import recovery_moments

STRENGTH_TARGET = (2, 3)
TEXT_MAX = 1200
PREVIOUS_WEEKS = 4  # weeks compared with this one in the text


def _rule(f: Finding) -> type[Rule] | None:
    return wording.rule_class(f.rule)


def _is(f: Finding, attribute: str) -> bool:
    """A class attribute of the finding's rule (False for a rule no longer installed)."""
    cls = _rule(f)
    return bool(getattr(cls, attribute, False)) if cls is not None else attribute == "digest_line"


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


def _span(first: date, last: date, lang: str) -> str:
    """The week's dates, e.g. 16-22 Nov, or 30 Nov-6 Dec across months."""
    start = str(first.day) if first.month == last.month else day_label(first, lang)
    return _lang.text("digest.span", lang, first=start, last=day_label(last, lang))


def _km(metres: int) -> float:
    """Whole metres as km."""
    return round(metres / 1000, 3)


def _dedupe(findings: Iterable[Finding]) -> dict[str, Finding]:
    """One finding per key: the most severe, then the latest day."""
    best: dict[str, Finding] = {}
    for f in findings:
        old = best.get(f.key)
        if old is None or (f.severity, f.day) > (old.severity, old.day):
            best[f.key] = f
    return best


def _week_findings(by_key: dict[str, Finding], folded: set[str]) -> tuple[list[Finding], set[str]]:
    """The text's findings: acwr left out, day-level findings of one rule collapsed to one."""
    shown: dict[str, Finding] = {}
    marks: set[str] = set()
    for f in by_key.values():
        if not _is(f, "digest_line"):
            continue
        group = f.key if f.session else f"{f.rule}:day-level"
        old = shown.get(group)
        if old is None or (f.severity, f.day) > (old.severity, old.day):
            shown[group] = f
        if f.key in folded:
            marks.add(group)
    ordered = sorted(
        shown.items(), key=lambda kv: (-kv[1].severity, not _is(kv[1], "health"), kv[1].day, kv[1].key)
    )
    return [f for _, f in ordered], {f.key for g, f in ordered if g in marks}


def _weeks(history: History, day: date, count: int, spikes: Sequence[Finding]) -> list[WeekPoint]:
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
                _km(history.run_m(end, 7)),
                _km(history.longest_run_m(end, 7)),
                history.strength_count(end, 7),
                marks,
                history.first is not None and end >= history.first,
                _km(sum(f.distance_m for f in history.suspects if start <= f.day <= end and f.sport.is_run)),
            )
        )
    return out


def _acwr(history: History, day: date) -> float | None:
    """The EWMA ratio as of `day` itself (the rule reports a week's first value only)."""
    if history.days_known(day) < 28:
        return None
    found = Acwr().evaluate_day(history, day)
    return float(found.metrics["acwr_ewma"]) if found is not None else None


def _finding_line(f: Finding, folded: bool, units: str, lang: str) -> str:
    """One line per finding: its push text, or its note where the push speaks of "today"."""
    message = wording.push(f, units, lang=lang)
    body = message.body
    if _is(f, "digest_quotes_note"):
        body = " ".join(wording.note_lines(f, units, lang=lang)) or f.message
    return _lang.text(
        "digest.finding",
        lang,
        day=day_label(f.day, lang, weekday=True),
        title=message.title,
        text=body,
        folded=_lang.text("digest.folded", lang) if folded else "",
    )


def _clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_digest(
    history: History,
    findings: Sequence[Finding],
    *,
    athlete: str,
    day: date,
    units: str = "km",
    weeks: int = 12,
    folded: Sequence[Finding] = (),
    lang: str = _lang.DEFAULT_LANG,
    cap_pct: int = 10,
) -> Digest:
    """The digest of the week ending on local `day` (chart: the last `weeks` weeks)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if units not in ("km", "mi"):
        raise ValueError(f"units must be 'km' or 'mi', not {units!r}")
    if history.last is None or history.last < day:
        history = build_history(
            [f.session for f in history.sessions], history.profile, until=day, previous=history
        )
    first = day - timedelta(days=6)
    every = [*findings, *folded]
    spikes = _dedupe(f for f in every if _is(f, "chart_mark") and f.severity >= Severity.CAUTION)
    series = _weeks(history, day, max(weeks, PREVIOUS_WEEKS + 1), list(spikes.values()))
    moments = [
        (m, first + timedelta(days=i))
        for i in range(7)
        for m in recovery_moments(history, first + timedelta(days=i))
    ]
    # RULES.md: no bigger number in a week with a race, a big step up or pain; recovery first
    cap = 0.0 if moments else next_run_cap_km(history, day, cap_pct)
    listed, marked = _week_findings(
        _dedupe(f for f in every if first <= f.day <= day), {f.key for f in folded}
    )
    acwr = _acwr(history, day)
    ran = series[-1].run_km > 0
    head = _head(history, series, cap, cap_pct, units, lang)
    if moments:  # the recovery line takes the cap line's place
        typical = next(
            (float(f.metrics["typical_run_km"]) for f in listed if "typical_run_km" in f.metrics), None
        )
        head[-2] = _recover_line(history, *moments[0], typical, units, lang)
    if not ran:
        head = [_lang.text("digest.distance.none", lang)]
    left_out = _left_out(history.suspects, first, day, units, lang)
    if left_out:
        head.append(left_out)
    if any(f.metrics.get("digest_only") for f in listed):
        head.append(_lang.text("digest.strength.quiet", lang))
    tail = (
        [
            _lang.text("digest.acwr", lang, ratio=f"{acwr:.1f}")
            if acwr is not None
            else _lang.text("digest.acwr.none", lang)
        ]
        if ran
        else []
    )
    # the pain line already points to a professional; other notes get the full disclaimer
    pain = any(_is(f, "health") for f in listed)
    tail.append(_lang.text("long.disclaimer" if listed and not pain else "digest.footer", lang))
    lines = [_finding_line(f, f.key in marked, units, lang) for f in listed]

    def compose(keep: int) -> str:
        hidden = len(lines) - keep
        more = [_lang.text("digest.more", lang, n=hidden)] if hidden else []
        middle = (
            [_lang.text("digest.findings", lang), *lines[:keep], *more]
            if lines
            else [_lang.text("digest.quiet" if ran else "digest.no_run", lang)]
        )
        return "\n\n".join(["\n".join(head), "\n".join(middle), "\n".join(tail)])

    keep = len(lines)
    while keep > 1 and len(compose(keep)) > TEXT_MAX:
        keep -= 1
    push_title, push_body = _push(series[-1], cap, listed, units, lang)
    if not ran:
        push_title = _lang.text("digest.push.title.none", lang)
        push_body = _lang.text("digest.no_run", lang)
    return Digest(
        athlete=athlete,
        day=day,
        units=units,
        lang=lang,
        title=_clip(_lang.text("digest.title", lang, span=_span(first, day, lang)), 59),
        text=compose(keep),
        push_title=push_title,
        push_body=push_body,
        weeks=tuple(series[-weeks:]),
        cap_km=cap,
        acwr=acwr,
        findings=tuple(listed),
        folded=frozenset(marked),
    )


def should_send(history: History, day: date) -> bool:
    """Whether the week ending on `day` earns a digest (DESIGN.md): it has a run, or it is the
    one quiet week right after a week with a run; then syncd waits for the next run."""
    if history.last is None or history.first is None or day < history.first:
        return False
    return history.run_count(day, 7) > 0 or history.run_count(day - timedelta(days=7), 7) > 0


def _recover_line(
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


def _left_out(suspects: Sequence[Facts], first: date, last: date, units: str, lang: str) -> str:
    """One line naming the runs of the week left out as implausible (RULES.md), or ""."""
    runs = [f for f in suspects if first <= f.day <= last and f.sport.is_run]
    if not runs:
        return ""
    named = ", ".join(
        _lang.text(
            "digest.left_out.run",
            lang,
            day=day_label(f.day, lang, weekday=True),
            km=wording.distance(_km(f.distance_m), units),
            unit=_lang.text(f"unit.{units}", lang),
            reason=f.suspect,
        )
        for f in runs
    )
    key = "digest.left_out.1" if len(runs) == 1 else "digest.left_out.n"
    return _lang.text(key, lang, n=len(runs), runs=named)


def _head(
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
                km=d(_km(longest.distance_m)),
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


def _push(week: WeekPoint, cap: float, listed: list[Finding], units: str, lang: str) -> tuple[str, str]:
    """A push-sized summary: title under 60, body under 300 characters."""
    km, u = wording.distance(week.run_km, units), _lang.text(f"unit.{units}", lang)
    if listed:
        title = _lang.text("digest.push.title", lang, km=km, unit=u, n=len(listed))
    else:
        title = _lang.text("digest.push.title.quiet", lang, km=km, unit=u)
    top = ""
    if any(_is(f, "health") for f in listed):
        top = _lang.text("digest.push.pain", lang)
    elif listed:
        top = _lang.text("digest.push.top", lang, title=wording.push(listed[0], units, lang=lang).title)
    low, high = STRENGTH_TARGET
    body = _lang.text(
        "digest.push.body",
        lang,
        km=km,
        unit=u,
        longest=wording.distance(week.longest_km, units),
        strength=week.strength,
        low=low,
        high=high,
        top=top,
        cap=_lang.text("digest.push.cap", lang, unit=u, cap=wording.cap_distance(cap, units)) if cap else "",
    )
    return _clip(title, 59), _clip(body, 299)
