"""The systemd unit as systemd itself reads it (systemd-analyze, from Debian's systemd package).

The whole service recipe, with a real install and a real `syncd` user, is
scripts/test-service.sh; these are the quick checks that run with every `make test`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).parent.parent / "systemd" / "syncd.service"
INSTALLED = "/opt/syncd/venv/bin/syncd"  # what `make install` makes as root (scripts/install.sh)


@pytest.fixture
def analyze() -> str:
    found = shutil.which("systemd-analyze")
    assert found, "systemd-analyze is missing: apt-get install systemd"
    return found


@pytest.fixture
def unit(tmp_path: Path) -> Path:
    """The unit with ExecStart pointed at this checkout's syncd (verify needs it to exist)."""
    text = UNIT.read_text()
    assert f"ExecStart={INSTALLED} " in text, "the unit must start what `make install` installs"
    copy = tmp_path / "syncd.service"
    copy.write_text(text.replace(INSTALLED, str(Path(sys.executable).parent / "syncd")))
    return copy


def test_systemd_accepts_every_line_of_the_unit(analyze: str, unit: Path) -> None:
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syncd.service" not in done.stderr, done.stderr  # no warning about our unit either


def test_the_unit_is_rated_at_most_1_2_by_systemd_analyze_security(analyze: str, unit: Path) -> None:
    done = subprocess.run([analyze, "security", "--offline=true", str(unit)], capture_output=True, text=True)
    level = re.search(r"Overall exposure level for syncd\.service: ([\d.]+)", done.stdout)
    assert level, done.stdout + done.stderr
    assert float(level.group(1)) <= 1.2, done.stdout
