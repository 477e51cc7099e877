"""The `syncd` command: parse, call one function, render. Heavy libraries load lazily."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd import __version__
from syncd.errors import EX_DATAERR, EX_USAGE, ConfigError, SyncdError

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.store import Store

log = logging.getLogger("syncd")
SAMPLE_PATH = Path(__file__).parent / "sample" / "sample.jsonl"
SAMPLE_TIMEZONE = "Europe/Amsterdam"

Command = Callable[[argparse.Namespace], int]


# -- shared plumbing --------------------------------------------------------------------


def load_config(args: argparse.Namespace, *, required: bool = False) -> Config:
    """The validated config; without a file (and none named) the defaults, unless required."""
    from syncd import config as cfg
    from syncd.paths import config_path

    path = config_path(args.config)
    named = bool(args.config) or bool(_env("SYNCD_CONFIG"))
    if not path.exists() and not (required or named):
        return cfg.Config()
    loaded = cfg.load(path)
    _check_rules(loaded, str(path))
    return loaded


def _check_rules(config: Config, source: str) -> None:
    from syncd.registry import check_plugins

    try:
        check_plugins(config)
    except ConfigError as exc:
        raise ConfigError(exc.problems, source) from None


def _env(name: str) -> str | None:
    import os

    return os.environ.get(name)


def open_store(args: argparse.Namespace) -> Store:
    from syncd.paths import state_dir
    from syncd.store import Store

    return Store(state_dir(args.state_dir))


def athlete_timezone(config: Config, name: str, override: str | None) -> str:
    """--timezone, else the athlete's configured zone, else the daemon default."""
    if override:
        from syncd.config import _timezone

        try:
            return _timezone(override)
        except ValueError as exc:
            raise ConfigError([f"--timezone: {exc}"]) from None
    for athlete in config.athletes:
        if athlete.name == name:
            return config.timezone_of(athlete)
    return config.daemon.timezone


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, default=str) if getattr(args, "json", False) else text)


# -- commands ---------------------------------------------------------------------------


def cmd_config_validate(args: argparse.Namespace) -> int:
    from syncd.paths import config_path

    config = load_config(args, required=True)
    print(f"{config_path(args.config)}: valid ({len(config.athletes)} athlete(s))")
    return 0


def cmd_config_sample(args: argparse.Namespace) -> int:
    from syncd.config_sample import sample

    sys.stdout.write(sample())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from syncd.importing import import_paths

    paths = [Path(p) for p in args.paths] + ([SAMPLE_PATH] if args.sample else [])
    if not paths:
        raise SyncdError("nothing to import: give one or more files or folders, or --sample")
    config = load_config(args)
    zone = athlete_timezone(config, args.athlete, args.timezone or (SAMPLE_TIMEZONE if args.sample else None))
    with open_store(args) as store:
        report = import_paths(store, args.athlete, zone, paths)
    for problem in report.problems:
        print(f"{problem.path}:{problem.line}: skipped: {problem.reason}", file=sys.stderr)
    emit(args, report.as_dict(), report.line())
    return 0 if report.usable else EX_DATAERR


def cmd_status(args: argparse.Namespace) -> int:
    from syncd.migrations import LATEST
    from syncd.paths import state_dir
    from syncd.status import render_status
    from syncd.store import DB_NAME

    config = load_config(args)
    if not (state_dir(args.state_dir) / DB_NAME).exists():
        print(f"no state yet in {state_dir(args.state_dir)}: run `syncd import` or `syncd sync` first")
        return 0
    with open_store(args) as store:
        names = (
            [args.athlete]
            if args.athlete
            else sorted({r["name"] for r in store.athletes()} | {a.name for a in config.athletes})
        )
        data = {
            "version": __version__,
            "state_db": str(store.path),
            "schema_version": LATEST,
            "athletes": {name: store.summary(name) for name in names},
            **extra_status(config, store),
        }
    emit(args, data, render_status(data))
    return 0


