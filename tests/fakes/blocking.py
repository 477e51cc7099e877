"""Blocking points for the local fake servers: hold a chosen request until the test lets go.

A test arms a `Block` on a method and path; the fake's handler thread stops there, sets
`arrived`, and waits. The test then kills the client (`kill -9` of a real `syncd` process)
while it waits for the answer, and releases the block. Two stages:

``before``  the request is held before the fake does anything with it: after the kill it is
            dropped unanswered, as if the network ate it (no PUT applied, no token issued).
``after``   the fake applies the request first (the PUT is stored, the token pair issued and
            the old refresh token retired) and holds back only the answer, which is then
            dropped: the client dies not knowing its request took effect.

`release(answer=True)` instead lets the held request go on normally (a slow server, not a
lost answer). A block that is never released lets go by itself after `hold_s`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

STAGES = ("before", "after")


@dataclass
class Block:
    """One armed blocking point; `skip` matching requests go through before it holds one."""

    method: str | None
    path: str
    stage: str = "before"
    skip: int = 0
    hold_s: float = 60.0
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    answer: bool = False
    held_path: str = ""

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and path.startswith(self.path)

    def wait(self, timeout: float) -> bool:
        """Whether a request reached the block within `timeout` seconds."""
        return self.arrived.wait(timeout)

    def release(self, *, answer: bool = False) -> None:
        """Let the held request go: dropped unanswered, or (`answer`) handled normally."""
        self.answer = answer
        self.released.set()

    def hold(self, path: str) -> bool:
        """Called on the handler thread: wait here; True if the request is to be answered."""
        self.held_path = path
        self.arrived.set()
        self.released.wait(self.hold_s)
        return self.answer


class Blocks:
    """The armed blocks of one fake server (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Block] = []

    def arm(
        self,
        method: str | None,
        path: str,
        *,
        stage: str = "before",
        skip: int = 0,
        hold_s: float = 60.0,
    ) -> Block:
        """Hold the (skip+1)-th request matching `method` and `path` at `stage`."""
        assert stage in STAGES, stage
        block = Block(method, path, stage, skip, hold_s)
        with self._lock:
            self._armed.append(block)
        return block

    def take(self, method: str, path: str, stage: str) -> Block | None:
        """The armed block this request stops at (disarmed now), or None. Counts skips."""
        with self._lock:
            for block in self._armed:
                if block.stage != stage or not block.matches(method, path):
                    continue
                if block.skip > 0:
                    block.skip -= 1
                    continue
                self._armed.remove(block)
                return block
        return None

    def clear(self) -> None:
        """Disarm everything and let every held request go."""
        with self._lock:
            armed, self._armed = self._armed, []
        for block in armed:
            block.release()
