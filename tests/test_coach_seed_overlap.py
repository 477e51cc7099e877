"""The coach's texts are our own words: nothing repeats the reference article word for word.

The project does not hold the article, only fingerprints of its 8-word runs
(tests/data/article_fingerprints.txt, made by `scripts/seed_overlap.py fingerprint`), so the
check runs in any clone.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "scripts" / "seed_overlap.py"
TABLE = REPO / "tests" / "data" / "article_fingerprints.txt"
#: Where the article is, on machines that have the shared reference folder beside the repo.
ARTICLE = REPO.parent / "shared" / "reference" / "runners-knee-article.txt"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, timeout=60
    )


def test_coach_texts_do_not_repeat_the_article() -> None:
    targets = [REPO / "syncd" / "coach", *sorted((REPO / "tests").glob("test_coach*.py"))]
    result = _run("check", TABLE, *targets)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
    digest, *prints = TABLE.read_text(encoding="utf-8").split()
    assert len(prints) > 1000 and len(set(prints)) == len(prints)
    if ARTICLE.is_file():  # where the article is at hand, the fingerprints must be its own
        assert hashlib.sha256(ARTICLE.read_bytes()).hexdigest() == digest


def test_the_check_catches_a_copied_run_of_words(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        "Quiet mornings suit a slow jog along the canal before the bakery opens its doors.\n"
        "Hills are best taken at a pace where talking still feels easy and relaxed.\n",
        encoding="utf-8",
    )
    table = tmp_path / "prints.txt"
    made = _run("fingerprint", article)
    assert made.returncode == 0
    table.write_text(made.stdout, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "ours.py").write_text('TEXT = "Take hills slowly."\n', encoding="utf-8")
    (project / "copied.py").write_text(
        '# nothing here\nTEXT = "hills are BEST taken at a pace where talking still feels easy"\n',
        encoding="utf-8",
    )
    result = _run("check", table, project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{project / 'copied.py'}:2"]
    seven = "hills are best taken at a pace"  # seven words: not a copied run
    (project / "copied.py").write_text(f"TEXT = {seven!r}\n", encoding="utf-8")
    assert _run("check", table, project).returncode == 0
