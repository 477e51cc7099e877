"""`syncd replay` on a small history whose deliveries are worked out by hand."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from syncd.cli import main

D0 = date(2026, 3, 2)  # a Monday


def _history() -> list[dict[str, object]]:
    """Runs of 6 km on Mon/Wed/Fri at 18:00 UTC from 2 March to 10 April; strength on Tue/Thu
    until 26 March; a 12 km run on Sat 4 April (+100 %); a late run with a sore knee on Wed 8 April."""
    rows: list[dict[str, object]] = []
    for n in range(40):
        d = D0 + timedelta(days=n)
        if d.weekday() in (0, 2, 4) and d != date(2026, 4, 8):
            rows.append(
                {
                    "id": f"r{n}",
                    "start": f"{d}T18:00:00Z",
                    "sport": "Run",
                    "distance_m": 6000,
                    "moving_s": 2160,
                    "elapsed_s": 2200,
                    "title": "Easy run",
                }
            )
        if d.weekday() in (1, 3) and d <= date(2026, 3, 26):
            rows.append(
                {
                    "id": f"s{n}",
                    "start": f"{d}T12:00:00Z",
                    "sport": "WeightTraining",
                    "moving_s": 1800,
                    "elapsed_s": 1800,
                    "title": "Gym",
                }
            )
    rows.append(
        {
            "id": "long",
            "start": "2026-04-04T09:00:00Z",
            "sport": "Run",
            "distance_m": 12000,
            "moving_s": 4320,
            "elapsed_s": 4400,
            "title": "Long one",
            "description": "Felt strong.",
        }
    )
    rows.append(
        {
            "id": "sore",
            "start": "2026-04-08T21:30:00Z",
            "sport": "Run",
            "distance_m": 6000,
            "moving_s": 2160,
            "elapsed_s": 2200,
            "title": "Late run, knee a bit sore",
        }
    )
    return [{"provider": "strava", **r} for r in rows]


@pytest.fixture
def replayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    history = tmp_path / "h.jsonl"
    history.write_text("\n".join(json.dumps(r) for r in _history()))
    config = tmp_path / "config.toml"
    config.write_text(
        '[[athletes]]\nname = "sam"\ntimezone = "UTC"\nquiet_hours = "22:00-07:00"\n'
        "notes = { strava = true }\n"
    )
    state = str(tmp_path / "state")
    common = ["--config", str(config), "--state-dir", state]
    assert main(["import", "--athlete", "sam", str(history), *common]) == 0
    before = (tmp_path / "state" / "syncd.sqlite3").read_bytes()
    capsys.readouterr()
    assert main(["replay", "--athlete", "sam", "--json", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (tmp_path / "state" / "syncd.sqlite3").read_bytes() == before  # the state is only read
    return out  # type: ignore[no-any-return]


def test_the_pushes_are_the_ones_worked_out_by_hand(replayed: dict[str, object]) -> None:
    pushes = [(d["at"], d["rule"], d["severity"]) for d in replayed["deliveries"] if d["channel"] == "push"]  # type: ignore[index, union-attr]
    assert pushes == [
        # (strength stops after Thu 26 March; Monday 30 March still counts two in the week before)
        # 12 km after a longest run of 6 km: +100 %, a warning, pushed when the run is uploaded
        ("2026-04-04T10:18+00:00", "session_spike", "warning"),
        # (Monday 6 April: the prompt gives way to the 48 hours of recovery after Saturday)
        # the knee is watched from the sore run on (knee_check): the morning after, its question
        # at the morning hour (the pain push carried the after-run question of the day itself)...
        ("2026-04-09T07:00+00:00", "knee_check", "caution"),
        # ...and the sore knee, uploaded at 22:11 in the quiet hours, goes out at 07:00
        ("2026-04-09T07:00+00:00", "pain_reported", "warning"),
        # Friday's run: the after-run question as soon as it is uploaded; then three questions
        # let pass (the pain push's, Thursday's, Friday's), so none on Saturday morning
        ("2026-04-10T18:41+00:00", "knee_check", "caution"),
        # Monday 13 April: no strength session the week before, the gentle session for the knee
        ("2026-04-13T07:00+00:00", "strength_frequency", "caution"),
        # Monday 20 April: still running (3 runs in the 14 days before), the second prompt
        ("2026-04-20T07:00+00:00", "strength_frequency", "caution"),
    ]
    texts = [d["text"] for d in replayed["deliveries"] if d["channel"] == "push"]  # type: ignore[index, union-attr]
    assert "Recover first" in texts[0] and "under" not in texts[0]
    assert "this morning" in texts[1] and "from 0 (nothing) to 10" in texts[3]
    assert texts[4].startswith("No strength session in the last 7 days")
    for gentle in texts[4:]:
        assert "Gentle strength today" in gentle and "wall sit held high" in gentle and "squat" not in gentle


def test_digests_go_out_in_weeks_with_a_run_and_one_quiet_week(replayed: dict[str, object]) -> None:
    digests = [d["at"] for d in replayed["deliveries"] if d["channel"] == "digest"]  # type: ignore[index, union-attr]
    sundays = ["03-08", "03-15", "03-22", "03-29", "04-05", "04-12", "04-19"]
    assert digests == [f"2026-{s}T19:00+00:00" for s in sundays]  # 19 April: the quiet week; then none


def test_notes_land_on_the_long_run_and_the_sore_one_with_the_runners_text(
    replayed: dict[str, object],
) -> None:
    notes = {d["key"]: d["text"] for d in replayed["deliveries"] if d["channel"] == "note"}  # type: ignore[index, union-attr]
    assert set(notes) == {"strava:long", "strava:sore"}  # the prompts' Mondays had no run
    assert notes["strava:long"].startswith("Felt strong.\n\n— syncd —\n100 % longer than")
    assert "Knee mentioned in the notes" in notes["strava:sore"]


def test_the_summary_counts_pushes_per_week_with_a_run(replayed: dict[str, object]) -> None:
    s = replayed["summary"]  # type: ignore[index]
    assert s["weeks_with_run"] == 6 and s["pushes"] == 6  # type: ignore[index]
    assert s["pushes_per_running_week_max"] == 3  # type: ignore[index]  # the sore knee's week
    assert s["pushes_in_weeks_without_run"] == 2  # type: ignore[index]  # the 13 and 20 April prompts
    assert s["strength_share"] == pytest.approx(2 / 6, abs=0.001)  # type: ignore[index]
    assert s["digests"] == 7 and s["notes"] == 2  # type: ignore[index]
