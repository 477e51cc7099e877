"""The fault suite (tests/e2e): real syncd processes against the local fakes.

It runs when asked for: `python -m pytest tests/e2e` (or any path inside it), or with
SYNCD_E2E=1. A plain `pytest` (the unit suite, `make test`) deselects it, so that suite stays
quick; CI runs both (see the report in the merge notes). Each test adds rows to the fault
table, printed at the end of the run (and written to $SYNCD_FAULT_REPORT if set).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from faulttable import SECTIONS, render  # noqa: E402
from harness import EVERY  # noqa: E402
from world import World  # noqa: E402


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A small connected world: 3 old runs, 8 easy ones, and today's long run with the runner's text."""
    made = World(tmp_path / "world", datetime.now(UTC), old_runs=3)
    yield made
    made.close()


def _asked_for(config: pytest.Config) -> bool:
    if os.environ.get("SYNCD_E2E") == "1":
        return True
    root = Path(config.invocation_params.dir)
    for arg in config.invocation_params.args:
        if arg.startswith("-"):
            continue
        path = (root / arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked_for(config):
        return
    mine = [i for i in items if HERE in Path(str(i.fspath)).resolve().parents]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [i for i in items if i not in mine]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not SECTIONS:
        return
    text = render(SECTIONS)
    terminalreporter.write_sep("=", "syncd fault suite")
    terminalreporter.write_line(text)
    target = os.environ.get("SYNCD_FAULT_REPORT")
    if target:
        Path(target).write_text(text + "\n")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for installation in EVERY:  # no syncd process outlives the suite
        installation.close()
