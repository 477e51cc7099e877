"""The exercise catalogue: knee-friendly strength work and stretches for runners.

Structure (kind, dose, dose ladder) lives here; every text lives in `strings_<lang>.py`.
Doses follow the reference article where it gives numbers; the others are our own choices,
marked as such below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Literal

from syncd.coach import lang as _lang

Kind = Literal["squat", "quad_hold", "lateral", "hip", "calf", "stretch"]
KINDS: tuple[Kind, ...] = ("squat", "quad_hold", "lateral", "hip", "calf", "stretch")

SETUP_S = 15  # getting into position, reading the cues
REP_S = 3  # one controlled repetition
REST_S: dict[Kind, int] = {"squat": 40, "quad_hold": 40, "lateral": 40, "hip": 30, "calf": 30, "stretch": 10}


@dataclass(frozen=True, slots=True)
class Dose:
    """How much of an exercise: sets of reps or of timed holds, optionally for each side."""

    sets: int
    reps: int | None = None
    hold_s: int | None = None
    per_side: bool = False

    def __post_init__(self) -> None:
        if (self.reps is None) == (self.hold_s is None):
            raise ValueError("a dose has either reps or a hold time, not both or neither")
        if self.sets < 1 or (self.reps or self.hold_s or 0) < 1:
            raise ValueError(f"a dose needs at least one set and one rep or second: {self}")

    def describe(self, lang: str = _lang.DEFAULT_LANG) -> str:
        """Short text such as "3 × 10", "3 × 45 s" or "2 × 10 each side"."""
        if self.reps is not None:
            out = _lang.text("dose.reps", lang, sets=self.sets, reps=self.reps)
        else:
            out = _lang.text("dose.hold", lang, sets=self.sets, hold=self.hold_s)
        return _lang.text("dose.per_side", lang, dose=out) if self.per_side else out

    def seconds(self, kind: Kind) -> int:
        """Estimated time for the whole dose: setup, work on each side, rest between sets."""
        per_set = self.reps * REP_S if self.reps is not None else (self.hold_s or 0)
        sides = 2 if self.per_side else 1
        return SETUP_S + self.sets * per_set * sides + (self.sets - 1) * REST_S[kind]


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise, with its texts in one language."""

    id: str
    kind: Kind
    name: str
    muscles: tuple[str, ...]
    steps: tuple[str, ...]
    dose: Dose  # the standard dose
    ladder: tuple[Dose, ...]  # lightest to heaviest; session builders pick from it
    easier: str
    harder: str
    safety: str

    @property
    def estimated_seconds(self) -> int:
        """Estimated duration of the standard dose."""
        return self.dose.seconds(self.kind)

    def seconds_for(self, dose: Dose) -> int:
        return dose.seconds(self.kind)


def _r(sets: int, reps: int, per_side: bool = False) -> Dose:
    return Dose(sets=sets, reps=reps, per_side=per_side)


def _h(sets: int, hold_s: int, per_side: bool = False) -> Dose:
    return Dose(sets=sets, hold_s=hold_s, per_side=per_side)


# id -> (kind, standard dose, ladder). Order here is the catalogue's display order.
_SPECS: dict[str, tuple[Kind, Dose, tuple[Dose, ...]]] = {
    # Squats: the article gives 2-3 sets of 10 for three of them; the narrow squat has no
    # dose there, so it gets the same one (our choice). The staggered squat swaps the front
    # foot halfway through a set, as in the article, so it is not per side.
    "neutral_squat": ("squat", _r(3, 10), (_r(2, 10), _r(3, 10))),
    "wide_squat": ("squat", _r(3, 10), (_r(2, 10), _r(3, 10))),
    "staggered_squat": ("squat", _r(3, 10), (_r(2, 10), _r(3, 10))),
    "narrow_squat": ("squat", _r(3, 10), (_r(2, 10), _r(3, 10))),
    # Wall sit: the article gives 3 holds of 30-60 s; 45 s is our standard, and the ladder
    # starts at 2 holds for short sessions (our choice).
    "wall_sit": ("quad_hold", _h(3, 45), (_h(2, 30), _h(3, 30), _h(3, 45), _h(3, 60))),
    # Lateral lunge: no numbers in the article; 2 x 10 each side is our choice.
    "lateral_lunge": ("lateral", _r(2, 10, True), (_r(2, 8, True), _r(2, 10, True), _r(3, 10, True))),
    # Hip abduction work (not in the article; patellofemoral pain guidance favours it):
    # 2-3 sets of 10-15 each side, our choice.
    "side_lying_leg_raise": ("hip", _r(2, 12, True), (_r(2, 10, True), _r(2, 12, True), _r(3, 12, True))),
    "clamshell": ("hip", _r(2, 15, True), (_r(2, 12, True), _r(2, 15, True), _r(3, 15, True))),
    # Calf raise (not in the article): 2-3 sets of 12-15, our choice.
    "calf_raise": ("calf", _r(3, 15), (_r(2, 12), _r(2, 15), _r(3, 15))),
    # Hamstring stretch: the article gives a 30 s hold; doing it twice is our choice.
    "hamstring_stretch": ("stretch", _h(2, 30), (_h(1, 30), _h(2, 30))),
    # Calf stretch: the article gives 20-30 s on each leg; two rounds is our choice.
    "calf_stretch": ("stretch", _h(2, 30, True), (_h(1, 20, True), _h(1, 30, True), _h(2, 30, True))),
}

EXERCISE_IDS: tuple[str, ...] = tuple(_SPECS)


def _build(exercise_id: str, lang: str) -> Exercise:
    kind, dose, ladder = _SPECS[exercise_id]

    def t(part: str) -> str:
        return _lang.text(f"ex.{exercise_id}.{part}", lang)

    return Exercise(
        id=exercise_id,
        kind=kind,
        name=t("name"),
        muscles=tuple(m.strip() for m in t("muscles").split(",") if m.strip()),
        steps=tuple(s.strip() for s in t("steps").splitlines() if s.strip()),
        dose=dose,
        ladder=ladder,
        easier=t("easier"),
        harder=t("harder"),
        safety=t("safety"),
    )


@cache
def catalogue(lang: str = _lang.DEFAULT_LANG) -> Mapping[str, Exercise]:
    """Every exercise by id, in display order, with texts in `lang`."""
    return MappingProxyType({i: _build(i, lang) for i in EXERCISE_IDS})


def get(exercise_id: str, lang: str = _lang.DEFAULT_LANG) -> Exercise:
    try:
        return catalogue(lang)[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(EXERCISE_IDS)}") from None


def of_kind(kind: Kind, lang: str = _lang.DEFAULT_LANG) -> tuple[Exercise, ...]:
    return tuple(e for e in catalogue(lang).values() if e.kind == kind)


CATALOGUE: Mapping[str, Exercise] = catalogue()
