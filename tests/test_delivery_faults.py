"""Delivery and fetch under faults, in process (issue 10; the fault suite in tests/e2e does the
same with real processes): writes cut short by a crash, a rate limit that lasts, a provider
that fails to set up for one pass, unreadable items kept and retried, syncd's own notices."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from factories import run
from test_engine import TODAY, Crash, World, spike

from syncd.domain import Activity
from syncd.engine import PassSummary
from syncd.engine.delivery import deliver_notes
from syncd.engine.digest import send_digest
from syncd.engine.wiring import BrokenProvider
from syncd.errors import AuthRequired, BadPayload, ProviderError, RateLimited
from syncd.providers.base import DescriptionEdit, Page, Rejected
from syncd.providers.memory import MemoryProvider
from syncd.store import rejected

HEADER = "— syncd —"


class Strava(MemoryProvider):
    """The in-memory account, with faults placed exactly: a crash after a write was applied
    (the answer lost), a failure at the read before a write, rate limits on writes."""

    def __init__(self, activities: list[Activity]) -> None:
        super().__init__("sam", activities, provider_name="strava")
        self.crash_after_put = False
        self.fail_read = False
        self.blocked_until: datetime | None = None  # the write budget is gone until then
        self.clock: Callable[[], datetime] = lambda: TODAY
        self.attempts = 0

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        self.attempts += 1
        now = self.clock()
        if self.blocked_until is not None and now < self.blocked_until:  # "try at the next window"
            raise RateLimited("write budget used up", min(now + timedelta(minutes=15), self.blocked_until))
        if self.fail_read:
            self.fail_read = False
            raise Crash("killed at the read before the write")
        written = super().write_note(provider_id, edit)
        if self.crash_after_put:
            self.crash_after_put = False
            raise Crash("killed after the write was applied")
        return written


def world(tmp_path: Path) -> tuple[World, Strava]:
    w = World(tmp_path)
    strava = Strava(list(w.strava.items.values()))
    w.strava = strava
    w.ctx.providers = lambda a: {"strava": strava}
    w.sync()
    return w, strava


def correct(strava: Strava, km: float) -> None:
    """The runner corrects the long run's distance on Strava (the description stays)."""
    strava.put(replace(strava.items["spike"], distance_m=round(km * 1000), moving_s=round(km * 360)))


def crashing_sync(w: World) -> None:
    with contextlib.suppress(Crash):
        w.sync()


def note_status(w: World) -> list[tuple[str, int]]:
    rows = w.store.conn.execute(
        "SELECT status, attempts FROM deliveries WHERE channel = 'note:strava' ORDER BY finding_key"
    )
    return [(r["status"], r["attempts"]) for r in rows]


# -- defects 1 and 2: every block that may be on the activity is remembered --------------------


def test_two_writes_cut_short_leave_one_block_with_the_latest_numbers(tmp_path: Path) -> None:
    w, strava = world(tmp_path)
    strava.put(spike(16.0))
    strava.crash_after_put = True
    crashing_sync(w)  # the 16 km block is on Strava, unconfirmed
    correct(strava, 18.0)
    strava.fail_read = True
    crashing_sync(w)  # the 18 km block was intended, never written
    w.sync()
    text = strava.description("spike")
    assert text.count(HEADER) == 1, text
    assert text.startswith("Great hills today.\n\n" + HEADER) and "18.0 vs 8.0 km" in text


def test_an_older_note_cut_short_twice_still_takes_the_next_correction(tmp_path: Path) -> None:
    w, strava = world(tmp_path)
    strava.put(spike(16.0))
    w.sync()  # written and confirmed
    correct(strava, 18.0)
    strava.crash_after_put = True
    crashing_sync(w)
    correct(strava, 20.0)
    strava.fail_read = True
    crashing_sync(w)
    w.sync()
    correct(strava, 21.0)
    w.sync()
    text = strava.description("spike")
    assert text.count(HEADER) == 1 and "21.0 vs 8.0 km" in text, text


# -- issue 11: a rate limit is no failed attempt --------------------------------------------------


def test_a_rate_limited_note_waits_for_the_budget_and_is_never_given_up(tmp_path: Path) -> None:
    w, strava = world(tmp_path)
    strava.clock = lambda: w.now
    strava.put(spike(16.0))
    athlete = w.config.athlete("sam")
    strava.blocked_until = w.now + timedelta(hours=10)  # the day's budget: many more windows
    w.sync()  # than max_delivery_attempts
    allowed, tries = w.now + timedelta(minutes=15), 1
    while w.now < strava.blocked_until:
        w.now += timedelta(minutes=5)
        before = strava.attempts
        deliver_notes(w.ctx, athlete, PassSummary("sam"))
        if w.now < allowed:
            assert strava.attempts == before  # held until the budget allows, not hammered
        else:
            assert strava.attempts == before + 1
            allowed, tries = w.now + timedelta(minutes=15), tries + 1
    assert tries > 3 * w.config.daemon.max_delivery_attempts
    assert strava.description("spike").count(HEADER) == 1  # written once the budget came back
    assert {s for s, _ in note_status(w)} == {"sent"}
    assert all(attempts == 0 for _, attempts in note_status(w))  # no limit counted as a failure


# -- defect 7b: a provider that fails to set up for a pass keeps its notes --------------------------


def test_a_provider_that_fails_to_set_up_for_a_pass_keeps_its_queued_note(tmp_path: Path) -> None:
    w, strava = world(tmp_path)
    strava.put(spike(16.0))
    strava.fail_read = True
    crashing_sync(w)  # the note is queued, not written
    broken = BrokenProvider("sam", ProviderError("strava.client_secret: STRAVA_SECRET is not set"))
    w.ctx.providers = lambda a: {"strava": broken}
    w.sync()
    assert {s for s, _ in note_status(w)} == {"pending"}
    w.ctx.providers = lambda a: {"strava": strava}
    w.sync()
    assert strava.description("spike").count(HEADER) == 1


