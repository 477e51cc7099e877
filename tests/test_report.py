"""The digest's PNG and HTML, and `syncd report` on the sample state."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import syncd.cli.report  # noqa: F401  (registers `syncd report`)
from syncd import checking, cli
from syncd.coach import chart
from syncd.coach.digest import Digest, build_digest
from syncd.history import Profile, build_history
from syncd.importing import import_paths
from syncd.registry import evaluate_range, load_rules
from syncd.rules.rampup import SessionSpike
from syncd.store import Store, ledger, outbox

SAMPLE = Path(__file__).resolve().parents[1] / "syncd" / "sample" / "sample.jsonl"
TZ = "Europe/Amsterdam"
SUNDAY = date(2026, 11, 22)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk; AssertionError when it is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    assert data[12:16] == b"IHDR", "the first chunk is not IHDR"
    assert data[-8:-4] == b"IEND", "the PNG does not end with IEND"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    with Store(tmp_path_factory.mktemp("state")) as store:
        import_paths(store, "sample", TZ, [SAMPLE])
        history = build_history(store.sessions("sample"), Profile(timezone=TZ))
    findings, _ = evaluate_range(load_rules({}), history, SUNDAY - timedelta(days=83), SUNDAY)
    return build_digest(history, findings, athlete="sample", day=SUNDAY)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    directory = tmp_path / "state"
    assert cli.main(["import", "--sample", "--athlete", "sample", "--state-dir", str(directory)]) == 0
    return directory


def test_matplotlib_is_available_here() -> None:
    assert chart.matplotlib_available()  # the test environment installs syncd[chart]


def test_png_is_valid_and_exactly_the_asked_size(digest: Digest, tmp_path: Path) -> None:
    path = chart.render_png(digest, tmp_path / "digest.png")
    assert png_size(path) == (1200, 675)
    small = chart.render_png(digest, tmp_path / "small.png", width_px=800, height_px=450)
    assert png_size(small) == (800, 450)
    with pytest.raises(AssertionError):
        png_size(Path(__file__))  # the check itself can fail


def test_png_in_miles(tmp_path: Path, digest: Digest) -> None:
    from dataclasses import replace

    path = chart.render_png(replace(digest, units="mi"), tmp_path / "mi.png")
    assert png_size(path) == (1200, 675)


def test_html_is_self_contained(digest: Digest, tmp_path: Path) -> None:
    png = chart.render_png(digest, tmp_path / "digest.png")
    page = chart.html(digest, png)
    inline = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert inline is not None
    assert base64.b64decode(inline.group(1)) == png.read_bytes()
    assert "&quot;left knee sore&quot;" in page  # the digest text, escaped
    assert "<style>" in page and not re.search(r"(src|href)=\"https?:", page)
    text_only = chart.html(digest, None)
    assert "<pre>" in text_only and "data:image" not in text_only and "16 Nov" in text_only


def test_report_writes_png_and_html(state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png, page = tmp_path / "out.png", tmp_path / "out.html"
    code = cli.main(
        [
            "report",
            "--athlete",
            "sample",
            "--state-dir",
            str(state),
            "--on",
            "2026-11-22",
            "--png",
            str(png),
            "--html",
            str(page),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Running: 39.1 km this week" in out and "recovery comes first" in out
    weeks = [line for line in out.splitlines() if re.match(r"^ ?\d{1,2} [A-Z][a-z]{2} ", line)]
    assert len(weeks) == 12
    assert png_size(png) == (1200, 675)
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html


def test_report_json(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main(
            [
                "report",
                "--athlete",
                "sample",
                "--state-dir",
                str(state),
                "--on",
                "2026-11-22",
                "--weeks",
                "8",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["day"] == "2026-11-22" and len(data["weeks"]) == 8
    assert data["weeks"][-1]["run_km"] == pytest.approx(39.062)
    assert data["findings"][0]["rule"] == "pain_reported"


def test_report_shows_findings_folded_by_the_daily_cap(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(state) as store:
        history = build_history(store.sessions("sample"), Profile(timezone=TZ))
        [spike] = SessionSpike().evaluate(history, date(2026, 11, 21))
        now = datetime(2026, 11, 21, 12, tzinfo=UTC)
        with store.transaction() as tx:
            ledger.record(tx, [spike], deliver_from=date(2026, 11, 21), now=now)
            ledger.queue(tx, spike, "push:0", due=now)
            outbox.mark(tx, spike.key, "push:0", "folded", now=now, error="daily push limit")
    cli.main(["report", "--athlete", "sample", "--state-dir", str(state), "--on", "2026-11-22"])
    line = next(x for x in capsys.readouterr().out.splitlines() if "Big step up" in x)
    assert line.endswith("(saved for this digest instead of a push)")


def test_report_without_recent_activities_suggests_on(
    state: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(checking, "today_in", lambda profile: date(2027, 6, 1))
    assert cli.main(["report", "--athlete", "sample", "--state-dir", str(state)]) == 1
    err = capsys.readouterr().err
    assert "no activities" in err and "--on 2026-11-22" in err


def test_report_unknown_athlete(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--athlete", "nobody", "--state-dir", str(state)]) == 1
    assert "nobody" in capsys.readouterr().err


def test_png_without_matplotlib_names_the_extra(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(chart, "matplotlib_available", lambda: False)
    png = tmp_path / "none.png"
    assert (
        cli.main(
            [
                "report",
                "--athlete",
                "sample",
                "--state-dir",
                str(state),
                "--on",
                "2026-11-22",
                "--png",
                str(png),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert "pip install 'syncd[chart]'" in err and len(err.splitlines()) == 1
    assert not png.exists()


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import sys, syncd.cli.report, syncd.cli as c; "
        "assert 'report' in c.build_parser().format_help(); "
        "print(sorted(m for m in ('matplotlib', 'pydantic') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
