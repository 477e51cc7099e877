"""Builds the engine's Context from the config: installed providers, notifiers and rules."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import ClassVar

from syncd import clock
from syncd.config import AthleteConfig, Config
from syncd.domain import Activity
from syncd.engine.context import Context
from syncd.errors import ProviderError, SyncdError
from syncd.notifiers.base import Notifier
from syncd.plugins import installed_notifiers, installed_providers
from syncd.providers.base import DescriptionEdit, Page, Provider
from syncd.registry import load_rules
from syncd.store import Store

log = logging.getLogger(__name__)


class BrokenProvider(Provider):
    """Stands in for an account that could not be set up: every call raises its error."""

    name: ClassVar[str] = "broken"

    def __init__(self, athlete: str, error: ProviderError) -> None:
        super().__init__(athlete)
        self.error = error

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        raise self.error

    def fetch_one(self, provider_id: str) -> Activity | None:
        raise self.error

    def write_note(self, provider_id: str, edit: DescriptionEdit) -> bool:
        raise self.error


def provider_factory(config: Config, store: Store) -> Callable[[AthleteConfig], dict[str, Provider]]:
    """Providers for an athlete's configured accounts. A working provider is created once and
    reused; one that could not be set up (not connected yet, a missing secret) is tried again
    on the next pass, so `syncd connect` takes effect without restarting the daemon."""
    installed = installed_providers()
    made: dict[str, dict[str, Provider]] = {}

    def providers(athlete: AthleteConfig) -> dict[str, Provider]:
        out: dict[str, Provider] = {}
        for name in athlete.providers:
            cached = made.get(athlete.name, {}).get(name)
            if cached is not None and not isinstance(cached, BrokenProvider):
                out[name] = cached
                continue
            cls = installed.get(name)
            if cls is None:
                out[name] = BrokenProvider(
                    athlete.name, ProviderError(f"the {name} provider is not installed in this syncd")
                )
                continue
            try:
                out[name] = cls.create(config, athlete, store)
            except ProviderError as exc:
                out[name] = BrokenProvider(athlete.name, exc)
            except Exception as exc:  # a bug in a provider's set-up stops only that account
                log.error("%s/%s: could not be set up: %s: %s", athlete.name, name, type(exc).__name__, exc)
                log.debug("%s/%s: the error in full", athlete.name, name, exc_info=True)
                problem = f"could not be set up ({type(exc).__name__}); see the log with -vv"
                out[name] = BrokenProvider(athlete.name, ProviderError(problem))
        made[athlete.name] = out
        return out

    return providers


def notifier_factory(
    config: Config, *, console: bool = False, isolated_push: bool = False
) -> Callable[[AthleteConfig], list[Notifier]]:
    """Push notifiers for each of an athlete's apprise URLs (references resolved), plus the
    console when asked; created once per athlete. `isolated_push`: the built-in push channel
    sends from a process of its own (the daemon, which must not keep apprise loaded)."""
    made: dict[str, list[Notifier]] = {}

    def notifiers(athlete: AthleteConfig) -> list[Notifier]:
        if athlete.name in made:
            return made[athlete.name]
        from syncd.notifiers.push import PushNotifier
        from syncd.secrets import is_reference, resolve

        # built-in notifiers are registered like third-party ones
        installed = installed_notifiers()
        out: list[Notifier] = [installed["console"]()] if console else []
        push = installed["push"]
        options = {"isolated": True} if isolated_push and push is PushNotifier else {}
        for i, url in enumerate(athlete.notify):
            try:
                out.append(push(resolve(url) if is_reference(url) else url, **options))
            except SyncdError as exc:
                log.error("%s: notify[%d] skipped: %s", athlete.name, i, exc)
        made[athlete.name] = out
        return out

    return notifiers


def build_context(
    config: Config, store: Store, *, dry_run: bool = False, console: bool = False, isolated_push: bool = False
) -> Context:
    """The Context for real passes: providers and notifiers from the config (`isolated_push`:
    see `notifier_factory`)."""
    return Context(
        config=config,
        store=store,
        rules=load_rules(config.rules),
        providers=provider_factory(config, store),
        notifiers=notifier_factory(config, console=console, isolated_push=isolated_push),
        now=lambda: clock.utcnow(),
        dry_run=dry_run,
    )
