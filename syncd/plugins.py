"""Plugin discovery: built-ins registered here in code, third-party ones from the entry points
`syncd.rules`, `syncd.providers` and `syncd.notifiers`.

Built-ins never depend on package metadata, so a clone run without `pip install` still has
every rule. Setting SYNCD_PLUGINS=builtin (the test suite does) loads no third-party plugin:
an installed plugin cannot change what a test sees unless the test asks for it. A
third-party plugin with a built-in's name, or one that fails to load, is skipped with a
warning; it never stops syncd. This module imports nothing heavy (`syncd --help` uses it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncd.notifiers.base import Notifier
    from syncd.providers.base import Provider

log = logging.getLogger("syncd.registry")

#: The plugins shipped with syncd, by group and name ("module:attribute", imported on use).
BUILTINS: dict[str, dict[str, str]] = {
    "syncd.rules": {
        "session_spike": "syncd.rules.rampup:SessionSpike",
        "weekly_progression": "syncd.rules.windows:WeeklyProgression",
        "acwr": "syncd.rules.windows:Acwr",
        "return_from_break": "syncd.rules.rampup:ReturnFromBreak",
        "monotony": "syncd.rules.recovery:Monotony",
        "run_streak": "syncd.rules.recovery:RunStreak",
        "back_to_back_hard": "syncd.rules.recovery:BackToBackHard",
        "strength_frequency": "syncd.rules.strength:StrengthFrequency",
        "pain_reported": "syncd.rules.pain:PainReported",
        "knee_check": "syncd.rules.knee_check:KneeCheck",
    },
    "syncd.providers": {
        "strava": "syncd.providers.strava:StravaProvider",
        "garmin": "syncd.providers.garmin:GarminProvider",
        "intervals": "syncd.providers.intervals:IntervalsProvider",
    },
    "syncd.notifiers": {
        "push": "syncd.notifiers.push:PushNotifier",
        "console": "syncd.notifiers.console:ConsoleNotifier",
    },
}
#: SYNCD_PLUGINS=builtin: no third-party plugin is loaded.
PLUGINS_ENV = "SYNCD_PLUGINS"


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)


@cache
def _builtin(group: str) -> tuple[tuple[str, Any], ...]:
    return tuple((name, _load(target)) for name, target in BUILTINS[group].items())


@cache
def _third_party(group: str) -> tuple[tuple[str, Any], ...]:
    loaded: dict[str, Any] = {}
    for ep in sorted(entry_points(group=group), key=lambda e: (e.name, e.value)):
        if ep.name in BUILTINS[group] or ep.name in loaded:
            log.warning("%s: a plugin named %r is installed already; %s skipped", group, ep.name, ep.value)
            continue
        try:
            loaded[ep.name] = ep.load()
        except Exception as exc:  # a broken third-party plugin must not stop syncd
            log.warning("%s: plugin %s = %s failed to load: %s", group, ep.name, ep.value, exc)
    return tuple(loaded.items())


def third_party_enabled() -> bool:
    """Whether third-party plugins are loaded (not with SYNCD_PLUGINS=builtin)."""
    return os.environ.get(PLUGINS_ENV, "").strip().lower() != "builtin"


def plugins(group: str) -> dict[str, Any]:
    """The built-in objects of a group by name, then the third-party ones (cached)."""
    found = dict(_builtin(group))
    if third_party_enabled():
        found.update(_third_party(group))
    return found


def installed_providers() -> dict[str, type[Provider]]:
    """Every installed provider class by name; entries that are not one are skipped."""
    from syncd.providers.base import Provider  # light: no pydantic, no HTTP library

    found: dict[str, type[Provider]] = {}
    for name, obj in plugins("syncd.providers").items():
        if not (isinstance(obj, type) and issubclass(obj, Provider) and obj.name == name):
            log.warning("syncd.providers: %s is not a Provider named %r; skipped", obj, name)
            continue
        found[name] = obj
    return found


def installed_notifiers() -> dict[str, Callable[..., Notifier]]:
    """Every installed notifier class by name (built from an apprise URL, or from nothing)."""
    return dict(plugins("syncd.notifiers"))


def provider_ranks() -> dict[str, int]:
    """Each installed provider's `rank` (which copy of a run wins a tie; lowest first)."""
    return {name: cls.rank for name, cls in installed_providers().items()}
