"""`syncd check`, `syncd rules`, `syncd config validate` and `syncd notify test` as a runner uses them."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakes.http_sink import HttpSink

from syncd.cli import main
from syncd.domain import Session
from syncd.store import Store

SAMPLE_ZONE = ZoneInfo("Europe/Amsterdam")
SPIKE_DAY = date(2026, 11, 21)
PAIN_DAY = date(2026, 11, 22)
STREAK_DAY = date(2026, 10, 9)

#: Every built-in rule and its evidence grade, copied from RULES.md (not from the code).
RULES_MD_GRADES = {
    "session_spike": "B",
    "weekly_progression": "C",
    "acwr": "X",
    "return_from_break": "D",
    "monotony": "C",
    "run_streak": "D",
    "back_to_back_hard": "D",
    "strength_frequency": "B",
    "pain_reported": "D",
    "knee_check": "C",
}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def sample_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    state = tmp_path / "state"
    code, _, _ = cli(capsys, "import", "--athlete", "sample", "--sample", "--state-dir", str(state))
    assert code == 0
    return state


def check_args(state: Path, *extra: str) -> list[str]:
    return [
        "check",
        "--athlete",
        "sample",
        "--since",
        "2026-08-01",
        "--on",
        "2026-11-22",
        "--state-dir",
        str(state),
        *extra,
    ]


def table_rows(out: str) -> list[tuple[str, str, str]]:
    """(day, severity, rule) for every row of the findings table."""
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(\d{4}-\d\d-\d\d)\s+(info|caution|warning|alert)\s+([a-z_]+)\s+\S", line)
        if m:
            rows.append((m[1], m[2], m[3]))
    return rows


def stored_rows(state: Path, table: str) -> int:
    with Store(state) as store:
        count: int = store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return count


def local_day(s: Session) -> date:
    return s.start_utc.astimezone(SAMPLE_ZONE).date()


def expected_spike(state: Path) -> tuple[Session, Session]:
    """The sample's 2026-11-21 run and, computed from the stored sessions by RULES.md's
    definition, its reference: the longest run starting in [start - 30 x 24 h, start)."""
    with Store(state) as store:
        runs = [s for s in store.sessions("sample") if s.sport.is_run]
    [spike] = [s for s in runs if local_day(s) == SPIKE_DAY]
    window = [s for s in runs if spike.start_utc - timedelta(days=30) <= s.start_utc < spike.start_utc]
    reference = max(window, key=lambda s: s.distance_m or 0)
    for s in (spike, reference):  # plausible paces: neither is left out as suspect
        assert s.distance_m and s.duration_s
        assert 150 <= s.duration_s * 1000 / s.distance_m <= 1200
    return spike, reference


# -- syncd check ------------------------------------------------------------------------


def test_check_over_the_sample_shows_what_a_backfill_would_raise(
    sample_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *check_args(sample_state))
    assert code == 0, err
    rows = table_rows(out)
    assert (SPIKE_DAY.isoformat(), "warning", "session_spike") in rows
    assert (STREAK_DAY.isoformat(), "caution", "run_streak") in rows
    assert (PAIN_DAY.isoformat(), "warning", "pain_reported") in rows
    assert any(rule == "strength_frequency" for _, _, rule in rows)
    # every row is inside the asked period, and the header counts them
    assert all("2026-08-01" <= day <= "2026-11-22" for day, _, _ in rows)
    assert f"{len(rows)} finding(s) for 2026-08-01 to 2026-11-22" in out
    # the spike's details carry the runner's numbers
    spike, reference = expected_spike(sample_state)
    assert spike.distance_m and reference.distance_m
    details = out.split("Details:", 1)[1]
    assert f"{spike.distance_m / 1000:.1f} km" in details
    assert f"{reference.distance_m / 1000:.1f} km" in details
    assert "left knee sore" in details


def test_check_records_and_sends_nothing(sample_state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {t: stored_rows(sample_state, t) for t in ("findings", "deliveries", "notes")}
    assert before == {"findings": 0, "deliveries": 0, "notes": 0}
    assert cli(capsys, *check_args(sample_state))[0] == 0
    assert cli(capsys, *check_args(sample_state, "--json"))[0] == 0
    after = {t: stored_rows(sample_state, t) for t in ("findings", "deliveries", "notes")}
    assert after == before


def test_check_json_gives_the_findings_with_their_metrics(
    sample_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *check_args(sample_state, "--json"))
    assert code == 0, err
    data = json.loads(out)
    findings = data["findings"]
    assert isinstance(findings, list) and findings
    assert data["first"] == "2026-08-01" and data["last"] == "2026-11-22"
    required = {"rule", "severity", "key", "session", "title", "message", "metrics"}
    for f in findings:
        assert required <= set(f), f
        assert isinstance(f["metrics"], dict)
    # the text and JSON forms report the same findings
    text = cli(capsys, *check_args(sample_state))[1]
    assert sorted(table_rows(text)) == sorted((f["day"], f["severity"], f["rule"]) for f in findings)

    [spike] = [f for f in findings if f["rule"] == "session_spike" and f["day"] == SPIKE_DAY.isoformat()]
    run, reference = expected_spike(sample_state)
    assert run.distance_m and reference.distance_m
    d, r = run.distance_m, reference.distance_m
    assert spike["severity"] == "warning"
    assert spike["session"] == run.id
    assert spike["key"] == f"session_spike:sample:{run.id}"
    m = spike["metrics"]
    assert m["reference_activity"] == reference.id
    assert m["distance_km"] == pytest.approx(d / 1000, abs=0.001)
    assert m["distance_km"] == pytest.approx(21.1, abs=0.05)
    assert m["reference_km"] == pytest.approx(r / 1000, abs=0.001)
    assert m["reference_km"] == pytest.approx(12.6, abs=0.05)
    assert m["pct_over_reference"] == pytest.approx(100 * (d / r - 1))
    assert 60 < m["pct_over_reference"] < 75
    assert m["next_run_cap_km"] == pytest.approx(1.10 * max(d, r) / 1000, abs=0.001)
    assert m["next_run_cap_km"] == pytest.approx(23.25, abs=0.01)

    [pain] = [f for f in findings if f["rule"] == "pain_reported"]
    assert (pain["day"], pain["severity"]) == (PAIN_DAY.isoformat(), "warning")
    assert "knee" in pain["metrics"]["matched_text"].lower()


def test_check_for_an_athlete_never_imported_says_to_import_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "check", "--athlete", "sam", "--state-dir", str(tmp_path / "state"))
    assert code == 1
    assert out == ""
    assert "sam" in err and "import" in err and "sync" in err


def test_check_after_an_import_that_stored_nothing_says_to_import_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "state")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"provider": "garmin"\n')
    code, out, _ = cli(
        capsys, "import", "--athlete", "sam", "--timezone", "UTC", str(bad), "--state-dir", state
    )
    assert out.startswith("imported 0,")
    code, out, err = cli(capsys, "check", "--athlete", "sam", "--state-dir", state)
    assert "No findings" not in out
    assert code == 1
    assert "import" in err and "sync" in err


# -- syncd rules ------------------------------------------------------------------------


def rule_block(out: str, rule_id: str) -> str:
    """The lines `syncd rules` prints for one rule (its line and the indented ones after it)."""
    lines = out.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith(f"{rule_id} ")]
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return "\n".join(lines[start:end])


def test_rules_lists_every_rule_with_its_grade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "rules")
    assert code == 0
    listed = {m[1]: m[2] for m in re.finditer(r"^([a-z_]+)\s+\[grade ([A-Z])\]", out, re.M)}
    assert listed == RULES_MD_GRADES
    assert "caution_pct=10" in rule_block(out, "session_spike")


def test_rules_shows_a_configured_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rules.session_spike]\ncaution_pct = 15\n")
    code, out, err = cli(capsys, "rules", "--config", str(config))
    assert code == 0, err
    block = rule_block(out, "session_spike")
    assert "caution_pct=15" in block and "caution_pct=10" not in block
    assert "warning_pct=30" in block  # the others keep their defaults

    code, out, _ = cli(capsys, "rules", "--config", str(config), "--json")
    assert code == 0
    table = {r["id"]: r for r in json.loads(out)}
    assert set(table) == set(RULES_MD_GRADES)
    assert {rid: r["grade"] for rid, r in table.items()} == RULES_MD_GRADES
    assert table["session_spike"]["settings"]["caution_pct"] == 15
    assert table["session_spike"]["settings"]["warning_pct"] == 30
    assert all(r["enabled"] for r in table.values())


# -- syncd config validate --------------------------------------------------------------


def test_an_unknown_rule_table_is_a_config_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rules.no_such_rule]\nthreshold = 3\n")
    code, out, err = cli(capsys, "config", "validate", "--config", str(config))
    assert code == 78
    assert out == ""
    assert str(config) in err and "rules.no_such_rule" in err
    installed = err.split("installed:", 1)[1]
    assert all(rule_id in installed for rule_id in RULES_MD_GRADES)


# -- syncd notify test ------------------------------------------------------------------


def notify_config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[[athletes]]\nname = "sam"\nnotify = ["{url}"]\n')
    return config


def test_notify_test_sends_one_message_and_masks_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with HttpSink() as sink:
        url = f"json://127.0.0.1:{sink.port}/x-s3cret-path"
        code, out, err = cli(
            capsys, "notify", "test", "--athlete", "sam", "--config", str(notify_config(tmp_path, url))
        )
        requests = sink.requests
    assert code == 0, err
    [line] = [x for x in out.splitlines() if x.strip()]
    assert line.startswith("sent")
    assert f"json://127.0.0.1:{sink.port}/" in line
    assert "s3cret" not in out + err
    [request] = requests
    assert request.method == "POST"
    assert request.json()["title"] == "syncd test message"


def test_notify_test_reports_a_failing_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with HttpSink() as sink:
        sink.script(500)
        url = f"json://127.0.0.1:{sink.port}/x-s3cret-path"
        code, out, err = cli(
            capsys, "notify", "test", "--athlete", "sam", "--config", str(notify_config(tmp_path, url))
        )
        requests = sink.requests
    assert code == 75
    [line] = [x for x in out.splitlines() if x.strip()]
    assert line.startswith("FAILED")
    assert f"json://127.0.0.1:{sink.port}/" in line
    assert "s3cret" not in out + err
    assert len(requests) == 1


def test_check_shows_runs_left_out_with_the_ids_to_confirm_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {
            "provider": "strava",
            "id": 1,
            "start": "2026-05-04T07:00:00Z",
            "sport": "Run",
            "distance_m": 10000,
            "moving_s": 3000,
        },
        # 12 km in 20 minutes: a car ride recorded as a run
        {
            "provider": "strava",
            "id": 2,
            "start": "2026-05-06T07:00:00Z",
            "sport": "Run",
            "distance_m": 12000,
            "moving_s": 1200,
        },
        # 100 km in 19.6 h: an ultra, counted (duration alone never makes a run suspect)
        {
            "provider": "strava",
            "id": 3,
            "start": "2026-05-09T05:00:00Z",
            "sport": "Run",
            "distance_m": 99900,
            "moving_s": 70560,
            "elapsed_s": 71000,
        },
    ]
    history = tmp_path / "h.jsonl"
    history.write_text("\n".join(json.dumps(r) for r in rows))
    state = str(tmp_path / "s")
    assert cli(capsys, "import", "--athlete", "sam", str(history), "--state-dir", state)[0] == 0
    base = ["check", "--athlete", "sam", "--since", "2026-05-01", "--on", "2026-05-10", "--state-dir", state]
    data = json.loads(cli(capsys, *base, "--json")[1])
    [left_out] = data["left_out"]
    assert left_out["activities"] == ["strava:2"] and left_out["reason"] == "pace faster than 2:30 min/km"
    text = cli(capsys, *base)[1]
    assert "2026-05-06 run 12.0 km — pace faster than 2:30 min/km (strava:2)" in text
    assert "syncd confirm ACTIVITY" in text


def test_confirm_counts_a_run_left_out_and_undo_leaves_it_out_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {
            "provider": "strava",
            "id": d,
            "start": f"{date(2026, 4, 20) + timedelta(days=d)}T07:00:00Z",
            "sport": "Run",
            "distance_m": 8000,
            "moving_s": 2880,
        }
        for d in range(0, 37, 3)  # 20 April to 26 May: 30 days of history before the 29th
    ]
    # 9.9 km in 24:30 moving: faster than 2:30 min/km, left out until the runner says it was real
    rows.append(
        {
            "provider": "strava",
            "id": 99,
            "start": "2026-05-29T07:00:00Z",
            "sport": "Run",
            "distance_m": 9900,
            "moving_s": 1470,
        }
    )
    history = tmp_path / "h.jsonl"
    history.write_text("\n".join(json.dumps(r) for r in rows))
    state = str(tmp_path / "s")
    assert cli(capsys, "import", "--athlete", "sam", str(history), "--state-dir", state)[0] == 0
    check = [
        "check",
        "--athlete",
        "sam",
        "--since",
        "2026-05-29",
        "--on",
        "2026-05-29",
        "--json",
        "--state-dir",
        state,
    ]
    assert [s["activities"] for s in json.loads(cli(capsys, *check)[1])["left_out"]] == [["strava:99"]]
    code, out, _ = cli(capsys, "confirm", "strava:99", "--state-dir", state)
    assert code == 0 and "counts like any other run" in out
    data = json.loads(cli(capsys, *check)[1])
    assert data["left_out"] == [] and any(f["rule"] == "session_spike" for f in data["findings"])  # +24 %
    assert cli(capsys, "confirm", "99", "--undo", "--state-dir", state)[0] == 0
    assert [s["activities"] for s in json.loads(cli(capsys, *check)[1])["left_out"]] == [["strava:99"]]
    code, _, err = cli(capsys, "confirm", "strava:12345", "--state-dir", state)
    assert code != 0 and "no stored activity" in err


def test_the_suspect_paces_are_the_athletes_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fast = {
        "provider": "strava",
        "id": 1,
        "start": "2026-05-04T07:00:00Z",
        "sport": "Run",
        "distance_m": 10000,
        "moving_s": 1400,
    }  # 2:20 min/km: an elite 10 km, or a bike
    history = tmp_path / "h.jsonl"
    history.write_text(json.dumps(fast))
    config = tmp_path / "c.toml"
    config.write_text('[[athletes]]\nname = "sam"\nsuspect = { fastest_pace = "2:10" }\n')
    state = str(tmp_path / "s")
    args = ["--config", str(config), "--state-dir", state]
    assert cli(capsys, "import", "--athlete", "sam", str(history), *args)[0] == 0
    check = ["check", "--athlete", "sam", "--on", "2026-05-04", "--json", *args]
    assert json.loads(cli(capsys, *check)[1])["left_out"] == []
    config.write_text('[[athletes]]\nname = "sam"\n')
    assert len(json.loads(cli(capsys, *check)[1])["left_out"]) == 1
