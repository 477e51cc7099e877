"""Wording of findings for push, activity note and long form: limits, tone, units, content."""

from __future__ import annotations

import re
import sys
import types
from datetime import date
from typing import Any

import pytest

from syncd.coach import lang
from syncd.coach.session import build_session
from syncd.coach.wording import (
    HEADER,
    cap_distance,
    distance,
    long_form,
    note_block,
    note_lines,
    percent,
    push,
)
from syncd.domain import Finding, Severity

DAY = date(2025, 3, 4)
I, C, W, A = Severity.INFO, Severity.CAUTION, Severity.WARNING, Severity.ALERT
ALARM = re.compile(r"danger|warning|alert|injury risk|!|\bemergency\b", re.IGNORECASE)
PREDICTION = re.compile(
    r"you will (get )?(be )?injur|% chance|your (personal )?risk is|"
    r"\b(is|are|stays?) safe\b",
    re.IGNORECASE,
)


def make(
    rule: str,
    severity: Severity,
    metrics: dict[str, Any],
    *,
    citation: str = "",
    session: str | None = "strava:1",
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        athlete="sam",
        day=DAY,
        key=f"{rule}:sam:{DAY}:{severity.label}",
        title=f"{rule} title",
        message=f"{rule} message.",
        metrics=metrics,
        citation=citation or f"cite-{rule}",
        session=session,
    )


def spike(severity: Severity, km: float, ref: float, *, race: bool = False, pain: bool = False) -> Finding:
    pct = 100 * (km / max(ref, 5.0) - 1)
    return make(
        "session_spike",
        severity,
        {
            "distance_km": km,
            "reference_km": ref,
            "reference_activity": "strava:99",
            "pct_over_reference": pct,
            "next_run_cap_km": round(1.1 * km, 3),
            "typical_run_km": 8.2,
            "race": race,
            "min_reference_km": 5.0,
            "recovery_first": race or pain or severity >= Severity.WARNING,
        },
        citation="frandsen2025",
    )


def strength_prompt(n7: int, n14: int, **extra: Any) -> Finding:
    metrics = {"strength_last_7d": n7, "strength_last_14d": n14, "target_per_week": 2, "prompt_streak": 1}
    metrics |= {"quiet_next": False, "digest_only": False, "gentle": False} | extra
    return make("strength_frequency", C, metrics, session=None)


def pain(site: str, severity: Severity = W) -> Finding:
    metrics = {
        "matched_text": f"left {site} was sore on the descents",
        "activity": "strava:123",
        "site": site,
    }
    return make("pain_reported", severity, metrics)


CASES: dict[str, Finding] = {
    "spike-caution": spike(C, 13.2, 11.0),
    "spike-warning": spike(W, 16.0, 11.0),
    "spike-alert": spike(A, 25.0, 11.0),
    "spike-race": spike(A, 42.2, 21.1, race=True),
    "spike-after-pain": spike(C, 13.0, 11.0, pain=True),
    "spike-floor": spike(C, 6.0, 1.6),
    "weekly-info": make(
        "weekly_progression", I, {"last_7d_km": 42.3, "previous_7d_km": 30.1, "pct_change": 40.5}
    ),
    "acwr-info": make(
        "acwr", I, {"acwr_ewma": 1.42, "acwr_rolling_uncoupled": 1.51, "load_kind": "trimp"}, session=None
    ),
    "break-info": make(
        "return_from_break", I, {"days_since_previous_run": 9, "typical_run_km_before_break": 8.4}
    ),
    "break-caution": make(
        "return_from_break", C, {"days_since_previous_run": 41, "typical_run_km_before_break": 10.0}
    ),
    "monotony-info": make(
        "monotony", I, {"monotony": 1.7, "strain": 2310.5, "load_kind": "session_rpe"}, session=None
    ),
    "monotony-caution": make(
        "monotony", C, {"monotony": 2.4, "strain": 4100.0, "load_kind": "duration"}, session=None
    ),
    "monotony-caution-inf": make(
        "monotony", C, {"monotony": float("inf"), "strain": float("inf"), "load_kind": None}
    ),
    "streak-info": make(
        "run_streak", I, {"streak_days": 6, "rest_days_last_7": 1, "personal_p90_streak": 5.0}
    ),
    "streak-caution": make(
        "run_streak", C, {"streak_days": 12, "rest_days_last_7": 0, "personal_p90_streak": 8.5}
    ),
    "hard-info": make(
        "back_to_back_hard",
        I,
        {
            "hard_days": "2025-03-03,2025-03-04",
            "reasons": ["RPE 8 on 3 Mar", "14 min in HR zones 4-5 on 4 Mar"],
        },
    ),
    "strength-caution": strength_prompt(1, 2),
    "strength-none": strength_prompt(0, 0),
    "strength-quiet-next": strength_prompt(0, 0, prompt_streak=4, quiet_next=True),
    "strength-gentle": strength_prompt(0, 1, gentle=True),
    "pain-warning": pain("knee"),
    "pain-shin-caution": pain("shin", C),
    "pain-shin-again": pain("shin", W),
    **{f"third-party-{s.label}": make("cadence_check", s, {"cadence": 158}) for s in Severity},
}
UNITS = ["km", "mi"]


