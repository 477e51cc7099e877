"""Build a short strength session for a runner: deterministic, rotating, time-boxed.

A session has one slot per role: a squat, a quad hold, lateral work, hip work, calf work
(only when time allows) and two stretches. The squat rotates through the four variations
and the hip exercise alternates, both decided from the athlete and the day (via hashlib,
never Python's salted `hash`) or, when the previous session is given, from it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from syncd.coach import lang as _lang
from syncd.coach.catalogue import CATALOGUE, KINDS, Dose, Exercise, Kind, get, of_kind

SQUAT_ROTATION: tuple[str, ...] = ("neutral_squat", "wide_squat", "staggered_squat", "narrow_squat")
HIP_ALTERNATION: tuple[str, ...] = ("side_lying_leg_raise", "clamshell")
MIN_MINUTES, MAX_MINUTES = 15, 25
HARD_DAY_MAX_MINUTES = 15
ONE_LINE_MAX = 200

# (role, kinds that may fill it, first choice first, optional?) in session order.
_SLOTS: tuple[tuple[str, tuple[Kind, ...], bool], ...] = (
    ("squat", ("squat",), False),
    ("quad_hold", ("quad_hold", "squat"), False),
    ("lateral", ("lateral", "hip"), False),
    ("hip", ("hip", "lateral"), False),
    ("calf", ("calf",), True),
    ("stretch", ("stretch",), False),
    ("stretch", ("stretch",), False),
)
#: after knee pain (RULES.md): no squats or lunges, the wall sit held high, both hip exercises
_GENTLE_SLOTS: tuple[tuple[str, tuple[Kind, ...], bool], ...] = (
    ("quad_hold", ("quad_hold",), False),
    ("hip", ("hip",), False),
    ("hip", ("hip",), False),
    ("calf", ("calf",), True),
    ("stretch", ("stretch",), False),
    ("stretch", ("stretch",), False),
)


@dataclass(frozen=True, slots=True)
class StrengthSession:
    """An ordered list of (exercise, dose) items for one athlete on one day."""

    athlete: str
    day: date
    items: tuple[tuple[Exercise, Dose], ...]
    hard_day: bool = False
    gentle: bool = False  # the knee-friendly session after knee pain

    @property
    def total_seconds(self) -> int:
        return sum(ex.seconds_for(dose) for ex, dose in self.items)

    @property
    def total_minutes(self) -> int:
        """Estimated length, rounded to whole minutes (0 only for an empty session)."""
        return max(1, round(self.total_seconds / 60)) if self.items else 0

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return tuple(ex.id for ex, _ in self.items)

    @property
    def squat(self) -> str | None:
        """The squat variation of the squat slot, if any."""
        return next((ex.id for ex, _ in self.items if ex.kind == "squat"), None)

    @property
    def hip(self) -> str | None:
        return next((ex.id for ex, _ in self.items if ex.id in HIP_ALTERNATION), None)

    def one_line(
        self, max_chars: int = ONE_LINE_MAX, lang: str = _lang.DEFAULT_LANG, *, note: bool = False
    ) -> str:
        """One line for a push (`note`: for an activity note, read later, so it never says
        "today"); drops trailing items to fit `max_chars`."""
        if not self.items:
            return _lang.text("session.empty", lang)
        parts = [
            _lang.text("session.item", lang, name=self._name(ex, lang), dose=dose.describe(lang))
            for ex, dose in self.items
        ]
        sep = _lang.text("session.sep", lang)
        for keep in range(len(parts), 0, -1):
            shown = parts[:keep]
            if keep < len(parts):
                shown = [*shown, _lang.text("session.more", lang, n=len(parts) - keep)]
            template = "session.one_line" + (".gentle" if self.gentle else "") + (".note" if note else "")
            line = _lang.text(template, lang, minutes=self.total_minutes, items=sep.join(shown))
            if len(line) <= max_chars:
                return line
        return line[: max(0, max_chars - 1)] + "…"

    def _name(self, ex: Exercise, lang: str) -> str:
        """The exercise's name; in the gentle session the quad hold is held high (less knee bend)."""
        name = _local(ex, lang).name
        return (
            _lang.text("session.held_high", lang, name=name)
            if self.gentle and ex.kind == "quad_hold"
            else name
        )

    def long(self, lang: str = _lang.DEFAULT_LANG) -> str:
        """Several lines with every exercise, its dose, steps and variations."""
        if not self.items:
            return _lang.text("session.empty", lang)
        out = [_lang.text("session.long_head", lang, day=self.day.isoformat(), minutes=self.total_minutes)]
        for n, (ex, dose) in enumerate(self.items, 1):
            local = _local(ex, lang)
            out.append(
                _lang.text(
                    "session.long_item",
                    lang,
                    n=n,
                    name=local.name.capitalize(),
                    dose=dose.describe(lang),
                    muscles=", ".join(local.muscles),
                )
            )
            out += [f"   - {step}" for step in local.steps]
            for key, value in (
                ("session.easier", local.easier),
                ("session.harder", local.harder),
                ("session.safety", local.safety),
            ):
                out.append("   " + _lang.text(key, lang, text=value))
        return "\n".join(out)


