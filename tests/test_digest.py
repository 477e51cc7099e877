"""The weekly digest on the bundled sample athlete, a quiet week, units, and the text chart."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from syncd.coach.chart import render_text
from syncd.coach.digest import TEXT_MAX, Digest, build_digest
from syncd.domain import Activity, Finding, Session, Severity
from syncd.history import History, Profile, build_history
from syncd.importing import import_paths
from syncd.registry import evaluate_range, load_rules
from syncd.sports import Sport
from syncd.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "syncd" / "sample" / "sample.jsonl"
TZ = "Europe/Amsterdam"
SUNDAY = date(2026, 11, 22)
RUN_SPORTS = {"running", "Run", "trail_running", "TrailRun", "treadmill_running"}
WEEK_LINE = re.compile(r"^ ?\d{1,2} [A-Z][a-z]{2} ")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    with Store(tmp_path_factory.mktemp("state")) as store:
        import_paths(store, "sample", TZ, [SAMPLE])
        sessions = store.sessions("sample")
    return build_history(sessions, Profile(timezone=TZ))


@pytest.fixture(scope="module")
def week_findings(history: History) -> list[Finding]:
    findings, failures = evaluate_range(load_rules({}), history, SUNDAY - timedelta(days=6), SUNDAY)
    assert failures == []
    return findings


@pytest.fixture(scope="module")
def digest(history: History, week_findings: list[Finding]) -> Digest:
    return build_digest(history, week_findings, athlete="sample", day=SUNDAY)


def _week_run_km_range() -> tuple[float, float]:
    """This week's running km straight from the JSONL, copies of one run merged (min, max)."""
    runs = []
    for line in SAMPLE.read_text().splitlines():
        row = json.loads(line)
        start = datetime.fromisoformat(row["start"])
        if row["sport"] in RUN_SPORTS and date(2026, 11, 16) <= start.date() <= SUNDAY:
            runs.append((start, row["distance_m"]))
    groups: list[list[tuple[datetime, int]]] = []
    for start, metres in sorted(runs):
        if groups and start - groups[-1][0][0] <= timedelta(minutes=5):
            groups[-1].append((start, metres))
        else:
            groups.append([(start, metres)])
    assert len(groups) == 4  # 17, 19 (two copies), 21 (two copies) and 22 November
    return (
        sum(min(m for _, m in g) for g in groups) / 1000,
        sum(max(m for _, m in g) for g in groups) / 1000,
    )


def test_the_week_is_monday_to_sunday(digest: Digest) -> None:
    week = digest.weeks[-1]
    assert (week.start, week.end) == (date(2026, 11, 16), SUNDAY)
    assert week.start.weekday() == 0 and len(digest.weeks) == 12
    assert digest.title == "Your running week, 16\u201322 Nov" and len(digest.title) < 60


def test_this_weeks_distance_against_the_weeks_before(digest: Digest, history: History) -> None:
    low, high = _week_run_km_range()
    shown = re.search(r"Running: (\d+\.\d) km this week", digest.text)
    assert shown is not None
    assert low - 0.05 <= float(shown.group(1)) <= high + 0.05
    assert shown.group(1) == f"{history.run_m(SUNDAY, 7) / 1000:.1f}" == "39.1"
    before = [f"{history.run_m(SUNDAY - timedelta(days=7 * k), 7) / 1000:.1f}" for k in (4, 3, 2, 1)]
    assert f"The 4 weeks before, oldest first: {', '.join(before)} km." in digest.text


def test_longest_run_spike_and_the_cap_rounded_down(digest: Digest, history: History) -> None:
    cap = 1.10 * history.longest_run_m(SUNDAY, 30) / 1000  # 1.10 x 21.143 = 23.257
    shown = f"{math.floor(cap * 10) / 10:.1f}"
    assert shown == "23.2"
    assert "Longest run: 21.1 km (Sat 21 Nov)." in digest.text
    # a +68 % half marathon and a sore knee this week: recovery first, never a bigger number
    assert f"under {shown}" not in digest.text and digest.cap_km == 0.0
    assert "After this week's big step up, recovery comes first" in digest.text
    assert "Big step up in run length: 68 % longer than your longest run" in digest.text


def test_strength_against_the_target(digest: Digest) -> None:
    assert "Strength: 0 sessions this week (aim: 2 to 3)." in digest.text
    # one weekly prompt, and the runner reads "session", not "sessions", for one
    assert digest.text.count("strength session in the last 7 days") <= 1
    assert "1 strength sessions" not in digest.text


