"""`syncd import`: read files, store their activities, merge duplicates, and say what happened.

Files are streamed and stored a batch at a time, so a 50,000-row export never sits in memory.
A row stored before from the very same text is recognised by its fingerprint and neither
parsed nor written again: importing an unchanged file again costs little more than reading
it. A whole-account export (Strava's activities.csv) also sets the account's sync position,
never backwards: the first sync after it lists only what is newer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from syncd.domain import Activity
from syncd.providers.bulk_export import ImportProblem, ParseResult, iter_records, parse_parts
from syncd.store import Store
from syncd.store.rows import without_raw

BATCH = 1000


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


@dataclass
class _Import:
    """One import under way: the batch to store, and the newest start of whole-account exports."""

    store: Store
    athlete: str
    report: ImportReport
    batch: list[tuple[Activity, str, str]] = field(default_factory=list)  # copy, raw payload, fingerprint
    known_until: dict[str, datetime] = field(default_factory=dict)  # provider -> newest start
    #: what was stored, without the raw payloads, while the athlete had nothing stored before:
    #: the sessions are then merged from it (None once that no longer holds)
    stored: list[Activity] | None = None

    def add(self, activity: Activity, raw: str, fingerprint: str, whole_account: bool) -> None:
        self.batch.append((activity, raw, fingerprint))
        if self.stored is not None:
            self.stored.append(activity if activity.raw_json == "{}" else without_raw(activity))
        if whole_account:
            self.known(activity.provider, activity.start_utc)
        if len(self.batch) >= BATCH:
            self.flush()

    def known(self, provider: str, start: datetime) -> None:
        if provider not in self.known_until or start > self.known_until[provider]:
            self.known_until[provider] = start

    def flush(self) -> None:
        if not self.batch:
            return
        with self.store.transaction() as tx:
            acts, raws, sources = zip(*self.batch, strict=True)
            result = self.store.upsert_activities(acts, tx, sources=sources, raws=raws)
        self.report.new += result.new
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        self.batch = []


def import_paths(store: Store, athlete: str, timezone: str, paths: Iterable[Path]) -> ImportReport:
    """Import every readable activity from `paths` for `athlete`; bad rows are reported, not fatal."""
    store.ensure_athlete(athlete, timezone)
    parsed = ParseResult()
    report = ImportReport()
    job = _Import(store, athlete, report, stored=[] if store.change_seq(athlete) == 0 else None)
    known = store.source_hashes(athlete)
    for record in iter_records(paths, athlete, parsed):
        if record.fingerprint in known:
            report.unchanged += 1  # the very row stored before: nothing to parse or write
            if record.whole_account:
                job.known("strava", datetime.fromisoformat(known[record.fingerprint]))
            continue
        outcome = parse_parts(record)
        if isinstance(outcome, ImportProblem):
            report.problems.append(outcome)
        else:
            job.add(*outcome, record.fingerprint, record.whole_account)
    job.flush()
    if job.stored is not None and not report.updated:
        store.adopt(athlete, job.stored)  # the sessions merged from what was just stored
    job.stored = None
    report.files_read = parsed.files_read
    report.problems = parsed.problems + report.problems
    _merge(store, athlete, report)
    _advance_cursors(store, athlete, job.known_until)
    return report


def _merge(store: Store, athlete: str, report: ImportReport) -> None:
    """Regroup the sessions when something changed (or the stored ones are not up to date)."""
    if report.new or report.updated or not store.sessions_saved(athlete):
        sessions, report.merged = store.rebuild_sessions(athlete)
        report.sessions = len(sessions)
    else:
        report.sessions = store.session_count(athlete)


def _advance_cursors(store: Store, athlete: str, known_until: dict[str, datetime]) -> None:
    """Everything up to each provider's newest start is stored: its cursor says so (never
    moved backwards; providers without such a cursor are left alone)."""
    from syncd.plugins import installed_providers

    installed = installed_providers()
    for name, until in known_until.items():
        cls = installed.get(name)
        cursor = cls.cursor_for(until, store.cursor(athlete, name)) if cls is not None else None
        if cursor is not None:
            with store.transaction() as tx:
                store.set_cursor(tx, athlete, name, cursor)
