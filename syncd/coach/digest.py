"""The weekly digest: one message about a week of running and strength work, plus chart data.

The week is the 7 local days ending on the digest's day. Findings may cover more than the
week: those inside it feed the text, the chart-marking findings (a much longer run) across
the chart's weeks feed the chart's marks. All words come from `strings_<lang>.py` via
`syncd.coach.lang`; the parts are built in `digest_parts`, the data types are `digest_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from syncd.coach import lang as _lang
from syncd.coach.digest_model import Digest, Spike, WeekPoint, clip, day_label, span
from syncd.coach.digest_parts import (
    PREVIOUS_WEEKS,
    STRENGTH_TARGET,
    acwr_of,
    big_longest_day,
    build_from_usual_line,
    dedupe,
    finding_line,
    has,
    head_lines,
    left_out_line,
    push_summary,
    recover_line,
    week_findings,
    week_points,
)
from syncd.domain import Finding, Severity
from syncd.history import History, build_history
from syncd.rules.rampup import next_run_cap_km
from syncd.rules.strength import recovery_moments

__all__ = [
    "STRENGTH_TARGET",
    "TEXT_MAX",
    "Digest",
    "Spike",
    "WeekPoint",
    "build_digest",
    "day_label",
    "should_send",
]

TEXT_MAX = 1200


@dataclass(frozen=True, slots=True)
class _Week:
    """What the text of one digest is made of."""

    head: list[str]
    lines: list[str]
    tail: list[str]
    ran: bool


def _text(week: _Week, lang: str) -> str:
    """The digest's text, dropping finding lines (with an "…and N more") to fit TEXT_MAX."""

    def compose(keep: int) -> str:
        hidden = len(week.lines) - keep
        more = [_lang.text("digest.more", lang, n=hidden)] if hidden else []
        middle = (
            [_lang.text("digest.findings", lang), *week.lines[:keep], *more]
            if week.lines
            else [_lang.text("digest.quiet" if week.ran else "digest.no_run", lang)]
        )
        return "\n\n".join(["\n".join(week.head), "\n".join(middle), "\n".join(week.tail)])

    keep = len(week.lines)
    while keep > 1 and len(compose(keep)) > TEXT_MAX:
        keep -= 1
    return compose(keep)


def _recovering(f: Finding) -> Finding:
    """The finding worded for recovery first, when its rule words it so (a `recovery_first` metric)."""
    if "recovery_first" not in f.metrics or f.metrics["recovery_first"]:
        return f
    return replace(f, metrics={**f.metrics, "recovery_first": True})


def _recovery(history: History, first: date) -> list[tuple[str, date]]:
    """The week's recovery moments (a race, a big step up, pain) with their days, oldest first."""
    return [
        (m, first + timedelta(days=i))
        for i in range(7)
        for m in recovery_moments(history, first + timedelta(days=i))
    ]


def _head(
    history: History,
    series: list[WeekPoint],
    listed: list[Finding],
    cap: float,
    cap_pct: int,
    units: str,
    lang: str,
    first: date,
    day: date,
    big: date | None,
) -> list[str]:
    """The head lines: distance, longest run, the cap or the recovery line, strength, and
    what the week calls for beside them (runs left out, quiet strength reminders)."""
    if series[-1].run_km <= 0:
        head = [_lang.text("digest.distance.none", lang)]
    else:
        head = head_lines(history, series, cap, cap_pct, units, lang)
        moments = _recovery(history, first)
        if moments:  # the recovery line takes the cap line's place
            typical = next(
                (float(f.metrics["typical_run_km"]) for f in listed if "typical_run_km" in f.metrics), None
            )
            head[-2] = recover_line(history, *moments[0], typical, units, lang)
        elif big is not None:
            head[-2] = build_from_usual_line(history, big, units, lang)
    left_out = left_out_line(history.suspects, first, day, units, lang)
    if left_out:
        head.append(left_out)
    if any(f.metrics.get("digest_only") for f in listed):
        head.append(_lang.text("digest.strength.quiet", lang))
    return head


def _tail(acwr: float | None, listed: list[Finding], ran: bool, lang: str) -> list[str]:
    tail = []
    if ran:
        tail.append(
            _lang.text("digest.acwr", lang, ratio=f"{acwr:.1f}")
            if acwr is not None
            else _lang.text("digest.acwr.none", lang)
        )
    # the pain line already points to a professional; other notes get the full disclaimer
    pain = any(has(f, "health") for f in listed)
    tail.append(_lang.text("long.disclaimer" if listed and not pain else "digest.footer", lang))
    return tail


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
    """The digest of the week ending on local `day` (chart: the last `weeks` weeks).

    Raises ValueError for fewer than one week or units other than km and mi."""
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
    spikes = dedupe(f for f in every if has(f, "chart_mark") and f.severity >= Severity.CAUTION)
    series = week_points(history, day, max(weeks, PREVIOUS_WEEKS + 1), list(spikes.values()))
    # RULES.md: no bigger number in a week with a race, a big step up or pain (recovery first),
    # nor one built on such a run while it is the longest of the 30 days
    big = big_longest_day(history, day)
    cap = 0.0 if _recovery(history, first) or big else next_run_cap_km(history, day, cap_pct)
    listed, marked = week_findings(dedupe(f for f in every if first <= f.day <= day), {f.key for f in folded})
    if cap == 0.0 and _recovery(history, first):
        # a step up earlier in a week that then called for recovery: recovery wording for it too
        listed = [_recovering(f) for f in listed]
    acwr, ran = acwr_of(history, day), series[-1].run_km > 0
    week = _Week(
        head=_head(history, series, listed, cap, cap_pct, units, lang, first, day, big),
        lines=[finding_line(f, f.key in marked, units, lang) for f in listed],
        tail=_tail(acwr, listed, ran, lang),
        ran=ran,
    )
    push_title, push_body = push_summary(series[-1], cap, listed, units, lang)
    if not ran:
        push_title, push_body = _lang.text("digest.push.title.none", lang), _lang.text("digest.no_run", lang)
    return Digest(
        athlete=athlete,
        day=day,
        units=units,
        lang=lang,
        title=clip(_lang.text("digest.title", lang, span=span(first, day, lang)), 59),
        text=_text(week, lang),
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
