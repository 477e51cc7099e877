"""Run docs/container.md's recipe as written, with podman, against the local fake Strava and a
local push receiver, and check what a self-hoster would notice: the image runs as a non-root
user without test tools, the tokens land in the volume, the first sync writes a note and
pushes a warning, the healthcheck passes, and `podman stop` ends the service with exit 0.

    sudo python3 tests/service/container.py [--doc docs/container.md] [--base IMAGE]

scripts/test-container.sh prepares the machine (packages, CONTAINERS_CONF, the base image).
The lines are run as written except for ADAPT below (this machine's limits). The container,
volume, secret and image the recipe makes are removed at the end; the base image is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import checks
import world

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- container-recipe -->"
CA = "/etc/ssl/certs/ca-certificates.crt"


# compose.yaml with podman-compose, after the recipe, in the same clone, with its config.toml
COMPOSE = [
    "printf '%s' 'your-secret' > strava_client_secret && chmod 0644 strava_client_secret",
    "podman-compose run --rm syncd config validate",
    "podman-compose up -d",
    "podman healthcheck run syncd_syncd_1",
    "podman-compose down",
]


def recipe_lines(doc: Path) -> list[str]:
    text = doc.read_text()
    block = re.search(r"```sh\n(.*?)```", text[text.index(MARK) :], re.S)
    assert block, f"{doc}: no ```sh block after {MARK}"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def adapt(line: str, base: str | None) -> str:
    """This machine's adaptations: a local base image and the sandbox's CA for the build, the
    host's network for runs (the fakes listen on its 127.0.0.1)."""
    if line.startswith("podman build") and base:
        line = line.replace("podman build", f"podman build --build-arg BASE={base} -v {CA}:{CA}:ro", 1)
    return line.replace("podman run", "podman run --network host", 1)


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True)


