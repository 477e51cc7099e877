"""The exercise catalogue: complete, article doses respected, durations follow the dose."""

from __future__ import annotations

import dataclasses
import sys
import types

import pytest

from syncd.coach import lang
from syncd.coach.catalogue import CATALOGUE, EXERCISE_IDS, KINDS, Dose, catalogue, get, of_kind

EXPECTED = {
    "neutral_squat": "squat",
    "wide_squat": "squat",
    "staggered_squat": "squat",
    "narrow_squat": "squat",
    "wall_sit": "quad_hold",
    "lateral_lunge": "lateral",
    "hamstring_stretch": "stretch",
    "calf_stretch": "stretch",
    "side_lying_leg_raise": "hip",
    "clamshell": "hip",
    "calf_raise": "calf",
}


def test_every_exercise_is_there_with_its_kind() -> None:
    assert {i: e.kind for i, e in CATALOGUE.items()} == EXPECTED
    assert set(EXERCISE_IDS) == set(EXPECTED)
    assert {e.kind for e in CATALOGUE.values()} == set(KINDS)


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_each_exercise_is_complete_and_short(exercise_id: str) -> None:
    ex = CATALOGUE[exercise_id]
    assert ex.id == exercise_id
    assert 3 <= len(ex.steps) <= 5
    assert all(0 < len(step) <= 80 for step in ex.steps)
    assert ex.muscles and all(ex.muscles)
    for text in (ex.name, ex.easier, ex.harder, ex.safety):
        assert 0 < len(text) <= 80
    assert ex.easier != ex.harder
    assert ex.dose in ex.ladder
    assert ex.estimated_seconds == ex.seconds_for(ex.dose) > 0
    durations = [ex.seconds_for(d) for d in ex.ladder]
    assert durations == sorted(durations) and len(set(durations)) == len(durations)


@pytest.mark.parametrize("exercise_id", [i for i, k in EXPECTED.items() if k == "squat"])
def test_squats_take_the_article_dose(exercise_id: str) -> None:
    ex = CATALOGUE[exercise_id]
    assert ex.dose.reps == 10 and 2 <= ex.dose.sets <= 3
    assert all(d.reps == 10 and 2 <= d.sets <= 3 for d in ex.ladder)


def test_holds_take_the_article_numbers() -> None:
    wall = CATALOGUE["wall_sit"]
    assert wall.dose.sets == 3 and 30 <= (wall.dose.hold_s or 0) <= 60
    assert all(30 <= (d.hold_s or 0) <= 60 for d in wall.ladder)
    assert CATALOGUE["hamstring_stretch"].dose.hold_s == 30
    calf = CATALOGUE["calf_stretch"]
    assert calf.dose.per_side and all(20 <= (d.hold_s or 0) <= 30 for d in calf.ladder)


def test_dose_text_and_duration() -> None:
    assert Dose(3, reps=10).describe() == "3 × 10"
    assert Dose(3, hold_s=45).describe() == "3 × 45 s"
    assert Dose(2, reps=10, per_side=True).describe() == "2 × 10 each side"
    # setup 15 s + 3 sets x 10 reps x 3 s + 2 rests of 40 s
    assert Dose(3, reps=10).seconds("squat") == 15 + 90 + 80
    # each side doubles the work, not the setup or the rests
    one_side, both = Dose(2, reps=10).seconds("lateral"), Dose(2, reps=10, per_side=True).seconds("lateral")
    assert both - one_side == 2 * 10 * 3


@pytest.mark.parametrize("kwargs", [{}, {"reps": 10, "hold_s": 30}, {"reps": 0}, {"hold_s": -5}])
def test_bad_doses_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Dose(2, **kwargs)


def test_exercises_are_frozen_and_catalogue_read_only() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE["wall_sit"].name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        CATALOGUE["x"] = CATALOGUE["wall_sit"]  # type: ignore[index]


def test_lookup_helpers() -> None:
    assert get("clamshell") == CATALOGUE["clamshell"]
    with pytest.raises(KeyError, match="known"):
        get("burpee")
    assert [e.id for e in of_kind("hip")] == ["side_lying_leg_raise", "clamshell"]


def test_unknown_language_gives_english_and_partial_translation_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert catalogue("xx")["wall_sit"].name == "wall sit"
    fake = types.ModuleType("syncd.coach.strings_zz")
    fake.STRINGS = {"ex.wall_sit.name": "muurzit"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "syncd.coach.strings_zz", fake)
    lang.table.cache_clear()
    catalogue.cache_clear()
    try:
        local = catalogue("zz")
        assert local["wall_sit"].name == "muurzit"
        assert local["wall_sit"].steps == CATALOGUE["wall_sit"].steps  # English fallback
    finally:
        lang.table.cache_clear()
        catalogue.cache_clear()