def _day(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def cmd_check(args: argparse.Namespace) -> int:
    from syncd.checking import athlete_profile, check, render_check, today_in

    config = load_config(args)
    with open_store(args) as store:
        if not store.summary(args.athlete)["activities"]:
            raise SyncdError(f"no activities stored for {args.athlete!r}; import or sync some first")
        last = args.on or today_in(athlete_profile(config, store, args.athlete))
        first = args.since or last
        if first > last:
            raise SyncdError(f"--since {first} is after {last}")
        result = check(config, store, args.athlete, first, last)
    units = next((a.units for a in config.athletes if a.name == args.athlete), "km")
    if args.json:
        from syncd.checking import check_json

        print(json.dumps(check_json(result), indent=2))
    else:
        print(render_check(result, units))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from syncd.checking import render_rules, rules_table

    table = rules_table(load_config(args))
    emit(args, table, render_rules(table))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from syncd.engine import run_once
    from syncd.errors import EX_TEMPFAIL
    from syncd.wiring import build_context

    config = load_config(args, required=True)
    names = [config.athlete(args.athlete).name] if args.athlete else [a.name for a in config.athletes]
    if not names:
        raise ConfigError(["athletes: no athletes configured; add an [[athletes]] table"])
    results = []
    with open_store(args) as store:
        ctx = build_context(config, store, dry_run=args.dry_run, console=args.dry_run)
        if sys.stderr.isatty() and not args.json:
            ctx.progress = _progress
        for name in names:
            summary = run_once(ctx, name)
            if ctx.progress:
                print(file=sys.stderr)
            results.append(summary)
    emit(args, [r.as_dict() for r in results], "\n".join(r.line() for r in results))
    failed = any(p.error for r in results for p in r.providers.values())
    return EX_TEMPFAIL if failed else 0


def _progress(provider: str, fetched: int) -> None:
    print(f"\r{provider}: {fetched} activities fetched", end="", file=sys.stderr, flush=True)


def cmd_notify_test(args: argparse.Namespace) -> int:
    from syncd.errors import EX_TEMPFAIL, DeliveryFailed
    from syncd.notifiers.base import Message
    from syncd.wiring import notifier_factory

    config = load_config(args, required=True)
    athlete = config.athlete(args.athlete)
    notifiers = notifier_factory(config)(athlete)
    if not notifiers:
        print(f"{athlete.name} has no push channels: add apprise URLs to notify = [...] in the config")
        return 0
    message = Message(
        athlete.name,
        "syncd test message",
        "If you can read this, syncd can reach you here.",
        "normal",
        "test",
    )
    failures = 0
    for notifier in notifiers:
        label = getattr(notifier, "masked_url", notifier.channel)
        try:
            notifier.send(message)
        except DeliveryFailed as exc:
            failures += 1
            print(f"FAILED  {exc}")
        else:
            print(f"sent    {label}")
    return EX_TEMPFAIL if failures else 0


def cmd_run(args: argparse.Namespace) -> int:
    from syncd.daemon import Daemon
    from syncd.paths import config_path, state_dir

    logging.getLogger().setLevel(logging.DEBUG if args.verbose > 1 else logging.INFO)
    return Daemon(config_path(args.config), state_dir(args.state_dir)).run_forever()


def cmd_demo(args: argparse.Namespace) -> int:
    from syncd.demo import run_demo

    print(run_demo(Path(args.out)))
    return 0


def extra_status(config: Config, store: Store) -> dict[str, Any]:
    """The Strava request budget, push channels (masked) and deliveries given up on."""
    from syncd.ledger import problems

    out: dict[str, Any] = {"failed_deliveries": problems(store)}
    if config.strava.client_id is not None:
        from syncd.providers.strava_budget import Budget

        out["strava_budget"] = Budget(store, config.strava.client_id).summary()
    if any(a.notify for a in config.athletes):
        from syncd.secrets import is_reference, mask_url

        out["push_channels"] = {
            a.name: [u if is_reference(u) else mask_url(u) for u in a.notify] for a in config.athletes
        }
    return out


# -- parser -----------------------------------------------------------------------------


def _common(suppress: bool) -> argparse.ArgumentParser:
    default: Any = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (default: $SYNCD_CONFIG, $XDG_CONFIG_HOME/syncd/config.toml, "
        "/etc/syncd/config.toml)",
    )
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        default=default,
        help="state directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/syncd)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="more log output",
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncd",
        parents=[_common(False)],
        description="Injury-prevention notes for runners, from their Strava and Garmin history.",
    )
    parser.add_argument("--version", action="version", version=f"syncd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common(True)

    def add(name: str, func: Command, help: str, parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    config = sub.add_parser("config", help="check or print the configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    add(
        "validate",
        cmd_config_validate,
        "validate the config file (exit 78 with the key and the fix)",
        config_sub,
    )
    add("sample", cmd_config_sample, "print an example config with every key and its default", config_sub)

    p = add("import", cmd_import, "import a Strava bulk export or syncd JSON Lines (no API calls)")
    p.add_argument("--athlete", required=True, help="whose activities these are")
    p.add_argument("--timezone", help="time zone for an athlete not in the config (IANA name)")
    p.add_argument("--sample", action="store_true", help="import the bundled sample athlete")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="activities.csv, an export folder or .zip, or a .jsonl file"
    )

    p = add("status", cmd_status, "show athletes, accounts, counts and the state directory")
    p.add_argument("--athlete", help="only this athlete")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("check", cmd_check, "evaluate the rules on stored history (nothing is sent or recorded)")
    p.add_argument("--athlete", required=True, help="whose history to check")
    p.add_argument("--on", type=_day, metavar="YYYY-MM-DD", help="the day to evaluate (default: today)")
    p.add_argument(
        "--since",
        type=_day,
        metavar="YYYY-MM-DD",
        help="evaluate every day from this one to --on (what a backfill would raise)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array of findings")

    p = add("rules", cmd_rules, "list installed rules with their evidence grade and thresholds")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = add("sync", cmd_sync, "fetch new activities, evaluate the rules and deliver, once")
    p.add_argument("--athlete", help="only this athlete (default: all)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send nothing")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    add("run", cmd_run, "run the service: poll, evaluate and deliver on a schedule (systemd: Type=notify)")

    notify = sub.add_parser("notify", help="check the push channels")
    notify_sub = notify.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    p = add("test", cmd_notify_test, "send one test message to each of an athlete's channels", notify_sub)
    p.add_argument("--athlete", required=True, help="whose channels to test")

    p = add("demo", cmd_demo, "run syncd on the bundled sample athlete (no account, no network)")
    p.add_argument(
        "--out", default=".", metavar="DIR", help="where to write the digest chart (default: here)"
    )

    import syncd.cli_garmin
    import syncd.cli_report
    import syncd.cli_strava  # noqa: F401  (they register their commands in _EXTENSIONS)

    for extend in _EXTENSIONS:
        extend(sub, add)
    return parser


#: Later command groups register here: f(subparsers, add) adds their parsers.
_EXTENSIONS: list[Callable[[Any, Callable[..., argparse.ArgumentParser]], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EX_USAGE
    # apprise and garminconnect log each failure themselves (garminconnect with a traceback on
    # every Garmin outage); syncd reports it once, in its own words
    quiet = {name: logging.getLogger(name) for name in ("apprise", "garminconnect")}
    before = {name: lib.level for name, lib in quiet.items()}
    for lib in quiet.values():
        lib.setLevel(logging.INFO if args.verbose else logging.CRITICAL)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _run(args)
    finally:
        for name, level in before.items():
            quiet[name].setLevel(level)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except SyncdError as exc:
        print(f"syncd: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("syncd: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `syncd check ... | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
