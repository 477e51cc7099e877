"""When and where a finding is delivered, edge by edge: the strength prompt's run, its morning
push and spacing, syncd's own notices, window findings after a correction, given-up
deliveries, and a malformed item logged once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from factories import run
from test_engine import TODAY, World

from syncd.cli import main
from syncd.domain import Activity, Finding, Severity
from syncd.engine import PassSummary, run_once
from syncd.engine.pushes import deliver_push
from syncd.errors import AuthRequired, DeliveryFailed
from syncd.history import History
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.rules.base import WeeklyRule
from syncd.sports import Sport
from syncd.store import ledger, outbox


def no_strength(tmp_path: Path, **athlete: object) -> World:
    w = World(tmp_path, **athlete)
    w.strava.items = {k: v for k, v in w.strava.items.items() if v.sport is not Sport.STRENGTH}
    return w


# -- the strength prompt -------------------------------------------------------------------------


def test_the_strength_prompt_rides_on_the_days_last_run(tmp_path: Path) -> None:
    w = no_strength(tmp_path)
    day = TODAY + timedelta(days=3)  # Monday: the weekly prompt speaks on the week's first day
    w.strava.put(run("strava", "morning", day.replace(hour=6).isoformat(), 5.0, minutes=30))
    w.strava.put(run("strava", "evening", day.replace(hour=17).isoformat(), 6.0, minutes=36))
    w.now = day.replace(hour=19)
    w.sync()
    assert "Strength session (" in w.strava.description("evening")
    assert "Strength session (" not in w.strava.description("morning")


def strength_prompt(day: date) -> Finding:
    return Finding(
        rule="strength_frequency",
        severity=Severity.INFO,
        athlete="sam",
        day=day,
        key=f"strength_frequency:sam:{day}",
        title="Strength work: 0 in the last 7 days",
        message="Time for a strength session.",
        metrics={"strength_last_7d": 0, "strength_last_14d": 0, "target_per_week": 2},
        citation="lauersen2014",
    )


def queue_push(w: World, finding: Finding, due: datetime) -> None:
    with w.store.transaction() as tx:
        ledger.record(tx, [finding], deliver_from=finding.day, now=due)
        ledger.queue(tx, finding, w.phone.channel, due=due)


def push_state(w: World, finding: Finding) -> tuple[str, str | None]:
    row = w.store.conn.execute(
        "SELECT status, last_error FROM deliveries WHERE finding_key = ?", (finding.key,)
    ).fetchone()
    return row["status"], row["last_error"]


def push_now(w: World) -> None:
    athlete = w.config.athlete("sam")
    deliver_push(w.ctx, athlete, PassSummary("sam"))


def test_a_strength_prompt_missed_on_its_day_goes_to_the_digest(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.store.ensure_athlete("sam", "UTC")
    day = TODAY.date()
    prompt = strength_prompt(day)
    queue_push(w, prompt, datetime.combine(day, datetime.min.time(), TODAY.tzinfo).replace(hour=7))
    w.now = TODAY + timedelta(days=1, hours=-9)  # 08:00 the next morning: the service was down
    push_now(w)
    assert w.phone.messages == []  # its "today" would be wrong now
    assert push_state(w, prompt)[0] == "folded"


def test_strength_prompts_are_pushed_at_most_every_other_day(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.store.ensure_athlete("sam", "UTC")
    first = TODAY.date()
    morning = TODAY.replace(hour=7)
    for offset in range(3):
        queue_push(w, strength_prompt(first + timedelta(days=offset)), morning + timedelta(days=offset))
    sent = []
    for offset in range(3):
        w.now = morning + timedelta(days=offset, minutes=5)
        push_now(w)
        sent.append(len(w.phone.messages))
    # day 1 sent; day 2 folded (one was sent for the day before); day 3 sent again
    assert sent == [1, 1, 2]
    assert push_state(w, strength_prompt(first + timedelta(days=1))) == (
        "folded",
        "prompt sent for the previous day",
    )


# -- syncd's own notices and window findings ------------------------------------------------------


def test_a_reconnect_notice_is_never_withdrawn_by_a_later_pass(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.sync()
    w.strava.faults.append(AuthRequired("Strava answered 401 after a token refresh"))
    w.sync()
    [notice] = w.phone.messages
    summary = run_once(w.ctx, "sam", since=TODAY.date() - timedelta(days=3))  # re-evaluates today
    assert summary.withdrawn == 0
    state = w.store.conn.execute("SELECT state FROM findings WHERE key = ?", (notice.key,)).fetchone()
    assert state[0] != "withdrawn"


class BigWeek(WeeklyRule):
    """A window rule for this test: more than 40 km of running in the last 7 days."""

    id = "big_week"
    title = "Big week"
    grade = "C"
    citation = "test"
    citation_text = "test"
    metrics = ("km_7d",)

    def evaluate_day(self, history: History, day: date) -> Finding | None:
        metres = history.run_m(day, 7)
        if metres <= 40_000:
            return None
        monday = self.period_start(history, day)
        return self.finding(history, day, Severity.WARNING, str(monday), {"km_7d": metres / 1000}, "big")


def test_a_window_finding_is_kept_after_a_correction(tmp_path: Path) -> None:
    """Window rules speak once a period: a correction that ends the condition does not take
    back what was said (DESIGN.md), unlike a finding about one run."""
    w = World(tmp_path)
    w.ctx.rules = [*w.ctx.rules, BigWeek()]
    w.sync()
    w.strava.put(run("strava", "long", (TODAY - timedelta(hours=3)).isoformat(), 21.0, minutes=120))
    w.sync()
    assert any(m.key.startswith("big_week:") for m in w.phone.messages)
    w.strava.remove("long")
    w.store.mark_deleted("sam", "strava", "long")
    w.now += timedelta(hours=1)
    summary = w.sync()
    states = w.store.conn.execute("SELECT state FROM findings WHERE rule = 'big_week'").fetchall()
    assert [s[0] for s in states] != [] and "withdrawn" not in {s[0] for s in states}
    assert summary.withdrawn >= 1  # the spike about the deleted run itself was withdrawn


# -- deliveries given up ------------------------------------------------------------------------


def test_a_failing_push_is_given_up_after_the_limit_and_shown_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World(tmp_path)
    config = w.config.model_copy(
        update={"daemon": w.config.daemon.model_copy(update={"max_delivery_attempts": 3})}
    )
    w.ctx.config = config
    w.sync()
    w.phone.fail_next = [DeliveryFailed("ntfy answered 503", retryable=True)] * 10
    w.strava.put(run("strava", "spike", (TODAY - timedelta(hours=2)).isoformat(), 16.0, minutes=96))
    tries = []
    for _ in range(6):
        w.sync()
        tries.append(10 - len(w.phone.fail_next))
        w.now += timedelta(hours=1)
    assert tries == [1, 2, 3, 3, 3, 3]  # three attempts, then given up: no fourth
    w.store.close()
    assert main(["status", "--state-dir", str(tmp_path / "state")]) == 0
    out = capsys.readouterr().out
    assert "1 message(s) given up after repeated failures" in out and "ntfy answered 503" in out


def test_retries_back_off_one_then_two_minutes(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.store.ensure_athlete("sam", "UTC")
    prompt = strength_prompt(TODAY.date())
    queue_push(w, prompt, TODAY)
    waits = []
    with w.store.transaction() as tx:
        for _ in range(3):
            status = outbox.failed_attempt(
                tx, prompt.key, w.phone.channel, "down", retryable=True, now=TODAY, max_attempts=3
            )
            row = tx.execute("SELECT next_attempt_at FROM deliveries WHERE finding_key = ?", (prompt.key,))
            waits.append((status, datetime.fromisoformat(row.fetchone()[0]) - TODAY))
    assert waits == [
        ("pending", timedelta(minutes=1)),
        ("pending", timedelta(minutes=2)),
        ("failed", timedelta(minutes=2)),
    ]


# -- a malformed item -----------------------------------------------------------------------------


class OneBadItem(Provider):
    """Lists nothing readable but one malformed item, every time."""

    name = "strava"

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        yield Page(activities=[], cursor=cursor, skipped=["activity 9: distance is not a number"])

    def fetch_one(self, provider_id: str) -> Activity | None:
        return None

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        return False


def test_a_malformed_item_is_logged_once_not_every_poll(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="syncd.engine")
    w = World(tmp_path)
    bad = OneBadItem("sam")
    w.ctx.providers = lambda a: {"strava": bad}
    for _ in range(3):
        assert w.sync().providers["strava"].skipped == 1
    assert caplog.text.count("skipped one item: activity 9") == 1
    assert len(w.ctx.skipped) == 1  # what is remembered is this account's current bad items only


def test_a_prompt_ignored_for_weeks_goes_to_the_digest_only(tmp_path: Path) -> None:
    """After the quiet weeks (RULES.md), the strength prompt earns no push; it keeps its note."""
    from syncd.engine.policy import plan_channels
    from syncd.history import Profile, build_history

    w = World(tmp_path)
    w.sync()
    history = build_history(w.store.sessions("sam"), Profile(timezone="UTC"))
    day = history.sessions[-1].day
    athlete = w.config.athlete("sam")
    quiet = strength_prompt(day)
    for digest_only, channels in ((False, {"note:strava", "push:phone"}), (True, {"note:strava"})):
        finding = replace(quiet, metrics={**quiet.metrics, "digest_only": digest_only})
        assert {c for c, _, _ in plan_channels(w.ctx, athlete, finding, history, TODAY)} == channels