class ContainerRun:
    def __init__(self, services: world.Services, work: Path, base: str | None) -> None:
        self.services, self.cwd, self.base = services, work, base
        self.failures = self.passed = 0
        self.outputs: list[str] = []
        edits = work / "edits.tsv"
        edits.write_text("".join(f"{old}\t{new}\n" for old, new in services.config_edits()))
        self.env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "EDITOR": f"{sys.executable} {Path(__file__).parent / 'edit_config.py'} {edits}",
        }
        conf = os.environ.get("CONTAINERS_CONF")
        if conf:
            self.env["CONTAINERS_CONF"] = conf

    def say(self, mark: str, line: str, detail: str = "") -> None:
        for secret in self.services.secrets():
            line, detail = line.replace(secret, "***"), detail.replace(secret, "***")
        print(f"[{mark}] {line}" + (f"\n      {detail}" if detail else ""), flush=True)

    def step(self, line: str) -> bool:
        shown = line
        line = line.replace("<this repository>", str(ROOT)).replace(
            "your-secret", self.services.strava.client_secret
        )
        line = adapt(line, self.base)
        started = time.monotonic()
        if "syncd connect strava" in line:
            done = checks.connect_with_browser(line, ["bash", "-c", f"cd {self.cwd} && {line}"], self.env)
        else:
            done = subprocess.run(
                ["bash", "-c", f"cd {self.cwd} && {line}"],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=900,
            )
        self.outputs += [done.stdout, done.stderr]
        took = f"{time.monotonic() - started:.1f} s"
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip() or "(no output)").splitlines()[-1]
            problem: str | None = f"exit {done.returncode}: {last}"
        else:
            problem = self.check(shown, done)
        move = re.search(r"&& cd (\S+)$", line)
        if move and not problem:
            self.cwd = self.cwd / move.group(1)
        if problem:
            self.failures += 1
            self.say("FAIL", shown, problem)
            return False
        self.passed += 1
        self.say("ok", shown, took)
        return True

    def check(self, line: str, done: subprocess.CompletedProcess[str]) -> str | None:
        if line.startswith("podman build"):
            uid = podman("run", "--rm", "--entrypoint", "id", "syncd", "-u").stdout.strip()
            tools = podman("run", "--rm", "--entrypoint", "python3", "syncd", "-c", "import pytest")
            size = podman("image", "inspect", "syncd", "--format", "{{.Size}}").stdout.strip()
            print(f"      image: {int(size) // 10**6} MB, runs as uid {uid}", flush=True)
            return (
                None
                if uid == "10001" and tools.returncode
                else f"uid {uid}; pytest importable: {not tools.returncode}"
            )
        if "syncd connect" in line:
            return self.tokens_in_volume()
        if "notify test" in line:
            titles = [r.json().get("title") for r in self.services.sink.requests if r.method == "POST"]
            return None if "syncd test message" in titles else f"the receiver got {titles}"
        if line.endswith("syncd sync"):
            note = self.services.strava.description(self.services.long_run_id) or ""
            pushed = [r.json() for r in self.services.sink.requests if r.method == "POST"]
            if "— syncd —" not in note:
                return f"no note on the long run: {note!r}"
            return None if any(p.get("type") == "warning" for p in pushed) else "no warning pushed"
        if line.startswith("podman run -d"):
            return self.first_pass()
        if line.endswith("syncd doctor"):
            last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            return None if last.endswith(" 0 failed") else f"said: {done.stdout.strip()[-400:]}"
        if "config validate" in line:
            return None if "config.toml: valid" in done.stdout else f"said: {done.stdout.strip()[-200:]}"
        if line.startswith("podman stop"):
            code = podman("inspect", "syncd", "--format", "{{.State.ExitCode}}").stdout.strip()
            return None if code == "0" else f"the service exited {code} on SIGTERM"
        return None

    def tokens_in_volume(self) -> str | None:
        mount = podman("volume", "inspect", "syncd-state", "--format", "{{.Mountpoint}}").stdout.strip()
        found = list(Path(mount).rglob("strava-sam.json"))
        if not found:
            return f"no strava-sam.json in the volume ({mount})"
        st = found[0].stat()
        mode = oct(st.st_mode & 0o777)
        return None if (st.st_uid, mode) == (10001, "0o600") else f"{found[0]}: uid {st.st_uid}, mode {mode}"

    def first_pass(self) -> str | None:
        before = len(self.services.strava.requests("/api/v3/athlete/activities"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(self.services.strava.requests("/api/v3/athlete/activities")) > before:
                return None
            time.sleep(0.5)
        return f"no pass within 60 s: {podman('logs', 'syncd').stdout[-300:]}"


def leftovers() -> list[str]:
    found = ["container syncd"] if podman("container", "exists", "syncd").returncode == 0 else []
    if podman("volume", "exists", "syncd-state").returncode == 0:
        found.append("volume syncd-state")
    secrets = json.loads(podman("secret", "ls", "--format", "json").stdout or "[]")
    if any(s.get("Spec", {}).get("Name") == "strava_client_secret" for s in secrets):
        found.append("secret strava_client_secret")
    return found


def dangling() -> set[str]:
    return set(podman("images", "-q", "--filter", "dangling=true").stdout.split())


def clean(keep: set[str]) -> None:
    """Remove what the recipe made: the container, volumes, secret, image and build stages."""
    podman("rm", "-f", "syncd")
    podman("secret", "rm", "strava_client_secret")
    podman("rm", "-f", "syncd_syncd_1")
    podman("volume", "rm", "-f", "syncd-state", "syncd_syncd-state")
    podman("network", "rm", "-f", "syncd_default")
    podman("rmi", "-f", "localhost/syncd:latest")
    for image in dangling() - keep:  # the build stage of the multi-stage build
        podman("rmi", "-f", image)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "container.md")
    parser.add_argument("--base", help="a local base image, when the official one cannot be pulled")
    args = parser.parse_args(argv)
    if leftovers():
        sys.exit(f"container: remove first: {', '.join(leftovers())} (podman rm/volume rm/secret rm)")
    work = Path(tempfile.mkdtemp(prefix="syncd-container-", dir="/var/tmp"))
    before = dangling()
    try:
        with world.Services() as services:
            run = ContainerRun(services, work, args.base)
            for line in [*recipe_lines(args.doc), *COMPOSE]:
                if not run.step(line):
                    break
            leaked = [s for s in services.secrets() if any(s in out for out in run.outputs)]
            if leaked:
                run.failures += 1
                run.say("FAIL", "(all output)", f"{len(leaked)} secret(s) in a command's output")
            print(f"container: {run.passed} passed, {run.failures} failed")
            return 1 if run.failures else 0
    finally:
        clean(before)
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