def test_findings_most_severe_first_pain_pointing_to_a_professional(digest: Digest) -> None:
    lines = [line for line in digest.text.splitlines() if line.startswith("• ")]
    assert len(lines) == 4 and len(digest.text) <= TEXT_MAX
    assert "Knee pain mentioned" in lines[0] and "left knee sore" in lines[0]
    assert "physiotherapist or doctor" in lines[0]
    assert "Big step up" in lines[1] and lines[3] == "• …and 1 more of less weight."
    assert [f.rule for f in digest.findings] == [
        "pain_reported",
        "session_spike",
        "strength_frequency",
        "weekly_progression",
    ]
    assert "advice, not a diagnosis" in digest.text


def test_acwr_is_labelled_descriptive(digest: Digest) -> None:
    assert re.search(r"Acute:chronic load ratio \d\.\d .*A descriptive number, not a warning\.", digest.text)
    assert digest.acwr is not None and digest.acwr > 1.5


def test_acwr_needs_28_days(history: History) -> None:
    early = build_digest(history, [], athlete="sample", day=date(2026, 8, 20))
    assert "not enough history yet" in early.text and early.acwr is None


def test_lengths_fit_a_phone_and_a_push(digest: Digest) -> None:
    assert len(digest.text) <= TEXT_MAX
    assert len(digest.push_title) < 60 and len(digest.push_body) < 300
    assert "39.1 km" in digest.push_title and "physiotherapist or doctor" in digest.push_body
    assert "under" not in digest.push_body  # a week with a big step up and pain: no bigger number


def test_miles(history: History, week_findings: list[Finding]) -> None:
    mi = build_digest(history, week_findings, athlete="sample", day=SUNDAY, units="mi")
    assert f"Running: {39.062 / 1.609344:.1f} mi this week" in mi.text  # 24.3
    assert "your usual 4.6 mi" in mi.text and "under 14.4 mi" not in mi.text  # 7.474 km
    assert " km" not in mi.text
    with pytest.raises(ValueError, match="units"):
        build_digest(history, [], athlete="sample", day=SUNDAY, units="furlong")


def test_folded_findings_are_marked_once(history: History, week_findings: list[Finding]) -> None:
    spike = next(f for f in week_findings if f.rule == "session_spike")
    folded = build_digest(history, week_findings, athlete="sample", day=SUNDAY, folded=[spike])
    line = next(x for x in folded.text.splitlines() if "Big step up" in x)
    assert line.endswith("(saved for this digest instead of a push)")
    assert folded.text.count("Big step up") == 1 and spike.key in folded.folded
    only_folded = build_digest(history, [], athlete="sample", day=SUNDAY, folded=[spike])
    assert "Big step up" in only_folded.text


def test_too_many_findings_are_cut_to_fit(history: History) -> None:
    many = [
        Finding(
            rule="pain_reported",
            severity=Severity.WARNING,
            athlete="sample",
            day=SUNDAY,
            key=f"pain_reported:sample:s{i}",
            title="Knee pain mentioned",
            message="",
            metrics={"matched_text": f"knee ache {i}", "activity": f"a{i}"},
            citation="",
            session=f"s{i}",
        )
        for i in range(12)
    ]
    crowded = build_digest(history, many, athlete="sample", day=SUNDAY)
    assert len(crowded.text) <= TEXT_MAX
    assert re.search(r"…and \d+ more", crowded.text)
    assert "Acute:chronic load ratio" in crowded.text  # the tail survives the cut


def _quiet_history() -> History:
    """Six steady weeks: three easy runs and two strength sessions every week."""
    sessions, day = [], date(2026, 1, 19)
    while day <= date(2026, 3, 1):
        plan = {
            1: (Sport.RUN, 7000, 40),
            3: (Sport.RUN, 6500, 40),
            6: (Sport.RUN, 9000, 55),
            0: (Sport.STRENGTH, 0, 20),
            4: (Sport.STRENGTH, 0, 20),
        }.get(day.weekday())
        if plan:
            sport, metres, minutes = plan
            act = Activity(
                provider="garmin",
                provider_id=day.isoformat(),
                athlete="quinn",
                start_utc=datetime(day.year, day.month, day.day, 17, tzinfo=UTC),
                sport=sport,
                distance_m=metres,
                moving_s=minutes * 60,
                elapsed_s=minutes * 60 + 60,
            )
            sessions.append(Session(id=f"s{day:%m%d}", athlete="quinn", activities=(act,)))
        day += timedelta(days=1)
    return build_history(sessions, Profile())


