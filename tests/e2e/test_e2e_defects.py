"""The ten defects of issue 10, one test each (defect 10 has one case per broken start-up):
1-4, 7 and 9 here (notes, tokens, activities), 5, 6, 8 and 10 in test_e2e_defects_service.py.

Each drives real syncd processes against the local fakes, as the fault suite does, and
checks what a runner or a self-hoster would notice. Each failed on the code it was written
against (phase 1 of the issue) and passes since its fix (phase 2).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes.push_server import PushServer
from fakes.strava_server import FakeStrava
from faulttable import Tally, record
from harness import NOTE_HEADER, STEADY_RULES, Athlete, Installation
from world import ACTIVITY, RUNNER_TEXT, TOKEN, World


def _row(name: str, ok: bool, problem: str, **counts: int) -> None:
    row = Tally(name, injected=1, recovered=int(ok), **counts)
    if not ok:
        row.problems.append(problem)
    record("defects of issue 10, one test each", [row])


def _correct(world: World, km: float) -> None:
    """The runner corrects the long run's distance on Strava."""
    world.fake.update_activity(
        world.spike, distance=km * 1000, moving_time=int(km * 360), elapsed_time=int(km * 370)
    )


def _reconnect_notices(world: World) -> list[str]:
    return [m.text for m in world.push.messages() if "syncd connect strava" in m.text]


# -- 1 and 2: the note intent forgets a block that may already be on the activity ---------------


def test_defect_1_two_crashes_on_a_new_note_leave_one_block_with_the_latest_numbers(world: World) -> None:
    spike = f"{ACTIVITY}{world.spike}"
    first = world.inst.killed_at(world.fake.block(spike, "PUT", stage="after"), "sync", "--json")
    assert first.killed and NOTE_HEADER in (world.fake.description(world.spike) or "")  # on Strava
    _correct(world, 18)
    second = world.inst.killed_at(world.fake.block(spike, "GET"), "sync", "--json")  # before its PUT
    assert second.killed
    world.complete_sync()
    text = world.fake.description(world.spike) or ""
    ok = text.count(NOTE_HEADER) == 1 and "18.0 vs 8.0 km" in text
    _row(
        "1 new note: PUT applied+kill, correction, kill at GET",
        ok,
        f"note is {text!r}",
        duplicate_notes=int(not ok),
    )
    assert text.count(NOTE_HEADER) == 1, text
    assert text.startswith(f"{RUNNER_TEXT}\n\n{NOTE_HEADER}\n") and "18.0 vs 8.0 km" in text


def test_defect_2_two_crashes_on_an_older_note_still_bring_the_next_correction(world: World) -> None:
    spike = f"{ACTIVITY}{world.spike}"
    world.complete_sync()  # the note (16 km) is written and confirmed
    _correct(world, 18)
    assert world.inst.killed_at(world.fake.block(spike, "PUT", stage="after"), "sync", "--json").killed
    _correct(world, 20)
    assert world.inst.killed_at(world.fake.block(spike, "GET"), "sync", "--json").killed
    world.complete_sync()
    _correct(world, 21)  # and a later correction still reaches the activity
    world.complete_sync()
    text = world.fake.description(world.spike) or ""
    ok = text.count(NOTE_HEADER) == 1 and "21.0 vs 8.0 km" in text
    _row(
        "2 older note: same two crashes, then a correction", ok, f"note is {text!r}", stale_notes=int(not ok)
    )
    assert text.count(NOTE_HEADER) == 1, text
    assert "21.0 vs 8.0 km" in text, text


# -- 3: a crash inside the token refresh -----------------------------------------------------------


def test_defect_3_a_crash_in_the_token_refresh_costs_one_plain_reconnect_message(world: World) -> None:
    """Strava retires the old refresh token the moment it issues a new one (its docs:
    "Once a new refresh token is returned, the older refresh token is invalidated
    immediately"), so a kill between Strava's answer and syncd's save cannot be undone: the
    runner must reconnect once, and must be told so once, in plain words."""
    world.complete_sync()
    world.fake.expire_access_tokens()
    assert world.inst.killed_at(world.fake.block(TOKEN, "POST", stage="after"), "sync", "--json").killed
    runs = [world.inst.sync() for _ in range(2)]
    service = world.inst.start("run")  # the service comes up too, and must not ask again
    time.sleep(2)
    service.terminate()
    notices = _reconnect_notices(world)
    status = world.inst.cli("status").stdout
    ok = len(notices) == 1 and "revoked" not in notices[0] and "refresh_token invalid" not in status
    _row(
        "3 kill inside the token refresh (Strava policy)",
        ok,
        f"notices {notices!r}; status {status[-300:]!r}",
    )
    assert all("Traceback" not in r.stderr for r in runs)
    assert len(notices) == 1, notices
    # the runner revoked nothing: syncd was interrupted while Strava renewed its access
    assert "revoked" not in notices[0], notices[0]
    assert "syncd connect strava --athlete sam" in notices[0]
    assert "refresh_token invalid" not in status, status  # Strava's jargon is not the explanation
    world.fake.add_activity(world.now - timedelta(hours=1), name="During the pause", distance=6000.0)
    world.inst.connect()
    world.complete_sync()
    assert len(world.inst.state.activity_ids("sam")) == len(world.fake.activities)  # nothing lost


# -- 4: a malformed old activity ------------------------------------------------------------------


