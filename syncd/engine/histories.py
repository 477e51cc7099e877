"""Histories kept between passes: built once, reused while nothing they hold has changed.

A History answers a question about day D from days <= D only (syncd.history), so one built
with a later `until` is valid for every earlier day, and a rule's memo of earlier days stays
true as long as the History is the same object. A pass therefore reuses the athlete's History
while the stored activities (their newest change number), the runner's check-ins and the
profile are those it was built from; a History is built `PAD_DAYS` past the day asked for, so
the calendar moving on costs nothing. When something changed, the new History reuses the
extracted facts of every session that did not (`build_history(previous=...)`).

At most `budget` sessions are kept over all athletes (the athlete asked for last always).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from syncd.evaluation import stored_history
from syncd.history import Facts, History, Profile

if TYPE_CHECKING:
    from syncd.store import Store

PAD_DAYS = 42
DEFAULT_BUDGET = 40_000


@dataclass(frozen=True)
class _Facts:
    """What `build_history(previous=...)` reads of the previous History: its profile and facts."""

    profile: Profile
    sessions: tuple[Facts, ...]


@dataclass(frozen=True)
class _Kept:
    version: tuple[int, tuple[int, int], Profile]
    history: History


class Histories:
    """One History per athlete, least recently used first."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.items: OrderedDict[str, _Kept] = OrderedDict()
        self.built = 0  # how many Histories were built (the rest were reused)

    def history(self, store: Store, athlete: str, profile: Profile, until: date) -> History:
        """The athlete's History, valid for every day up to `until`: the kept one when it
        still holds, else a new one (reusing the kept one's facts)."""
        version = (store.change_seq(athlete), store.checkins_version(athlete), profile)
        kept = self.items.get(athlete)
        if kept is not None and kept.version == version and _covers(kept.history, until):
            self.items.move_to_end(athlete)
            return kept.history
        previous = None
        if kept is not None:
            # only its extracted facts are reused: the rest of the old History (its day
            # series, the rules' memos) is let go before the new one is built, not after
            previous = cast(History, _Facts(kept.history.profile, kept.history.sessions))
            del self.items[athlete], kept
        history = stored_history(
            store, athlete, profile, until=until + timedelta(days=PAD_DAYS), previous=previous
        )
        self.built += 1
        self.items[athlete] = _Kept(version, history)
        self.items.move_to_end(athlete)
        while len(self.items) > 1 and sum(len(k.history.sessions) for k in self.items.values()) > self.budget:
            self.items.popitem(last=False)
        return history

    def forget(self, athlete: str) -> None:
        """Drop the athlete's History (the next pass builds it from the state)."""
        self.items.pop(athlete, None)


def _covers(history: History, until: date) -> bool:
    return history.last is None or history.last >= until
