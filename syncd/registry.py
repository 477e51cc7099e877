"""Plugins from entry points (syncd.rules, syncd.providers, syncd.notifiers) and rule running.

Built-in rules are registered in pyproject's `[project.entry-points."syncd.rules"]` exactly
like third-party ones, so `installed_rules()` sees both the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from syncd.domain import Finding
from syncd.errors import ConfigError
from syncd.history import History
from syncd.rules.base import Rule

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that raised while evaluating a day; the other rules still ran."""

    rule: str
    day: date
    error: str


@cache
def _load_group(group: str) -> tuple[tuple[str, Any], ...]:
    loaded: dict[str, Any] = {}
    for ep in sorted(entry_points(group=group), key=lambda e: (e.name, e.value)):
        if ep.name in loaded:
            log.warning("%s: two plugins named %r; keeping the first", group, ep.name)
            continue
        try:
            loaded[ep.name] = ep.load()
        except Exception as exc:  # a broken third-party plugin must not stop syncd
            log.warning("%s: plugin %s = %s failed to load: %s", group, ep.name, ep.value, exc)
    return tuple(loaded.items())


def entry_point_plugins(group: str) -> dict[str, Any]:
    """The loaded objects of an entry-point group by name (cached); broken ones are skipped."""
    return dict(_load_group(group))


def installed_rules() -> dict[str, type[Rule]]:
    """Every installed rule class by id; entries that are not a Rule of that id are skipped."""
    rules: dict[str, type[Rule]] = {}
    for name, obj in entry_point_plugins("syncd.rules").items():
        if not (isinstance(obj, type) and issubclass(obj, Rule) and obj.id == name):
            log.warning("syncd.rules: %s is not a Rule with id %r; skipped", obj, name)
            continue
        rules[name] = obj
    return rules


def _problem(rule_id: str, cls: type[Rule], err: ErrorDetails) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    path = f"rules.{rule_id}.{loc}" if loc else f"rules.{rule_id}"
    msg = err["msg"].removeprefix("Value error, ")
    fields = cls.Config.model_fields
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown setting; remove it or use one of: {', '.join(sorted(fields))}"
    info = fields.get(str(err["loc"][0])) if err["loc"] else None
    if info is None:
        return f"{path}: {msg}; change the values so this holds"
    return f"{path}: {msg} (got {err.get('input')!r}); fix: {info.description} Default: {info.default!r}."


def load_rules(
    rules_config: Mapping[str, Mapping[str, Any]], installed: Mapping[str, type[Rule]] | None = None
) -> list[Rule]:
    """The enabled rules, configured from the `[rules.<id>]` tables, ordered by id.

    Raises ConfigError listing every problem: unknown rule ids, unknown settings, bad values.
    """
    available = installed_rules() if installed is None else dict(installed)
    problems = [
        f"rules.{rid}: no installed rule has this id; installed: {', '.join(sorted(available))}"
        for rid in sorted(rules_config)
        if rid not in available
    ]
    rules: list[Rule] = []
    for rid, cls in sorted(available.items()):
        table = rules_config.get(rid, {})
        if not isinstance(table, Mapping):
            problems.append(f"rules.{rid}: expected a table [rules.{rid}], got {table!r}")
            continue
        try:
            config = cls.Config.model_validate(dict(table))
        except ValidationError as exc:
            problems += [_problem(rid, cls, e) for e in exc.errors()]
            continue
        if config.enabled:
            rules.append(cls(config))
    if problems:
        raise ConfigError(problems)
    return rules


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


def check_plugins(config: Any) -> None:
    """Raise ConfigError when the config names a rule or provider that is not installed, or
    a rule threshold is invalid (each problem names its key path and the fix)."""
    load_rules(config.rules)
    providers = sorted(entry_point_plugins("syncd.providers"))
    problems = [
        f"athletes[{i}].providers[{j}]: {name!r} is not installed in this syncd "
        f"(installed: {', '.join(providers) or 'none'}); remove it from the list"
        for i, athlete in enumerate(config.athletes)
        for j, name in enumerate(athlete.providers)
        if name not in providers
    ]
    if problems:
        raise ConfigError(problems)
