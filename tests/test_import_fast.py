"""`syncd import` streamed and remembered: an unchanged file is recognised without parsing, an
export sets the account's sync position (the first sync lists only what is newer), and the
raw row is the JSON it always was."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.engine import ProviderSummary
from syncd.engine.fetch import store_pages
from syncd.importing import import_paths
from syncd.providers import bulk_export
from syncd.providers.export_csv import ExportLayout
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.store import Store
from syncd.tokens import FileTokenStore

HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Moving Time", "Distance", "Competition",
]  # fmt: skip
LIST = "/api/v3/athlete/activities"


def export(path: Path, rows: list[tuple[int, datetime, float]]) -> Path:
    """An activities.csv of runs (id, start, km) laid out as Strava writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for ident, start, km in rows:
            when = start.strftime("%b %-d, %Y, %-I:%M:%S %p")
            writer.writerow([ident, when, "Run", "Run", "", 3000, f"{km:.2f}", 2900, km * 1000, ""])
    return path


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


def test_an_export_sets_the_sync_position_so_the_first_sync_lists_only_what_is_newer(
    fake: FakeStrava, tmp_path: Path
) -> None:
    first = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)
    listed = [fake.add_activity(first + timedelta(days=i), distance=8000.0 + i) for i in range(300)]
    older = [(a["id"], datetime.fromisoformat(a["start_date"]), a["distance"] / 1000) for a in listed[:290]]
    store = Store(tmp_path / "state")
    report = import_paths(store, "sam", "UTC", [export(tmp_path / "export" / "activities.csv", older)])
    assert report.new == 290
    newest = int(older[-1][1].timestamp())
    assert store.cursor("sam", "strava") == str(newest)

    tokens = FileTokenStore(tmp_path / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
    provider = StravaProvider("sam", StravaApi(app, tokens, "sam", Budget(store, fake.client_id)), store)
    summary = ProviderSummary()
    store_pages(store, "sam", "strava", provider, summary)
    [listing] = fake.requests(LIST)
    assert int(listing.query["after"]) == newest - 3 * 86400  # from the export on, with the overlap
    assert summary.new == 10 and len(store.activities("sam")) == 300


def test_a_cursor_never_moves_backwards_and_other_files_set_none(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    store.ensure_athlete("sam", "UTC")
    with store.transaction() as tx:
        store.set_cursor(tx, "sam", "strava", "1900000000")  # a sync already went further
    old = export(tmp_path / "a" / "activities.csv", [(1, datetime(2024, 5, 1, tzinfo=UTC), 5.0)])
    import_paths(store, "sam", "UTC", [old])
    assert store.cursor("sam", "strava") == "1900000000"
    lines = tmp_path / "history.jsonl"  # JSON Lines may hold a few activities: not a whole account
    lines.write_text(
        '{"provider": "strava", "id": 9, "start": "2026-01-01T07:00:00+00:00", "sport": "Run"}\n'
        '{"provider": "garmin", "id": 8, "start": "2026-01-01T07:00:00+00:00", "sport": "running"}\n'
    )
    fresh = Store(tmp_path / "other")
    import_paths(fresh, "sam", "UTC", [lines])
    assert fresh.cursor("sam", "strava") is None and fresh.cursor("sam", "garmin") is None


def test_an_unchanged_file_is_recognised_without_parsing_a_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    rows = [(100 + i, start + timedelta(days=i), 5.0 + i % 7) for i in range(40)]
    path = export(tmp_path / "e" / "activities.csv", rows)
    store = Store(tmp_path / "state")
    assert import_paths(store, "sam", "UTC", [path]).new == 40
    seq = store.change_seq("sam")

    def parsed(*args: object) -> None:
        raise AssertionError("a row stored before was parsed again")

    with monkeypatch.context() as m:
        m.setattr(ExportLayout, "activity", parsed)
        again = import_paths(Store(tmp_path / "state"), "sam", "UTC", [path])
    assert (again.new, again.updated, again.unchanged, again.sessions) == (0, 0, 40, 40)
    assert store.change_seq("sam") == seq

    rows[5] = (105, rows[5][1], 21.1)  # the runner fixed one distance before exporting again
    report = import_paths(store, "sam", "UTC", [export(path, rows)])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 39)
    [fixed] = [a for a in store.activities("sam") if a.provider_id == "105"]
    assert fixed.distance_m == 21100


def test_a_row_the_api_changed_since_is_compared_again(tmp_path: Path) -> None:
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    path = export(tmp_path / "e" / "activities.csv", [(7, start, 10.0)])
    store = Store(tmp_path / "state")
    import_paths(store, "sam", "UTC", [path])
    [stored] = store.activities("sam")
    from dataclasses import replace

    store.upsert_activities([replace(stored, distance_m=10400)])  # a later fetch corrected it
    report = import_paths(store, "sam", "UTC", [path])
    assert report.updated == 1  # the export's row differs from the stored copy: as before


def test_a_file_not_utf8_far_into_it_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_export, "_CHUNK", 64)  # the bad byte in the fifth chunk read
    path = tmp_path / "activities.csv"
    rows = export(path, [(i, datetime(2024, 1, 1, tzinfo=UTC), 5.0) for i in range(1, 6)]).read_bytes()
    path.write_bytes(rows + b'9,"Jan 2, 2024, 1:00:00 AM",caf\xe9,Run,,1,1,1,1,\n')
    result = bulk_export.read_paths([path], "sam")
    assert result.activities == [] and result.files_read == 0
    [problem] = result.problems
    assert problem.line == 0 and problem.reason == f"not UTF-8 text (byte {len(rows) + 31})"


@settings(max_examples=60)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_the_raw_row_is_the_json_it_always_was(values: list[str]) -> None:
    header = [f"Column {i}" for i in range(len(values) - 1)] + ["Activity ID"]
    layout = ExportLayout(header, old=False)
    assert layout.raw_json(values) == json.dumps(dict(zip(layout.keys, values, strict=True)))


@settings(max_examples=60)
@given(
    st.lists(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x80)), min_size=1, max_size=8),
    st.text(alphabet='%s"\\ab', max_size=3),
)
def test_a_plain_ascii_row_is_the_json_it_always_was(values: list[str], odd: str) -> None:
    # mostly the printable ASCII most exports hold, with quotes, backslashes, controls, DEL
    # and "%" in values and column names
    header = [f"Column {i}{odd}" for i in range(len(values) - 1)] + ["Activity ID"]
    layout = ExportLayout(header, old=False)
    assert layout.raw_json(values) == json.dumps(dict(zip(layout.keys, values, strict=True)))
