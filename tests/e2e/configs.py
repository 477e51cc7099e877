"""44 broken configs (and two that only look broken), for the config table and defect 10.

Each case is a whole config file, the command that meets it (`validate`: `syncd config
validate`; `run`: `syncd run`, for what only starting the service finds), the key its
message must name, and a value that must never be echoed (a secret pasted into the file).
Every broken one must give exit 78, name the key, and show no traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness import Installation
from procs import Run


@dataclass(frozen=True)
class Place:
    """What a case's file may refer to: the fake Strava, and ports."""

    base_url: str
    client_id: int
    free_port: int
    taken_port: int


@dataclass(frozen=True)
class Case:
    name: str
    text: Callable[[Place], str | bytes]
    key: str
    command: str = "validate"
    secret: str | None = None
    exit_code: int = 78
    issue: bool = False  # one of those issue 10 names


def strava(p: Place, secret: str = '"env:STRAVA_SECRET"', extra: str = "") -> str:
    return (
        f'[strava]\nclient_id = {p.client_id}\nclient_secret = {secret}\nbase_url = "{p.base_url}"\n{extra}\n'
    )


ATHLETE = '[[athletes]]\nname = "sam"\nproviders = ["strava"]\n'


def with_daemon(line: str) -> Callable[[Place], str]:
    return lambda p: f"[daemon]\n{line}\n\n{strava(p)}{ATHLETE}"


def with_athlete(line: str) -> Callable[[Place], str]:
    return lambda p: f"{strava(p)}{ATHLETE}{line}\n"


def with_strava(secret: str = '"env:STRAVA_SECRET"', extra: str = "") -> Callable[[Place], str]:
    return lambda p: strava(p, secret, extra) + ATHLETE


def whole(text: str) -> Callable[[Place], str]:
    return lambda p: text


