"""What a pass is given (`Context`) and what it reports (`PassSummary`), shared by the engine's steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from syncd.config import AthleteConfig, Config
from syncd.engine.histories import Histories
from syncd.history import Profile
from syncd.notifiers.base import Notifier
from syncd.providers.base import Provider
from syncd.rules.base import Rule
from syncd.store import Store


@dataclass
class ProviderSummary:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error: str | None = None


@dataclass
class PassSummary:
    """What one pass did, for `syncd sync` and the logs."""

    athlete: str
    providers: dict[str, ProviderSummary] = field(default_factory=dict)
    merged: int = 0
    evaluated_days: int = 0
    findings: int = 0
    history: int = 0
    withdrawn: int = 0
    delivered: int = 0
    failed: int = 0
    held: int = 0
    folded: int = 0
    rule_failures: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(p.fetched for p in self.providers.values())

    def line(self) -> str:
        parts = [f"{self.athlete}: fetched {self.fetched}"]
        parts += [f"{name} {p.error}" for name, p in self.providers.items() if p.error]
        parts.append(
            f"merged {self.merged}, findings {self.findings} new"
            + (f" (+{self.history} older kept as history)" if self.history else "")
            + (f", {self.withdrawn} withdrawn after a correction" if self.withdrawn else "")
        )
        parts.append(
            f"delivered {self.delivered}, failed {self.failed}, held {self.held}, "
            f"folded into digest {self.folded}"
        )
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "providers"}
        data["providers"] = {k: vars(v) for k, v in self.providers.items()}
        return data


@dataclass
class Context:
    """Everything a pass needs, injected so tests and the demo can swap any part."""

    config: Config
    store: Store
    rules: list[Rule]
    providers: Callable[[AthleteConfig], dict[str, Provider]]
    notifiers: Callable[[AthleteConfig], list[Notifier]]
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    dry_run: bool = False
    #: called between steps with the step's name; tests make it raise to simulate a crash
    checkpoint: Callable[[str], None] = lambda step: None
    progress: Callable[[str, int], None] | None = None
    #: the malformed items each account listed on its last pass, so each is logged once
    skipped: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: each athlete's History, kept between passes (the daemon keeps one Context)
    histories: Histories = field(default_factory=Histories)

    def rule_class(self, rule_id: str) -> type[Rule]:
        """The class of the rule with this id (its delivery attributes); `Rule` itself for
        syncd's own notices and for rules no longer installed."""
        for rule in self.rules:
            if rule.id == rule_id and isinstance(rule, Rule):
                return type(rule)
        from syncd.registry import installed_rules

        return installed_rules().get(rule_id, Rule)


def profile_of(config: Config, athlete: AthleteConfig) -> Profile:
    from syncd.config import pace_seconds

    return Profile(
        timezone=config.timezone_of(athlete),
        sex=athlete.sex,
        rest_hr=athlete.rest_hr,
        max_hr=athlete.max_hr,
        suspect_fastest_s_per_km=pace_seconds(athlete.suspect.fastest_pace),
        suspect_slowest_s_per_km=pace_seconds(athlete.suspect.slowest_pace),
    )


def local_today(config: Config, athlete: AthleteConfig, now: datetime) -> date:
    return now.astimezone(ZoneInfo(config.timezone_of(athlete))).date()
