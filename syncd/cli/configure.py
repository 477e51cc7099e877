"""`syncd config init`, `syncd config validate` and `syncd config sample`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from syncd.cli.common import Add, load_config
from syncd.errors import ConfigError, SyncdError

#: What to edit in a fresh config, in the order of the file.
KEYS_TO_EDIT = (
    "[strava] client_id: your Strava API application's id (https://www.strava.com/settings/api)",
    '[strava] client_secret: keep "credential:strava_client_secret" and put the secret in {creds}',
    "[[athletes]] name, timezone and providers (strava, garmin or both)",
    "[[athletes]] notify: your push URLs (ntfy, Gotify, Pushover, ... as apprise URLs)",
)


def cmd_config_validate(args: argparse.Namespace) -> int:
    """Parse the config, then the offline checks; exit 78 listing every problem."""
    from syncd.checks import failures, offline_checks
    from syncd.paths import config_path

    config = load_config(args, required=True)
    path = config_path(args.config)
    problems = failures(offline_checks(config))
    if problems:
        raise ConfigError(problems, str(path))
    print(f"{path}: valid ({len(config.athletes)} athlete(s))")
    return 0


def cmd_config_sample(args: argparse.Namespace) -> int:
    from syncd.config_sample import sample

    sys.stdout.write(sample())
    return 0


def _init_target(args: argparse.Namespace) -> tuple[Path, bool]:
    """Where `config init` writes, and whether it is the system service's config."""
    from syncd.paths import SYSTEM_CONFIG, user_config_path

    if args.path:
        path = Path(args.path).expanduser()
        return path, path.resolve() == SYSTEM_CONFIG
    if os.geteuid() == 0:
        return SYSTEM_CONFIG, True
    return user_config_path(), False


def _service_group() -> int | None:
    import grp

    try:
        return grp.getgrnam("syncd").gr_gid
    except KeyError:
        return None


def cmd_config_init(args: argparse.Namespace) -> int:
    """Write the commented sample where syncd will find it: /etc/syncd/config.toml as root
    (mode 0640, group syncd when it exists, the service's state directory set), else the
    user's config file (0600). Refuses to replace a file without --force."""
    from syncd.config_sample import SYSTEM_VALUES, sample
    from syncd.paths import SYSTEM_CREDENTIALS

    path, system = _init_target(args)
    if path.exists() and not args.force:
        raise SyncdError(
            f"{path} exists already; edit it, check it with `syncd config validate`, or replace it "
            "with a fresh sample: syncd config init --force"
        )
    group = _service_group() if system else None
    text = sample(SYSTEM_VALUES if system else None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755 if system else 0o700)
        tmp = path.with_name(f".{path.name}.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if group is not None:
            os.chown(tmp, 0, group)
        os.chmod(tmp, 0o640 if group is not None else 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise SyncdError(f"cannot write {path}: {exc.strerror}; run it as root, or give --path") from None
    mode = "0640, group syncd" if group is not None else "0600"
    print(f"wrote {path} ({mode}): every key with its default and a comment")
    print("edit at least:")
    creds = SYSTEM_CREDENTIALS / "strava_client_secret" if system else "a file or an env: reference"
    for key in KEYS_TO_EDIT:
        print(f"  {key.format(creds=creds)}")
    check = "sudo -u syncd syncd config validate" if system else "syncd config validate"
    print(f"then: {check}{' --config ' + str(path) if args.path else ''}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    config = sub.add_parser("config", help="create, check or print the configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    p = add(
        "init",
        cmd_config_init,
        "write a commented config where syncd finds it (/etc/syncd as root, else ~/.config/syncd)",
        config_sub,
    )
    p.add_argument("--path", metavar="FILE", help="write it here instead")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    add(
        "validate",
        cmd_config_validate,
        "validate the config file and its references (exit 78 with the key and the fix)",
        config_sub,
    )
    add("sample", cmd_config_sample, "print an example config with every key and its default", config_sub)
