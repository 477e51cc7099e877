"""pain_reported: knee pain in the runner's words, English / Dutch / German, negations."""

from __future__ import annotations

import pytest
from test_rules_kit import act, at, day, hist, only, run

from syncd.domain import Severity
from syncd.rules.pain import PainReported, find_knee_pain


@pytest.mark.parametrize(
    "text",
    [
        "Knee pain after 8 km",
        "left knee sore on the downhills",
        "My knees ache",
        "achy kneecap today",
        "Patella hurts when climbing stairs",
        "runner's knee is aching again",
        "runner\u2019s knee flared up and sore",
        "knee clicking and a bit swollen",
        "creaking knee",
        "swelling around the kneecap",
        "Great run. Knee hurts a bit though",
        "Not sure why but my knee hurts",
        "I can't believe how much my knee hurts",
        "Mijn knie doet pijn",
        "knie doet erg zeer",
        "pijnlijke knie",
        "Kniepijn na 10 km",
        "Das Knie tut weh",
        "Schmerzen im Knie",
        "Knieschmerzen seit gestern",
    ],
)
def test_knee_pain_is_found(text: str) -> None:
    assert find_knee_pain(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "No knee pain today!",
        "knee didn't hurt at all",
        "Knee felt fine",
        "ran without pain in the knee",
        "knee is no longer sore",
        "pain-free knee",
        "Knee: geen pijn",
        "knie zeer goed",  # zeer = very
        "Keine Schmerzen im Knie",
        "Das Knie tut nicht weh",
        "Sore calves, knee was fine",
        "knee didn't hurt but my hip was sore",
        "kneeling stretches, no pain",
        "Tempo run, legs hurt",
    ],
)
def test_negated_or_unrelated_mentions_do_not_trigger(text: str) -> None:
    assert find_knee_pain(text) is None


def test_matched_text_is_the_clause() -> None:
    assert (
        find_knee_pain("Lovely weather. Left knee sore after 5k, otherwise good") == "Left knee sore after 5k"
    )


def test_syncd_own_note_block_is_ignored() -> None:
    text = "Nice hills.\n\n— syncd —\nKnee pain? Ease off and see a physiotherapist."
    assert find_knee_pain(text) is None


def test_pain_reported_is_a_warning_about_the_session_on_its_day() -> None:
    h = hist(
        [
            run(0, 5000),
            run(1, 5000, description="Knee sore after the hills"),
            run(2, 5000, private_note="no knee pain"),
        ]
    )
    assert only(PainReported(), h, day(0)) is None
    f = only(PainReported(), h, day(1))
    assert f is not None and f.severity is Severity.WARNING
    sid = h.runs[1].id
    assert f.metrics == {"matched_text": "Knee sore after the hills", "activity": sid, "site": "knee"}
    assert f.session == sid and f.key == f"pain_reported:sam:{sid}"
    assert only(PainReported(), h, day(2)) is None


def test_pain_in_a_suspect_session_still_counts() -> None:
    fake = act(at(0), 50_000, moving_s=6000, title="GPS mess, knee hurts though")
    h = hist([fake])
    assert h.suspects and only(PainReported(), h, day(0)) is not None


@pytest.mark.parametrize("text", ["knee soreness gone", "knee pain is gone now", "kniepijn is weg"])
def test_pain_that_is_over_does_not_trigger(text: str) -> None:
    from syncd.rules.pain import find_knee_pain

    assert find_knee_pain(text) is None
