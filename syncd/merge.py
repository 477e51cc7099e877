"""Group one athlete's activities into sessions: the same run from two providers is one.

Two copies match (DESIGN.md, "Domain") when they come from different providers, share a
sport family, start within 5 minutes, and their distances differ by at most 5 % (or both
lack a distance and their durations differ by at most 10 %).

Some providers say outright which other copy an activity is: intervals.icu names the Garmin
Connect activity it received and the Strava activity it is linked to (`Activity.same_as`).
Copies linked that way are one session whatever their numbers say (the runner may have
corrected the distance on one side only); links reach both ways, chain (an intervals.icu copy
naming both the Garmin and the Strava original joins all three), and still give a session
at most one copy per provider. A copy with no link joins a session only when it is linked
to, or matches, every copy already in it.

Grouping is a pure function of the set of activities: the input is sorted first, so import
order never changes the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    """True when `a` and `b` are two providers' records of one workout, by their numbers."""
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


def linked(a: Activity, b: Activity) -> bool:
    """True when either copy names the other as the same workout (`Activity.same_as`)."""
    return a.provider != b.provider and (b.key in a.same_as or a.key in b.same_as)


def _together(a: Activity, b: Activity) -> bool:
    return linked(a, b) or copies_match(a, b)


def _ordering(rank: Mapping[str, int]) -> Callable[[Activity], tuple[object, ...]]:
    def order(a: Activity) -> tuple[object, ...]:
        return (a.start_utc, rank.get(a.provider, UNRANKED), a.provider, a.provider_id)

    return order


def session_id(members: Iterable[Activity], rank: Mapping[str, int] | None = None) -> str:
    """A short id derived from the earliest member (start, provider rank, id)."""
    first = min(members, key=_ordering(rank or {}))
    digest = hashlib.sha1(first.key.encode()).hexdigest()[:12]
    return f"s{digest}"


def _linked_units(ordered: Sequence[Activity]) -> dict[str, list[Activity]]:
    """The copies that links tie together, in sorted order, by the key of each member; only
    units of two or more. A chain holding two copies from one provider is split: each copy,
    in sorted order, joins the first unit without its provider that it is linked to."""
    by_key = {a.key: a for a in ordered}
    parent = {a.key: a.key for a in ordered}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for act in ordered:
        for other in act.same_as:
            if other in by_key and by_key[other].provider != act.provider:
                parent[root(other)] = root(act.key)
    chains: dict[str, list[Activity]] = {}
    for act in ordered:
        chains.setdefault(root(act.key), []).append(act)
    units: dict[str, list[Activity]] = {}
    for chain in chains.values():
        parts: list[list[Activity]] = []
        for act in chain:
            home = next(
                (
                    p
                    for p in parts
                    if all(m.provider != act.provider for m in p) and any(linked(m, act) for m in p)
                ),
                None,
            )
            if home is None:
                parts.append([act])
            else:
                home.append(act)
        units.update({m.key: part for part in parts if len(part) > 1 for m in part})
    return units


def _best_group(groups: Sequence[list[Activity]], unit: Sequence[Activity]) -> list[Activity] | None:
    """The open group `unit` joins: no provider in common, every pair across linked or
    matching, the closest start first (the earliest group on a tie)."""
    providers = {a.provider for a in unit}
    best: list[Activity] | None = None
    best_gap: timedelta | None = None
    for group in groups:
        if any(m.provider in providers for m in group):
            continue
        if not all(_together(m, a) for m in group for a in unit):
            continue
        gap = abs(group[0].start_utc - unit[0].start_utc)
        if best_gap is None or gap < best_gap:
            best, best_gap = group, gap
    return best


def _groups(ordered: Sequence[Activity]) -> list[list[Activity]]:
    """The copies (sorted) grouped: linked units first, then each unit (or copy) joins the
    best open group, else starts one."""
    if len({a.provider for a in ordered}) < 2:  # one provider's copies neither match nor link
        return [[a] for a in ordered]
    units = _linked_units(ordered)
    groups: list[list[Activity]] = []
    open_from = 0  # groups before this index started too long ago to match anything new
    for act in ordered:
        unit = units.get(act.key, [act])
        if unit[0] is not act:
            continue  # placed with the first copy of its unit
        while open_from < len(groups) and act.start_utc - groups[open_from][0].start_utc > START_WINDOW:
            open_from += 1
        best = _best_group(groups[open_from:], unit)
        if best is None:
            groups.append(list(unit))
        else:
            best.extend(unit)
    return groups


def group_sessions(
    activities: Iterable[Activity],
    known_ids: Mapping[str, str] | None = None,
    rank: Mapping[str, int] | None = None,
) -> list[Session]:
    """Sessions for one athlete's non-deleted activities, ordered by start time.

    Copies tied by links form a unit first. Then, in sorted order, each unit (or copy) joins
    the best open session (see `_best_group`), otherwise it starts one. `known_ids` (activity
    key → the session id it had) keeps a session's id when a second copy arrives later, so
    findings keyed by session are not delivered again. `rank` (provider name → rank, lowest
    first) breaks ties between copies; providers it does not name come last.
    """
    rank = rank or {}
    _order = _ordering(rank)
    ordered = sorted((a for a in activities if not a.deleted), key=_order)
    groups = _groups(ordered)
    sessions: list[Session] = []
    taken: set[str] = set()
    for g in groups:
        previous = sorted({known_ids[a.key] for a in g if a.key in known_ids} - taken) if known_ids else []
        sid = previous[0] if previous else session_id(g, rank)
        taken.add(sid)
        sessions.append(Session(sid, g[0].athlete, tuple(sorted(g, key=_order)), rank))
    sessions.sort(key=lambda s: (s.start_utc, s.id))
    return sessions
