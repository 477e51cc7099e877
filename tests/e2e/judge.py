"""Judging a world: what its runner sees, against a world that lived the same life without faults."""

from __future__ import annotations

import itertools

from faulttable import Tally
from harness import NOTE_HEADER
from world import Snapshot, World


def compare(name: str, world: World, control: Snapshot) -> Tally:
    """What the runner sees in `world`, compared with `control` (the same life without faults)."""
    seen = world.snapshot()
    reached = [p for p, hit in world.kills if hit]
    tally = Tally(name, injected=len(reached), recovered=len(reached))
    tally.problems += [f"kill point never reached: {p.label}" for p, hit in world.kills if not hit]
    tally.lost = len(seen.on_strava - seen.stored)
    tally.problems += [
        f"activity {i} on Strava was never stored" for i in sorted(seen.on_strava - seen.stored)
    ]
    for ident, text in sorted(seen.descriptions.items()):
        expected = control.descriptions.get(ident)
        if (text or "").count(NOTE_HEADER) > 1:
            tally.duplicate_notes += 1
            tally.problems.append(f"activity {ident}: {(text or '').count(NOTE_HEADER)} syncd blocks")
        elif text != expected and str(ident) in seen.retrying:
            tally.name += " (a note waits for its retry)"  # a failed write, retried after a backoff
        elif text != expected:
            tally.stale_notes += 1
            tally.problems.append(
                f"activity {ident}: note is {_short(text)!r}, expected {_short(expected)!r}"
            )
    missing = control.pushes - seen.pushes
    tally.lost_messages = sum(missing.values())
    tally.problems += [f"message never sent: {text.splitlines()[0]!r}" for text in missing]
    resends = sum(1 for p in reached if p.target == "push" and p.stage == "after") + world.resends
    allowed = resends + world.reconnects  # one reconnect notice per reconnect
    extra = seen.pushes - control.pushes
    tally.extra_pushes = max(0, sum(extra.values()) - allowed)
    if tally.extra_pushes:
        tally.problems += [f"sent {n} more time(s): {t.splitlines()[0]!r}" for t, n in extra.items()]
    cursors = [c for c in world.inst.cursors if c is not None]
    if any(b < a for a, b in itertools.pairwise(cursors)):
        tally.problems.append(f"the cursor moved backwards: {cursors}")
    leaks = world.inst.leaks()
    tally.secrets = len(leaks)
    tally.problems += leaks
    tally.problems += [f"needed `syncd connect` {world.reconnects} time(s)"] if world.reconnects > 1 else []
    return tally


def _short(text: str | None) -> str:
    if not text:
        return ""
    block = text.split(NOTE_HEADER, 1)[-1].strip().splitlines()
    return (block[0] if block else "")[:70]
