"""What a config promises that only the machine can keep: the offline checks of `syncd config
validate` (and the first part of `syncd doctor`).

A config can parse and still fail at the first sync: a secret reference that resolves to
nothing, a push URL apprise cannot use, an athlete with nothing to sync, the sample's example
values left in. Each check gives one `Check`: what was checked, whether it holds, and the fix.
Secrets are resolved to see that they can be, and never shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from syncd.errors import ConfigError

if TYPE_CHECKING:
    from syncd.config import Config

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One line of `syncd doctor`: the key or thing checked, its level, and what to do."""

    subject: str
    level: Level
    text: str

    def line(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.level]
        return f"{mark}  {self.subject}: {self.text}"


def _resolved(subject: str, ref: str) -> tuple[Check, str | None]:
    """Whether a secret reference resolves; the check and the secret (None when it does not)."""
    from syncd.secrets import resolve

    try:
        value = resolve(ref)
    except ConfigError as exc:
        return Check(subject, "fail", "; ".join(exc.problems)), None
    return Check(subject, "ok", f"{ref.partition(':')[0]}: reference resolves"), value


def secret_checks(config: Config) -> Iterator[Check]:
    """The Strava and Garmin secrets: present where a provider needs them, and resolvable."""
    used = {p for a in config.athletes for p in a.providers}
    strava = config.strava
    if "strava" in used:
        for key in ("client_id", "client_secret"):
            if getattr(strava, key) is None:
                yield Check(
                    f"strava.{key}",
                    "fail",
                    "required to sync Strava; create an API application at "
                    "https://www.strava.com/settings/api and add its client id and a reference "
                    'to its secret (client_secret = "credential:strava_client_secret")',
                )
    if strava.client_secret is not None:
        yield _resolved("strava.client_secret", strava.client_secret)[0]
    if config.garmin.password is not None:
        yield _resolved("garmin.password", config.garmin.password)[0]


def push_checks(config: Config) -> Iterator[Check]:
    """Every push URL (references resolved) is one apprise can use."""
    from syncd.secrets import is_reference, mask_url

    for i, athlete in enumerate(config.athletes):
        for j, url in enumerate(athlete.notify):
            subject = f"athletes[{i}].notify[{j}]"
            if is_reference(url):
                check, resolved = _resolved(subject, url)
                if resolved is None:
                    yield check
                    continue
                url = resolved
            yield _push_url(subject, url, mask_url(url))


def _push_url(subject: str, url: str, masked: str) -> Check:
    import apprise  # lazy: loading its plugins costs a quarter of a second

    from syncd.config_sample import EXAMPLES

    if url in EXAMPLES["athletes.notify"]:
        return Check(subject, "fail", "still the sample's example address; put your own push URL")
    if apprise.Apprise.instantiate(url) is None:
        scheme = url.partition("://")[0] if "://" in url else "(none)"
        return Check(
            subject,
            "fail",
            f"apprise cannot use {masked} (scheme {scheme!r} unknown, or parts missing); write an "
            "apprise URL such as ntfys://ntfy.sh/TOPIC, gotify://HOST/TOKEN or pover://USER@TOKEN",
        )
    return Check(subject, "ok", f"apprise can use {masked}")


def athlete_checks(config: Config) -> Iterator[Check]:
    """At least one athlete, each with something to sync."""
    if not config.athletes:
        yield Check(
            "athletes", "fail", "none configured; add an [[athletes]] table (see `syncd config sample`)"
        )
    for i, athlete in enumerate(config.athletes):
        if not athlete.providers:
            yield Check(
                f"athletes[{i}].providers",
                "fail",
                f'empty, so syncd has nothing to sync for {athlete.name}; add "strava" and/or "garmin"',
            )


def sample_checks(config: Config) -> Iterator[Check]:
    """The sample's example values that only look like settings."""
    from syncd.config_sample import EXAMPLES

    if config.strava.client_id == EXAMPLES["strava.client_id"]:
        yield Check(
            "strava.client_id",
            "fail",
            f"still the sample's {config.strava.client_id}; put your Strava API application's "
            "client id (https://www.strava.com/settings/api)",
        )


def offline_checks(config: Config) -> list[Check]:
    """Every check that needs neither the state nor the network, in the config's order."""
    return [
        *sample_checks(config),
        *secret_checks(config),
        *athlete_checks(config),
        *push_checks(config),
    ]


def failures(checks: list[Check]) -> list[str]:
    """The 'key: problem; fix' lines of the failed checks (a ConfigError's problems)."""
    return [f"{c.subject}: {c.text}" for c in checks if c.level == "fail"]
