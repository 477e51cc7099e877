"""What a newcomer would notice after each step of the service recipe, and at the end.

Each check gives None when all is well, else one line saying what is wrong.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import world

VENV = Path("/opt/syncd/venv")
STATE = Path("/var/lib/syncd")
UNIT = Path("/etc/systemd/system/syncd.service")
CONFIG = Path("/etc/syncd/config.toml")
SECRET = Path("/etc/syncd/credentials/strava_client_secret")
HOMES = ("/root/", "/home/", "/run/user/")


def packages_present(line: str) -> None:
    """Stop unless every package of an `apt-get install` line is installed already."""
    names = [w for w in line.split("install", 1)[1].split() if not w.startswith("-")]
    missing = [n for n in names if subprocess.run(["dpkg", "-s", n], capture_output=True).returncode]
    if missing:
        raise SystemExit(f"recipe: install {' '.join(missing)} first (scripts/test-service.sh does)")


def as_syncd(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "syncd", "--", *cmd], capture_output=True, text=True)


def connect_with_browser(line: str, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a `syncd connect strava --paste` line (as `argv`); open the printed address as the
    runner's browser would (the fake Strava redirects at once) and paste where it ended."""
    proc = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin and proc.stdout and proc.stderr
    seen: list[str] = []
    for out in proc.stdout:
        seen.append(out)
        if "/oauth/authorize?" in out:
            proc.stdin.write(_landing(out.strip()) + "\n")
            break
    rest, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(line, proc.returncode, "".join(seen) + rest, err)


def _landing(url: str) -> str:
    """Where the browser lands after Authorize: the fake's 302 Location."""
    import http.client

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    conn.request("GET", f"{parts.path}?{parts.query}")
    location = conn.getresponse().getheader("Location") or ""
    conn.close()
    return location


def after_step(
    line: str, done: subprocess.CompletedProcess[str], services: world.Services, table: Any = None
) -> str | None:
    """None if the step did what the recipe says (`table`: the checks, default the
    service's), else what went wrong."""
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "(no output)").splitlines()[-1]
        return f"exit {done.returncode}: {last}"
    for pattern, check in STEP_CHECKS if table is None else table:
        if re.search(pattern, line):
            return check(done, services)
    return None


def _installed(done: Any, services: world.Services) -> str | None:
    syncd = VENV / "bin" / "syncd"
    if not syncd.exists():
        return f"{syncd} is missing (the unit's ExecStart)"
    base = os.path.realpath(VENV / "bin" / "python")
    if base.startswith(HOMES):
        return f"the venv's interpreter {base} is in a home directory (ProtectHome= hides it)"
    if subprocess.run([VENV / "bin" / "python", "-c", "import pytest"], capture_output=True).returncode == 0:
        return "the test tools (pytest) were installed too"
    if os.path.realpath("/usr/local/bin/syncd") != str(syncd):
        return "/usr/local/bin/syncd does not lead to the installed syncd"
    ran = as_syncd(str(syncd), "--version")
    return None if ran.returncode == 0 else f"the syncd user cannot run it: {ran.stderr.strip()}"


def _config_readable(done: Any, services: world.Services) -> str | None:
    if not CONFIG.exists():
        return f"{CONFIG} was not written"
    return None if as_syncd("test", "-r", str(CONFIG)).returncode == 0 else f"syncd cannot read {CONFIG}"


def _edited(done: Any, services: world.Services) -> str | None:
    text = CONFIG.read_text()
    return None if f"client_id = {services.strava.client_id}" in text else "the edit did not land"


def _secret(done: Any, services: world.Services) -> str | None:
    who, mode = world.owner_and_mode(SECRET)
    if as_syncd("cat", str(SECRET)).stdout.strip() != services.strava.client_secret:
        return f"the syncd user cannot read the secret ({who} {mode})"
    return None if mode == "0640" else f"{SECRET} is {mode}, not 0640"


def _validated(done: Any, services: world.Services) -> str | None:
    return None if f"{CONFIG}: valid" in done.stdout else f"said: {done.stdout.strip()}"


def _connected(done: Any, services: world.Services) -> str | None:
    tokens = [p for p in STATE.rglob("strava-sam.json")] if STATE.exists() else []
    strays = [p for p in (Path("/root/.config/syncd/tokens"), STATE / ".config") if p.exists()]
    if strays:
        return f"tokens or config went to {strays[0]}, not into the state"
    if not tokens:
        return f"no strava-sam.json token file under {STATE}"
    who, mode = world.owner_and_mode(tokens[0])
    return None if (who, mode) == ("syncd:syncd", "0600") else f"{tokens[0]} is {who} {mode}"


def _pushed_test(done: Any, services: world.Services) -> str | None:
    titles = [r.json().get("title") for r in services.sink.requests if r.method == "POST"]
    return None if "syncd test message" in titles else f"the push receiver got {titles}"


def _synced(done: Any, services: world.Services) -> str | None:
    db = STATE / "syncd.sqlite3"
    if not db.exists():
        return f"no {db} (the state went elsewhere: {done.stderr.strip()[-200:]})"
    if world.owner_and_mode(db)[0] != "syncd:syncd":
        return f"{db} is owned by {world.owner_and_mode(db)[0]}"
    note = services.strava.description(services.long_run_id) or ""
    if not note.startswith("Great hills today.\n\n— syncd —\n"):
        return f"no note on the long run (its description: {note!r}; sync said: {done.stdout.strip()})"
    pushed = [r.json() for r in services.sink.requests if r.method == "POST"]
    if not any(p.get("type") == "warning" and p.get("message", "").startswith("16.0 km") for p in pushed):
        titles = [p.get("title") for p in pushed]
        return f"no warning push about the long run (received {titles}; sync said: {done.stdout.strip()})"
    return None


