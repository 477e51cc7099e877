"""Run docs/service.md's recipe to the letter, as a new self-hoster would, and check what they
would notice: a real `syncd` system user, a fresh clone of this repository, `make install`,
the config, the secret, the unit checked by `systemd-analyze verify`, `syncd connect` through
the local fake Strava (this program plays the browser), a test push and a first sync that
writes a note and pushes a warning to a local receiver. `systemctl` lines are not run (no
booted systemd here); the service's own start is imitated instead: `syncd run` as the unit
would start it, until its first pass is done, then SIGTERM.

    sudo python3 tests/service/recipe.py [--python build|copy] [--doc docs/service.md] [--source DIR]

Run as root; scripts/test-service.sh installs what the machine lacks first. Nothing is left
behind (world.py). Exit 0 when every step and check passed.

On Debian 12 the recipe gets its Python 3.13 one of the two ways docs/service.md gives:
`--python build` (the default) runs the recipe's build-python.sh line, which builds CPython
from source (4 to 8 minutes); `--python copy` runs the documented alternative instead
(`build-python.sh --copy`, a build the machine already has, here pyenv's, copied to /opt:
seconds), which is what CI does.
"""

from __future__ import annotations

import argparse
import inspect
import re
import subprocess
import sys
import time
from pathlib import Path

import checks
import user
import world

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- service-recipe -->"
COPY_MARK = "<!-- service-recipe-python-copy -->"
USER_MARK = "<!-- user-recipe -->"
BUILD_LINE = "sudo sh /opt/syncd/src/scripts/build-python.sh"


def recipe_lines(doc: Path, mark: str = MARK) -> list[str]:
    """The shell lines of the fenced block after a marker, comments kept."""
    text = doc.read_text()
    if mark not in text:
        sys.exit(f"recipe: {doc} has no {mark} block")
    block = re.search(r"```sh\n(.*?)```", text[text.index(mark) :], re.S)
    assert block, f"{doc}: no ```sh block after {mark}"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def with_python(lines: list[str], doc: Path, how: str) -> list[str]:
    """The recipe with its interpreter step as chosen: the build line itself, or the documented
    copy of a build the machine has (pyenv's newest 3.12+ in place of the docs' example)."""
    if how == "build":
        return lines
    [copy] = recipe_lines(doc, COPY_MARK)
    found = sorted(Path("/root/.pyenv/versions").glob("3.1[2-9]*"), key=lambda p: p.name.split("."))
    if not found:
        sys.exit("recipe: --python copy needs a Python 3.12+ under /root/.pyenv/versions")
    copy = re.sub(r"~/\.pyenv/versions/\S+", str(found[-1]), copy)
    return [copy if line.startswith(BUILD_LINE) else line for line in lines]


class Run:
    """One run of the recipe: the steps' outcomes, printed as they happen."""

    def __init__(self, services: world.Services, source: Path, scratch: Path, as_user: bool = False) -> None:
        self.services, self.source, self.scratch, self.as_user = services, source, scratch, as_user
        self.failures: list[str] = []
        self.passed = 0
        self.outputs: list[str] = []
        edits = scratch / ("user-edits.tsv" if as_user else "edits.tsv")
        edits.write_text("".join(f"{old}\t{new}\n" for old, new in services.config_edits()))
        edits.chmod(0o644)  # the user's editor reads it
        # the editor runs as the recipe's user, who may not read this checkout (a clone in a
        # private temporary directory): a copy of it goes beside the edits
        script = scratch / ("user-editor.py" if as_user else "editor.py")
        script.write_text(
            "import sys\nfrom pathlib import Path\n\n\n"
            + inspect.getsource(world.edit_config)
            + "\n\nedit_config(Path(sys.argv[2]), Path(sys.argv[1]))\n"
        )
        script.chmod(0o644)
        editor = f"{sys.executable} {script} {edits}"
        self.env = {  # root's shell on these machines: pyenv's shims first, as in issue 13
            "PATH": "/root/.pyenv/shims:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "SUDO_EDITOR": editor,
            "EDITOR": editor,
        }
        self.table = user.STEP_CHECKS if as_user else None

    def mask(self, text: str) -> str:
        for secret in self.services.secrets():
            text = text.replace(secret, "***")
        return text

    def say(self, mark: str, line: str, detail: str = "") -> None:
        self.passed += mark == "ok"
        print(f"[{mark}] {self.mask(line)}" + (f"\n      {self.mask(detail)}" if detail else ""), flush=True)

    def shell(self, line: str, browser: bool = False) -> subprocess.CompletedProcess[str]:
        """Run one line with bash as root, the way a person types it at a root-capable prompt."""
        line = line.replace("<this repository>", str(self.source))
        line = line.replace("your-secret", self.services.strava.client_secret)
        argv = user.command(line) if self.as_user else ["bash", "-c", line]
        if browser:
            done = checks.connect_with_browser(line, argv, self.env)
        else:
            done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=1200)
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
        started = time.monotonic()
        done = self.shell(line, browser="syncd connect strava" in line)
        problem = checks.after_step(line, done, self.services, self.table)
        took = f"{time.monotonic() - started:.1f} s"
        if problem:
            self.fail(line, problem)
            raise SystemExit(self.summary())
        said = [out for out in done.stdout.splitlines() if out.startswith(("install:", "build-python:"))]
        self.say("ok", line, " · ".join([took, *said]))

    def fail(self, line: str, problem: str) -> None:
        self.failures.append(line)
        self.say("FAIL", line, problem)

    def check_leaks(self) -> None:
        leaked = [s for s in self.services.secrets() if any(s in out for out in self.outputs)]
        if leaked:
            self.fail("(all output)", f"{len(leaked)} secret(s) appeared in a command's output")
        self.outputs = []

    def summary(self) -> int:
        self.check_leaks()
        print(f"recipe: {self.passed} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "service.md")
    parser.add_argument("--source", type=Path, default=ROOT, help="the repository to clone")
    parser.add_argument(
        "--python", choices=("build", "copy"), default="build", help="Debian 12: build CPython, or copy one"
    )
    parser.add_argument("--no-service", action="store_true", help="skip imitating the unit's start")
    args = parser.parse_args(argv[1:])
    world.enter_namespace(argv)
    lines = with_python(recipe_lines(args.doc), args.doc, args.python)
    scratch = world.overlay_system()
    try:
        with world.Services() as services:
            run = Run(services, args.source.resolve(), scratch)
            for line in lines:
                run.step(line)
            for name, problem in checks.final(services, run, not args.no_service):
                if problem:
                    run.fail(name, problem)
                else:
                    run.say("ok", name)
            run.check_leaks()
            if run.failures:
                return run.summary()
        print("recipe: for yourself, as the login user `runner`", flush=True)
        user.create_user()
        with world.Services() as services:
            mine = Run(services, user.bundle(Path("/opt/syncd/src"), scratch), scratch, as_user=True)
            mine.passed = run.passed
            for line in recipe_lines(args.doc, USER_MARK):
                mine.step(line)
            return mine.summary()
    finally:
        world.remove_scratch(scratch)


if __name__ == "__main__":
    sys.exit(main([str(Path(__file__).resolve()), *sys.argv[1:]]))