@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_push_limits_priority_and_tone(case: str, units: str) -> None:
    f = CASES[case]
    msg = push(f, units)
    assert 0 < len(msg.title) < 60 and 0 < len(msg.body) < 300
    assert msg.priority == {I: "low", C: "normal", W: "high", A: "urgent"}[f.severity]
    assert "!" not in msg.title + msg.body
    assert not PREDICTION.search(msg.body)


@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_note_lines_and_block_are_short_and_calm(case: str, units: str) -> None:
    f = CASES[case]
    lines = note_lines(f, units)
    assert lines and all(0 < len(line) <= 240 and "\n" not in line for line in lines)
    block = note_block([f], units, build_session("sam", DAY))
    rows = block.split("\n")
    assert rows[0] == "— syncd —" == HEADER
    assert 2 <= len(rows) <= 5 and len(block) <= 500
    assert rows[-1].startswith("Strength session (")  # a note is read later: never "today"
    assert not ALARM.search(block), block
    assert not PREDICTION.search(block)


@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_long_form_explains_and_cites(case: str, units: str) -> None:
    f = CASES[case]
    text = long_form(f, units)
    assert f.citation in text and f"Source: {f.citation}." in text
    assert len(re.findall(r"[.;:]\s", text)) >= 2  # several sentences
    assert "not a diagnosis" in text and "physiotherapist or doctor" in text
    assert not PREDICTION.search(text)


@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("third-party")])
def test_push_body_carries_exactly_one_action(case: str, units: str) -> None:
    f = CASES[case]
    body = push(f, units).body
    key = lang.first((f"{f.rule}.action.{f.severity.label}", f"{f.rule}.action"))
    if f.rule == "session_spike":
        actions = ("Keep your next long run under", "Recover first:")
        assert sum(body.count(a) for a in actions) == 1 and body.rstrip().endswith(".")
    elif key is not None:
        action_start = lang.table()[key].split("{")[0]
        assert body.count(action_start) == 1 and body.rstrip().endswith(".")
    elif f.rule == "strength_frequency":
        assert body.count("trength today (") == 1
    else:
        assert f.rule == "pain_reported" and body.count("physiotherapist or doctor") == 1


def test_mile_conversion_one_decimal() -> None:
    assert distance(16.0, "mi") == "9.9" and distance(16.0, "km") == "16.0"
    assert distance(1.609344, "mi") == "1.0"
    assert cap_distance(17.6, "km") == "17.6"  # no float slip down to 17.5
    assert cap_distance(17.6, "mi") == "10.9"  # 10.936 rounded down, never above the cap
    with pytest.raises(ValueError, match="units"):
        distance(5.0, "furlong")
    with pytest.raises(ValueError, match="units"):
        push(CASES["spike-warning"], "miles")


def test_percent_never_rounds_onto_a_band_edge() -> None:
    assert percent(45.4545) == "45" and percent(10.4) == "10.4" and percent(10.0) == "10"
    assert percent(30.2) == "30.2" and percent(127.27) == "127"


def test_a_caution_spike_carries_the_cap_in_every_channel() -> None:
    f = CASES["spike-caution"]
    cap = f.metrics["next_run_cap_km"]
    for units, shown in (("km", cap_distance(cap, "km")), ("mi", cap_distance(cap, "mi"))):
        needle = f"under {shown} {units}"
        assert needle in push(f, units).body
        assert needle in " ".join(note_lines(f, units))
        assert needle in long_form(f, units)


