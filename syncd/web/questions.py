"""The questions syncd asks and the answers each takes, as check-ins (RULES.md).

| question       | about          | answers                        | check-in                          |
|----------------|----------------|--------------------------------|-----------------------------------|
| `strength`     | the prompt day | done, skip_week                | strength_done / strength_skip_week |
| `knee_pain`    | the run's day  | 0 … 10                         | knee_pain (value)                 |
| `knee_morning` | the day        | better, same, worse            | knee_morning (value)              |
| `knee_settled` | –              | yes                            | knee_settled                      |
| `run`          | activity key   | race, not_race, real, left_out | the same kind, about the activity |
| `fewer`        | rule id        | fewer, undo                    | fewer / fewer_undo                |
"""

from __future__ import annotations

from dataclasses import dataclass

KNEE_SCALE = tuple(str(n) for n in range(11))


@dataclass(frozen=True, slots=True)
class Question:
    """One question: what it is about, the answers it takes, and the check-in kind of each."""

    id: str
    about: str  # "day", "activity", "rule" or "" (nothing)
    answers: tuple[str, ...]
    kinds: dict[str, str]  # answer → CheckIn kind


QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question(
            "strength",
            "day",
            ("done", "skip_week"),
            {"done": "strength_done", "skip_week": "strength_skip_week"},
        ),
        Question("knee_pain", "day", KNEE_SCALE, dict.fromkeys(KNEE_SCALE, "knee_pain")),
        Question(
            "knee_morning",
            "day",
            ("better", "same", "worse"),
            dict.fromkeys(("better", "same", "worse"), "knee_morning"),
        ),
        Question("knee_settled", "", ("yes",), {"yes": "knee_settled"}),
        Question(
            "run",
            "activity",
            ("race", "not_race", "real", "left_out"),
            {k: k for k in ("race", "not_race", "real", "left_out")},
        ),
        Question("fewer", "rule", ("fewer", "undo"), {"fewer": "fewer", "undo": "fewer_undo"}),
    )
}


def question(qid: str) -> Question:
    """The question with this id; raises KeyError naming the known ones."""
    try:
        return QUESTIONS[qid]
    except KeyError:
        raise KeyError(f"unknown question {qid!r}; one of: {', '.join(QUESTIONS)}") from None
