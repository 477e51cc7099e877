"""`syncd demo` shows the whole job on the sample athlete, with no account and no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.cli import main


def test_demo_shows_findings_notes_pushes_session_and_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # the backfill delivers only the last days: older findings are history
    assert "older kept as history" in out
    assert "2026-11-21  warning  session_spike" in out
    assert "2026-11-22  warning  pain_reported" in out
    # the note on the spike run keeps the runner's words and adds one block
    assert "Felt good at 10 km and just kept going. Two hours on my feet.\n\n— syncd —\n" in out
    assert "(21.1 vs 12.6 km). Next runs: easy, up to your usual 7.5 km." in out
    # push messages reached the console, the knee one pointing to a professional
    assert "[high] Knee pain mentioned" in out and "physiotherapist or doctor" in out
    # the strength session and the digest with its chart
    assert "Strength session for 2026-11-22" in out
    assert "Running: 39.1 km this week" in out
    png = tmp_path / "syncd-demo-chart.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(png) in out


def test_demo_twice_gives_the_same_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", "--out", str(tmp_path)])
    first = capsys.readouterr().out
    main(["demo", "--out", str(tmp_path)])
    assert capsys.readouterr().out == first