CASES = [
    # [daemon]
    Case("unknown table [deamon]", whole('[deamon]\npoll_interval = "15m"\n' + ATHLETE), "deamon"),
    Case("misspelt poll_intervall", with_daemon('poll_intervall = "5m"'), "daemon.poll_intervall"),
    Case("poll_interval '5 minutes'", with_daemon('poll_interval = "5 minutes"'), "daemon.poll_interval"),
    Case("poll_interval too short", with_daemon('poll_interval = "30s"'), "daemon.poll_interval"),
    Case("poll_interval a bare number", with_daemon("poll_interval = 15"), "daemon.poll_interval"),
    Case(
        "poll_interval 99999999999h",
        with_daemon('poll_interval = "99999999999h"'),
        "daemon.poll_interval",
        "run",
        issue=True,
    ),
    Case("timezone Mars/Olympus", with_daemon('timezone = "Mars/Olympus"'), "daemon.timezone"),
    Case("delivery_window_days -1", with_daemon("delivery_window_days = -1"), "daemon.delivery_window_days"),
    Case("delivery_window_days 99", with_daemon("delivery_window_days = 99"), "daemon.delivery_window_days"),
    Case(
        "webhook_listen without a port", with_daemon('webhook_listen = "localhost"'), "daemon.webhook_listen"
    ),
    Case(
        "webhook_listen port 99999",
        with_daemon('webhook_listen = "127.0.0.1:99999"'),
        "daemon.webhook_listen",
        "run",
        issue=True,
    ),
    Case(
        "webhook_listen port already taken",
        lambda p: with_daemon(f'webhook_listen = "127.0.0.1:{p.taken_port}"')(p),
        "daemon.webhook_listen",
        "run",
        issue=True,
    ),
    Case("max_delivery_attempts 0", with_daemon("max_delivery_attempts = 0"), "daemon.max_delivery_attempts"),
    # [strava]
    Case(
        "client_id not a number",
        lambda p: strava(p).replace(f"client_id = {p.client_id}", 'client_id = "abc"') + ATHLETE,
        "strava.client_id",
    ),
    Case(
        "client_secret pasted as text",
        with_strava('"3f9c2b7d1e8a4c6b9d0e"'),
        "strava.client_secret",
        secret="3f9c2b7d1e8a4c6b9d0e",
    ),
    Case(
        "client_secret pasted as a number",
        with_strava("736251983746"),
        "strava.client_secret",
        secret="736251983746",
        issue=True,
    ),
    Case("client_secret 'env:' with no name", with_strava('"env:"'), "strava.client_secret"),
    Case("client_secret 'keyring:' with no name", with_strava('"keyring:"'), "strava.client_secret"),
    Case(
        "a token pasted under a key of its own",
        with_strava(extra='access_token = "a1b2c3d4e5f60718293a4b5c"'),
        "strava.access_token",
        secret="a1b2c3d4e5f60718293a4b5c",
    ),
    Case(
        "base_url plain http to a remote host",
        lambda p: strava(p).replace(p.base_url, "http://strava.example.com") + ATHLETE,
        "strava.base_url",
    ),
    Case(
        "base_url ftp",
        lambda p: strava(p).replace(p.base_url, "ftp://example.com") + ATHLETE,
        "strava.base_url",
    ),
    # [garmin]
    Case(
        "garmin password pasted as text",
        lambda p: (
            strava(p) + '[garmin]\nemail = "sam@example.org"\npassword = "hunter2-hunter2"\n\n' + ATHLETE
        ),
        "garmin.password",
        secret="hunter2-hunter2",
    ),
    Case("garmin email a number", lambda p: strava(p) + "[garmin]\nemail = 42\n\n" + ATHLETE, "garmin.email"),
    # [[athletes]]
    Case("athletes a string", lambda p: 'athletes = "sam"\n' + strava(p), "athletes"),
    Case(
        "athlete without a name",
        lambda p: strava(p) + '[[athletes]]\nproviders = ["strava"]\n',
        "athletes[0].name",
    ),
    Case(
        "athlete name with a space",
        lambda p: strava(p) + '[[athletes]]\nname = "Sam Smith"\n',
        "athletes[0].name",
    ),
    Case("two athletes named sam", lambda p: strava(p) + ATHLETE + ATHLETE, "sam"),
    Case(
        "unknown provider polar",
        lambda p: strava(p) + '[[athletes]]\nname = "sam"\nproviders = ["strava", "polar"]\n',
        "athletes[0].providers",
    ),
    Case("notify a string", with_athlete('notify = "ntfy://ntfy.sh/sam"'), "athletes[0].notify"),
    Case("notify holds a number", with_athlete("notify = [42]"), "athletes[0].notify"),
    Case("quiet_hours 22-07", with_athlete('quiet_hours = "22-07"'), "athletes[0].quiet_hours"),
    Case("units miles", with_athlete('units = "miles"'), "athletes[0].units"),
    Case("sex x", with_athlete('sex = "x"'), "athletes[0].sex"),
    Case("rest_hr 10", with_athlete("rest_hr = 10"), "athletes[0].rest_hr"),
    Case("max_hr 300", with_athlete("max_hr = 300"), "athletes[0].max_hr"),
    Case("rest_hr above max_hr", with_athlete("rest_hr = 80\nmax_hr = 70"), "athletes[0]"),
    Case("digest 'sunday 7pm'", with_athlete('digest = "sunday 7pm"'), "athletes[0].digest"),
    Case("morning_hour 24", with_athlete("morning_hour = 24"), "athletes[0].morning_hour"),
    Case("strength minutes 60", with_athlete("strength = { minutes = 60 }"), "athletes[0].strength.minutes"),
    Case(
        "strength excludes burpees",
        with_athlete('strength = { exclude = ["burpees"] }'),
        "athletes[0].strength.exclude",
    ),
    # [rules]
    Case("unknown rule", lambda p: strava(p) + ATHLETE + "[rules.no_such_rule]\n", "rules.no_such_rule"),
    Case(
        "rule threshold 'ten'",
        lambda p: strava(p) + ATHLETE + '[rules.session_spike]\ncaution_pct = "ten"\n',
        "rules.session_spike.caution_pct",
    ),
    Case(
        "unknown rule setting",
        lambda p: strava(p) + ATHLETE + "[rules.session_spike]\ncaution_percent = 10\n",
        "rules.session_spike.caution_percent",
    ),
    # the file itself
    Case("not TOML", whole('[daemon\npoll_interval = "15m"\n'), "TOML"),
    Case(
        "a key written twice",
        with_daemon('poll_interval = "15m"\npoll_interval = "20m"'),
        "poll_interval",
        issue=True,
    ),
    Case("5,000 nested arrays", whole("x = " + "[" * 5000 + "]" * 5000 + "\n"), "TOML", issue=True),
    Case("not UTF-8", lambda p: '[daemon]\ntimezone = "Europe/Z\xfcrich"\n'.encode("latin-1"), "utf-8"),
    # not broken, but refused today
    Case(
        "UTF-8 byte-order mark (valid)",
        lambda p: "\ufeff" + strava(p) + ATHLETE,
        "",
        exit_code=0,
        issue=True,
    ),
]


def check(case: Case, inst: Installation, place: Place) -> tuple[Run | None, list[str]]:
    """Meet `case` with its command; the run (None: still running after 5 s) and what is wrong."""
    text = case.text(place)
    inst.config.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    proc = inst.start("config", "validate") if case.command == "validate" else inst.start("run")
    try:
        run: Run | None = proc.finish(5)
    except AssertionError:
        run = None
    if run is None:
        return None, [f"`syncd {case.command}` kept running on it"]
    problems = []
    out = run.output
    if run.returncode != case.exit_code:
        problems.append(f"exit {run.returncode}, not {case.exit_code}")
    if case.key and case.key not in out:
        problems.append(f"the message does not name {case.key}")
    if "Traceback" in out:
        problems.append("a traceback")
    if case.secret and case.secret in out:
        problems.append("the secret is echoed")
    if problems:
        problems[-1] += f": {out.strip()[-150:]!r}"
    return run, problems
