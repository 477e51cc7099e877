"""`syncd connect strava` and `syncd disconnect strava`: the provider's connect hooks.

The CLI calls them through `StravaProvider.connect` / `.disconnect`. Nothing heavy is
imported at module level, so `syncd --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from syncd.errors import ConfigError, ProviderError, SyncdError

if TYPE_CHECKING:
    from http.server import HTTPServer

    from syncd.config import Config
    from syncd.providers.base import ConnectRequest
    from syncd.providers.strava.api import StravaApp
    from syncd.providers.strava.auth import Grant

PASTE_REDIRECT = "http://localhost/exchange_token"  # Strava always allows localhost
LISTEN_TIMEOUT_S = 300.0


def app_of(config: Config) -> StravaApp:
    """The Strava app of the config. Raises ConfigError naming the missing key."""
    from syncd.providers.strava.api import StravaApp
    from syncd.secrets import resolve

    strava = config.strava
    missing = [k for k in ("client_id", "client_secret") if getattr(strava, k) is None]
    if missing:
        raise ConfigError(
            [
                f"strava.{k}: required to talk to Strava; create an API application "
                "at https://www.strava.com/settings/api and add its client id and a "
                "reference to its secret"
                for k in missing
            ]
        )
    assert strava.client_id is not None and strava.client_secret is not None
    return StravaApp(strava.base_url, strava.client_id, resolve(strava.client_secret))


# -- connect ----------------------------------------------------------------------------


def _listener(port: int) -> tuple[HTTPServer, dict[str, str]]:
    """A server on 127.0.0.1 that keeps the query of the first request to /exchange_token."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    got: dict[str, str] = {}

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/exchange_token" or got:
                self.send_error(404)
                return
            got["query"] = url.query
            page = (
                b"<!doctype html><title>syncd</title><p>syncd received Strava's answer. "
                b"You can close this tab and return to the terminal.</p>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:  # the query holds the code
            return

    try:
        server = HTTPServer(("127.0.0.1", port), Redirect)
    except OSError as exc:
        raise SyncdError(
            f"cannot listen on 127.0.0.1 port {port} ({exc.strerror}); choose "
            "another --port, or leave it out to use any free port"
        ) from None
    server.timeout = 0.5
    return server, got


def _grant_by_listener(server: HTTPServer, got: dict[str, str], state: str, timeout_s: float) -> Grant:
    """Serve until the redirect arrives (or `timeout_s` passes). Raises SyncdError."""
    from syncd.providers.strava.auth import grant_from_redirect

    deadline = time.monotonic() + timeout_s
    try:
        while "query" not in got:
            if time.monotonic() > deadline:
                raise SyncdError(
                    "no answer from the browser in time; run the command again, "
                    "or use --paste when the browser is on another machine"
                )
            server.handle_request()
    finally:
        server.server_close()
    return grant_from_redirect(got["query"], state)


def connect(
    request: ConnectRequest, *, read: Callable[[], str] = input, opened: Callable[[str], None] | None = None
) -> int:
    """Authorize syncd for one athlete and save the tokens. `opened` (tests) gets the URL
    instead of a person."""
    from syncd.providers.strava.auth import check_scope
    from syncd.tokens import token_store

    config, athlete, args = request.config, request.athlete, request.options
    with request.open_store() as store:  # the tokens go with this state (refused if mixed up)
        tokens = token_store(store.token_state)
    app = app_of(config)
    if args.paste:
        grant = _grant_by_paste(app, read, opened)
    else:
        grant = _grant_by_browser(app, args.port, args.timeout, opened)
    warnings = check_scope(grant.scope)
    saved = app.exchange(grant.code)
    saved["scope"] = grant.scope
    tokens.save("strava", athlete.name, saved)
    _save_account(request, saved)
    external = "athlete_id" in saved
    print(
        f"Connected Strava for {athlete.name}"
        + (f" (Strava athlete {saved['athlete_id']})." if external else ".")
    )
    for warning in warnings:
        print(f"Note: {warning}.")
    if grant.scope is None:
        print("Note: a bare code carries no scope, so the permissions were not checked.")
    return 0


def _save_account(request: ConnectRequest, saved: dict[str, Any]) -> None:
    athlete = request.athlete
    with request.open_store() as store:
        store.ensure_athlete(athlete.name, request.config.timezone_of(athlete))
        external = str(saved["athlete_id"]) if "athlete_id" in saved else None
        store.set_account(athlete.name, "strava", status="active", external_id=external)


def _grant_by_paste(app: StravaApp, read: Callable[[], str], opened: Callable[[str], None] | None) -> Grant:
    """The grant from the address the runner pastes back (headless servers)."""
    from syncd.providers.strava.auth import authorize_url, grant_from_redirect, new_state

    state = new_state()
    url = authorize_url(app.base_url, app.client_id, PASTE_REDIRECT, state)
    print(
        f"1. Open this address in any browser and click Authorize:\n\n  {url}\n\n"
        "2. The browser then fails to load a localhost page; that is expected. Copy the "
        "whole address from its address bar and paste it here:"
    )
    if opened:
        opened(url)
    try:
        pasted = read()
    except EOFError:
        raise SyncdError("nothing was pasted; run the command again") from None
    return grant_from_redirect(pasted, state)


def _grant_by_browser(
    app: StravaApp, port: int, timeout_s: float, opened: Callable[[str], None] | None
) -> Grant:
    """The grant from the browser's redirect to a one-shot listener on 127.0.0.1."""
    from syncd.providers.strava.auth import authorize_url, new_state

    state = new_state()
    server, got = _listener(port)
    redirect = f"http://127.0.0.1:{server.server_address[1]}/exchange_token"
    url = authorize_url(app.base_url, app.client_id, redirect, state)
    print(
        f"Open this address in a browser on this machine and click Authorize:\n\n  {url}\n"
        f"\n(Browser elsewhere? Use --paste, or forward the port: ssh -L "
        f"{server.server_address[1]}:127.0.0.1:{server.server_address[1]} ...)"
    )
    if opened:
        opened(url)
    return _grant_by_listener(server, got, state, timeout_s)


# -- disconnect -------------------------------------------------------------------------


def disconnect(request: ConnectRequest) -> int:
    """Revoke syncd's access at Strava and delete the tokens (deleted even if Strava cannot
    be told). Exit 1 when the revocation failed."""
    from syncd.providers.strava.api import StravaApi
    from syncd.providers.strava.budget import Budget
    from syncd.tokens import token_store

    name = request.athlete.name
    app = app_of(request.config)
    with request.open_store() as store:
        tokens = token_store(store.token_state)
        if tokens.load("strava", name) is None:
            print(f"{name} has no saved Strava tokens; nothing to revoke.")
            return 0
        problem = None
        try:
            api = StravaApi(app, tokens, name, Budget(store, app.client_id))
            app.deauthorize(api.access_token()[0])
        except ProviderError as exc:
            problem = str(exc)
        finally:
            tokens.delete("strava", name)
            if store.has_athlete(name):
                store.set_account(
                    name, "strava", status="disconnected", error="disconnected by `syncd disconnect`"
                )
    if problem:
        print(
            f"syncd: Strava could not be told ({problem}). The tokens are deleted anyway; "
            "revoke syncd's access by hand at https://www.strava.com/settings/apps",
            file=sys.stderr,
        )
        return 1
    print(f"Disconnected Strava for {name}: access revoked and tokens deleted.")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `syncd connect strava`."""
    parser.add_argument(
        "--paste",
        action="store_true",
        help="headless: print the address, then paste back where the browser went",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of the one-shot listener on 127.0.0.1 (default: any free port)",
    )
    parser.add_argument("--timeout", type=float, default=LISTEN_TIMEOUT_S, help=argparse.SUPPRESS)
