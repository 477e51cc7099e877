"""`syncd import`: read files, store their activities, merge duplicates, and say what happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.providers.bulk_export import ImportProblem, read_paths
from syncd.store import Store


@dataclass
class ImportReport:
    """Counts of one import, and every row that was skipped with its reason."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    sessions: int = 0
    files_read: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether the import found anything: a file was read, and a row was stored or seen
        before, or there were no rows to refuse (`syncd import` exits 65 otherwise)."""
        seen = self.new + self.updated + self.unchanged
        return self.files_read > 0 and (seen > 0 or not self.problems)

    def line(self) -> str:
        text = (
            f"imported {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
            f"duplicates merged {self.merged}, skipped {len(self.problems)}"
        )
        return text + f" ({self.sessions} sessions)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates_merged": self.merged,
            "sessions": self.sessions,
            "skipped": len(self.problems),
            "files_read": self.files_read,
            "problems": [vars(p) for p in self.problems],
        }


def import_paths(store: Store, athlete: str, timezone: str, paths: Iterable[Path]) -> ImportReport:
    """Import every readable activity from `paths` for `athlete`; bad rows are reported, not fatal."""
    parsed = read_paths(paths, athlete)
    report = ImportReport(files_read=parsed.files_read, problems=list(parsed.problems))
    store.ensure_athlete(athlete, timezone)
    result = store.upsert_activities(parsed.activities)
    report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
    sessions, report.merged = store.rebuild_sessions(athlete)
    report.sessions = len(sessions)
    return report
