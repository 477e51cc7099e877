"""Invariants over random histories (hypothesis): duplicates, references, metrics, stable keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules_kit import RULES_MD_METRICS, T0, act

from syncd.domain import Activity, Finding, Sport
from syncd.history import History, Profile, build_history
from syncd.merge import group_sessions
from syncd.registry import evaluate_range, load_rules

PROFILE = Profile(timezone="Europe/Amsterdam", rest_hr=50, max_hr=195)
RULES = load_rules({})
SLOT = timedelta(minutes=15)  # distinct slots: no two generated workouts could merge


@st.composite
def workout(draw: st.DrawFn, slot: int) -> Activity:
    start = T0 + slot * SLOT
    if draw(st.integers(0, 4)) == 0:
        return act(start, sport=Sport.STRENGTH, rpe=draw(st.none() | st.integers(1, 10)))
    if draw(st.booleans()):  # a steady easy run: days alike enough for monotony to speak
        return act(start, 8000, moving_s=3000)
    metres = draw(st.integers(0, 30_000))
    pace = draw(st.integers(120, 1300))  # s/km, some of them suspect
    return act(start, metres, moving_s=metres * pace // 1000 or 600,
               rpe=draw(st.none() | st.integers(1, 10)),
               avg_hr=draw(st.none() | st.floats(90, 199)),
               effort_score=draw(st.none() | st.floats(0, 300)),
               hr_zone45_s=draw(st.none() | st.integers(0, 3000)),
               title=draw(st.sampled_from(["", "Easy", "knee sore", "no knee pain"])))


@st.composite
def workouts(draw: st.DrawFn) -> list[Activity]:
    slots = draw(st.lists(st.integers(0, 35 * 96), min_size=1, max_size=60, unique=True))
    return [draw(workout(s)) for s in sorted(slots)]


def build(acts: list[Activity], until: date | None = None) -> History:
    return build_history(group_sessions(acts), PROFILE, until=until)


def everything(h: History) -> list[Finding]:
    assert h.first is not None and h.last is not None
    findings, failures = evaluate_range(RULES, h, h.first, h.last)
    assert failures == []
    return findings


@settings(max_examples=60, deadline=None)
@given(workouts(), st.data())
def test_a_copy_from_another_provider_never_changes_any_finding(acts: list[Activity],
                                                                 data: st.DataObject) -> None:
    runs = [a for a in acts if a.sport.is_run]
    copied = data.draw(st.lists(st.sampled_from(runs), unique=True) if runs else st.just([]))
    copies = [replace(a, provider="strava", provider_id=f"copy-{a.provider_id}") for a in copied]
    assert everything(build(acts + copies)) == everything(build(acts))


@settings(max_examples=60, deadline=None)
@given(workouts())
def test_a_run_is_never_its_own_reference(acts: list[Activity]) -> None:
    h = build(acts)
    for r in h.runs:
        ref = h.reference_run(r)
        assert ref is None or (ref.id != r.id and ref.start_us < r.start_us)
    for f in everything(h):
        if f.rule == "session_spike":
            assert f.metrics["reference_activity"] != f.session


@settings(max_examples=60, deadline=None)
@given(workouts())
def test_every_finding_carries_its_rules_metric_names(acts: list[Activity]) -> None:
    for f in everything(build(acts)):
        assert set(f.metrics) == RULES_MD_METRICS[f.rule]
        assert f.key.startswith(f"{f.rule}:sam:") and f.citation and f.title and f.message
        assert all(isinstance(v, int | float | str) for v in f.metrics.values())


@settings(max_examples=60, deadline=None)
@given(workouts(), st.integers(0, 35))
def test_findings_for_a_day_do_not_change_when_later_days_are_added(acts: list[Activity],
                                                                     cut: int) -> None:
    full = build(acts)
    assert full.first is not None and full.last is not None
    last = min(full.first + timedelta(days=cut), full.last)
    zone = ZoneInfo(PROFILE.timezone)
    early = [a for a in acts if a.start_utc.astimezone(zone).date() <= last]
    partial = build(early, until=last)  # never empty: the first day is always in it
    before, _ = evaluate_range(RULES, partial, full.first, last)
    after, _ = evaluate_range(RULES, full, full.first, last)
    assert before == after
    assert everything(full) == everything(build(acts))  # deterministic
