"""The strength-session builder: shape, rotation, determinism, time budget, exclusions."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from syncd.coach.catalogue import CATALOGUE
from syncd.coach.session import (
    HIP_ALTERNATION,
    SQUAT_ROTATION,
    StrengthSession,
    build_session,
)

DAY = date(2025, 3, 4)
ATHLETES = ["sam", "alex", "Zoë", ""]


def kinds(session: StrengthSession) -> list[str]:
    return [ex.kind for ex, _ in session.items]


@pytest.mark.parametrize("athlete", ATHLETES)
def test_a_default_session_has_every_role_in_order(athlete: str) -> None:
    s = build_session(athlete, DAY)
    assert kinds(s) == ["squat", "quad_hold", "lateral", "hip", "calf", "stretch", "stretch"]
    assert s.exercise_ids[1:3] == ("wall_sit", "lateral_lunge")
    assert s.exercise_ids[-2:] == ("hamstring_stretch", "calf_stretch")
    assert 15 * 60 <= s.total_seconds <= 25 * 60
    assert s.total_minutes == round(s.total_seconds / 60)
    assert all(dose in ex.ladder for ex, dose in s.items)


def test_four_sessions_in_a_row_use_four_different_squats() -> None:
    for athlete in ATHLETES:
        previous, squats, hips = None, [], []
        for n in range(8):
            s = build_session(athlete, DAY + timedelta(days=2 * n), previous=previous)
            if previous is not None:
                assert s.squat != previous.squat
                assert s.hip != previous.hip  # hip work alternates
            squats.append(s.squat)
            hips.append(s.hip)
            previous = s
        assert len(set(squats[:4])) == 4 and len(set(squats[4:])) == 4
        assert set(hips) == set(HIP_ALTERNATION)


def test_without_previous_the_squat_rotates_by_date() -> None:
    squats = [build_session("sam", DAY + timedelta(days=n)).squat for n in range(4)]
    assert sorted(squats) == sorted(SQUAT_ROTATION)


@pytest.mark.parametrize("last", SQUAT_ROTATION)
def test_never_the_previous_squat_even_with_exclusions(last: str) -> None:
    previous = StrengthSession("sam", DAY, ((CATALOGUE[last], CATALOGUE[last].dose),))
    others = [q for q in SQUAT_ROTATION if q != last]
    s = build_session("sam", DAY, previous=previous, exclude=frozenset(others[:2]))
    assert s.squat == others[2]
    only_last_left = build_session("sam", DAY, previous=previous, exclude=frozenset(others))
    assert only_last_left.items[0][0].kind != "squat"  # the squat slot is dropped, not repeated


def test_same_inputs_give_the_same_session() -> None:
    prev = build_session("sam", DAY - timedelta(days=3))
    options = {"previous": prev, "hard_day": True, "minutes": 18, "exclude": frozenset({"clamshell"})}
    first = build_session("sam", DAY, **options)  # type: ignore[arg-type]
    assert first == build_session("sam", DAY, **options)  # type: ignore[arg-type]
    assert first.items and first.hard_day


def test_determinism_does_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "from datetime import date; from syncd.coach.session import build_session;"
        "print([build_session(a, date(2025, 3, d)).exercise_ids for a in ('sam', 'kim')"
        " for d in range(1, 9)])"
    )
    root = Path(__file__).resolve().parents[1]
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outs) == 1


def test_different_athletes_do_not_all_get_the_same_plan() -> None:
    squats = {build_session(f"runner{i}", DAY).squat for i in range(20)}
    assert len(squats) > 1


@pytest.mark.parametrize("minutes", [15, 20, 25])
def test_hard_day_is_shorter_with_fewer_sets(minutes: int) -> None:
    normal = build_session("sam", DAY, minutes=minutes)
    hard = build_session("sam", DAY, minutes=minutes, hard_day=True)
    assert hard.total_seconds < normal.total_seconds
    assert 11 * 60 <= hard.total_seconds <= 15 * 60
    assert sum(d.sets for _, d in hard.items) < sum(d.sets for _, d in normal.items)
    assert hard.hard_day and not normal.hard_day


@pytest.mark.parametrize(
    ("asked", "low", "high"),
    [(0, 14, 15), (5, 14, 15), (15, 14, 15), (20, 18, 20), (25, 22, 25), (90, 22, 25)],
)
def test_minutes_are_clamped_to_15_25(asked: int, low: int, high: int) -> None:
    s = build_session("sam", DAY, minutes=asked)
    assert low * 60 <= s.total_seconds <= high * 60


def test_longer_budget_never_gives_a_shorter_session() -> None:
    totals = [build_session("sam", DAY, minutes=m).total_seconds for m in range(15, 26)]
    assert totals == sorted(totals)


def test_excluding_the_lateral_lunge_substitutes_hip_work() -> None:
    s = build_session("sam", DAY, exclude=frozenset({"lateral_lunge"}))
    assert "lateral_lunge" not in s.exercise_ids
    assert set(HIP_ALTERNATION) <= set(s.exercise_ids)
    assert len(s.items) == 7


def test_excluding_a_whole_kind_drops_its_slot_only() -> None:
    s = build_session("sam", DAY, exclude=frozenset({"lateral_lunge", *HIP_ALTERNATION}))
    assert not {"lateral_lunge", *HIP_ALTERNATION} & set(s.exercise_ids)
    assert kinds(s) == ["squat", "quad_hold", "calf", "stretch", "stretch"]
    no_stretch = build_session("sam", DAY, exclude=frozenset({"hamstring_stretch"}))
    assert no_stretch.exercise_ids[-1] == "calf_stretch" and kinds(no_stretch).count("stretch") == 1


def test_excluding_the_wall_sit_uses_a_second_squat() -> None:
    s = build_session("sam", DAY, exclude=frozenset({"wall_sit"}))
    assert kinds(s)[:2] == ["squat", "squat"] and s.exercise_ids[0] != s.exercise_ids[1]
    assert s.squat == build_session("sam", DAY).squat  # the squat slot keeps its choice


def test_everything_excluded_gives_an_empty_session_that_still_renders() -> None:
    s = build_session("sam", DAY, exclude=frozenset(CATALOGUE))
    assert s.items == () and s.total_minutes == 0
    assert s.one_line() and s.long()


def test_unknown_exclusions_are_refused() -> None:
    with pytest.raises(ValueError, match="burpee"):
        build_session("sam", DAY, exclude=frozenset({"burpee"}))


@pytest.mark.parametrize("hard_day", [False, True])
def test_one_line_fits_and_names_the_session(hard_day: bool) -> None:
    s = build_session("sam", DAY, hard_day=hard_day)
    line = s.one_line()
    assert line.startswith(f"Strength today ({s.total_minutes} min): ")
    assert len(line) <= 200 and "\n" not in line
    assert CATALOGUE[s.exercise_ids[0]].name in line
    short = s.one_line(max_chars=90)
    assert len(short) <= 90 and "more" in short


def test_long_lists_every_exercise_with_steps() -> None:
    s = build_session("sam", DAY)
    text = s.long()
    for ex, dose in s.items:
        assert ex.name.capitalize() in text and dose.describe() in text
        assert all(step in text for step in ex.steps)
        assert ex.safety in text
    assert text.count("\n") > 7 * 4
