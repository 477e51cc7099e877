"""One page of Garmin's activity list, made faithful: recent activities read in detail once (RPE
and feel live only there), multisport activities split into their legs.

A listed activity that started within the detail window (the delivery window) and was never
read in detail costs one `get_activity`; later listings carry what it gave over from the stored
copy, so an idle poll stays one request. A multisport parent started within LEGS_WINDOW costs
one detail request plus one per leg (transitions are skipped): the legs become activities of
their own and the parent is kept out of every rule (see `mapping`). Older activities, as in a
first sync of years of history, cost nothing more. A detail that fails with a rate limit or an
outage keeps the list's summary; the page is still stored, the error is raised after it, and
the overlap lists the activity again on the next pass.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from syncd.domain import Activity
from syncd.errors import BadPayload, ProviderError, RateLimited, Unavailable
from syncd.providers.garmin.api import GarminCalls
from syncd.providers.garmin.mapping import (
    activity_from,
    detail_known,
    flatten_detail,
    is_multisport_parent,
    legs_of,
    with_detail,
)

log = logging.getLogger("syncd.providers.garmin.provider")

LEGS_WINDOW = timedelta(days=120)  # every rule's window (12 weeks, then 30 days) and more


class GarminListing(GarminCalls):
    """The listing half of `GarminProvider` (which sets `detail` and `_failure`)."""

    detail: timedelta
    _failure: ProviderError | None

    def _list(self, offset: int, limit: int) -> tuple[list[Any], list[Activity], list[Activity], list[str]]:
        """(the raw items, the listed activities, their multisport legs, one reason per
        unreadable item)."""
        items = self._call("list activities", partial(self.api.get_activities, offset, limit))
        if not isinstance(items, list):
            raise Unavailable("Garmin's activity list was not a list; will retry later")
        pairs, skipped = [], []
        for item in items:
            try:
                pairs.append((item, activity_from(item, self.athlete)))
            except BadPayload as exc:
                skipped.append(str(exc))
        listed, legs = self._enriched(pairs)
        return items, listed, legs, skipped

    def _enriched(
        self, pairs: list[tuple[dict[str, Any], Activity]]
    ) -> tuple[list[Activity], list[Activity]]:
        known = self._known([a.provider_id for _, a in pairs])
        now = self.clock()
        listed: list[Activity] = []
        legs: list[Activity] = []
        for item, summary in pairs:
            detail = known.get(summary.provider_id)
            fresh = detail is None and (
                summary.start_utc >= now - self.detail
                or (is_multisport_parent(item) and summary.start_utc >= now - LEGS_WINDOW)
            )
            if fresh:
                detail = self._detail(summary.provider_id)
            if detail is None:
                listed.append(summary)
                continue
            enriched = with_detail(item, detail)
            if fresh and legs_of(enriched):
                split = self._legs(enriched)
                if split is None:  # a leg could not be read: the parent counts as itself for now
                    listed.append(summary)
                    continue
                legs += split
            listed.append(self._mapped(enriched, summary))
        return listed, legs

    def _known(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """What stored copies of these activities kept from their detail, by id."""
        if self.store is None or not ids:
            return {}
        raws = self.store.raw_payloads(self.athlete, "garmin", ids)
        out = {ident: detail_known(raw) for ident, raw in raws.items()}
        return {ident: kept for ident, kept in out.items() if kept is not None}

    def _detail(self, ident: str) -> dict[str, Any] | None:
        """The activity's detail; None if Garmin has none (404) or a detail failed this pass."""
        if self._failure is not None:
            return None
        try:
            detail = self._call(
                f"read activity {ident}", partial(self.api.get_activity, ident), missing_ok=True
            )
        except (RateLimited, Unavailable) as exc:
            self._failure = exc
            return None
        return detail if isinstance(detail, dict) else None

    def _legs(self, parent: dict[str, Any]) -> list[Activity] | None:
        """The legs of a multisport parent read in detail (transitions skipped); None if one
        could not be read."""
        meta = parent.get("metadataDTO")
        found = meta.get("childActivityTypes") if isinstance(meta, dict) else None
        kinds: list[Any] = found if isinstance(found, list) else []
        out = []
        for n, leg in enumerate(legs_of(parent) or []):
            if n < len(kinds) and "transition" in str(kinds[n]).lower():
                continue
            detail = self._detail(str(leg))
            if detail is None:
                return None
            try:
                out.append(activity_from(flatten_detail(detail), self.athlete))
            except BadPayload as exc:
                log.warning(
                    "%s/garmin: leg %s of activity %s unreadable: %s",
                    self.athlete,
                    leg,
                    parent["activityId"],
                    exc,
                )
                return None
        return out

    def _mapped(self, enriched: dict[str, Any], summary: Activity) -> Activity:
        try:
            return activity_from(enriched, self.athlete)
        except BadPayload as exc:
            log.warning(
                "%s/garmin: detail of %s unreadable, summary kept: %s", self.athlete, summary.provider_id, exc
            )
            return summary
