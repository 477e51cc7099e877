"""Run docs/service.md's recipe to the letter, as a new self-hoster would, and check what they
would notice: a real `syncd` system user, a fresh clone of this repository, `make install`,
the config, the secret, the unit checked by `systemd-analyze verify`, `syncd connect` through
the local fake Strava (this program plays the browser), a test push and a first sync that
writes a note and pushes a warning to a local receiver. `systemctl` lines are not run (no
booted systemd here); the service's own start is imitated instead: `syncd run` as the unit
would start it, until its first pass is done, then SIGTERM.

    sudo python3 tests/service/recipe.py [--phase1] [--doc docs/service.md] [--source DIR]

Run as root; scripts/test-service.sh installs what the machine lacks first. Nothing is left
behind (world.py). Exit 0 when every step and check passed; with --phase1, the steps in
PENDING must fail as listed (today's equivalent runs instead), and one that passes is an
error too, so the list stays true.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import checks
import world

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- service-recipe -->"
# Steps that need syncd changes (docs/service.md, "Status of each step"): line prefix -> today's
# equivalent. --phase1 runs the equivalent after checking that the step itself still fails.
TODAY_ENV = "sudo -u syncd env STATE_DIRECTORY=/var/lib/syncd CREDENTIALS_DIRECTORY=/etc/syncd/credentials"
PENDING = {
    "sudo syncd config init": "syncd config sample | sudo install -D -m 0640 -g syncd /dev/stdin "
    "/etc/syncd/config.toml",
    "sudo -u syncd syncd connect": f"{TODAY_ENV} syncd connect strava --athlete sam --paste",
    "sudo -u syncd syncd sync": f"{TODAY_ENV} syncd sync",
    "sudo -u syncd syncd status": f"{TODAY_ENV} syncd status",
}


def recipe_lines(doc: Path) -> list[str]:
    """The shell lines of the fenced block after the recipe marker, comments kept."""
    text = doc.read_text()
    if MARK not in text:
        sys.exit(f"recipe: {doc} has no {MARK} block")
    block = re.search(r"```sh\n(.*?)```", text[text.index(MARK) :], re.S)
    assert block, f"{doc}: no ```sh block after {MARK}"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


class Run:
    """One run of the recipe: the steps' outcomes, printed as they happen."""

    def __init__(self, services: world.Services, source: Path, scratch: Path, phase1: bool) -> None:
        self.services, self.source, self.scratch, self.phase1 = services, source, scratch, phase1
        self.failures: list[str] = []
        self.passed = self.pending = 0
        self.outputs: list[str] = []
        edits = scratch / "edits.tsv"
        edits.write_text("".join(f"{old}\t{new}\n" for old, new in services.config_edits()))
        editor = f"{sys.executable} {Path(__file__).parent / 'edit_config.py'} {edits}"
        self.env = {  # root's shell on these machines: pyenv's shims first, as in issue 13
            "PATH": "/root/.pyenv/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "SUDO_EDITOR": editor,
        }

    def mask(self, text: str) -> str:
        for secret in self.services.secrets():
            text = text.replace(secret, "***")
        return text

    def say(self, mark: str, line: str, detail: str = "") -> None:
        self.passed += mark == "ok"
        self.pending += mark == "pending"
        print(f"[{mark}] {self.mask(line)}" + (f"\n      {self.mask(detail)}" if detail else ""), flush=True)

    def shell(self, line: str, browser: bool = False) -> subprocess.CompletedProcess[str]:
        """Run one line with bash as root, the way a person types it at a root-capable prompt."""
        line = line.replace("<this repository>", str(self.source))
        line = line.replace("your-secret", self.services.strava.client_secret)
        if browser:
            done = checks.connect_with_browser(line, self.env)
        else:
            done = subprocess.run(
                ["bash", "-c", line], env=self.env, capture_output=True, text=True, timeout=1200
            )
        self.outputs += [done.stdout, done.stderr]
        return done

    def step(self, line: str) -> None:
        if line.startswith("sudo systemctl"):
            self.say(
                "not run", line, "needs a booted systemd; imitated below (`syncd run` as the unit runs it)"
            )
            return
        if "Debian 12 only" in line and world.distro() != ("debian", "12"):
            self.say("not needed", line)
            return
        if line.startswith("sudo apt-get install"):
            checks.packages_present(line)  # installing inside the overlay would split dpkg from /usr
        pending = next((v for k, v in PENDING.items() if line.startswith(k)), None)
        started = time.monotonic()
        done = self.shell(line, browser="syncd connect strava" in line)
        problem = checks.after_step(line, done, self.services)
        took = f"{time.monotonic() - started:.1f} s"
        if pending and self.phase1:
            if not problem:
                said = done.stdout.strip()[:300]
                self.fail(
                    line, f"passes now ({took}; said {said!r}): remove it from PENDING and the docs' table"
                )
                return
            self.say("pending", line, f"fails as expected: {problem}; today's equivalent: {pending}")
            self.step_today(pending)
            return
        if problem:
            self.fail(line, problem)
            raise SystemExit(self.summary())
        said = [out for out in done.stdout.splitlines() if out.startswith(("install:", "build-python:"))]
        self.say("ok", line, " · ".join([took, *said]))

    def step_today(self, line: str) -> None:
        done = self.shell(line, browser="syncd connect strava" in line)
        problem = checks.after_step(line, done, self.services)
        if problem:
            self.fail(line, problem)
            raise SystemExit(self.summary())
        self.say("ok", line, "(today's equivalent)")

    def fail(self, line: str, problem: str) -> None:
        self.failures.append(line)
        self.say("FAIL", line, problem)

    def summary(self) -> int:
        leaked = [s for s in self.services.secrets() if any(s in out for out in self.outputs)]
        if leaked:
            self.fail("(all output)", f"{len(leaked)} secret(s) appeared in a command's output")
        if self.pending:
            print(f"recipe: {self.pending} steps wait for syncd changes; today's equivalents ran instead")
        print(f"recipe: {self.passed} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "service.md")
    parser.add_argument("--source", type=Path, default=ROOT, help="the repository to clone")
    parser.add_argument("--phase1", action="store_true", help="expect PENDING's steps to fail")
    parser.add_argument("--no-service", action="store_true", help="skip imitating the unit's start")
    args = parser.parse_args(argv[1:])
    world.enter_namespace(argv)
    lines = recipe_lines(args.doc)
    scratch = world.overlay_system()
    try:
        with world.Services() as services:
            run = Run(services, args.source.resolve(), scratch, args.phase1)
            for line in lines:
                run.step(line)
            for name, problem in checks.final(services, run, not args.no_service):
                if problem:
                    run.fail(name, problem)
                else:
                    run.say("ok", name)
            return run.summary()
    finally:
        world.remove_scratch(scratch)


if __name__ == "__main__":
    sys.exit(main([str(Path(__file__).resolve()), *sys.argv[1:]]))
