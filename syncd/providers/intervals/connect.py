"""`syncd connect intervals` and `syncd disconnect intervals`.

intervals.icu gives each athlete a personal API key (Settings → Developer Settings). The key
itself never reaches syncd's config or state: the runner stores it where secrets live (the
system keyring, a systemd credential, an environment variable) and names it with `--key`.
`connect` checks it with one request (the athlete's profile: `GET /api/v1/athlete/{id}`)
and keeps only the reference and the athlete id. When the reference cannot be resolved
where `connect` runs (a `credential:` outside the service, an `env:` set only in the
service's environment), the key is asked once for the check and forgotten.

The profile answer holds the key itself (`icu_api_key`): nothing of it is printed or kept
but the athlete's id and name.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from syncd.errors import AuthRequired, ConfigError, SyncdError
from syncd.providers.intervals.listing import NAME, account_key

if TYPE_CHECKING:
    from syncd.providers.base import ConnectRequest

DEFAULT_KEY = "keyring:intervals-{athlete}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key",
        metavar="REF",
        help="where the athlete's intervals.icu API key is kept: env:NAME, credential:NAME or "
        "keyring:NAME (default: keyring:intervals-ATHLETE, set with `keyring set syncd intervals-ATHLETE`)",
    )
    parser.add_argument(
        "--intervals-athlete",
        metavar="ID",
        default="0",
        help="the intervals.icu athlete to read (default 0: the key's owner; a coach's key "
        "can name an athlete it coaches, e.g. i12345)",
    )


def _key(ref: str, ask_key: Callable[[str], str]) -> str:
    """The key a reference names, else (env: or credential: not resolvable here) typed once."""
    from syncd.secrets import is_reference, resolve

    if not is_reference(ref):
        raise ConfigError(
            ["--key: expected a reference (env:NAME, credential:NAME or keyring:NAME), not the key itself"]
        )
    try:
        return resolve(ref)
    except ConfigError as exc:
        if ref.startswith("keyring:"):
            raise ConfigError([f"--key {p}" for p in exc.problems]) from None
        problem = exc.problems[0]
    print(f"{problem}.\nThe service may still find it; to check the key now, paste it (it is not saved).")
    key = ask_key("intervals.icu API key: ").strip()
    if not key:
        raise SyncdError("no key given; nothing was sent to intervals.icu and nothing was saved")
    return key


def connect(
    request: ConnectRequest,
    *,
    ask_key: Callable[[str], str] = getpass.getpass,
    session: Any = None,
) -> int:
    """Check the key with one request and keep its reference. Raises SyncdError (the key was
    refused: nothing saved), ConfigError, Unavailable, RateLimited."""
    from syncd.providers.intervals.api import IntervalsApi
    from syncd.providers.intervals.mapping import valid_id
    from syncd.providers.intervals.settings import IntervalsSettings

    name, options = request.athlete.name, request.options
    ref = options.key or DEFAULT_KEY.format(athlete=name)
    athlete_id = str(options.intervals_athlete).strip()
    if athlete_id != "0" and valid_id(athlete_id) is None:
        raise ConfigError([f"--intervals-athlete: {athlete_id!r} is not an intervals.icu athlete id"])
    settings = IntervalsSettings.model_validate(request.config.providers.get(NAME, {}))
    api = IntervalsApi(
        settings.base_url, _key(ref, ask_key), timeout=(5.0, settings.timeout_s), session=session
    )
    try:
        profile = api.call("GET", f"/api/v1/athlete/{athlete_id}", what="read the athlete's profile")
    except AuthRequired:
        raise SyncdError(
            f"intervals.icu did not accept the key {ref} names for athlete {athlete_id}; copy it "
            "again from intervals.icu (Settings → Developer Settings); nothing was saved"
        ) from None
    profile = profile if isinstance(profile, dict) else {}
    ident = str(profile.get("id") or athlete_id)
    with request.open_store() as store:
        store.ensure_athlete(name, request.config.timezone_of(request.athlete))
        store.set_provider_value(NAME, account_key(name), {"key": ref, "athlete_id": athlete_id})
        store.set_account(name, NAME, status="active", external_id=ident)
    who = profile.get("name")
    print(
        f"Connected intervals.icu athlete {ident}"
        + (f" ({who})" if isinstance(who, str) and who else "")
        + f" for {name}. syncd keeps only the reference {ref}, not the key."
    )
    zone = profile.get("timezone")
    if isinstance(zone, str) and zone and zone != request.config.timezone_of(request.athlete):
        print(
            f"Note: intervals.icu has the time zone {zone}; syncd counts {name}'s days in "
            f"{request.config.timezone_of(request.athlete)} (the athlete's timezone in the config)."
        )
    return 0


def disconnect(request: ConnectRequest) -> int:
    """Forget the reference and mark the account disconnected (the key stays valid at
    intervals.icu until the runner deletes it there)."""
    name = request.athlete.name
    with request.open_store() as store:
        known = store.provider_value(NAME, account_key(name)) is not None
        if store.has_athlete(name):
            store.set_provider_value(NAME, account_key(name), None)
            store.set_account(
                name,
                NAME,
                status="disconnected",
                error="disconnected by `syncd disconnect`",
            )
    if not known:
        print(f"{name} has no intervals.icu account connected; nothing to forget.")
        return 0
    print(
        f"Disconnected intervals.icu for {name}: syncd no longer reads it. The key itself stays valid "
        "until you delete it at intervals.icu (Settings → Developer Settings), and syncd leaves "
        "wherever you stored it alone."
    )
    return 0
