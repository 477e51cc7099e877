"""`syncd demo`: the whole job on the bundled sample athlete, with no account and no network."""

from __future__ import annotations

import tempfile
from pathlib import Path

from syncd.importing import import_paths
from syncd.status import render_status
from syncd.store import Store

SAMPLE = Path(__file__).parent / "sample" / "sample.jsonl"
SAMPLE_ATHLETE = "sample"
SAMPLE_TIMEZONE = "Europe/Amsterdam"


def run_demo(out_dir: Path | None = None) -> str:
    """Import the sample into a temporary state dir and return what a runner would see."""
    with tempfile.TemporaryDirectory(prefix="syncd-demo-") as tmp:
        state = Path(tmp) / "state"
        with Store(state) as store:
            report = import_paths(store, SAMPLE_ATHLETE, SAMPLE_TIMEZONE, [SAMPLE])
            lines = [f"== import of the sample athlete ({SAMPLE.name})", report.line(), ""]
            from syncd import __version__
            from syncd.migrations import LATEST

            data = {"version": __version__, "state_db": str(store.path), "schema_version": LATEST,
                    "athletes": {SAMPLE_ATHLETE: store.summary(SAMPLE_ATHLETE)}}
            lines += ["== status", render_status(data)]
    return "\n".join(lines)
