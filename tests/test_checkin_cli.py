"""`syncd checkin`, `syncd export` and `syncd replay --answers`: the page's answers without a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_replay import _history

from syncd.cli import main


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    history = tmp_path / "h.jsonl"
    history.write_text("\n".join(json.dumps(r) for r in _history()))
    config = tmp_path / "config.toml"
    config.write_text('[[athletes]]\nname = "sam"\ntimezone = "UTC"\nquiet_hours = "22:00-07:00"\n')
    common = ["--config", str(config), "--state-dir", str(tmp_path / "state")]
    assert main(["import", "--athlete", "sam", str(history), *common]) == 0
    capsys.readouterr()
    return common


def checkin(common: list[str], *answer: str) -> int:
    return main(["checkin", "--athlete", "sam", *common, *answer])


def test_every_answer_of_the_page_has_a_command_and_export_prints_them(
    setup: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert checkin(setup, "strength-done", "--day", "2026-04-06") == 0
    assert "strength_done for 2026-04-06" in capsys.readouterr().out
    assert checkin(setup, "knee", "3", "--day", "2026-04-08") == 0
    assert checkin(setup, "knee-morning", "worse", "--day", "2026-04-09") == 0
    assert checkin(setup, "race", "strava:long") == 0
    assert checkin(setup, "not-a-run", "sore") == 0
    assert checkin(setup, "fewer", "strength_frequency") == 0
    assert checkin(setup, "knee-settled") == 0
    capsys.readouterr()
    assert main(["export", "--athlete", "sam", *setup]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["kind"], r["value"], r["about"]) for r in rows] == [
        ("strength_done", None, None),
        ("knee_pain", 3, None),
        ("knee_morning", "worse", None),
        ("race", None, "strava:long"),
        ("left_out", None, "strava:sore"),
        ("fewer", None, "strength_frequency"),
        ("knee_settled", None, None),
    ]
    assert all(r["source"] == "cli" and r["at"].endswith("+00:00") for r in rows)
    assert rows[1]["day"] == "2026-04-08" and rows[3]["day"] == "2026-04-04"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (["race", "strava:nope"], "no stored activity 'strava:nope' of sam"),
        (["fewer", "no_such_rule"], "no rule 'no_such_rule'"),
        (["knee", "4", "--day", "2999-01-01"], "2999-01-01 is in the future"),
    ],
)
def test_a_bad_answer_is_refused_with_the_reason_and_nothing_stored(
    setup: list[str], capsys: pytest.CaptureFixture[str], answer: list[str], message: str
) -> None:
    assert checkin(setup, *answer) == 1
    assert message in capsys.readouterr().err
    main(["export", "--athlete", "sam", *setup])
    assert capsys.readouterr().out == ""


def test_replay_takes_recorded_answers_each_at_its_time(
    setup: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        "\n".join(
            json.dumps(a)
            for a in [
                # 6/10 right after Friday's run: pause and see a professional, pushed at once
                {"kind": "knee_pain", "day": "2026-04-10", "at": "2026-04-10T19:30:00+00:00", "value": 6},
                # Monday before the morning hour: a strength session done stops the week's prompt
                {"kind": "strength_done", "day": "2026-04-13", "at": "2026-04-13T06:30:00+00:00"},
            ]
        )
    )
    assert main(["replay", "--athlete", "sam", "--json", "--answers", str(answers), *setup]) == 0
    out = json.loads(capsys.readouterr().out)
    pushes = [(d["at"], d["rule"], d["title"]) for d in out["deliveries"] if d["channel"] == "push"]
    assert ("2026-04-10T19:30+00:00", "knee_check", "Knee check: pause running") in pushes
    assert not any(at.startswith("2026-04-13") for at, _, _ in pushes)  # no prompt that week
    assert ("2026-04-11T07:00+00:00", "knee_check", "Knee check this morning") in pushes
    # the stored state has no answers: the recorded ones were only replayed
    main(["export", "--athlete", "sam", *setup])
    assert capsys.readouterr().out == ""


def test_replay_names_the_line_of_a_broken_answers_file(
    setup: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        '{"kind": "knee_pain", "day": "2026-04-10", "at": "2026-04-10T19:30:00+00:00"}\n{"kind": "dance"}\n'
    )
    assert main(["replay", "--athlete", "sam", "--answers", str(answers), *setup]) == 1
    err = capsys.readouterr().err
    assert "line 2: not a check-in" in err and "syncd export" in err