@pytest.mark.parametrize("case", ["spike-warning", "spike-alert", "spike-race", "spike-after-pain"])
def test_after_a_big_spike_a_race_or_pain_no_bigger_number_is_offered(case: str) -> None:
    # RULES.md: "under 23.2 km" the day after a +68 % half marathon reads as permission
    f = CASES[case]
    for units in UNITS:
        typical = distance(8.2, units)
        for text in (push(f, units).body, " ".join(note_lines(f, units)), long_form(f, units)):
            assert "under" not in text and cap_distance(f.metrics["next_run_cap_km"], units) not in text
            assert f"usual {typical} {units}" in text
        assert "48 hours" in push(f, units).body and "strength" in push(f, units).body


def test_a_race_is_congratulated_first() -> None:
    f = CASES["spike-race"]
    assert push(f).title == "Well raced" and push(f).body.startswith("Congratulations on your race")
    assert note_lines(f)[0].startswith("Race: 42.2 km, congratulations.")
    assert long_form(f).split("\n")[1].startswith("Congratulations")


def test_a_spike_from_the_5_km_floor_says_so_and_stays_true() -> None:
    body = push(CASES["spike-floor"]).body
    assert "20 % longer than 5.0 km, the smallest reference syncd compares with" in body
    assert "(your longest run of the previous 30 days was 1.6 km)" in body


def test_a_spike_from_the_5_km_floor_says_so_on_the_note_too() -> None:
    [line] = note_lines(CASES["spike-floor"])
    assert line.startswith("20 % longer than 5.0 km, the smallest reference syncd compares with")
    assert "(6.0 km; longest in 30 days 1.6 km)" in line  # never "20 % longer than ... 1.6 km"


def test_spike_warning_in_miles_reads_right() -> None:
    f = CASES["spike-warning"]
    assert note_lines(f, "mi") == [
        "45 % longer than your longest run in 30 days (9.9 vs 6.8 mi). "
        "Next runs: easy, up to your usual 5.1 mi."
    ]
    assert note_lines(f, "km") == [
        "45 % longer than your longest run in 30 days (16.0 vs 11.0 km). "
        "Next runs: easy, up to your usual 8.2 km."
    ]
    assert "16.0" not in push(f, "mi").body and "9.9 mi" in push(f, "mi").body


@pytest.mark.parametrize(
    ("case", "ratio"), [("spike-caution", "1.6"), ("spike-warning", "1.5"), ("spike-alert", "2.3")]
)
def test_spike_long_form_gives_the_evidence_as_an_association(case: str, ratio: str) -> None:
    text = long_form(CASES[case])
    assert "study of about 5,200 runners" in text
    assert "associated with a higher injury rate" in text and f"about {ratio} times" in text
    assert "not a forecast for you" in text


def test_acwr_is_always_labelled_descriptive() -> None:
    f = CASES["acwr-info"]
    for units in UNITS:
        assert "descriptive" in push(f, units).title + push(f, units).body
        assert "descriptive" in " ".join(note_lines(f, units))
        assert "descriptive" in long_form(f, units)


@pytest.mark.parametrize("units", UNITS)
def test_pain_points_to_a_professional_and_rice_everywhere(units: str) -> None:
    f = CASES["pain-warning"]
    for text in (push(f, units).body, " ".join(note_lines(f, units)), long_form(f, units)):
        assert re.search(r"physiotherapist|doctor", text)
        assert all(word in text for word in ("rest", "ice", "compression"))
        assert re.search(r"elevation|raised", text)


def test_pain_text_stays_out_of_the_public_note_but_is_quoted_privately() -> None:
    secret = "PRIVATE: knee hurts since the fall at work, don't tell the club"
    f = make("pain_reported", W, {"matched_text": secret * 3, "activity": "strava:5", "site": "knee"})
    assert "fall at work" not in note_block([f], "km")
    body = push(f).body
    assert "fall at work" in body and len(body) < 300
    assert "ice" in body and "physiotherapist" in body  # the advice survives a long quote


def test_strength_prompt_carries_a_concrete_session() -> None:
    f = CASES["strength-none"]
    body = push(f).body
    assert body.startswith("No strength session in the last 7 days")
    assert "Strength today (" in body and "wall sit" in body
    given = build_session("sam", DAY, hard_day=True, exclude=frozenset({"wall_sit"}))
    with_given = push(f, strength=given).body
    assert given.one_line(120)[:40] in with_given and "wall sit" not in with_given
    long = long_form(f, strength=given)
    assert given.long() in long


