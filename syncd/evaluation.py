"""Evaluating rules over days: one failing rule is reported and never silences the others."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from syncd.domain import Finding
from syncd.history import History, Profile, build_history
from syncd.rules.base import Rule
from syncd.store import Store

log = logging.getLogger("syncd.registry")


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that raised while evaluating a day; the other rules still ran."""

    rule: str
    day: date
    error: str


def _order(f: Finding) -> tuple[Any, ...]:
    return (f.day, -f.severity, f.rule, f.key)


def evaluate_day(
    rules: Iterable[Rule], history: History, day: date
) -> tuple[list[Finding], list[RuleFailure]]:
    """Every rule's findings for `day`, sorted; a rule that raises is reported and skipped.

    Raises ValueError when `day` is after the history's last day (build it with until=).
    """
    if history.last is not None and day > history.last:
        raise ValueError(f"{day} is after the history's last day {history.last}")
    findings: list[Finding] = []
    failures: list[RuleFailure] = []
    for rule in rules:
        try:
            findings += rule.evaluate(history, day)
        except Exception as exc:  # one broken rule must not silence the others
            log.debug("rule %s failed on %s", rule.id, day, exc_info=True)
            failures.append(RuleFailure(rule.id, day, f"{type(exc).__name__}: {exc}"))
    findings.sort(key=_order)
    return findings, failures


def evaluate_range(
    rules: Sequence[Rule], history: History, first: date, last: date
) -> tuple[list[Finding], list[RuleFailure]]:
    """`evaluate_day` for every day from `first` to `last` inclusive, concatenated in order."""
    findings: list[Finding] = []
    failures: list[RuleFailure] = []
    day = first
    while day <= last:
        found, failed = evaluate_day(rules, history, day)
        findings += found
        failures += failed
        day += timedelta(days=1)
    return findings, failures


def stored_history(
    store: Store,
    athlete: str,
    profile: Profile,
    *,
    until: date | None = None,
    previous: History | None = None,
) -> History:
    """The athlete's History from the state: merged sessions and the runner's check-ins."""
    return build_history(
        store.sessions(athlete), profile, until=until, previous=previous, checkins=store.checkins(athlete)
    )