def _doctor(done: Any, services: world.Services) -> str | None:
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return None if last.endswith(" 0 failed") else f"said: {done.stdout.strip()[-400:]}"


def _status(done: Any, services: world.Services) -> str | None:
    return None if f"state {STATE}/syncd.sqlite3" in done.stdout else f"said: {done.stdout.strip()[:200]}"


STEP_CHECKS = [
    (r"make .*install", _installed),
    (r"syncd config (init|sample)", _config_readable),
    (r"^sudoedit ", _edited),
    (r"credentials/strava_client_secret", _secret),
    (r"syncd config validate", _validated),
    (r"syncd connect strava", _connected),
    (r"syncd notify test", _pushed_test),
    (r"syncd sync\b", _synced),
    (r"syncd doctor\b", _doctor),
    (r"syncd status\b", _status),
]


def final(services: world.Services, run: Any, service: bool) -> list[tuple[str, str | None]]:
    """Checks after the last step: the unit's security rating, sizes, and the unit's start."""
    out: list[tuple[str, str | None]] = []
    rated = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNIT)], capture_output=True, text=True
    )
    level = re.search(r"Overall exposure level for \S+: ([\d.]+)", rated.stdout)
    out.append(
        (
            f"systemd-analyze security: {level.group(1) if level else '?'}",
            None
            if level and float(level.group(1)) <= 2.0
            else f"rated {level.group(1) if level else rated.stderr.strip()}",
        )
    )
    size = subprocess.run(["du", "-sm", str(VENV)], capture_output=True, text=True).stdout.split()[0]
    out.append((f"installed size: {size} MB in {VENV}", None))
    out.append(
        ("`syncd sync` as root on the service's state: refused, nothing touched", root_refused(services))
    )
    if service:
        out.append(("the unit's start, imitated: a pass, then SIGTERM exits 0", start_like_systemd(services)))
    return out


def root_refused(services: world.Services) -> str | None:
    """Issue 13's first finding: root running a state command must neither read root's own
    tokens nor leave root's files in the service's state nor reach the runner's phone."""
    pushes = len(services.sink.requests)
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
    done = subprocess.run(["bash", "-c", "syncd sync"], env=env, capture_output=True, text=True)
    if done.returncode != 78 or "run it as that user: sudo -u syncd syncd sync" not in done.stderr:
        return f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
    mine = [p for p in STATE.rglob("*") if p.lstat().st_uid == 0]
    if mine:
        return f"root's files in the state: {mine[:3]}"
    if len(services.sink.requests) != pushes:
        return "the runner's phone got a message"
    return None


def start_like_systemd(services: world.Services) -> str | None:
    """Start the unit's ExecStart as its User=, with what systemd would give it (the state and
    cache directories, the credentials copied from LoadCredential=), until a pass has polled
    Strava; then SIGTERM, which must end it with exit 0."""
    unit = dict(_unit_settings(UNIT))
    creds = Path(tempfile.mkdtemp(prefix="credentials-"))
    for entry in unit.get("LoadCredential", []):
        name, source = entry.split(":", 1)
        shutil.copy(source, creds / name)
        shutil.chown(creds / name, "syncd", "syncd")
        (creds / name).chmod(0o400)
    shutil.chown(creds, "syncd", "syncd")
    Path("/var/cache/syncd").mkdir(mode=0o700, exist_ok=True)
    shutil.chown("/var/cache/syncd", "syncd", "syncd")
    env = [f"STATE_DIRECTORY={STATE}", "CACHE_DIRECTORY=/var/cache/syncd", f"CREDENTIALS_DIRECTORY={creds}"]
    env += [e.replace("%C", "/var/cache") for e in unit.get("Environment", [])]
    # setpriv execs the command itself (runuser would stay in between and field the SIGTERM)
    who = [f"--reuid={unit['User'][0]}", f"--regid={unit['Group'][0]}", "--init-groups"]
    cmd = ["setpriv", *who, "env", "-i", *env, *unit["ExecStart"][0].split()]
    with tempfile.TemporaryFile(mode="w+") as log:  # a file, not a pipe: a chatty log never blocks
        return _first_pass_then_sigterm(cmd, services, log)


def _first_pass_then_sigterm(cmd: list[str], services: world.Services, log: Any) -> str | None:
    before = len(services.strava.requests("/api/v3/athlete/activities"))
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while len(services.strava.requests("/api/v3/athlete/activities")) == before:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return f"no pass within 60 s (exit {proc.returncode}): {_read(log, services)[-300:]}"
        time.sleep(0.2)
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        return "still running 60 s after SIGTERM"
    output = _read(log, services)
    if proc.returncode != 0:
        return f"exit {proc.returncode}: {output[-300:]}"
    return "the service's log held a secret" if output == LEAKED else None


LEAKED = "(held a secret)"


def _read(log: Any, services: world.Services) -> str:
    log.seek(0)
    output = str(log.read())
    return LEAKED if any(secret in output for secret in services.secrets()) else output


def _unit_settings(path: Path) -> list[tuple[str, list[str]]]:
    settings: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        if "=" in raw and not raw.startswith(("#", "[")):
            key, value = raw.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return list(settings.items())
