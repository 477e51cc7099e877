"""`syncd connect garmin` and `syncd disconnect garmin`.

Registered through `syncd.cli._EXTENSIONS`, into the `connect` / `disconnect` groups that
`syncd.cli_strava` creates (whichever module runs first creates them). Garmin offers no
OAuth for personal use, so `connect` signs in once with the runner's e-mail and password
(and an MFA code when the account asks for one) through garminconnect, then keeps only the
tokens. The password is never saved or printed. A 429 on sign-in blocks further sign-ins
for 6 hours: the block is kept in the state, so neither another `connect` nor the daemon
restarts Garmin's own timer. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from syncd.cli import _EXTENSIONS, load_config, open_store
from syncd.cli_strava import _group
from syncd.errors import ConfigError, RateLimited, SyncdError, Unavailable

#: (email, password, MFA prompt) → an object like garminconnect.Garmin, not yet signed in.
LoginClient = Callable[[str, str, Callable[[], str]], Any]


def garmin_client(email: str, password: str, prompt_mfa: Callable[[], str]) -> Any:
    from garminconnect import Garmin

    # no retries: they sleep, and a second sign-in attempt is what Garmin punishes
    return Garmin(email, password, prompt_mfa=prompt_mfa, retry_attempts=0)


def _blocked(until: datetime, now: datetime, timezone: str) -> RateLimited:
    """The refusal, with the end of the lockout in the athlete's time zone."""
    local = until.astimezone(ZoneInfo(timezone))
    day = "" if local.date() == now.astimezone(local.tzinfo).date() else f"{local:%a} "
    return RateLimited(f"Garmin rate-limits logins: try again after {day}{local:%H:%M} "
                       f"({timezone}). Trying earlier would restart Garmin's wait.", until)


def _password(config_ref: str | None, email: str, ask_password: Callable[[str], str]) -> str:
    """The [garmin] password reference resolved, else typed by the runner (never echoed)."""
    from syncd.secrets import resolve

    if config_ref:
        try:
            return resolve(config_ref)
        except ConfigError as exc:
            raise ConfigError([f"garmin.password: {p}" for p in exc.problems]) from None
    password = ask_password(f"Garmin password for {email}: ")
    if not password:
        raise SyncdError("no password given; nothing was sent to Garmin")
    return password


def cmd_connect(args: argparse.Namespace, *, login_client: LoginClient = garmin_client,
                ask: Callable[[str], str] = input,
                ask_password: Callable[[str], str] = getpass.getpass,
                clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Sign in to Garmin Connect once and save the tokens. Raises RateLimited during a
    sign-in lockout (exit 75), SyncdError for refused credentials, Unavailable."""
    from garminconnect import (
        GarminConnectAuthenticationError,
        GarminConnectConnectionError,
        GarminConnectTooManyRequestsError,
    )

    from syncd.providers.garmin import clear_lockout, lock_logins, login_lockout
    from syncd.tokens import token_store

    config = load_config(args, required=True)
    athlete = config.athlete(args.athlete)
    timezone = config.timezone_of(athlete)
    tokens = token_store()
    with open_store(args) as store:
        now = clock()
        until = login_lockout(store, athlete.name, now)
        if until is not None:
            raise _blocked(until, now, timezone)
        if os.environ.get("GARMINTOKENS"):  # garminconnect would sign in with those instead
            raise SyncdError("unset GARMINTOKENS first: garminconnect would use the tokens it "
                             "names instead of signing in")
        email = (args.email or config.garmin.email or ask("Garmin e-mail: ")).strip()
        if not email:
            raise SyncdError("no e-mail given; pass --email or set email in the [garmin] table")
        password = _password(config.garmin.password, email, ask_password)
        garmin = login_client(email, password, lambda: ask("Garmin MFA code: ").strip())
        try:
            garmin.login()
        except GarminConnectTooManyRequestsError:
            # stamped now, not when the command started: a sign-in can take minutes
            raise _blocked(lock_logins(store, athlete.name, clock()), now, timezone) from None
        except GarminConnectAuthenticationError:
            raise SyncdError(f"Garmin did not accept the password or MFA code for {email}; "
                             "check them (sign in at connect.garmin.com) and try again") from None
        except GarminConnectConnectionError as exc:
            reason = str(exc).replace(password, "****")[:300]  # never echo the password
            raise Unavailable(f"could not sign in to Garmin Connect ({reason}); try again "
                              "later") from None
        tokens.save("garmin", athlete.name, {"session": garmin.client.dumps()})
        store.ensure_athlete(athlete.name, timezone)
        ident = getattr(garmin, "profile_id", None) or getattr(garmin, "display_name", None)
        store.set_account(athlete.name, "garmin", status="active",
                          external_id=None if ident is None else str(ident))
        clear_lockout(store, athlete.name)
    print(f"Connected Garmin Connect for {athlete.name}"
          + (f" (Garmin profile {ident})." if ident is not None else ".")
          + " Only the sign-in tokens were saved, not the password.")
    return 0


def cmd_disconnect(args: argparse.Namespace) -> int:
    """Delete the athlete's Garmin tokens and mark the account disconnected."""
    from syncd.tokens import token_store

    config = load_config(args, required=True)
    name = config.athlete(args.athlete).name
    deleted = token_store().delete("garmin", name)
    with open_store(args) as store:
        if store.conn.execute("SELECT 1 FROM athletes WHERE name = ?", (name,)).fetchone():
            store.set_account(name, "garmin", status="disconnected",
                              error="disconnected by `syncd disconnect`")
    if not deleted:
        print(f"{name} has no saved Garmin tokens; nothing to delete.")
        return 0
    print(f"Disconnected Garmin Connect for {name}: tokens deleted. Garmin cannot revoke them "
          "remotely; they are simply never used again.")
    return 0


def extend(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the Garmin commands to the `syncd` parser."""
    p = add("garmin", cmd_connect, "connect an athlete's Garmin Connect account (signs in once)",
            _group(sub, "connect", "connect an athlete's account at a provider"))
    p.add_argument("--athlete", required=True, help="the athlete's name in the config")
    p.add_argument("--email", help="the Garmin sign-in e-mail (default: [garmin] email)")
    p = add("garmin", cmd_disconnect, "delete an athlete's Garmin Connect tokens",
            _group(sub, "disconnect", "disconnect an athlete's account at a provider"))
    p.add_argument("--athlete", required=True, help="the athlete's name in the config")


if extend not in _EXTENSIONS:
    _EXTENSIONS.append(extend)