def _local(ex: Exercise, lang: str) -> Exercise:
    return ex if lang == _lang.DEFAULT_LANG else get(ex.id, lang)


def _seed(athlete: str, day: date, salt: str) -> int:
    digest = hashlib.sha256(f"syncd.coach|{salt}|{athlete}".encode()).digest()
    return int.from_bytes(digest[:8], "big") + day.toordinal()


def _cycle(order: tuple[str, ...], start: int) -> list[str]:
    return [order[(start + i) % len(order)] for i in range(len(order))]


def _preferences(athlete: str, day: date, previous: StrengthSession | None) -> dict[Kind, list[str]]:
    """Exercise ids of each kind in the order the slots should try them."""
    prefs: dict[Kind, list[str]] = {k: [e.id for e in of_kind(k)] for k in KINDS}
    last_squat = previous.squat if previous else None
    if last_squat is not None and last_squat in SQUAT_ROTATION:
        squats = _cycle(SQUAT_ROTATION, SQUAT_ROTATION.index(last_squat) + 1)
        squats.remove(last_squat)  # never the same squat twice in a row
    else:
        squats = _cycle(SQUAT_ROTATION, _seed(athlete, day, "squat"))
    prefs["squat"] = squats
    last_hip = previous.hip if previous else None
    start = (
        HIP_ALTERNATION.index(last_hip) + 1
        if last_hip and last_hip in HIP_ALTERNATION
        else _seed(athlete, day, "hip")
    )
    prefs["hip"] = _cycle(HIP_ALTERNATION, start)
    return prefs


def _choose(
    prefs: dict[Kind, list[str]],
    exclude: frozenset[str],
    slots: tuple[tuple[str, tuple[Kind, ...], bool], ...],
) -> list[tuple[int, str]]:
    """(slot index, exercise id) for every slot that can be filled, in slot order.

    First every slot takes its own kind; only then do empty slots borrow from their fallback
    kinds, so a substitute never takes the exercise another slot would have chosen.
    """
    used: set[str] = set()
    chosen: dict[int, str] = {}
    for kinds_from in (slice(0, 1), slice(1, None)):
        for index, (_role, kinds, _optional) in enumerate(slots):
            if index in chosen:
                continue
            for kind in kinds[kinds_from]:
                pick = next((i for i in prefs[kind] if i not in exclude and i not in used), None)
                if pick is not None:
                    chosen[index] = pick
                    used.add(pick)
                    break
    return sorted(chosen.items())


def build_session(
    athlete: str,
    day: date,
    *,
    previous: StrengthSession | None = None,
    hard_day: bool = False,
    minutes: int = 20,
    exclude: frozenset[str] = frozenset(),
    gentle: bool = False,
) -> StrengthSession:
    """A 15-25 minute session (about 12-15 on a hard day), the same for the same inputs;
    `gentle`: the knee-friendly one (no squats or lunges, a high wall sit, hip work)."""
    unknown = sorted(set(exclude) - set(CATALOGUE))
    if unknown:
        raise ValueError(f"unknown exercise ids in exclude: {', '.join(unknown)}")
    budget = min(max(minutes, MIN_MINUTES), MAX_MINUTES) * 60
    if hard_day:
        budget = min(budget, HARD_DAY_MAX_MINUTES * 60)
    slots = _GENTLE_SLOTS if gentle else _SLOTS
    picks = _choose(_preferences(athlete, day, previous), frozenset(exclude), slots)
    exercises = [CATALOGUE[i] for _, i in picks]
    optional = [slots[slot][2] for slot, _ in picks]
    if gentle:
        hard_day = True  # the lightest rung of every exercise: a wall sit of 2 × 30 s
    levels = [0] * len(exercises)

    def total(lv: list[int], keep: list[bool]) -> int:
        return sum(e.seconds_for(e.ladder[n]) for e, n, k in zip(exercises, lv, keep, strict=True) if k)

    keep = [True] * len(exercises)
    for i in (i for i, opt in enumerate(optional) if opt):  # "if time allows"
        if total(levels, keep) > budget:
            keep[i] = False
    if not hard_day:  # fewer sets on hard days: stay on the lightest rung
        grew = True
        while grew:
            grew = False
            for i, ex in enumerate(exercises):
                if keep[i] and levels[i] + 1 < len(ex.ladder):
                    levels[i] += 1
                    if total(levels, keep) <= budget:
                        grew = True
                    else:
                        levels[i] -= 1
    items = tuple((ex, ex.ladder[n]) for ex, n, k in zip(exercises, levels, keep, strict=True) if k)
    return StrengthSession(athlete=athlete, day=day, items=items, hard_day=hard_day, gentle=gentle)


def offered_session(
    athlete: str,
    day: date,
    *,
    minutes: int = 20,
    exclude: frozenset[str] = frozenset(),
    gentle: bool = False,
) -> StrengthSession:
    """The session syncd offers on `day`: the same wherever it is shown (note, push, check,
    demo), and never the same squat as the one offered on the previous week's prompt."""
    previous = build_session(athlete, day - timedelta(days=7), minutes=minutes, exclude=exclude)
    return build_session(athlete, day, previous=previous, minutes=minutes, exclude=exclude, gentle=gentle)
