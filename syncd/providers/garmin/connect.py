"""`syncd connect garmin` and `syncd disconnect garmin`.

Garmin offers no OAuth for personal use, so `connect` signs in once with the runner's e-mail and password
(and an MFA code when the account asks for one) through garminconnect's `Client.login`,
then keeps only the tokens. The password is never saved or printed.

Only a session the daemon can resume is saved: one with a DI token (the library falls back
to a browser cookie when Garmin's token exchange fails; that is refused, nothing saved).
The tokens are saved before the profile is read, and the profile (only its id is kept, as
the account's external id) is best-effort: a failure there is a warning, the account is connected.

Lockout: a 429 (or 427) on sign-in blocks further sign-ins for 6 hours, kept in the state,
so neither another `connect` nor the daemon restarts Garmin's own timer. garminconnect tries
up to five sign-in strategies and reports a 429 only when every one got it; so syncd runs them
one at a time (the client's `skip_strategies`) and stops at the first that Garmin blocked. A
block shows in three places, and each counts: the sign-in page or the credentials answered
429 (the library raises GarminConnectTooManyRequestsError, or logs it at debug level while it
tries another fingerprint), or the token exchange after accepted credentials answered 429 (the
library logs "DI token exchange failed (... rate limited)", falls back to a browser cookie
and then raises GarminConnectAuthenticationError("JWT_WEB cookie not set ...") — an error that
comes only after Garmin accepted the password, so it is never reported as a wrong one). syncd
watches the library's sign-in loggers (`garminconnect.client.sso` and `.session`, at every
level, passing on only the records that would have been shown anyway) for those. Other
failures (network, Cloudflare pages) lock nothing. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from syncd.errors import ConfigError, SyncdError
from syncd.providers.garmin.signin import attempts, blocked_message, judged, watch_for_blocks

if TYPE_CHECKING:
    from syncd.providers.base import ConnectRequest
    from syncd.store import Store
    from syncd.tokens import TokenStore

_PROFILE = "/userprofile-service/socialProfile"

#: (email, password, MFA prompt) → an object like garminconnect.Garmin, not yet signed in.
LoginClient = Callable[[str, str, Callable[[], str]], Any]


def garmin_client(email: str, password: str, prompt_mfa: Callable[[], str]) -> Any:
    from garminconnect import Garmin

    # no retries: they sleep, and a second sign-in attempt is what Garmin punishes
    return Garmin(email, password, prompt_mfa=prompt_mfa, retry_attempts=0)


def _profile_id(garmin: Any) -> str | None:
    """Garmin's profile id (else display name), best-effort: None and a warning on failure."""
    try:
        profile = garmin.client.connectapi(_PROFILE)
        ident = profile.get("profileId") or profile.get("displayName")
    except Exception as exc:
        print(
            f"syncd: warning: signed in, but could not read the Garmin profile "
            f"({type(exc).__name__}); the account is connected anyway.",
            file=sys.stderr,
        )
        return None
    return None if ident is None else str(ident)


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


def connect(
    request: ConnectRequest,
    *,
    login_client: LoginClient = garmin_client,
    ask: Callable[[str], str] = input,
    ask_password: Callable[[str], str] = getpass.getpass,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Sign in to Garmin Connect once and save the tokens. Raises RateLimited during a
    sign-in lockout (exit 75), SyncdError for refused credentials, Unavailable."""
    from syncd.providers.garmin.auth import login_lockout
    from syncd.tokens import token_store

    config, athlete, args = request.config, request.athlete, request.options
    timezone = config.timezone_of(athlete)
    with request.open_store() as store:
        tokens = token_store(store.token_state)
        now = clock()
        until = login_lockout(store, athlete.name, now)
        if until is not None:
            raise blocked_message(until, now, timezone)
        if os.environ.get("GARMINTOKENS"):  # garminconnect would sign in with those instead
            raise SyncdError(
                "unset GARMINTOKENS first: garminconnect would use the tokens it names instead of signing in"
            )
        email = (args.email or config.garmin.email or ask("Garmin e-mail: ")).strip()
        if not email:
            raise SyncdError("no e-mail given; pass --email or set email in the [garmin] table")
        password = _password(config.garmin.password, email, ask_password)
        garmin = _sign_in(store, athlete.name, timezone, email, password, login_client, ask, clock, now)
        ident = _keep_session(store, tokens, athlete.name, timezone, garmin)
    print(
        f"Connected Garmin Connect for {athlete.name}"
        + (f" (Garmin profile {ident})." if ident is not None else ".")
        + " Only the sign-in tokens were saved, not the password."
    )
    return 0


def _sign_in(
    store: Store,
    athlete: str,
    timezone: str,
    email: str,
    password: str,
    login_client: LoginClient,
    ask: Callable[[str], str],
    clock: Callable[[], datetime],
    now: datetime,
) -> Any:
    """The signed-in client. Raises RateLimited (and locks sign-ins) when Garmin blocked
    one, SyncdError when it refused the credentials, Unavailable for other failures."""
    from garminconnect import GarminConnectAuthenticationError, GarminConnectTooManyRequestsError

    def prompt() -> str:
        return ask("Garmin MFA code: ").strip()

    garmin = login_client(email, password, prompt)
    failure: Exception | None = None
    with watch_for_blocks() as blocks:
        for skip in attempts(garmin.client):
            if skip is not None:
                garmin.client.skip_strategies = skip
            try:
                garmin.client.login(email, password, prompt_mfa=prompt)
            except Exception as exc:
                failure = exc
            else:
                failure = None
                break
            if blocks or isinstance(
                failure, GarminConnectAuthenticationError | GarminConnectTooManyRequestsError
            ):
                break  # blocked: another try restarts Garmin's wait; refused: another changes nothing
    garmin.password = None
    return judged(garmin, failure, bool(blocks), store, athlete, timezone, email, password, clock, now)


def _keep_session(store: Store, tokens: TokenStore, athlete: str, timezone: str, garmin: Any) -> str | None:
    """Save the signed-in session's tokens and the account; the Garmin profile id if read.
    Raises SyncdError (nothing saved) for a session the daemon could not resume."""
    from syncd.providers.garmin.auth import clear_lockout

    session = garmin.client.dumps()
    if not json.loads(session).get("di_token"):
        raise SyncdError(
            "Garmin signed in, but gave only a browser session (its token exchange "
            "failed), which syncd cannot keep; nothing was saved. Run `syncd "
            "connect garmin` again later"
        )
    tokens.save("garmin", athlete, {"session": session})
    store.ensure_athlete(athlete, timezone)
    clear_lockout(store, athlete)
    ident = _profile_id(garmin)
    if garmin.client.dumps() != session:  # a refresh while reading the profile
        tokens.save("garmin", athlete, {"session": garmin.client.dumps()})
    store.set_account(athlete, "garmin", status="active", external_id=ident)
    return ident


def disconnect(request: ConnectRequest) -> int:
    """Delete the athlete's Garmin tokens and mark the account disconnected."""
    from syncd.tokens import token_store

    name = request.athlete.name
    with request.open_store() as store:
        deleted = token_store(store.token_state).delete("garmin", name)
        if store.has_athlete(name):
            store.set_account(
                name, "garmin", status="disconnected", error="disconnected by `syncd disconnect`"
            )
    if not deleted:
        print(f"{name} has no saved Garmin tokens; nothing to delete.")
        return 0
    print(
        f"Disconnected Garmin Connect for {name}: tokens deleted. Garmin cannot revoke them "
        "remotely; they are simply never used again."
    )
    return 0
