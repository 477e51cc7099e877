"""knee_check: questions while a knee is watched, and the advice each answer earns (RULES.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_rules_kit import UTC_PROFILE, at, day, run

from syncd.domain import Activity, CheckIn, Finding, Severity
from syncd.history import build_history
from syncd.merge import group_sessions
from syncd.rules.knee_check import KneeCheck

RULE = KneeCheck()
SORE = run(10, 6000, description="right knee sore after the hills")
RUNS = [run(d, 6000) for d in range(0, 40, 2) if d != 10] + [SORE]


def said(kind: str, n: int, value: object = None) -> CheckIn:
    return CheckIn("sam", kind, day(n), at(n, hours=12), value=value)  # type: ignore[arg-type]


def findings(acts: list[Activity], checkins: list[CheckIn], n: int) -> list[Finding]:
    h = build_history(group_sessions(acts), UTC_PROFILE, until=day(40), checkins=checkins)
    return RULE.evaluate(h, day(n))


def test_no_knee_no_watch() -> None:
    assert findings([run(d, 6000) for d in range(0, 40, 2)], [], 12) == []


def test_after_a_knee_mention_it_asks_after_each_run_and_the_morning_after() -> None:
    [after] = findings(RUNS, [], 12)  # a run day: the after-run question
    assert after.severity is Severity.CAUTION and after.metrics["ask"] == "after_run"
    assert after.metrics["days_active"] == 3 and after.key == "knee_check:sam:ask-" + day(12).isoformat()
    [morning] = findings(RUNS, [], 11)  # the morning after a run, no run of its own
    assert morning.metrics["ask"] == "morning"
    assert findings(RUNS, [], 9) == []  # before the mention: nothing
    # the mention's own push asked on day 10, then days 11 and 12: three let pass, no fourth
    assert findings(RUNS, [], 13) == [] and findings(RUNS, [], 14) == []
    [back] = findings(RUNS, [said("knee_morning", 13, "same")], 14)  # an answer brings them back
    assert back.metrics["ask"] == "after_run"


@pytest.mark.parametrize(
    ("answers", "advice", "severity"),
    [
        ([("knee_pain", 12, 2)], "keep", Severity.CAUTION),
        ([("knee_pain", 12, 3)], "adapt", Severity.WARNING),
        ([("knee_pain", 12, 4)], "adapt", Severity.WARNING),
        ([("knee_pain", 12, 5)], "pause", Severity.ALERT),
        ([("knee_pain", 12, 6)], "pause", Severity.ALERT),
        ([("knee_morning", 12, "worse")], "adapt", Severity.WARNING),
        ([("knee_morning", 11, "worse"), ("knee_morning", 12, "worse")], "pause", Severity.ALERT),
        ([("knee_morning", 12, "better")], "keep", Severity.CAUTION),
    ],
)
def test_an_answer_earns_one_piece_of_advice_the_most_severe(
    answers: list[tuple[str, int, object]], advice: str, severity: Severity
) -> None:
    [f] = findings(RUNS, [said(k, n, v) for k, n, v in answers], 12)
    assert (f.metrics["advice"], f.severity) == (advice, severity)
    assert f.metrics["ask"] is None and f.key == "knee_check:sam:advice-" + day(12).isoformat()


def test_the_watch_ends_after_14_calm_days_or_when_the_knee_settled() -> None:
    calm = [said("knee_pain", n, 1) for n in range(12, 23, 2)]
    assert findings(RUNS, calm, 22)  # still watched: 12 days since the mention
    assert findings(RUNS, calm, 24) == []  # 14 days since the last bad signal, 1/10s are calm
    flare = [*calm, said("knee_pain", 20, 4)]
    watched = build_history(group_sessions(RUNS), UTC_PROFILE, until=day(40), checkins=flare)
    assert RULE.episode_start(watched, day(30)) is not None  # a 4/10 on day 20 restarts the 14 days
    settled = [said("knee_settled", 14)]
    assert findings(RUNS, settled, 16) == []


def test_a_check_in_with_knee_pain_starts_a_watch_without_any_mention() -> None:
    plain = [run(d, 6000) for d in range(0, 40, 2)]
    [f] = findings(plain, [said("knee_pain", 20, 1)], 20)
    assert f.metrics["advice"] == "keep"
    [ask] = findings(plain, [said("knee_pain", 20, 1)], 22)
    assert ask.metrics["ask"] == "after_run" and ask.metrics["checkins"] == 1
    assert (
        RULE.episode_start(build_history(group_sessions(plain), UTC_PROFILE), day(22) - timedelta(0)) is None
    )


def _walked(h: object) -> dict[object, object]:
    """The watch as RULES.md words it, day by day from the first day (the reference)."""
    from datetime import date

    from syncd.history import History
    from syncd.rules.knee_check import OK_PAIN, SETTLE_DAYS, _knee_mentioned, _value

    assert isinstance(h, History) and h.first is not None and h.last is not None
    watched: dict[object, object] = {}
    start: date | None = None
    last_bad: date | None = None
    d = h.first
    while d <= h.last:
        if start is not None and last_bad is not None and (d - last_bad).days >= SETTLE_DAYS:
            start = None
        answers = h.checkins_between(d, d)
        said_ = _knee_mentioned(h, d)
        pains = [_value(c) for c in answers if c.kind == "knee_pain"]
        worse = any(c.kind == "knee_morning" and c.value == "worse" for c in answers)
        if any(c.kind == "knee_settled" for c in answers):
            start = None
        elif start is None and (said_ or worse or any(p > 0 for p in pains)):
            start = last_bad = d
        elif start is not None and (said_ or worse or any(p > OK_PAIN for p in pains)):
            last_bad = d
        if start is not None:
            watched[d] = start
        d += timedelta(days=1)
    return watched


@pytest.mark.parametrize("seed", range(40))
def test_the_watch_from_the_days_that_matter_equals_a_walk_over_every_day(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    acts = [
        run(d, 6000, description="knee sore" if rnd.random() < 0.04 else rnd.choice(["", "easy"]))
        for d in range(0, 120, rnd.choice([1, 2, 3]))
    ]
    kinds = [
        ("knee_pain", lambda: rnd.randint(0, 8)),
        ("knee_morning", lambda: rnd.choice(["better", "same", "worse"])),
    ]
    checkins = [said(k, n, v()) for n in sorted(rnd.sample(range(120), 25)) for k, v in [rnd.choice(kinds)]]
    checkins += [said("knee_settled", n) for n in rnd.sample(range(120), rnd.randint(0, 2))]
    h = build_history(group_sessions(acts), UTC_PROFILE, until=day(125), checkins=checkins)
    assert RULE._watch(h) == _walked(h)
