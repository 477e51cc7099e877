"""config.toml as pydantic models: loading, validation and errors that name the key and the fix.

The value types (secret references, time zones, durations, ...) are in `config_types`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from syncd.config_errors import read_toml, validation_problems
from syncd.config_types import (
    AbsoluteDir,
    AthleteName,
    BaseUrl,
    DigestTime,
    Duration,
    ListenAddress,
    ProviderName,
    QuietHours,
    SecretRef,
    TimeZone,
    duration_seconds,
    parse_quiet_hours,
)
from syncd.errors import ConfigError

__all__ = [
    "AthleteConfig",
    "Config",
    "duration_seconds",
    "load",
    "parse",
    "parse_quiet_hours",
    "validation_problems",
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaemonConfig(Model):
    poll_interval: Duration = Field("15m", description="How often to poll each provider account.")
    timezone: TimeZone = Field("UTC", description="Default time zone for athletes that set none.")
    delivery_window_days: int = Field(
        3,
        ge=0,
        le=30,
        description="On a backfill, deliver only findings about the last N days; "
        "older ones are kept as history.",
    )
    webhook_listen: ListenAddress | None = Field(
        None,
        description="host:port for the Strava webhook callback (off when unset), e.g. '127.0.0.1:8421'; "
        "put a reverse proxy or tunnel with HTTPS in front of it.",
    )
    max_delivery_attempts: int = Field(
        8, ge=1, le=50, description="Give a message up after this many failed attempts."
    )
    public_url: BaseUrl | None = Field(
        None,
        description="The HTTPS address at which a reverse proxy or tunnel reaches the webhook_listen "
        "listener, e.g. 'https://runs.example.org'; when set, pushes carry answer links and the "
        "runner's page is served under /syncd/ (off when unset).",
    )
    state_dir: AbsoluteDir | None = Field(
        None,
        description="Where the state and the tokens live, when neither --state-dir nor $STATE_DIRECTORY "
        "says (`syncd config init` as root writes /var/lib/syncd, the service's).",
    )


class StravaConfig(Model):
    client_id: int | None = Field(None, description="Your Strava API application's client id.")
    client_secret: SecretRef | None = Field(
        None, description="Reference to the app's client secret: env:NAME, credential:NAME or keyring:NAME."
    )
    base_url: BaseUrl = Field(
        "https://www.strava.com", description="Strava API host (plain http only to loopback)."
    )


class GarminConfig(Model):
    email: str | None = Field(
        None, description="Garmin Connect e-mail for `syncd connect garmin` (only the tokens are kept)."
    )
    password: SecretRef | None = Field(
        None,
        description="Reference to the Garmin password; usually unset: type it at `syncd connect garmin`.",
    )


def _exercise_ids(values: list[str]) -> list[str]:
    from syncd.coach.catalogue import EXERCISE_IDS

    unknown = [v for v in values if v not in EXERCISE_IDS]
    if unknown:
        raise ValueError(
            f"unknown exercise {', '.join(map(repr, unknown))}; choose from {', '.join(sorted(EXERCISE_IDS))}"
        )
    return values


class StrengthConfig(Model):
    minutes: int = Field(
        20, ge=15, le=25, description="Length of the suggested strength session, in minutes."
    )
    exclude: Annotated[list[str], AfterValidator(_exercise_ids)] = Field(
        default_factory=list, description="Exercise ids to leave out, e.g. ['lateral_lunge']."
    )


def _pace(value: str) -> str:
    minutes, _, seconds = value.partition(":")
    if not (minutes.isdigit() and seconds.isdigit() and len(seconds) == 2 and int(seconds) < 60):
        raise ValueError(f"{value!r} is not a pace; write minutes:seconds per km, e.g. '2:30'")
    if not 60 <= pace_seconds(value) <= 3600:
        raise ValueError(f"{value!r} is outside 1:00 to 60:00 min/km")
    return value


def pace_seconds(value: str) -> int:
    """Seconds per km of a 'm:ss' pace."""
    minutes, _, seconds = value.partition(":")
    return int(minutes) * 60 + int(seconds)


class SuspectConfig(Model):
    fastest_pace: Annotated[str, AfterValidator(_pace)] = Field(
        "2:30",
        description="A run faster than this (min/km, on moving time, over more than 1 km) is left out.",
    )
    slowest_pace: Annotated[str, AfterValidator(_pace)] = Field(
        "20:00", description="A run slower than this (min/km, on moving time) is left out."
    )

    @model_validator(mode="after")
    def _ordered(self) -> SuspectConfig:
        if pace_seconds(self.fastest_pace) >= pace_seconds(self.slowest_pace):
            raise ValueError("fastest_pace must be quicker (fewer min/km) than slowest_pace")
        return self


class AthleteConfig(Model):
    name: AthleteName = Field(description="Short name used on the command line (a-z, 0-9, - and _).")
    timezone: TimeZone | None = Field(None, description="The athlete's time zone; days are counted in it.")
    providers: list[ProviderName] = Field(
        default_factory=list,
        description="Accounts to sync: any of 'strava', 'garmin' and 'intervals'.",
    )
    notify: list[str] = Field(
        default_factory=list,
        description="Apprise URLs for push messages (ntfy://, ntfys://, gotify://, pover://, mailto://, ...) "
        "or env:NAME / credential:NAME / keyring:NAME references to one.",
    )
    notes: dict[ProviderName, bool] = Field(
        default_factory=dict,
        description="Where to write the note block: provider = true (each provider's own key; "
        "see `syncd config sample`).",
    )
    quiet_hours: QuietHours | None = Field(
        None, description="No push messages in this local time range, e.g. '22:00-07:00'."
    )
    units: Literal["km", "mi"] = Field("km", description="Distance units in messages.")
    sex: Literal["male", "female"] | None = Field(None, description="Used only for the TRIMP load formula.")
    rest_hr: int | None = Field(None, ge=25, le=120, description="Resting heart rate (TRIMP load).")
    max_hr: int | None = Field(
        None, ge=120, le=230, description="Maximum heart rate (TRIMP load, hard days)."
    )
    max_push_per_day: int = Field(
        3, ge=0, le=50, description="At most this many push messages a day; the rest go to the digest."
    )
    morning_hour: int = Field(7, ge=0, le=23, description="Local hour for the day's strength prompt.")
    digest: DigestTime = Field(
        "sun 19:00", description="When the weekly digest goes out: a weekday and a local time."
    )
    strength: StrengthConfig = Field(
        default_factory=StrengthConfig, description="The suggested strength sessions."
    )
    suspect: SuspectConfig = Field(
        default_factory=SuspectConfig,
        description="When a run's numbers look implausible and it is left out (`syncd confirm` counts it).",
    )

    @model_validator(mode="after")
    def _hr_order(self) -> AthleteConfig:
        if self.rest_hr is not None and self.max_hr is not None and self.rest_hr >= self.max_hr:
            raise ValueError("rest_hr must be lower than max_hr")
        return self


class Config(Model):
    daemon: DaemonConfig = Field(default_factory=DaemonConfig, description="The service itself.")
    strava: StravaConfig = Field(default_factory=StravaConfig, description="Your Strava API application.")
    garmin: GarminConfig = Field(default_factory=GarminConfig, description="Garmin Connect.")
    providers: dict[ProviderName, dict[str, Any]] = Field(
        default_factory=dict,
        description="Settings of provider plugins, one [providers.<name>] table each.",
    )
    athletes: list[AthleteConfig] = Field(default_factory=list, description="One table per runner.")
    rules: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-rule thresholds, e.g. [rules.session_spike] caution_pct = 10."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [a.name for a in self.athletes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"athlete names must be unique; {', '.join(dupes)} appears more than once")
        return self

    def athlete(self, name: str) -> AthleteConfig:
        """The athlete's table; raises ConfigError listing the configured names."""
        for athlete in self.athletes:
            if athlete.name == name:
                return athlete
        known = ", ".join(a.name for a in self.athletes) or "none"
        raise ConfigError(
            [f"athletes: no athlete named {name!r} (configured: {known}); add an [[athletes]] table"]
        )

    def timezone_of(self, athlete: AthleteConfig) -> str:
        return athlete.timezone or self.daemon.timezone


def parse(data: dict[str, Any], source: str) -> Config:
    """A Config from decoded TOML; raises ConfigError naming every bad key."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc, Config), source) from None


def load(path: Path) -> Config:
    """Read and validate a config file; raises ConfigError (exit 78) with the key and the fix."""
    return parse(read_toml(path), str(path))
