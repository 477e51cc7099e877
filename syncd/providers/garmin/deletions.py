"""Activities deleted on Garmin Connect, noticed by the listing.

Garmin sends no deletion events, and its list simply stops showing a deleted activity. The
provider keeps, per athlete, the ids (and starts) it listed inside the overlap window; an id
listed there last pass that is missing now, while its start is still inside the window, is
confirmed with one `get_activity`: a 404 marks it deleted in the store (for a multisport
parent, with its legs), exactly what a Strava delete event does, so the next evaluation
withdraws its findings and rewrites its notes. An activity Garmin still shows (a page shifted
by an upload while listing) stays. At most MAX_CONFIRM are checked per pass, so a list that
suddenly looks empty costs a bounded number of requests; the rest wait for the next pass.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial

from syncd.providers.garmin.api import GarminCalls
from syncd.providers.garmin.mapping import legs_of

log = logging.getLogger("syncd.providers.garmin.provider")

MAX_CONFIRM = 5


class GarminDeletions(GarminCalls):
    """The deletion half of `GarminProvider`."""

    def _check_deletions(self, floor: datetime | None, listed: dict[str, datetime], judge: bool) -> None:
        """Confirm and mark deleted what left the window since the last pass (only when
        `judge`: an incremental listing); then keep this pass's window. Raises what a
        confirmation raises, the unconfirmed ones kept for the next pass."""
        if self.store is None or floor is None:
            return
        before = self._state("window")
        before = before if isinstance(before, dict) and judge else {}
        window = {i: s.isoformat() for i, s in listed.items() if s >= floor}
        gone = sorted(i for i, s in before.items() if i not in listed and _start(s) >= floor)
        waiting = list(gone)
        try:
            for ident in gone[:MAX_CONFIRM]:
                if self._missing(ident):
                    self._mark_deleted(ident)
                    waiting.remove(ident)
        finally:
            window.update({i: before[i] for i in waiting})
            self._set_state("window", window)
        if len(gone) > MAX_CONFIRM:
            log.warning(
                "%s/garmin: %d activities no longer listed; checking %d per pass",
                self.athlete,
                len(gone),
                MAX_CONFIRM,
            )

    def _missing(self, ident: str) -> bool:
        """Whether Garmin no longer has the activity (one request; a 404 says so)."""
        found = self._call(f"check activity {ident}", partial(self.api.get_activity, ident), missing_ok=True)
        return found is None

    def _mark_deleted(self, ident: str) -> None:
        assert self.store is not None
        raw = self.store.raw_payloads(self.athlete, "garmin", [ident]).get(ident)
        for one in [ident, *(str(leg) for leg in (legs_of(raw) if isinstance(raw, dict) else None) or [])]:
            self.store.mark_deleted(self.athlete, "garmin", one)
        log.info("%s/garmin: activity %s was deleted on Garmin Connect", self.athlete, ident)


def _start(value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
