"""End to end through run_once with in-memory providers: what the runner would see."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import run

from syncd.config import Config, parse
from syncd.domain import Activity, CheckIn
from syncd.engine import Context, run_once
from syncd.errors import DeliveryFailed, Unavailable
from syncd.notifiers.base import Message, Notifier
from syncd.providers.memory import MemoryProvider
from syncd.registry import load_rules
from syncd.sports import Sport
from syncd.store import Store

TODAY = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)  # a Friday, after the evening run


class Phone(Notifier):
    """A push channel that records what it was given (or fails when told to)."""

    name = "push"

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.fail_next: list[DeliveryFailed] = []

    @property
    def channel(self) -> str:
        return "push:phone"

    def send(self, message: Message) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.messages.append(message)


class Crash(Exception):
    """Stands for the process dying between two steps."""


def base_history() -> list[Activity]:
    """35 days: an 8 km run every other day, strength twice a week: nothing to say."""
    out = []
    start = TODAY - timedelta(days=36)
    for i in range(0, 35, 2):
        out.append(run("strava", f"r{i}", (start + timedelta(days=i)).isoformat(), 8.0, minutes=48))
    for i in range(1, 35, 3):
        out.append(
            run(
                "strava",
                f"w{i}",
                (start + timedelta(days=i, hours=2)).isoformat(),
                None,
                minutes=30,
                sport=Sport.STRENGTH,
            )
        )
    return out


def spike(km: float = 16.0, **extra: Any) -> Activity:
    when = (TODAY - timedelta(hours=2)).isoformat()
    return run("strava", "spike", when, km, minutes=km * 6, description="Great hills today.", **extra)


class World:
    """A Store, one Strava account in memory, a phone, and a clock."""

    def __init__(self, tmp: Path, **athlete: Any) -> None:
        self.store = Store(tmp / "state")
        table = {
            "name": "sam",
            "timezone": "UTC",
            "providers": ["strava"],
            "notes": {"strava": True},
            **athlete,
        }
        self.config: Config = parse({"athletes": [table]}, "test")
        self.strava = MemoryProvider("sam", base_history(), provider_name="strava")
        self.phone = Phone()
        self.now = TODAY
        self.crash_at: str | None = None
        self.ctx = Context(
            config=self.config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"strava": self.strava},
            notifiers=lambda a: [self.phone],
            now=lambda: self.now,
            checkpoint=self._checkpoint,
        )

    def _checkpoint(self, step: str) -> None:
        if step == self.crash_at:
            self.crash_at = None
            raise Crash(step)

    def sync(self) -> Any:
        return run_once(self.ctx, "sam")

    def description(self, pid: str = "spike") -> str:
        return self.strava.description(pid)


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path)
    w.sync()  # the first sync: the quiet history becomes known
    return w


def pushes_about(world: World, rule: str) -> list[Message]:
    return [m for m in world.phone.messages if f"{rule}:" in m.key]


def test_quiet_history_sends_nothing(world: World) -> None:
    assert world.phone.messages == []
    assert world.strava.writes == []


def test_new_spike_run_gets_one_note_and_one_push_then_nothing(world: World) -> None:
    world.strava.put(spike())
    summary = world.sync()
    assert summary.findings >= 1
    assert len(pushes_about(world, "session_spike")) == 1
    assert [pid for pid, _ in world.strava.writes] == ["spike"]
    note = world.description()
    assert note.startswith("Great hills today.\n\n— syncd —\n")  # the runner's text first, untouched
    assert "16.0" in note and "8.0" in note  # distance against the 30-day reference
    assert len(note.splitlines()) <= 2 + 5

    before = (len(world.phone.messages), len(world.strava.writes), len(world.strava.requests))
    world.sync()
    assert (len(world.phone.messages), len(world.strava.writes)) == before[:2]
    assert len(world.strava.requests) == before[2] + 1  # an idle pass is one listing request


def test_a_removed_block_stays_removed(world: World) -> None:
    world.strava.put(spike())
    world.sync()
    own = "Great hills today. (no robots please)"
    world.strava.put(replace(spike(), description=own, title="Left knee sore after"))
    world.sync()  # a pain finding about the same run wants to update the note
    assert len(pushes_about(world, "pain_reported")) == 1
    assert world.description() == own
    assert len(world.strava.writes) == 1


def test_severity_escalation_notifies_again(world: World) -> None:
    world.strava.put(spike(km=9.6))  # +20 %: caution, a note but no push
    world.sync()
    assert pushes_about(world, "session_spike") == []
    first_note = world.description()
    assert "9.6" in first_note
    # the runner fixes the distance on Strava (+112 %: alert); the description keeps our block
    world.strava.put(replace(spike(km=17.0), description=first_note))
    world.sync()
    [push] = pushes_about(world, "session_spike")
    assert push.priority == "urgent"
    note = world.description()
    assert "17.0" in note and "9.6" not in note and note.count("— syncd —") == 1


def test_quiet_hours_hold_push_then_release(tmp_path: Path) -> None:
    w = World(tmp_path, quiet_hours="22:00-07:00")
    w.sync()
    w.strava.put(spike())
    w.now = TODAY.replace(hour=23)
    summary = w.sync()
    assert summary.held >= 1 and w.phone.messages == []
    assert "— syncd —" in w.description()  # the note is not a notification: written at once
    w.now = TODAY.replace(hour=23) + timedelta(hours=7, minutes=30)  # 06:30: still quiet
    w.sync()
    assert w.phone.messages == []
    w.now = TODAY.replace(hour=23) + timedelta(hours=8, minutes=5)  # 07:05
    w.sync()
    assert len(pushes_about(w, "session_spike")) == 1


def test_daily_cap_folds_extra_pushes_into_the_digest(tmp_path: Path) -> None:
    w = World(tmp_path, max_push_per_day=1)
    w.sync()
    w.strava.put(spike(title="Knee sore at the end"))  # a spike warning and a pain warning
    summary = w.sync()
    assert len(w.phone.messages) == 1
    assert summary.folded == 1
    folded = w.store.conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'folded'").fetchone()[0]
    assert folded == 1


def test_crash_between_record_and_deliver_loses_nothing(world: World) -> None:
    world.strava.put(spike())
    world.crash_at = "recorded"
    with pytest.raises(Crash):
        world.sync()
    assert world.phone.messages == [] and world.strava.writes == []
    world.sync()
    assert len(pushes_about(world, "session_spike")) == 1
    assert len(world.strava.writes) == 1


def test_crash_after_the_note_was_written_never_writes_it_twice(world: World) -> None:
    world.strava.put(spike())
    world.crash_at = "note_written"
    with pytest.raises(Crash):
        world.sync()
    assert len(world.strava.writes) == 1
    world.sync()
    world.sync()
    assert len(world.strava.writes) == 1
    assert world.description().count("— syncd —") == 1


def test_crash_after_a_push_left_sends_it_again_once(world: World) -> None:
    # documented: push is at-least-once; the window between sending and marking it sent
    world.strava.put(spike())
    world.crash_at = "push_sent"
    with pytest.raises(Crash):
        world.sync()
    world.sync()
    world.sync()
    assert len(pushes_about(world, "session_spike")) == 2


def test_retryable_push_failure_is_retried_with_backoff(world: World) -> None:
    world.phone.fail_next = [DeliveryFailed("server said 500", retryable=True)]
    world.strava.put(spike())
    summary = world.sync()
    assert world.phone.messages == [] and summary.failed == 0
    world.sync()  # too early: backoff
    assert world.phone.messages == []
    world.now += timedelta(minutes=2)
    world.sync()
    assert len(pushes_about(world, "session_spike")) == 1


def test_one_provider_failing_does_not_stop_the_other(tmp_path: Path) -> None:
    w = World(tmp_path)
    garmin = MemoryProvider("sam", [], provider_name="garmin")
    garmin.faults.append(Unavailable("Garmin Connect answered 503"))
    w.ctx.providers = lambda a: {"garmin": garmin, "strava": w.strava}
    summary = w.sync()
    assert summary.providers["garmin"].error and "503" in summary.providers["garmin"].error
    assert summary.providers["strava"].fetched == len(base_history())
    status = w.store.summary("sam")
    assert {a["provider"]: a["last_error"] is not None for a in status["accounts"]} == {
        "garmin": True,
        "strava": False,
    }


def test_backfill_keeps_old_findings_as_history(tmp_path: Path) -> None:
    w = World(tmp_path)
    old = replace(
        spike(), provider_id="old-spike", start_utc=TODAY - timedelta(days=10)
    )  # a spike 10 days ago
    w.strava.put(old)
    summary = w.sync()
    assert summary.history >= 1
    assert pushes_about(w, "session_spike") == []
    assert w.strava.writes == []


def test_dry_run_sends_and_writes_nothing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.ctx.dry_run = True
    world.strava.put(spike())
    world.sync()
    out = capsys.readouterr().out
    assert "[dry run] note on strava activity spike" in out
    assert "[dry run] push via push:phone" in out
    assert world.phone.messages == [] and world.strava.writes == []


@pytest.mark.parametrize("scheme", ["json", "ntfy"])
def test_push_reaches_a_real_server_through_apprise_after_a_500(tmp_path: Path, scheme: str) -> None:
    from fakes.http_sink import HttpSink

    from syncd.notifiers.push import PushNotifier

    with HttpSink() as sink:
        sink.script(500, 200)
        w = World(tmp_path)
        url = f"{scheme}://127.0.0.1:{sink.port}/sam-running"
        push = PushNotifier(url)
        w.ctx.notifiers = lambda a: [push]
        w.sync()
        w.strava.put(spike())
        w.sync()  # the server answers 500: kept for a retry
        assert len(sink.requests) == 1
        w.now += timedelta(minutes=2)
        w.sync()  # retried after the backoff: delivered
        assert len(sink.requests) == 2
        body = sink.requests[-1].body.decode()
        assert "16.0 km" in body
        w.now += timedelta(hours=1)
        w.sync()
        assert len(sink.requests) == 2  # delivered once, never again
        status = w.store.conn.execute(
            "SELECT status, attempts FROM deliveries WHERE channel = ?", (push.channel,)
        ).fetchall()
        assert [tuple(r) for r in status] == [("sent", 1)]


def test_revoked_tokens_ask_the_runner_once_and_pause_the_account(world: World) -> None:
    from syncd.errors import AuthRequired

    world.strava.faults.append(AuthRequired("Strava answered 401 after a token refresh"))
    summary = world.sync()
    assert summary.providers["strava"].error == "needs reconnecting"
    [notice] = world.phone.messages
    assert "syncd connect strava --athlete sam" in notice.body
    requests = len(world.strava.requests)
    world.now += timedelta(hours=2)
    world.sync()
    world.sync()
    assert len(world.phone.messages) == 1  # asked once, not every pass
    assert len(world.strava.requests) == requests  # the account is paused until reconnected


def test_an_idle_pass_evaluates_nothing_and_a_stored_change_is_picked_up(world: World) -> None:
    idle = world.sync()
    assert idle.evaluated_days == 0 and idle.findings == 0
    # an activity stored outside the listing (a webhook fetch) is still evaluated next pass
    world.store.upsert_activities([replace(spike(), provider="strava", athlete="sam")])
    busy = world.sync()
    assert busy.evaluated_days == 1
    assert len(pushes_about(world, "session_spike")) == 1


def test_a_deleted_spike_is_not_counted_as_a_reference_later(world: World) -> None:
    world.strava.put(spike())
    world.sync()
    world.strava.remove("spike")
    world.store.mark_deleted("sam", "strava", "spike")  # what a webhook delete does
    summary = world.sync()
    assert summary.evaluated_days >= 1
    sessions = world.store.sessions("sam")
    assert all(s.distance_m != 16000 for s in sessions)


def test_a_corrected_distance_takes_the_claim_off_the_public_note(world: World) -> None:
    world.strava.put(spike(km=30.0))  # a GPS glitch: +275 %
    world.sync()
    assert "30.0 vs 8.0 km" in world.description()
    assert len(pushes_about(world, "session_spike")) == 1
    # the runner fixes it to 8.3 km on Strava: no spike any more
    world.strava.put(replace(spike(km=8.3), description=world.description()))
    summary = world.sync()
    assert summary.withdrawn == 1
    assert world.description() == "Great hills today."  # our block is gone, their text stays
    assert len(pushes_about(world, "session_spike")) == 1  # nothing new pushed
    live = world.store.conn.execute(
        "SELECT COUNT(*) FROM findings WHERE rule = 'session_spike' AND state != 'withdrawn'"
    ).fetchone()[0]
    assert live == 0


def test_a_smaller_correction_rewrites_the_note_without_a_new_push(world: World) -> None:
    world.strava.put(spike(km=16.0))
    world.sync()
    world.strava.put(replace(spike(km=15.6), description=world.description()))  # still a warning
    world.sync()
    note = world.description()
    assert "15.6 vs 8.0 km" in note and "16.0" not in note
    assert len(pushes_about(world, "session_spike")) == 1


def test_strength_prompt_found_before_the_run_lands_on_that_run(tmp_path: Path) -> None:
    w = World(tmp_path)
    # no strength work at all, so the strength prompt speaks
    w.strava.items = {k: v for k, v in w.strava.items.items() if v.sport is not Sport.STRENGTH}
    day = TODAY + timedelta(days=3)  # Monday: the weekly prompt speaks on the week's first day
    w.now = day.replace(hour=0, minute=30)
    w.sync()  # just after midnight: a prompt for today, no run yet, so no note
    prompt_day = w.store.conn.execute(
        "SELECT day FROM findings WHERE rule = 'strength_frequency' ORDER BY day DESC"
    ).fetchone()
    assert prompt_day is not None and prompt_day[0] == day.date().isoformat()
    evening = run("strava", "evening", day.replace(hour=17).isoformat(), 8.0, minutes=48)
    w.strava.put(evening)
    w.now = day.replace(hour=19)
    w.sync()
    assert "Strength session (" in w.strava.description("evening")


def test_dry_run_changes_no_delivery_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = World(tmp_path, quiet_hours="22:00-07:00", max_push_per_day=1)
    w.sync()
    w.strava.put(spike(title="Knee sore at the end"))
    w.ctx.dry_run = True
    w.now = TODAY.replace(hour=23)  # quiet hours: a real pass would hold the pushes
    w.sync()
    w.now += timedelta(hours=9)  # 08:00 next day: a real pass would send one and fold one
    w.sync()
    rows = w.store.conn.execute("SELECT status, next_attempt_at FROM deliveries").fetchall()
    assert {r[0] for r in rows} == {"pending"}
    assert w.phone.messages == [] and w.strava.writes == []
    w.ctx.dry_run = False
    summary = w.sync()
    # the real pass applies the cap: the pain push goes, the spike and the knee check's
    # morning question (the morning after a knee pain mention) are folded
    assert len(w.phone.messages) == 1 and summary.folded == 2


def test_weekly_digest_goes_out_once_per_week_with_its_chart(world: World) -> None:
    from syncd.engine.digest import send_digest

    sunday = TODAY.date() + timedelta(days=2)  # TODAY is a Friday
    world.strava.put(spike())
    world.sync()
    before = len(world.phone.messages)
    assert send_digest(world.ctx, world.config.athletes[0], sunday) is True
    assert send_digest(world.ctx, world.config.athletes[0], sunday) is False  # not twice a week
    [digest] = world.phone.messages[before:]
    assert digest.title.startswith("Your running week")
    assert "this week" in digest.body and "16.0 km" in digest.body
    assert digest.attach is not None and digest.attach.endswith(".png")


def test_a_digest_nobody_received_is_tried_again(world: World) -> None:
    from syncd.engine.digest import send_digest

    sunday = TODAY.date() + timedelta(days=2)
    world.phone.fail_next = [DeliveryFailed("ntfy answered 503", retryable=True)]
    assert send_digest(world.ctx, world.config.athletes[0], sunday) is False
    assert send_digest(world.ctx, world.config.athletes[0], sunday) is True
    assert len(world.phone.messages) == 1


def test_a_held_push_is_not_sent_when_a_correction_lowers_the_finding(tmp_path: Path) -> None:
    w = World(tmp_path, quiet_hours="22:00-07:00")
    w.sync()
    w.strava.put(spike(km=12.0))  # +50 %: a warning, its push held for the night
    w.now = TODAY.replace(hour=23)
    w.sync()
    w.strava.put(replace(spike(km=9.6), description=w.description()))  # fixed: +20 %, a caution
    w.now = TODAY.replace(hour=23) + timedelta(hours=8, minutes=5)
    w.sync()
    assert pushes_about(w, "session_spike") == []
    assert "9.6 vs 8.0 km" in w.description()  # a caution still earns the note


def test_a_rule_that_fails_does_not_take_its_notes_away(world: World) -> None:
    world.strava.put(spike(title="Knee sore at the end"))
    world.sync()
    assert "Knee mentioned" in world.description()

    class Broken:
        id = "pain_reported"

        def evaluate(self, history: object, day: object) -> list[object]:
            raise RuntimeError("plugin bug")

    world.ctx.rules = [r for r in world.ctx.rules if r.id != "pain_reported"] + [Broken()]  # type: ignore[list-item]
    world.strava.put(replace(spike(km=16.2, title="Knee sore at the end"), description=world.description()))
    summary = world.sync()
    assert summary.rule_failures and summary.withdrawn == 0
    assert "Knee mentioned" in world.description()


def test_deleting_the_only_run_withdraws_its_held_push(tmp_path: Path) -> None:
    w = World(tmp_path, quiet_hours="22:00-07:00")
    w.strava.items = {}
    w.strava.put(spike(title="Knee sore at the end"))
    w.now = TODAY.replace(hour=23)
    w.sync()  # the pain push is held for the night
    w.strava.remove("spike")
    w.store.mark_deleted("sam", "strava", "spike")
    w.now += timedelta(hours=8, minutes=5)
    w.sync()
    assert w.phone.messages == []


def test_a_confirmed_run_counts_at_the_next_pass_and_undo_takes_it_back(world: World) -> None:
    # 16 km in 35 minutes: faster than 2:30 min/km, so left out, no spike and no push
    world.strava.put(replace(spike(), moving_s=35 * 60, elapsed_s=36 * 60))
    world.sync()
    assert pushes_about(world, "session_spike") == []
    said = TODAY + timedelta(minutes=5)
    world.store.add_checkin(CheckIn("sam", "real", TODAY.date(), said, about="strava:spike"))
    world.now = TODAY + timedelta(minutes=10)
    world.sync()  # no activity changed: the answer alone makes the pass look at that day again
    assert len(pushes_about(world, "session_spike")) == 1
    world.store.add_checkin(
        CheckIn("sam", "left_out", TODAY.date(), said + timedelta(minutes=10), about="strava:spike")
    )
    world.now = TODAY + timedelta(minutes=30)
    summary = world.sync()
    assert summary.withdrawn >= 1 and "— syncd —" not in world.description()


def test_pain_at_another_site_is_noted_and_pushed_only_when_mentioned_again(world: World) -> None:
    world.strava.put(run("strava", "shin1", (TODAY - timedelta(days=2)).isoformat(), 6.0, title="Sore shin"))
    world.sync()
    assert pushes_about(world, "pain_reported") == []  # once: the note and the digest
    assert "Shin mentioned in the notes" in world.strava.description("shin1")
    world.strava.put(
        run("strava", "shin2", (TODAY - timedelta(hours=3)).isoformat(), 6.0, title="Shin sore again")
    )
    world.sync()
    assert [m.title for m in pushes_about(world, "pain_reported")] == ["Shin pain mentioned again"]
