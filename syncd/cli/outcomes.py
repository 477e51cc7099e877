"""What `syncd sync` learns from each account behind the engine's one-line summary: the kind
of failure (for an exit status that means what the README says), and the wait a rate limit
asked for, kept in the state so that the next `syncd sync` honours it instead of calling the
provider at once.

The engine catches every provider error and keeps only its text; `Observer` wraps each
provider's `fetch` to see the error itself. Exit statuses: 78 when the admin must change
something (a secret, a refused or revoked grant, an account never connected and nothing else
synced), 75 when it passes by itself (a provider down, a rate limit), 0 otherwise, with a
one-line warning for an account never connected while another synced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from syncd.errors import EX_CONFIG, EX_TEMPFAIL, AuthRequired, ProviderError, RateLimited, Unavailable

if TYPE_CHECKING:
    from pathlib import Path

    from syncd.config import AthleteConfig, Config
    from syncd.engine import PassSummary
    from syncd.providers.base import Page, Provider
    from syncd.store import Store

WAIT_KEY = "rate_limited_until:{provider}"  # an engine value of the athlete


def waiting_until(store: Store, athlete: str, provider: str, now: datetime) -> datetime | None:
    """When a rate limit the account met lets syncd call the provider again (None: now)."""
    value = store.engine_value(athlete, WAIT_KEY.format(provider=provider))
    try:
        until = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return until if until is not None and until > now else None


@dataclass
class Observer:
    """Watches the providers of one `syncd sync`: each account's error, and rate limits."""

    store: Store
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    errors: dict[tuple[str, str], ProviderError] = field(default_factory=dict)

    def wrap(
        self, factory: Callable[[AthleteConfig], dict[str, Provider]]
    ) -> Callable[[AthleteConfig], dict[str, Provider]]:
        """The provider factory, each provider's fetch watched."""

        def providers(athlete: AthleteConfig) -> dict[str, Provider]:
            made = factory(athlete)
            for name, provider in made.items():
                own = vars(provider)  # the instance's own fetch shadows its class's
                if "_syncd_observed" not in own:
                    own["fetch"] = self._fetch(athlete.name, name, provider.fetch)
                    own["_syncd_observed"] = True
            return made

        return providers

    def _fetch(
        self, athlete: str, name: str, inner: Callable[[str | None], Iterator[Page]]
    ) -> Callable[[str | None], Iterator[Page]]:
        def fetch(cursor: str | None) -> Iterator[Page]:
            until = waiting_until(self.store, athlete, name, self.now())
            if until is not None:
                error = RateLimited(
                    f"the last rate limit said to wait; syncd continues at {until:%H:%M} UTC", until
                )
                self.errors[(athlete, name)] = error
                raise error
            try:
                yield from inner(cursor)
            except ProviderError as exc:
                self.errors[(athlete, name)] = exc
                if isinstance(exc, RateLimited):
                    key = WAIT_KEY.format(provider=name)
                    self.store.set_engine_value(athlete, key, exc.retry_at.isoformat(timespec="seconds"))
                raise

        return fetch


def _never_connected(state: Path, provider: str, athlete: str) -> bool:
    """Whether the account has no saved tokens at all in the state in `state` (it was never
    connected)."""
    from syncd.tokens import token_store

    try:
        return token_store(state).load(provider, athlete) is None
    except Exception:  # a token store that cannot be read is no proof of anything
        return False


@dataclass
class Verdict:
    """The exit status of a `syncd sync`, and the warnings to print with it."""

    status: int = 0
    warnings: list[str] = field(default_factory=list)


def _kind(state: Path, part_error: str, error: ProviderError | None, provider: str, athlete: str) -> str:
    """'transient', 'never' (never connected) or 'permanent'."""
    if isinstance(error, RateLimited | Unavailable):
        return "transient"
    needs_connect = isinstance(error, AuthRequired) or part_error.startswith(("paused", "needs reconnecting"))
    if needs_connect and _never_connected(state, provider, athlete):
        return "never"
    return "permanent"


def verdict(config: Config, results: list[PassSummary], observer: Observer) -> Verdict:
    """78 if the admin must change something, else 75 if something passes by itself, else 0."""
    out = Verdict()
    permanent = transient = False
    for summary in results:
        synced = [name for name, part in summary.providers.items() if not part.error]
        for name, part in summary.providers.items():
            if not part.error:
                continue
            error = observer.errors.get((summary.athlete, name))
            kind = _kind(observer.store.token_state, part.error, error, name, summary.athlete)
            transient |= kind == "transient"
            permanent |= kind == "permanent" or (kind == "never" and not synced)
            if kind == "never" and synced:
                out.warnings.append(
                    f"{summary.athlete}: {name} is not connected yet, so only {', '.join(synced)} was "
                    f"synced; connect it (syncd connect {name} --athlete {summary.athlete}) or take it "
                    "out of providers"
                )
    out.status = EX_CONFIG if permanent else EX_TEMPFAIL if transient else 0
    return out