def test_defect_4_a_malformed_old_activity_is_stored_once_it_is_fixed(world: World) -> None:
    bad = world.fake.add_activity(world.now - timedelta(days=40), name="Odd one", distance="12 km")["id"]
    world.complete_sync()  # the backfill skips it, and goes on
    world.fake.update_activity(bad, distance=12000.0)  # fixed on Strava (or by a mapping fix)
    world.complete_sync()
    world.complete_sync()
    stored = str(bad) in world.inst.state.activity_ids("sam")
    _row("4 malformed old item in a backfill, fixed later", stored, "never stored", lost=int(not stored))
    assert stored, "the fixed activity was never listed again"


# -- 7: one provider's failure stops everything ------------------------------------------------------


#: A third-party provider (tests/plugins): its account "service" is a folder of JSON files
PLUGINS = Path(__file__).resolve().parents[1] / "plugins" / "site"


def test_defect_7_an_unexpected_error_in_one_account_does_not_stop_the_others(tmp_path: Path) -> None:
    """amy's account is on a third-party provider whose own bug raises a KeyError in the
    listing (no syncd error type); sam's Strava list carries a number Python cannot round
    (1e999 is inf), the trigger of the defect. Neither may stop sam's note and push."""
    now = datetime.now(UTC)
    with FakeStrava(refresh_policy="strava") as fake, PushServer() as push:
        amy = Athlete("amy", 2024, providers=("folder",))
        sam = Athlete("sam", fake.athlete_id)
        odd = fake.add_activity(now - timedelta(days=2), distance=5000.0, moving_time=1e999)["id"]
        for i in range(3):
            fake.add_activity(
                now - timedelta(days=90 + i), distance=8000.0, moving_time=2900, elapsed_time=3000
            )
        for i in range(8):
            fake.add_activity(
                now - timedelta(days=24 - 3 * i), distance=8000.0, moving_time=2900, elapsed_time=3000
            )
        spike = fake.add_activity(
            now - timedelta(hours=3), distance=16000.0, moving_time=5800, elapsed_time=6000
        )
        folder = tmp_path / "folder"
        inst = Installation(
            tmp_path / "two",
            fake,
            push,
            athletes=[amy, sam],
            rules=STEADY_RULES + f'[providers.folder]\nroot = "{folder}"\n',
        )
        inst.env.pop("SYNCD_PLUGINS", None)  # this installation has a third-party plugin
        # the plugin beside the syncd under test (a PYTHONPATH one, when that is what is tested)
        inst.env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PLUGINS), inst.env.get("PYTHONPATH"))))
        assert inst.cli("connect", "folder", "--athlete", "amy", "--account", "amy").returncode == 0
        (folder / "amy.json").write_text('{"faults": []}')  # the plugin then reads a key that is not there
        inst.connect(sam)
        run = inst.sync()
        noted = NOTE_HEADER in (fake.description(spike["id"]) or "")
        amy_said = next(
            (p for r in run.summary() or [] if r["athlete"] == "amy" for p in r["providers"].values()), {}
        )
        ok = "Traceback" not in run.stderr and run.returncode == 78 and noted and bool(push.messages())
        _row(
            "7a one account's unexpected error in a pass", ok, f"exit {run.returncode}: {run.stderr[-200:]!r}"
        )
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert run.returncode == 78  # amy's account failed, and says so: a bug that will not pass by itself
        assert "KeyError" in str(amy_said.get("error")), amy_said
        assert noted and push.messages(), "sam's note and push were never delivered"
        assert str(odd) not in inst.state.activity_ids("sam")  # unreadable: kept aside, not stored


def test_defect_7_a_provider_that_fails_to_set_up_once_keeps_its_queued_notes(world: World) -> None:
    # the pass is killed at the note's write, before Strava applies it: the note stays queued
    assert world.inst.killed_at(world.fake.block(f"{ACTIVITY}{world.spike}", "PUT"), "sync", "--json").killed
    broken = world.inst.cli("sync", "--json", env={"STRAVA_SECRET": None})  # the secret is missing
    assert broken.returncode == 78  # a missing secret is for the admin to fix (issue 13)
    world.complete_sync()  # the secret is back
    noted = NOTE_HEADER in (world.fake.description(world.spike) or "")
    _row(
        "7b provider set-up failing for one pass",
        noted,
        "the queued note was dropped",
        stale_notes=int(not noted),
    )
    assert noted, "the note queued before the failed pass was never written"


# -- 9: two processes refresh the same token --------------------------------------------------------


def test_defect_9_a_sync_beside_the_running_service_does_not_lose_the_connection(world: World) -> None:
    world.complete_sync()
    world.fake.expire_access_tokens()
    held = world.fake.block(
        TOKEN, "POST", stage="after"
    )  # the service's refresh: done at Strava, answer late
    service = world.inst.start("run")
    assert held.wait(30)
    refreshes = len(world.fake.requests(TOKEN, "POST"))
    beside = world.inst.start("sync", "--json")  # the runner syncs by hand meanwhile
    deadline = time.monotonic() + 5  # until it tries a refresh of its own (or waits its turn)
    while time.monotonic() < deadline and len(world.fake.requests(TOKEN, "POST")) == refreshes:
        time.sleep(0.05)
    time.sleep(0.3)
    held.release(answer=True)
    run = beside.finish(60)
    time.sleep(1)
    service.terminate()
    notices = _reconnect_notices(world)
    ok = run.returncode == 0 and not notices
    _row("9 `syncd sync` next to `syncd run`, both refreshing", ok, f"sync exit {run.returncode}, {notices}")
    assert not notices, notices
    assert run.returncode == 0, run.output[-2000:]
    assert world.inst.state.account_status("sam") == "active"