def test_a_note_for_a_provider_no_longer_configured_is_skipped(tmp_path: Path) -> None:
    w, strava = world(tmp_path)
    strava.put(spike(16.0))
    strava.fail_read = True
    crashing_sync(w)
    w.config.athletes[0].notes["strava"] = False  # the runner turned notes off
    deliver_notes(w.ctx, w.config.athlete("sam"), PassSummary("sam"))
    assert {s for s, _ in note_status(w)} == {"skipped"}


# -- defect 4: unreadable items are kept and retried --------------------------------------------------


class WithABadItem(MemoryProvider):
    """Lists one item it cannot read (kept by syncd); `reread` reads it from `fixed` once set."""

    def __init__(self, activities: list[Activity]) -> None:
        super().__init__("sam", activities, provider_name="strava")
        self.bad = Rejected("odd", "2026-02-01T07:00:00+00:00", {"id": "odd", "distance": "12 km"}, "bad")
        self.fixed: Activity | None = None
        self.gone = False
        self.rereads = 0

    def fetch(self, cursor: str | None) -> Any:
        for page in super().fetch(cursor):
            yield Page(page.activities, page.cursor, ["activity odd: distance is not a number"], [self.bad])

    def reread(self, item: Rejected) -> Activity | None:
        self.rereads += 1
        if self.gone:
            return None
        if self.fixed is None:
            raise BadPayload("activity odd: distance is not a number")
        return self.fixed


def bad_item_world(tmp_path: Path) -> tuple[World, WithABadItem]:
    w = World(tmp_path)
    strava = WithABadItem(list(w.strava.items.values()))
    w.ctx.providers = lambda a: {"strava": strava}
    return w, strava


def kept(w: World) -> list[tuple[str, int]]:
    rows = w.store.conn.execute("SELECT provider_id, attempts FROM rejected_items")
    return [(r["provider_id"], r["attempts"]) for r in rows]


def test_an_unreadable_item_is_kept_raw_and_stored_once_it_reads(tmp_path: Path) -> None:
    w, strava = bad_item_world(tmp_path)
    w.sync()
    assert kept(w) == [("odd", 0)] and strava.rereads == 0  # kept in the page's step
    assert w.store.cursor("sam", "strava") is not None  # and the cursor moved on
    row = w.store.conn.execute("SELECT raw_json FROM rejected_items").fetchone()
    assert '"12 km"' in row["raw_json"]
    w.now += timedelta(minutes=1)
    w.sync()  # still unreadable: tried once, then it waits
    assert kept(w) == [("odd", 1)] and strava.rereads == 1
    w.sync()
    assert strava.rereads == 1  # backing off
    strava.fixed = run("strava", "odd", "2026-02-01T07:00:00+00:00", 12.0, minutes=70)
    strava.bad = Rejected("other", None, {"id": "other"}, "bad")  # the listing no longer has "odd"
    w.now += timedelta(hours=1)
    w.sync()
    assert "odd" in {a.provider_id for a in w.store.activities("sam")}
    assert "odd" not in {pid for pid, _ in kept(w)}


def test_an_unreadable_item_gone_at_the_provider_is_forgotten(tmp_path: Path) -> None:
    w, strava = bad_item_world(tmp_path)
    w.sync()
    strava.gone = True
    strava.bad = Rejected("other", None, {"id": "other"}, "bad")
    w.now += timedelta(minutes=1)
    w.sync()
    assert "odd" not in {pid for pid, _ in kept(w)}
    assert rejected.count(w.store, "sam") == {"strava": 1}  # only "other"


# -- issue 13, item 8: syncd's notices are for the server's owner ------------------------------------


class NeverConnected(BrokenProvider):
    def __init__(self) -> None:
        super().__init__("sam", AuthRequired("sam has not connected Strava yet", reason="not connected yet"))


def test_an_account_never_connected_pushes_nothing_and_is_not_paused(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.ctx.providers = lambda a: {"strava": NeverConnected()}
    summary = w.sync()
    w.sync()
    assert w.phone.messages == []
    assert w.store.account_status("sam", "strava") == "not_connected"
    assert "syncd connect strava --athlete sam" in str(summary.providers["strava"].error)
    w.ctx.providers = lambda a: {"strava": w.strava}  # `syncd connect` ran: it works at once
    w.store.set_account("sam", "strava", status="active")
    assert w.sync().providers["strava"].error is None


def test_a_notice_is_outside_the_daily_push_limit_and_the_digest(tmp_path: Path) -> None:
    w = World(tmp_path, max_push_per_day=1)
    w.sync()
    w.strava.faults.append(AuthRequired("Strava refused the refresh", reason="the connection was revoked"))
    w.sync()  # the notice: pushed once
    [notice] = w.phone.messages
    assert notice.title.startswith("Reconnect") and "the connection was revoked" in notice.body
    w.store.set_account("sam", "strava", status="active")  # reconnected
    w.strava.put(spike(16.0))
    w.sync()
    assert any("session_spike:" in m.key for m in w.phone.messages)  # the runner's push still went
    w.now = TODAY + timedelta(days=2)
    w.phone.takes_attachments = False  # type: ignore[misc]  # no chart: the text is what matters
    assert send_digest(w.ctx, w.config.athlete("sam"), w.now.date())
    digest = w.phone.messages[-1]
    assert "Reconnect" not in digest.title + digest.body
