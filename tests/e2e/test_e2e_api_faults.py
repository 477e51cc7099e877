"""Strava misbehaving, one fault per world: 429s with and without headers, 5xx bursts, resets,
a stall longer than the client's timeout, garbage bodies, malformed items old and new, the
access token expiring and the grant revoked in the middle of a pass, 403 Inactive, and
crashes inside the token refresh under the retirement policies Strava might follow.

Each world meets its fault on the first `syncd sync`; the fault then goes away (the item is
fixed, the app reactivated, the runner reconnects after a revocation, the quarter hour a 429
asked for passes) and syncd runs until a pass completes. Then the world must look like one
that never met the fault: every activity stored, every note right, every message sent, nothing
extra, no secret anywhere, and never a traceback or an exit status other than 0 or 75 (78 too
where a person must act: a revoked grant, an inactive app).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faulttable import Tally, record
from harness import let_the_rate_limit_wait_pass
from judge import compare
from world import ACTIVITY, LIST, TOKEN, Snapshot, World

PAGES_2 = 250  # old runs for two list pages, so a fault can strike in the middle of a listing


@dataclass(frozen=True)
class Spoiled:
    """Two activities every API world has, so that a fault can spoil them."""

    straggler: int  # an old run, listed during the backfill
    fresh: int  # a recent run, after the long one, fetched in detail


Action = Callable[[World, Spoiled], None]


@dataclass(frozen=True)
class Fault:
    name: str
    arm: Action
    fix: Action = lambda w, s: None  # what takes the fault away again
    policy: str = "strava"
    first_exit: tuple[int, ...] = (75,)
    says: str = ""  # the first run's output must say this (in the runner's words)
    kill: bool = False  # `arm` kills a sync itself
    reconnects: int = 0  # the fault leaves a reconnect to do (a revocation)
    bad: str = ""  # "old" or "new": that activity is malformed on Strava until `fix`
    old_runs: int = 3  # history before the last 30 days (PAGES_2: a listing of two pages)


def populate(world: World, bad: str = "") -> Spoiled:
    straggler = world.fake.add_activity(
        world.now - timedelta(days=40), name="Straggler", distance="12 km" if bad == "old" else 12000.0
    )["id"]
    fresh = world.fake.add_activity(
        world.now - timedelta(hours=1),
        name="Tempo",
        distance="9 km" if bad == "new" else 9000.0,
        moving_time=2700,
    )["id"]
    return Spoiled(straggler, fresh)


def fail(kind: str, path: str = LIST, times: int = 1, method: str | None = None) -> Action:
    return lambda w, s: w.fake.fail_next(kind, times=times, path=path, method=method)


def on_spike(kind: str, method: str | None = None) -> Action:
    return lambda w, s: w.fake.fail_next(kind, path=f"{ACTIVITY}{w.spike}", method=method)


def mid_listing(action: Callable[[World], Callable[[], None]]) -> Action:
    """Run the action when the second page of the listing is asked for."""
    return lambda w, s: w.fake.on_request(LIST, action(w), method="GET", skip=1)


def refresh_killed(w: World, s: Spoiled) -> None:
    w.fake.expire_access_tokens()
    w.inst.killed_at(w.fake.block(TOKEN, "POST", stage="after"), "sync", "--json")


def unrotated_refresh_killed(w: World, s: Spoiled) -> None:
    w.fake.rotate = False
    refresh_killed(w, s)


def refresh_refused(w: World, s: Spoiled) -> None:
    w.fake.expire_access_tokens()
    w.fake.fail_next("500", path=TOKEN)


def nothing(w: World, s: Spoiled) -> None:
    return None


def repair(w: World, s: Spoiled) -> None:
    w.fake.update_activity(s.straggler, distance=12000.0)
    w.fake.update_activity(s.fresh, distance=9000.0)


def window_passes(w: World, s: Spoiled) -> None:
    let_the_rate_limit_wait_pass(w.inst.state.path)


FAULTS = [
    Fault("429 with rate-limit headers", fail("429"), window_passes, says="rate limit"),
    Fault("429 without any header", fail("429_bare"), window_passes, says="rate limit"),
    Fault("5xx burst (3 x 500 on the listing)", fail("500", times=3)),
    Fault("503 HTML page on a detail read", on_spike("503")),
    Fault("connection reset on the listing", fail("reset")),
    Fault("connection reset on the note's PUT", on_spike("reset", "PUT")),
    Fault("stall longer than the client's timeout", fail("stall")),
    Fault("broken JSON body", fail("broken_json")),
    Fault("HTML body with status 200", fail("html")),
    Fault("empty body with status 200", fail("empty")),
    Fault("a JSON object where the list belongs", fail("object")),
    Fault("malformed old item (distance '12 km')", nothing, repair, first_exit=(0,), bad="old"),
    Fault("malformed new item (distance '9 km')", nothing, repair, first_exit=(0,), bad="new"),
    Fault(
        "access token expires mid-listing",
        mid_listing(lambda w: w.fake.expire_access_tokens),
        first_exit=(0,),
        old_runs=PAGES_2,
    ),
    Fault(
        "grant revoked mid-listing",
        mid_listing(lambda w: w.fake.revoke),
        first_exit=(78,),  # the runner must reconnect: for a person to fix (issue 13)
        says="syncd connect",
        reconnects=1,
        old_runs=PAGES_2,
    ),
    Fault("403 application Inactive", fail("403_inactive"), first_exit=(78,), says="subscription"),
    Fault("a spurious 401 on the listing", fail("401"), first_exit=(0,)),
    Fault("token endpoint 500 while refreshing", refresh_refused),
    Fault("kill in the refresh, old token kept until used", refresh_killed, policy="lenient", kill=True),
    Fault("kill in the refresh, refresh token not rotated", unrotated_refresh_killed, kill=True),
]


def control(root: Path, now: datetime, old_runs: int) -> Snapshot:
    world = World(root, now, old_runs=old_runs)
    try:
        populate(world)
        world.complete_sync()
        return world.snapshot()
    finally:
        world.close()


def meet(root: Path, now: datetime, fault: Fault, expected: Snapshot) -> Tally:
    world = World(root, now, old_runs=fault.old_runs, refresh_policy=fault.policy)
    problems: list[str] = []
    try:
        spoiled = populate(world, fault.bad)
        fault.arm(world, spoiled)
        first = world.inst.runs[-1] if fault.kill else world.inst.sync()
        if not first.killed and first.returncode not in (*fault.first_exit, 0, 75):
            problems.append(f"first run exited {first.returncode}")
        if fault.says and fault.says not in first.output:
            problems.append(f"first run does not say {fault.says!r}: {first.output[-200:]!r}")
        fault.fix(world, spoiled)
        world.complete_sync()
        row = compare(fault.name, world, expected)
        if world.reconnects != fault.reconnects:
            problems.append(f"needed {world.reconnects} reconnect(s), expected {fault.reconnects}")
        broken = [
            r
            for r in world.inst.runs
            if not r.killed and ("Traceback" in r.output or r.returncode not in (0, 75, *fault.first_exit))
        ]
        problems += [f"{r.argv[3:5]} exited {r.returncode}: {r.output[-200:]!r}" for r in broken[:2]]
        row.recovered = 1
    except AssertionError as exc:
        row = Tally(fault.name)
        problems.append(f"did not recover: {str(exc)[:300]}")
    finally:
        world.close()
    row.problems += problems
    row.injected = 1
    return row


def test_api_faults_are_survived_and_lose_nothing(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    sizes = sorted({f.old_runs for f in FAULTS})
    with ThreadPoolExecutor(max_workers=3) as pool:
        made = pool.map(lambda n: control(tmp_path / f"control-{n}", now, n), sizes)
        expected = dict(zip(sizes, made, strict=True))
        # the stall takes the client's whole read timeout: it goes first, beside the others
        order = sorted(enumerate(FAULTS), key=lambda nf: "stall" not in nf[1].name)
        done = pool.map(
            lambda nf: meet(tmp_path / f"f{nf[0]:02d}", now, nf[1], expected[nf[1].old_runs]), order
        )
        rows = [row for _, row in sorted(zip([n for n, _ in order], done, strict=True), key=lambda p: p[0])]
    record("Strava API faults, one per world", rows)
    total = Tally("all")
    for row in rows:
        total.add(row)
    assert total.clean, "\n".join(f"{r.name}: {'; '.join(r.problems)}" for r in rows if not r.clean)
