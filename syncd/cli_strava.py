"""`syncd connect strava`, `syncd disconnect strava` and `syncd webhook ...`.

Registered through `syncd.cli._EXTENSIONS`. Nothing heavy is imported at module level, so
`syncd --help` stays fast. Group parsers ("connect", "disconnect") keep their subparsers
in the attribute `syncd_subparsers`, so another provider's module can add its own
(`syncd connect garmin`) to the same group.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from syncd.cli import _EXTENSIONS, load_config, open_store
from syncd.errors import ConfigError, ProviderError, SyncdError

if TYPE_CHECKING:
    from http.server import HTTPServer

    from syncd.config import Config
    from syncd.providers.strava_auth import Grant, StravaApp

PASTE_REDIRECT = "http://localhost/exchange_token"  # Strava always allows localhost
LISTEN_TIMEOUT_S = 300.0


def _app(config: Config) -> StravaApp:
    """The Strava app of the config. Raises ConfigError naming the missing key."""
    from syncd.providers.strava_auth import StravaApp
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
    from syncd.providers.strava_auth import grant_from_redirect

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


def cmd_connect(
    args: argparse.Namespace, *, read: Callable[[], str] = input, opened: Callable[[str], None] | None = None
) -> int:
    """Authorize syncd for one athlete and save the tokens. `opened` (tests) gets the URL
    instead of a person."""
    from syncd.providers.strava_auth import (
        authorize_url,
        check_scope,
        grant_from_redirect,
        new_state,
    )
    from syncd.tokens import token_store

    config = load_config(args, required=True)
    athlete = config.athlete(args.athlete)
    app, tokens, state = _app(config), token_store(), new_state()
    if args.paste:
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
        grant = grant_from_redirect(pasted, state)
    else:
        server, got = _listener(args.port)
        redirect = f"http://127.0.0.1:{server.server_address[1]}/exchange_token"
        url = authorize_url(app.base_url, app.client_id, redirect, state)
        print(
            f"Open this address in a browser on this machine and click Authorize:\n\n  {url}\n"
            f"\n(Browser elsewhere? Use --paste, or forward the port: ssh -L "
            f"{server.server_address[1]}:127.0.0.1:{server.server_address[1]} ...)"
        )
        if opened:
            opened(url)
        grant = _grant_by_listener(server, got, state, args.timeout)
    warnings = check_scope(grant.scope)
    saved = app.exchange(grant.code)
    saved["scope"] = grant.scope
    tokens.save("strava", athlete.name, saved)
    with open_store(args) as store:
        store.ensure_athlete(athlete.name, config.timezone_of(athlete))
        external = str(saved["athlete_id"]) if "athlete_id" in saved else None
        store.set_account(athlete.name, "strava", status="active", external_id=external)
    print(
        f"Connected Strava for {athlete.name}"
        + (f" (Strava athlete {saved['athlete_id']})." if external else ".")
    )
    for warning in warnings:
        print(f"Note: {warning}.")
    if grant.scope is None:
        print("Note: a bare code carries no scope, so the permissions were not checked.")
    return 0


# -- disconnect -------------------------------------------------------------------------


def cmd_disconnect(args: argparse.Namespace) -> int:
    """Revoke syncd's access at Strava and delete the tokens (deleted even if Strava cannot
    be told). Exit 1 when the revocation failed."""
    from syncd.providers.strava_auth import StravaApi
    from syncd.providers.strava_budget import Budget
    from syncd.tokens import token_store

    config = load_config(args, required=True)
    name = config.athlete(args.athlete).name
    app, tokens = _app(config), token_store()
    with open_store(args) as store:
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
            if store.conn.execute("SELECT 1 FROM athletes WHERE name = ?", (name,)).fetchone():
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


# -- webhook ----------------------------------------------------------------------------


def cmd_webhook_subscribe(args: argparse.Namespace) -> int:
    from syncd.providers.strava_webhook import Subscriptions

    if not args.callback_url.startswith(("https://", "http://")):
        raise SyncdError("--callback-url must be an http(s) address Strava can reach")
    config = load_config(args, required=True)
    with open_store(args) as store:
        ident = Subscriptions(_app(config), store).subscribe(args.callback_url)
    print(f"Subscribed: Strava sends events to {args.callback_url} (subscription {ident}).")
    return 0


def cmd_webhook_status(args: argparse.Namespace) -> int:
    from syncd.providers.strava_webhook import Subscriptions

    config = load_config(args, required=True)
    with open_store(args) as store:
        subs = Subscriptions(_app(config), store).status()
    if not subs:
        print("No webhook subscription; syncd relies on polling.")
    for sub in subs:
        print(f"Subscription {sub.get('id')}: {sub.get('callback_url')} (since {sub.get('created_at')})")
    return 0


def cmd_webhook_unsubscribe(args: argparse.Namespace) -> int:
    from syncd.providers.strava_webhook import Subscriptions

    config = load_config(args, required=True)
    with open_store(args) as store:
        ident = Subscriptions(_app(config), store).unsubscribe()
    print("No subscription to delete." if ident is None else f"Deleted subscription {ident}.")
    return 0


# -- registration -----------------------------------------------------------------------


def _group(sub: Any, name: str, help: str) -> Any:
    """The subparsers of the top-level group `name`, created on first use."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help, description=help)
        parser.syncd_subparsers = parser.add_subparsers(
            dest=f"{name}_provider", metavar="PROVIDER", required=True
        )
    return parser.syncd_subparsers


def extend(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the Strava commands to the `syncd` parser."""
    p = add(
        "strava",
        cmd_connect,
        "connect an athlete's Strava account (OAuth in a browser)",
        _group(sub, "connect", "connect an athlete's account at a provider"),
    )
    p.add_argument("--athlete", required=True, help="the athlete's name in the config")
    p.add_argument(
        "--paste",
        action="store_true",
        help="headless: print the address, then paste back where the browser went",
    )
    p.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of the one-shot listener on 127.0.0.1 (default: any free port)",
    )
    p.add_argument("--timeout", type=float, default=LISTEN_TIMEOUT_S, help=argparse.SUPPRESS)
    p = add(
        "strava",
        cmd_disconnect,
        "revoke syncd's Strava access and delete the tokens",
        _group(sub, "disconnect", "disconnect an athlete's account at a provider"),
    )
    p.add_argument("--athlete", required=True, help="the athlete's name in the config")

    hooks = sub.add_parser(
        "webhook",
        help="Strava webhook subscription (optional)",
        description="Strava webhook subscription (optional; polling works without it)",
    )
    hooks_sub = hooks.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)
    p = add(
        "subscribe",
        cmd_webhook_subscribe,
        "subscribe this app to Strava events (the daemon must be serving the callback)",
        hooks_sub,
    )
    p.add_argument("--callback-url", required=True, help="public https address of the callback")
    add("status", cmd_webhook_status, "show the app's subscription at Strava", hooks_sub)
    add("unsubscribe", cmd_webhook_unsubscribe, "delete the app's subscription", hooks_sub)


if extend not in _EXTENSIONS:
    _EXTENSIONS.append(extend)
