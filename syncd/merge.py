"""Group one athlete's activities into sessions: the same run from two providers is one.

Two copies match (DESIGN.md, "Domain") when they come from different providers, share a
sport family, start within 5 minutes, and their distances differ by at most 5 % (or both
lack a distance and their durations differ by at most 10 %). Grouping is a pure function of
the set of activities: the input is sorted first, so import order never changes the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

from syncd.domain import UNRANKED, Activity, Session

START_WINDOW = timedelta(minutes=5)
DISTANCE_TOLERANCE = 0.05
DURATION_TOLERANCE = 0.10


def _within(a: int, b: int, tolerance: float) -> bool:
    # integer arithmetic: |a - b| <= tolerance * max(a, b), exact at the edge
    scale = round(tolerance * 100)
    return abs(a - b) * 100 <= scale * max(a, b)


def copies_match(a: Activity, b: Activity) -> bool:
    """True when `a` and `b` are two providers' records of one workout."""
    if a.provider == b.provider or a.sport.family != b.sport.family:
        return False
    if abs(a.start_utc - b.start_utc) > START_WINDOW:
        return False
    if a.distance_m is not None and b.distance_m is not None:
        if a.distance_m == 0 and b.distance_m == 0:
            pass  # fall through to durations
        else:
            return _within(a.distance_m, b.distance_m, DISTANCE_TOLERANCE)
    elif (a.distance_m or 0) > 0 or (b.distance_m or 0) > 0:
        # one copy measured a positive distance and the other none: not the same workout
        return False
    da, db = a.duration_s, b.duration_s
    if da is None or db is None:
        return da is None and db is None
    return _within(da, db, DURATION_TOLERANCE)


def _ordering(rank: Mapping[str, int]) -> Callable[[Activity], tuple[object, ...]]:
    def order(a: Activity) -> tuple[object, ...]:
        return (a.start_utc, rank.get(a.provider, UNRANKED), a.provider, a.provider_id)

    return order


def session_id(members: Iterable[Activity], rank: Mapping[str, int] | None = None) -> str:
    """A short id derived from the earliest member (start, provider rank, id)."""
    first = min(members, key=_ordering(rank or {}))
    digest = hashlib.sha1(first.key.encode()).hexdigest()[:12]
    return f"s{digest}"


def group_sessions(
    activities: Iterable[Activity],
    known_ids: Mapping[str, str] | None = None,
    rank: Mapping[str, int] | None = None,
) -> list[Session]:
    """Sessions for one athlete's non-deleted activities, ordered by start time.

    Each activity joins the best-matching open session (closest start) that has no copy
    from its provider yet and whose every member it matches; otherwise it starts one.
    `known_ids` (activity key → the session id it had) keeps a session's id when a second
    copy arrives later, so findings keyed by session are not delivered again. `rank` (provider
    name → rank, lowest first) breaks ties between copies; providers it does not name come last.
    """
    rank = rank or {}
    _order = _ordering(rank)
    ordered = sorted((a for a in activities if not a.deleted), key=_order)
    groups: list[list[Activity]] = []
    open_from = 0  # groups before this index started too long ago to match anything new
    for act in ordered:
        while open_from < len(groups) and act.start_utc - groups[open_from][0].start_utc > START_WINDOW:
            open_from += 1
        best: list[Activity] | None = None
        best_gap: timedelta | None = None
        for group in groups[open_from:]:
            if any(m.provider == act.provider for m in group):
                continue
            if not all(copies_match(m, act) for m in group):
                continue
            gap = abs(group[0].start_utc - act.start_utc)
            if best_gap is None or gap < best_gap:
                best, best_gap = group, gap
        if best is None:
            groups.append([act])
        else:
            best.append(act)
    sessions: list[Session] = []
    taken: set[str] = set()
    for g in groups:
        previous = sorted({known_ids[a.key] for a in g if a.key in known_ids} - taken) if known_ids else []
        sid = previous[0] if previous else session_id(g, rank)
        taken.add(sid)
        sessions.append(Session(sid, g[0].athlete, tuple(sorted(g, key=_order)), rank))
    sessions.sort(key=lambda s: (s.start_utc, s.id))
    return sessions