def test_a_quiet_week_is_short_and_friendly() -> None:
    history, sunday = _quiet_history(), date(2026, 3, 1)
    findings, _ = evaluate_range(load_rules({}), history, sunday - timedelta(days=6), sunday)
    quiet = build_digest(history, findings, athlete="quinn", day=sunday)
    assert quiet.findings == ()
    assert "A quiet week" in quiet.text and "•" not in quiet.text
    assert "Running: 22.5 km this week" in quiet.text
    assert "Strength: 2 sessions this week, on target" in quiet.text
    assert "under 9.9 km" in quiet.text
    assert "all quiet" in quiet.push_title
    assert 200 < len(quiet.text) < 700


def test_render_text_one_line_per_week(history: History) -> None:
    findings, _ = evaluate_range(load_rules({}), history, SUNDAY - timedelta(days=83), SUNDAY)
    chart = render_text(build_digest(history, findings, athlete="sample", day=SUNDAY))
    weeks = [line for line in chart.splitlines() if WEEK_LINE.match(line)]
    assert len(weeks) == 12
    assert all(len(line) <= 60 for line in chart.splitlines())
    assert weeks[0].startswith("31 Aug") and weeks[-1].startswith("16 Nov")
    bars = [line.count("█") for line in weeks]
    assert bars.index(max(bars)) == 5 and "44.5 km" in weeks[5]  # the 9-day streak week
    assert [i for i, line in enumerate(weeks) if "▲" in line] == [1, 11]  # +19 % and +68 %
    marks = [re.search(r" km *(S*)", line) for line in weeks]
    assert [len(m.group(1)) if m else -1 for m in marks] == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0]
    assert "under" not in chart  # no cap drawn in a week that calls for recovery


def test_weeks_before_the_history_are_no_data_not_zero(history: History) -> None:
    early = build_digest(history, [], athlete="sample", day=date(2026, 8, 23))
    assert [w.known for w in early.weeks] == [False] * 9 + [True] * 3  # data from 4 August
    assert early.text.startswith("Running: none this week.")  # the holiday week: the quiet digest
    chart = render_text(early)
    assert chart.count("no data") == 9 and "0.0 km" in chart  # the holiday week is a real 0


def test_the_week_after_a_marathon_builds_from_the_usual_runs_not_from_the_marathon() -> None:
    runs = [(date(2026, 3, 2) + timedelta(days=d), 8_000) for d in range(0, 40, 2)]
    runs.append((date(2026, 4, 12), 42_200))  # Sunday 12 April: a marathon (+400 % on 8 km)
    runs += [(date(2026, 4, 15) + timedelta(days=d), 6_000) for d in range(0, 32, 2)]
    sessions = [
        Session(
            id=f"s{d:%m%d}",
            athlete="quinn",
            activities=(
                Activity(
                    provider="garmin",
                    provider_id=f"{d:%m%d}",
                    athlete="quinn",
                    start_utc=datetime(d.year, d.month, d.day, 8, tzinfo=UTC),
                    sport=Sport.RUN,
                    distance_m=m,
                    moving_s=m * 36 // 100,  # 6:00 min/km
                ),
            ),
        )
        for d, m in runs
    ]
    history = build_history(sessions, Profile())
    week_after = build_digest(history, [], athlete="quinn", day=date(2026, 4, 19))
    assert "under" not in week_after.text and week_after.cap_km == 0.0
    assert "was the big one on Sun 12 Apr: build from your usual runs of about 8.0 km" in week_after.text
    later = build_digest(history, [], athlete="quinn", day=date(2026, 5, 17))  # the marathon is 35 days back
    assert "Keep the next runs under 6.6 km" in later.text


def test_a_step_up_earlier_in_a_week_that_then_calls_for_recovery_offers_no_number() -> None:
    runs = [(date(2026, 3, 2) + timedelta(days=d), 6_000) for d in range(0, 36, 3)]
    runs += [(date(2026, 4, 9), 7_000), (date(2026, 4, 12), 10_000)]  # +17 % on Thursday, +43 % on Sunday
    sessions = [
        Session(
            id=f"s{d:%m%d}",
            athlete="quinn",
            activities=(
                Activity(
                    provider="garmin",
                    provider_id=f"{d:%m%d}",
                    athlete="quinn",
                    start_utc=datetime(d.year, d.month, d.day, 8, tzinfo=UTC),
                    sport=Sport.RUN,
                    distance_m=m,
                    moving_s=m * 36 // 100,
                ),
            ),
        )
        for d, m in runs
    ]
    history = build_history(sessions, Profile())
    sunday = date(2026, 4, 12)
    findings, _ = evaluate_range(load_rules({}), history, sunday - timedelta(days=6), sunday)
    assert {f.severity for f in findings if f.rule == "session_spike"} == {Severity.CAUTION, Severity.WARNING}
    digest = build_digest(history, findings, athlete="quinn", day=sunday)
    assert "under" not in digest.text and "Next runs: easy" in digest.text
