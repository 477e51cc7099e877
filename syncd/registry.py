"""The installed plugins for the rest of syncd: rule classes and their configuration from
`[rules.<id>]`, and the config's plugin names checked against what is installed (discovery
itself is in `syncd.plugins`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from syncd.errors import ConfigError
from syncd.evaluation import RuleFailure, evaluate_day, evaluate_range  # re-exported
from syncd.plugins import installed_notifiers, installed_providers, plugins, provider_ranks
from syncd.rules.base import Rule

if TYPE_CHECKING:
    from pathlib import Path

    from syncd.config import Config

__all__ = [
    "RuleFailure",
    "check_plugins",
    "evaluate_day",
    "evaluate_range",
    "installed_notifiers",
    "installed_providers",
    "installed_rules",
    "load_checked",
    "load_rules",
    "provider_ranks",
]

log = logging.getLogger(__name__)


def installed_rules() -> dict[str, type[Rule]]:
    """Every installed rule class by id; entries that are not a Rule of that id are skipped."""
    rules: dict[str, type[Rule]] = {}
    for name, obj in plugins("syncd.rules").items():
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


def check_plugins(config: Config) -> None:
    """Raise ConfigError when the config names a rule or provider that is not installed, a
    rule threshold is invalid, a note goes to a provider that writes none, or a provider's
    `[providers.<name>]` table is wrong (each problem names its key path and the fix)."""
    load_rules(config.rules)
    installed = installed_providers()
    names = ", ".join(sorted(installed)) or "none"
    problems = [
        f"athletes[{i}].providers[{j}]: {name!r} is not installed in this syncd "
        f"(installed: {names}); remove it from the list"
        for i, athlete in enumerate(config.athletes)
        for j, name in enumerate(athlete.providers)
        if name not in installed
    ]
    writers = sorted(n for n, cls in installed.items() if cls.writes_notes)
    problems += [
        f"athletes[{i}].notes.{name}: no installed provider named {name!r} writes notes; "
        f"use one of: {', '.join(writers) or 'none'}"
        for i, athlete in enumerate(config.athletes)
        for name in athlete.notes
        if name not in writers
    ]
    problems += _settings_problems(config.providers, installed)
    if problems:
        raise ConfigError(problems)


def _settings_problems(tables: Mapping[str, Mapping[str, Any]], installed: Mapping[str, Any]) -> list[str]:
    from pydantic import ValidationError

    from syncd.config import validation_problems

    problems = []
    for name, table in sorted(tables.items()):
        cls = installed.get(name)
        if cls is None:
            problems.append(f"providers.{name}: no installed provider has this name; remove the table")
            continue
        if cls.Settings is None:
            if table:
                problems.append(f"providers.{name}: the {name} provider takes no settings; remove the table")
            continue
        try:
            cls.Settings.model_validate(dict(table))
        except ValidationError as exc:
            problems += [f"providers.{name}.{line}" for line in validation_problems(exc)]
    return problems


def load_checked(path: Path) -> Config:
    """The config in `path`, with its rules and providers checked against what is installed.
    Raises ConfigError (naming the file) for either."""
    from syncd import config as cfg

    config = cfg.load(path)
    try:
        check_plugins(config)
    except ConfigError as exc:
        raise ConfigError(exc.problems, str(path)) from None
    return config
