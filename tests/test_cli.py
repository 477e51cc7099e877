"""The command line as a runner uses it: import, status, exit codes, a fast --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "syncd" / "sample" / "sample.jsonl"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_sample_then_again_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = str(tmp_path / "state")
    code, out, _ = cli(capsys, "import", "--athlete", "sample", "--sample", "--state-dir", state)
    assert code == 0
    assert out.strip() == "imported 82, updated 0, unchanged 0, duplicates merged 19, skipped 0 (63 sessions)"
    code, out, _ = cli(capsys, "import", "--athlete", "sample", str(SAMPLE), "--state-dir", state)
    assert code == 0
    assert out.startswith("imported 0, updated 0, unchanged 82, duplicates merged 0")
    code, out, _ = cli(capsys, "status", "--state-dir", state, "--json")
    info = json.loads(out)["athletes"]["sample"]
    assert (info["activities"], info["sessions"], info["merged_sessions"]) == (82, 63, 19)
    assert info["last_activity"]["title"] == "Recovery shuffle - left knee sore"


def test_bad_lines_are_reported_and_good_ones_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SAMPLE.read_text().splitlines()[:3]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join([lines[0], '{"provider": "garmin"', lines[1], lines[2]]) + "\n")
    code, out, err = cli(
        capsys,
        "import",
        "--athlete",
        "sam",
        "--timezone",
        "UTC",
        str(bad),
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0
    assert f"{bad}:2: skipped:" in err
    assert out.startswith("imported 3,") and "skipped 1" in out


def test_nothing_readable_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys,
        "import",
        "--athlete",
        "sam",
        str(tmp_path / "missing.csv"),
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 65
    assert "missing.csv" in err


def test_an_export_whose_every_row_is_refused_exits_65_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "activities.csv"
    bad.write_text(
        "Activity ID,Activity Date,Activity Name,Activity Type,Distance\n"
        '1,"the 3rd of May",Run,Run,5.0\n2,"Mayday 2024",Run,Run,5.0\n'
    )
    code, out, err = cli(capsys, "import", "--athlete", "sam", str(bad), "--state-dir", str(tmp_path / "s"))
    assert code == 65
    assert err.count("skipped: Activity Date") == 2 and "imported 0," in out
    again = tmp_path / "fine.csv"
    again.write_text("Activity ID,Activity Date,Activity Name,Activity Type,Distance\n")
    assert cli(capsys, "import", "--athlete", "sam", str(again), "--state-dir", str(tmp_path / "s"))[0] == 0


def test_order_of_import_gives_the_same_sessions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE.read_text().splitlines()
    garmin = tmp_path / "garmin.jsonl"
    strava = tmp_path / "strava.jsonl"
    garmin.write_text("\n".join(x for x in lines if '"garmin"' in x))
    strava.write_text("\n".join(x for x in lines if '"strava"' in x))
    shapes = []
    for order in ([garmin, strava], [strava, garmin]):
        state = tmp_path / f"state-{order[0].stem}"
        for path in order:
            assert (
                cli(
                    capsys,
                    "import",
                    "--athlete",
                    "sample",
                    "--timezone",
                    "Europe/Amsterdam",
                    str(path),
                    "--state-dir",
                    str(state),
                )[0]
                == 0
            )
        from syncd.store import Store

        with Store(state) as store:
            shapes.append(
                [(tuple(a.key for a in s.activities), s.distance_m) for s in store.sessions("sample")]
            )
    assert shapes[0] == shapes[1]
    assert sum(1 for s in shapes[0] if len(s[0]) == 2) == 19


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2


def test_help_does_not_import_heavy_libraries() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from syncd.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "heavy = [m for m in ('pydantic', 'apprise', 'stravalib', 'garminconnect', 'matplotlib',"
        " 'requests', 'apscheduler', 'keyring', 'sqlite3') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_status_masks_push_urls_and_shows_the_strava_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[strava]\nclient_id = 4242\nclient_secret = "env:X"\n\n[[athletes]]\n'
        'name = "sam"\nnotify = ["pover://userkey123456@apptoken987654"]\n'
    )
    assert cli(capsys, "status", "--config", str(config), "--state-dir", str(tmp_path / "s"))[1].startswith(
        "no state yet"
    )
    assert not (tmp_path / "s").exists()  # a read-only command creates nothing
    cli(capsys, "import", "--athlete", "sam", "--sample", "--state-dir", str(tmp_path / "s"))
    code, out, _ = cli(capsys, "status", "--config", str(config), "--state-dir", str(tmp_path / "s"))
    assert code == 0
    assert "userkey123456" not in out and "apptoken987654" not in out
    assert "pover://" in out
    assert "Strava API budget" in out and "0/1000 reads" in out