def test_note_block_orders_by_severity_and_puts_strength_last() -> None:
    findings = [CASES["monotony-caution"], CASES["spike-alert"], CASES["pain-warning"]]
    s = build_session("sam", DAY)
    rows = note_block(findings, "km", s).split("\n")
    assert rows[0] == HEADER and len(rows) == 5
    assert rows[1].startswith("127 % longer")  # alert first
    assert rows[2].startswith("Knee mentioned")  # then the warning
    assert rows[3].startswith("Training load very even")
    assert rows[4].startswith(f"Strength session ({s.total_minutes} min): ")


def test_note_block_caps_lines_and_characters() -> None:
    many = [
        CASES[c]
        for c in (
            "spike-warning",
            "pain-warning",
            "monotony-caution",
            "streak-caution",
            "break-caution",
            "strength-caution",
        )
    ]
    block = note_block(many, "mi", build_session("sam", DAY))
    assert len(block.split("\n")) == 5 and len(block) <= 500
    assert len(note_block(many, "km").split("\n")) == 5
    huge = make("cadence_check", C, {}, citation="x")
    huge = Finding(**{**huge.to_json(), "severity": C, "day": DAY, "message": "word " * 200})
    block = note_block([huge, huge, CASES["spike-warning"]], "km", build_session("sam", DAY))
    assert len(block) <= 500 and block.split("\n")[-1].startswith("Strength session")


def test_strength_prompt_speaks_once_of_going_quiet_and_offers_the_gentle_session() -> None:
    quiet = push(CASES["strength-quiet-next"]).body
    assert "From next week these reminders come with your Sunday digest" in quiet
    assert "Sunday digest" not in push(CASES["strength-none"]).body
    gentle = push(CASES["strength-gentle"]).body
    assert "Gentle strength today" in gentle and "squat" not in gentle and "lunge" not in gentle
    assert "1 strength session in the last 7 days" in " ".join(note_lines(CASES["strength-caution"]))


@pytest.mark.parametrize("units", UNITS)
def test_other_pain_sites_point_to_a_professional_and_a_repeat_says_again(units: str) -> None:
    first, again = CASES["pain-shin-caution"], CASES["pain-shin-again"]
    assert push(first, units).title == "Shin pain mentioned"
    assert push(again, units).title == "Shin pain mentioned again"
    for f in (first, again):
        for text in (push(f, units).body, " ".join(note_lines(f, units)), long_form(f, units)):
            assert "physiotherapist or doctor" in text
        assert "knee" not in (push(f, units).body + " ".join(note_lines(f, units))).lower()


def test_note_block_with_nothing_to_say_is_empty() -> None:
    assert note_block([], "km") == ""
    only_strength = note_block([], "km", build_session("sam", DAY)).split("\n")
    assert only_strength[0] == HEADER and len(only_strength) == 2


def test_unknown_rule_and_malformed_metrics_fall_back_to_the_rules_own_text() -> None:
    f = make("cadence_check", C, {"cadence": 158})
    assert push(f).title == "cadence_check title" and push(f).body == "cadence_check message."
    assert note_lines(f) == ["cadence_check message."]
    assert "cadence_check message." in long_form(f)
    broken = make("session_spike", W, {"distance_km": None})
    assert push(broken).body == "session_spike message."
    loud = make("x", A, {})
    loud = Finding(**{**loud.to_json(), "severity": A, "day": DAY, "message": "Slow down!!!"})
    assert "!" not in note_block([loud], "km")


def test_monotony_infinity_is_written_in_words() -> None:
    f = CASES["monotony-caution-inf"]
    assert "very high" in " ".join(note_lines(f)) and "inf" not in long_form(f).lower()


def test_unknown_language_is_english_and_partial_translations_fall_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f = CASES["spike-caution"]
    assert push(f, lang="xx") == push(f) and long_form(f, lang="pt-BR") == long_form(f)
    fake = types.ModuleType("syncd.coach.strings_yy")
    fake.STRINGS = {
        "session_spike.title.caution": "Langer dan anders",  # type: ignore[attr-defined]
        "session_spike.action": "Blijf onder {cap} {unit} en {missing}.",
    }
    monkeypatch.setitem(sys.modules, "syncd.coach.strings_yy", fake)
    lang.table.cache_clear()
    try:
        msg = push(f, lang="yy")
        assert msg.title == "Langer dan anders"
        assert "Keep your next long run under 14.5 km." in msg.body  # broken template → English
    finally:
        lang.table.cache_clear()
