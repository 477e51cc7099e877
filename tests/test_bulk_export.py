"""The offline importer: Strava bulk exports (csv, folder, zip) and syncd JSON Lines."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncd.domain import Activity
from syncd.providers.bulk_export import ImportProblem, ParseResult, read_paths
from syncd.sports import Sport, sport_from

DATA = Path(__file__).parent / "data" / "bulk"
EXPORT = DATA / "activities.csv"
JSONL = DATA / "history.jsonl"


def _by_id(result: ParseResult) -> dict[str, Activity]:
    return {a.provider_id: a for a in result.activities}


@pytest.fixture(scope="module")
def export() -> ParseResult:
    return read_paths([EXPORT], athlete="sam")


def test_fixture_starts_with_a_byte_order_mark() -> None:
    assert EXPORT.read_bytes().startswith(b"\xef\xbb\xbfActivity ID,")


def test_good_export_rows_survive_the_bad_ones(export: ParseResult) -> None:
    assert export.files_read == 1
    assert [a.provider_id for a in export.activities] == [
        "10450001",
        "10450002",
        "10450003",
        "10450005",
        "10450007",
    ]
    assert {a.athlete for a in export.activities} == {"sam"}
    assert {a.provider for a in export.activities} == {"strava"}


def test_precise_second_distance_and_time_columns_win(export: ParseResult) -> None:
    run = _by_id(export)["10450001"]
    assert run.distance_m == 10523  # not 10520 from the rounded km column
    assert run.elapsed_s == 3025
    assert run.moving_s == 2980
    assert run.max_hr == 181.0
    assert run.avg_hr == 152.3
    assert run.effort_score == 87.0
    assert run.rpe == 7


def test_export_row_fields(export: ParseResult) -> None:
    run = _by_id(export)["10450001"]
    assert run.start_utc == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert run.utc_offset_s == 0
    assert run.sport is Sport.RUN
    assert run.title == "New Year, easy 10k"
    assert run.description == "Easy, then hills,\nleft knee a bit sore after 8 km"
    assert run.manual is False
    trail = _by_id(export)["10450005"]
    assert trail.private_note == "shoes: old Peg 39,\nswap them next week"


def test_swim_distance_in_first_column_is_already_metres(export: ParseResult) -> None:
    swim = _by_id(export)["10450002"]
    assert swim.sport is Sport.SWIM
    assert swim.distance_m == 1500


def test_first_distance_column_is_km_with_decimal_comma(export: ParseResult) -> None:
    virtual = _by_id(export)["10450007"]
    assert virtual.distance_m == 5200
    assert virtual.elapsed_s == 1860  # second Elapsed Time empty: the first is used
    assert virtual.start_utc == datetime(2024, 1, 7, 18, 5, tzinfo=UTC)


def test_date_without_comma_after_year(export: ParseResult) -> None:
    assert _by_id(export)["10450003"].start_utc == datetime(2024, 1, 3, 18, 30, tzinfo=UTC)


def test_export_display_names_map_to_sports(export: ParseResult) -> None:
    acts = _by_id(export)
    assert acts["10450003"].sport is Sport.STRENGTH
    assert acts["10450003"].sport_raw == "WeightTraining"
    assert acts["10450005"].sport is Sport.TRAIL_RUN
    assert acts["10450007"].sport is Sport.VIRTUAL_RUN
    assert sport_from("strava", "WeightTraining") is Sport.STRENGTH


def test_bad_rows_reported_on_their_physical_line(export: ParseResult) -> None:
    # the header is line 1; the first row's description and a later private note each
    # span two lines, so the bad rows start on lines 6 and 9, not 5 and 7; the second bad
    # row spans lines 9-10 itself and is reported where it starts
    assert [(p.path, p.line) for p in export.problems] == [(str(EXPORT), 6), (str(EXPORT), 9)]
    date_problem, number_problem = export.problems
    assert "Activity Date" in date_problem.reason and "'yesterday'" in date_problem.reason
    assert number_problem.reason == "Distance 'abc' is not a number"


def test_windows_line_endings_give_the_same_rows_and_lines(tmp_path: Path, export: ParseResult) -> None:
    crlf = tmp_path / "activities.csv"
    crlf.write_bytes(EXPORT.read_bytes().replace(b"\n", b"\r\n"))
    result = read_paths([crlf], athlete="sam")
    assert [a.provider_id for a in result.activities] == [a.provider_id for a in export.activities]
    assert [p.line for p in result.problems] == [6, 9]


def test_raw_row_kept_with_repeated_headers_suffixed(export: ParseResult) -> None:
    raw = _by_id(export)["10450001"].raw
    assert raw["Distance"] == "10.52"
    assert raw["Distance.1"] == "10523.400391"
    assert raw["Elapsed Time.1"] == "3025.0"
    assert raw["Activity ID"] == "10450001"  # no byte-order mark glued to the first header


def _zip_export(tmp_path: Path, name: str = "export.zip") -> Path:
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(EXPORT, "activities.csv")
        zf.writestr("activities/10450001.fit.gz", b"\x1f\x8b not really")
        zf.writestr("profile.csv", "Athlete ID\n1\n")
    return archive


def test_zip_and_folder_give_the_same_activities_as_the_csv(tmp_path: Path, export: ParseResult) -> None:
    folder = tmp_path / "export_12345"
    (folder / "activities").mkdir(parents=True)
    shutil.copy(EXPORT, folder / "activities.csv")
    for source in (_zip_export(tmp_path), folder):
        result = read_paths([source], athlete="sam")
        assert result.files_read == 1
        assert result.activities == export.activities
        assert [a.raw_json for a in result.activities] == [a.raw_json for a in export.activities]
        assert [(p.line, p.reason) for p in result.problems] == [(p.line, p.reason) for p in export.problems]


def test_zip_problems_name_the_member(tmp_path: Path) -> None:
    archive = _zip_export(tmp_path)
    result = read_paths([archive], athlete="sam")
    assert {p.path for p in result.problems} == {f"{archive}:activities.csv"}


def test_export_detected_by_content_not_extension(tmp_path: Path) -> None:
    renamed = tmp_path / "strava-backup.txt"
    shutil.copy(EXPORT, renamed)
    zipped = _zip_export(tmp_path, name="download")
    result = read_paths([renamed, zipped], athlete="sam")
    assert result.files_read == 2
    assert len(result.activities) == 10


def test_unusable_files_are_one_problem_each_and_do_not_stop_others(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n")
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    latin1 = tmp_path / "activities.csv"
    latin1.write_bytes("Activity ID,Activity Date\n1,caf\xe9\n".encode("latin-1"))
    no_csv_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(no_csv_zip, "w") as zf:
        zf.writestr("photo.jpg", b"\xff\xd8")
    missing = tmp_path / "missing.csv"
    bad = [missing, notes, empty_folder, latin1, no_csv_zip]
    result = read_paths([*bad, EXPORT], athlete="sam")
    assert result.files_read == 1
    assert len(result.activities) == 5
    whole_file = [p for p in result.problems if p.line == 0]
    assert [p.path for p in whole_file] == [str(p) for p in bad]
    assert all(p.reason for p in whole_file)


@pytest.fixture(scope="module")
def history() -> ParseResult:
    return read_paths([JSONL], athlete="alex")


def test_jsonl_good_lines_kept(history: ParseResult) -> None:
    assert history.files_read == 1
    assert [a.key for a in history.activities] == ["garmin:15550001", "strava:9001", "memory:m-5"]
    assert {a.athlete for a in history.activities} == {"alex"}


def test_jsonl_fields_and_offset(history: ParseResult) -> None:
    dunes, strength, _ = history.activities
    assert dunes.start_utc == datetime(2026, 8, 3, 5, 12, tzinfo=UTC)
    assert dunes.utc_offset_s == 7200
    assert dunes.sport is Sport.TRAIL_RUN  # Garmin typeKey for provider "garmin"
    assert dunes.distance_m == 8022
    assert (dunes.moving_s, dunes.elapsed_s, dunes.avg_hr, dunes.rpe) == (2950, 3010, 151.0, 6)
    assert dunes.title == "Dunes"
    assert strength.sport is Sport.STRENGTH  # Strava name for provider "strava"
    assert strength.utc_offset_s == 0
    assert strength.manual is True
    assert history.activities[2].sport is Sport.STRENGTH  # syncd's own value


def test_jsonl_raw_json_is_the_line_sorted(history: ParseResult) -> None:
    raw = history.activities[0].raw_json
    assert list(json.loads(raw)) == sorted(json.loads(raw))
    assert json.loads(raw)["id"] == 15550001


def test_jsonl_errors_reported_with_line_numbers(history: ParseResult) -> None:
    problems = {p.line: p.reason for p in history.problems}
    assert sorted(problems) == [5, 6, 7, 8]
    assert {p.path for p in history.problems} == {str(JSONL)}
    assert "no UTC offset" in problems[5]
    assert problems[6] == "unknown key 'distnce_m'"
    assert problems[7] == "rpe 11 is outside 1-10"
    assert problems[8].startswith("not valid JSON")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"provider": "x", "id": 1, "start": "2026-01-01T00:00:00Z"}', "missing required key 'sport'"),
        ('{"provider": "x", "id": true, "start": "2026-01-01T00:00:00Z", "sport": "run"}', "'id'"),
        ('{"provider": "x", "id": 1, "start": "soon", "sport": "run"}', "not an ISO 8601 time"),
        (
            '{"provider": "x", "id": 1, "start": "2026-01-01T00:00:00Z", "sport": "run", "distance_m": -3}',
            "distance_m is negative",
        ),
        (
            '{"provider": "x", "id": 1, "start": "2026-01-01T00:00:00Z", "sport": "run", "distance_m": "5k"}',
            "distance_m '5k' is not a number",
        ),
        (
            '{"provider": "x", "id": 1, "start": "2026-01-01T00:00:00Z", "sport": "run", "manual": "yes"}',
            "manual 'yes' must be true or false",
        ),
        ('["not", "an", "object"]', "not a JSON object"),
    ],
)
def test_jsonl_line_errors(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(f"# one bad line\n{line}\n")
    result = read_paths([path], athlete="sam")
    assert result.activities == []
    assert result.problems == [ImportProblem(str(path), 2, result.problems[0].reason)]
    assert reason in result.problems[0].reason


def test_jsonl_line_numbers_ignore_unicode_line_separators(tmp_path: Path) -> None:
    path = tmp_path / "sep.jsonl"
    good = {"provider": "x", "id": 1, "start": "2026-01-01T00:00:00Z", "sport": "run", "title": "a\u2028b"}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\nnot json\n", encoding="utf-8")
    result = read_paths([path], athlete="sam")
    assert [a.title for a in result.activities] == ["a\u2028b"]
    assert [p.line for p in result.problems] == [2]


# -- every layout Strava writes, as real exports showed it (data of our own making) ----------

_MODERN_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Moving Time,Distance,Competition"
)


def _export(tmp_path: Path, rows: list[str], header: str = _MODERN_HEADER) -> Path:
    path = tmp_path / "activities.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Oct 6, 2022, 11:19:20 PM", datetime(2022, 10, 6, 23, 19, 20, tzinfo=UTC)),
        ("Oct 6, 2022 11:19:20 PM", datetime(2022, 10, 6, 23, 19, 20, tzinfo=UTC)),
        ("Jan 4, 2020, 2:57:37 PM", datetime(2020, 1, 4, 14, 57, 37, tzinfo=UTC)),
        ("Dec 1, 2021, 12:05:00 AM", datetime(2021, 12, 1, 0, 5, tzinfo=UTC)),
        ("Dec 1, 2021, 12:05 PM", datetime(2021, 12, 1, 12, 5, tzinfo=UTC)),
        ("21 Feb 2024, 01:17:32", datetime(2024, 2, 21, 1, 17, 32, tzinfo=UTC)),
        ("3 Sept 2024, 18:40", datetime(2024, 9, 3, 18, 40, tzinfo=UTC)),
        ("14 September 2023, 07:02:11", datetime(2023, 9, 14, 7, 2, 11, tzinfo=UTC)),
        ("2014-09-12 16:54:28", datetime(2014, 9, 12, 16, 54, 28, tzinfo=UTC)),
    ],
)
def test_every_date_layout_strava_writes_is_read(tmp_path: Path, written: str, expected: datetime) -> None:
    result = read_paths([_export(tmp_path, [f'1,"{written}",Run,Run,,1800,5.0,1790,5012.0,'])], "sam")
    assert result.problems == [] and result.activities[0].start_utc == expected


@pytest.mark.parametrize(
    "written", ["31 Feb 2024, 10:00:00", "Foo 3, 2024, 10:00:00 AM", "13:00 PM 3 Jan 2024"]
)
def test_impossible_dates_are_refused_row_by_row(tmp_path: Path, written: str) -> None:
    result = read_paths([_export(tmp_path, [f'1,"{written}",Run,Run,,1800,5.0,1790,5012.0,'])], "sam")
    assert result.activities == [] and "is not a date Strava writes" in result.problems[0].reason


def test_the_export_layout_before_2019_is_read_with_distances_in_metres(tmp_path: Path) -> None:
    header = "id,date,name,type,description,elapsed_time,distance,commute,gear,filename"
    rows = [
        "101,2016-02-06 09:43:56,Lunch Run,Run,,1289,1914.1,false,,activities/101.gpx",
        '102,2017-11-24 12:46:33,Afternoon Run,Run,"Hilly, wet",10410,16653.7,false,,',
        "103,2014-09-12 16:54:28,Evening Ride,Ride,,9462,43057.4,false,,activities/103.gpx",
    ]
    result = read_paths([_export(tmp_path, rows, header)], "sam")
    assert result.problems == []
    by_id = _by_id(result)
    assert by_id["101"].distance_m == 1914 and by_id["101"].elapsed_s == 1289
    assert by_id["102"].description == "Hilly, wet" and by_id["102"].distance_m == 16654
    assert by_id["103"].sport is Sport.CYCLING and by_id["103"].distance_m == 43057


def test_a_spreadsheet_resaved_export_with_html_in_its_headers_is_read(tmp_path: Path) -> None:
    span = '"<span class=""translation_missing"" title=""translation missing: en-US.x"">{}</span>"'
    header = _MODERN_HEADER.replace("Competition", span.format("Competition"))
    result = read_paths(
        [
            _export(
                tmp_path, ['7,"Apr 26, 2021, 1:43:12 PM",Hot day,Run,,2412,6.35,2400,6351.299805,1'], header
            )
        ],
        "sam",
    )
    assert result.problems == []
    run = result.activities[0]
    assert run.distance_m == 6351 and run.race  # the tag survives its wrapped header


@pytest.mark.parametrize(
    ("display", "sport"),
    [
        ("Canoe", Sport.OTHER),
        ("Stair-Stepper", Sport.CARDIO),
        ("Nordic Ski", Sport.OTHER),
        ("Alpine Ski", Sport.OTHER),
        ("Weight Training", Sport.STRENGTH),
        ("Workout", Sport.STRENGTH),
        ("Virtual Run", Sport.VIRTUAL_RUN),
        ("Trail Run", Sport.TRAIL_RUN),
        ("E-Bike Ride", Sport.CYCLING),
        ("Rock Climb", Sport.OTHER),
        ("Velomobile", Sport.CYCLING),
    ],
)
def test_export_activity_type_names_map_without_a_warning(
    tmp_path: Path, display: str, sport: Sport, caplog: pytest.LogCaptureFixture
) -> None:
    result = read_paths(
        [_export(tmp_path, [f'1,"Jan 4, 2020, 2:57:37 PM",x,{display},,1800,5.0,1790,5012.0,'])], "sam"
    )
    assert result.activities[0].sport is sport
    assert "unknown strava activity type" not in caplog.text


def test_races_come_from_the_competition_tag_never_from_the_title(tmp_path: Path) -> None:
    rows = [
        '1,"Apr 28, 2024, 11:33:21 AM",City Half Marathon,Run,,6600,21.1,6540,21055.3,',
        '2,"Oct 20, 2024, 12:24:54 PM",Sunday long one,Run,,15000,43.7,14900,43663.7,1.0',
        '3,"Oct 21, 2024, 12:24:54 PM",Gym race,Weight Training,,3600,,3600,,1.0',
    ]
    by_id = _by_id(read_paths([_export(tmp_path, rows)], "sam"))
    assert [by_id[i].race for i in "123"] == [False, True, False]
