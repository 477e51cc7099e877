"""The machine the service recipe runs on: a private copy of the system's writable places,
the local fake Strava with an athlete's history, and a push receiver.

The recipe writes where a real one does (/etc, /opt, /var/lib, /usr/local) and creates a real
system user. To leave this machine as it was, the run happens in a private mount namespace
(`unshare --mount`) with an overlay on each of those directories: every write lands in a
scratch directory that is deleted afterwards, while programs see the real paths.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))

from fakes.http_sink import HttpSink  # noqa: E402
from fakes.strava_server import FakeStrava  # noqa: E402

OVERLAID = ("/etc", "/opt", "/var/lib", "/var/cache", "/usr/local", "/home")
MARKER = "SYNCD_RECIPE_NAMESPACE"


def enter_namespace(argv: list[str]) -> None:
    """Re-run this program in a private mount namespace (does not return), unless already in one."""
    if os.environ.get(MARKER):
        return
    if os.geteuid() != 0:
        sys.exit("recipe: run as root (it creates a system user and installs into /opt, like the recipe)")
    env = {**os.environ, MARKER: "1"}
    cmd = ["unshare", "--mount", "--propagation", "private", "--", sys.executable, *argv]
    os.execvpe("unshare", cmd, env)


def overlay_system() -> Path:
    """Put an overlay on each directory the recipe writes to; returns the scratch directory."""
    scratch = Path(tempfile.mkdtemp(prefix="syncd-recipe-", dir="/var/tmp"))
    scratch.chmod(0o711)  # the login user's editor reads its edits file in here
    for target in OVERLAID:
        name = target.strip("/").replace("/", "_")
        upper, work = scratch / name / "upper", scratch / name / "work"
        upper.mkdir(parents=True)
        work.mkdir()
        options = f"lowerdir={target},upperdir={upper},workdir={work}"
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, target], check=True)
    return scratch


def remove_scratch(scratch: Path) -> None:
    """Unmount the overlays and delete what the recipe wrote."""
    for target in reversed(OVERLAID):
        subprocess.run(["umount", "-l", target], check=False)
    shutil.rmtree(scratch, ignore_errors=True)


def distro() -> tuple[str, str]:
    """(ID, VERSION_ID) from /etc/os-release, e.g. ('debian', '12')."""
    fields: dict[str, str] = {}
    for line in Path("/etc/os-release").read_text().splitlines():
        key, _, value = line.partition("=")
        fields[key] = value.strip('"')
    return fields.get("ID", ""), fields.get("VERSION_ID", "")


class Services:
    """The fake Strava, seeded with a runner's month, and the push receiver."""

    def __init__(self) -> None:
        self.strava = FakeStrava(fault_sleep_s=1.0)
        self.sink = HttpSink()
        self.long_run_id = 0

    def __enter__(self) -> Services:
        self.strava.__enter__()
        self.sink.start()
        self._seed()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sink.stop()
        self.strava.__exit__(None, None, None)

    def _seed(self) -> None:
        """Fourteen easy 8 km runs over six weeks (the spike rule speaks only with 30 days of
        history before the run), then a 16 km run three hours ago: a spike that the first sync
        turns into a note on the run and a push."""
        now = datetime.now(UTC)
        for i in range(14):
            self.strava.add_activity(
                now - timedelta(days=42 - 3 * i),
                name="Easy run",
                distance=8000.0,
                moving_time=2900,
                elapsed_time=3000,
            )
        long_run = self.strava.add_activity(
            now - timedelta(hours=3),
            name="Long one",
            distance=16000.0,
            moving_time=5800,
            elapsed_time=6000,
            description="Great hills today.",
        )
        self.long_run_id = long_run["id"]

    @property
    def push_url(self) -> str:
        return f"json://127.0.0.1:{self.sink.port}/sam-running"

    def secrets(self) -> list[str]:
        """Every secret the run must never print: the client secret, codes and tokens issued."""
        return [self.strava.client_secret, *self.strava.issued]

    def config_edits(self) -> list[tuple[str, str]]:
        """What a newcomer changes in the commented sample, as (line, replacement)."""
        return [
            ("client_id = 12345", f"client_id = {self.strava.client_id}"),
            ('base_url = "https://www.strava.com"', f'base_url = "{self.strava.base_url}"'),
            ('timezone = "Europe/Amsterdam"', 'timezone = "UTC"'),
            ('providers = ["strava", "garmin"]', 'providers = ["strava"]'),
            ('notify = ["ntfys://ntfy.example.org/sam-running"]', f'notify = ["{self.push_url}"]'),
            ('quiet_hours = "22:00-07:00"', "# quiet_hours = (none)"),
            ("strava = false", "strava = true"),
        ]


def edit_config(path: Path, edits_file: Path) -> None:
    """The newcomer's editor (SUDO_EDITOR): apply each (line, replacement) to exactly one line."""
    edits = [tuple(line.split("\t", 1)) for line in edits_file.read_text().splitlines()]
    lines = path.read_text().splitlines()
    for old, new in edits:
        hits = [i for i, line in enumerate(lines) if line.strip() == old]
        if len(hits) != 1:
            sys.exit(f"editor: expected one line {old!r} in the sample, found {len(hits)}")
        lines[hits[0]] = new
    path.write_text("\n".join(lines) + "\n")


def owner_and_mode(path: Path) -> tuple[str, str]:
    """('user:group', '0600') of a path."""
    import grp
    import pwd

    st = path.stat()
    who = f"{pwd.getpwuid(st.st_uid).pw_name}:{grp.getgrgid(st.st_gid).gr_name}"
    return who, oct(st.st_mode & 0o7777).replace("0o", "0").rjust(4, "0")
