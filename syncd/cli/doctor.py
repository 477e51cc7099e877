"""`syncd doctor`: every check of a setup, one line each with the fix (`syncd.checks` for the
config, `syncd.doctor` for the machine, the accounts and Strava)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.cli.common import Add, load_config, open_state, state_of
from syncd.errors import EX_CONFIG, EX_TEMPFAIL, ConfigError

if TYPE_CHECKING:
    from syncd.checks import Check
    from syncd.config import Config
    from syncd.tokens import TokenStore


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print every check; exit 78 if any failed, 75 if only Strava could not be reached."""
    from syncd.checks import Check, offline_checks
    from syncd.doctor import account_checks, directory_checks, token_store_checks
    from syncd.paths import config_path

    path = config_path(args.config)
    try:
        config = load_config(args, required=True)
        directory = state_of(args)
    except ConfigError as exc:
        print(Check(str(path), "fail", "; ".join(exc.problems)).line())
        return EX_CONFIG
    checks = [Check("config", "ok", f"{path} parses"), *offline_checks(config)]
    checks += directory_checks("state directory", directory, private=True)
    token_checks, tokens = token_store_checks(directory)
    checks += token_checks
    if tokens is not None:
        checks += account_checks(config, tokens)
    usable = not any(c.level == "fail" and c.subject == "state directory" for c in checks)
    if tokens is not None and usable and not args.offline:
        app = _app_check(config, tokens, directory)
        checks += [app] if app else []
    for check in checks:
        print(check.line())
    failed = sum(c.level == "fail" for c in checks)
    warned = sum(c.level == "warn" for c in checks)
    print(f"syncd doctor: {len(checks) - failed - warned} ok, {warned} warnings, {failed} failed")
    if failed:
        return EX_CONFIG
    return (
        EX_TEMPFAIL
        if any(c.subject == "strava app" and c.level == "warn" and "reached" in c.text for c in checks)
        else 0
    )


def _app_check(config: Config, tokens: TokenStore, directory: Path) -> Check | None:
    """The Strava app check, its request counted in the state's budget (a throw-away one
    when there is no state yet: doctor creates none)."""
    import tempfile

    from syncd.doctor import strava_app_check
    from syncd.store import DB_NAME

    if (directory / DB_NAME).exists():
        with open_state(directory) as store:
            return strava_app_check(config, tokens, store)
    with tempfile.TemporaryDirectory(prefix="syncd-doctor-") as tmp, open_state(Path(tmp)) as store:
        return strava_app_check(config, tokens, store)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add(
        "doctor",
        cmd_doctor,
        "check the whole setup: references, push URLs, state and token directories, tokens, the Strava app",
    )
    p.add_argument("--offline", action="store_true", help="skip the one request to Strava")
