"""The coach's texts are our own words: seed_overlap.py finds nothing copied from the article."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COACH = REPO / "syncd" / "coach"


def _tool() -> Path:
    for shared in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")):
        tool = shared / "tools" / "seed_overlap.py"
        if tool.is_file():
            return tool
    pytest.fail(
        "seed_overlap.py not found in ../shared/tools or /work/shared/tools: the check "
        "that coach texts do not copy the reference article cannot run"
    )


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(_tool()), str(root)], capture_output=True, text=True, timeout=60
    )


def test_coach_texts_do_not_repeat_the_article(tmp_path: Path) -> None:
    copy = tmp_path / "coach"
    shutil.copytree(COACH, copy, ignore=shutil.ignore_patterns("__pycache__"))
    tests = copy / "tests"
    tests.mkdir()
    for path in (REPO / "tests").glob("test_coach*.py"):
        shutil.copy(path, tests / path.name)
    result = _run(copy)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_check_does_catch_a_copied_sentence(tmp_path: Path) -> None:
    article = _tool().parents[1] / "reference" / "runners-knee-article.txt"
    sentence = next(
        line for line in article.read_text(encoding="utf-8").splitlines() if len(line.split()) > 12
    )
    (tmp_path / "copied.py").write_text(f"TEXT = {sentence!r}\n", encoding="utf-8")
    result = _run(tmp_path)
    assert result.returncode == 1 and "copied.py:1" in result.stdout
