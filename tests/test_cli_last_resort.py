"""What the command line does with what goes wrong (issue 13, items 8 and 9): an error syncd
has no words for is one line pointing to -v, never a traceback; outputs that cannot be
written are refused before any work; the shell completion scripts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from syncd.cli import main

SAMPLE_STATE = ("import", "--athlete", "sam", "--sample")


def test_an_unexpected_error_is_one_line_that_points_to_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("ntfys://tk_secret123456@ntfy.example.org/topic")

    monkeypatch.setattr("syncd.status.render_status", broken)
    state = ["--state-dir", str(tmp_path / "s")]
    assert main([*SAMPLE_STATE, *state]) == 0
    capsys.readouterr()
    assert main(["status", *state]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "unexpected error (KeyError" in err and "with -v for the details" in err
    assert "tk_secret123456" not in err  # a push URL in the message is masked
    assert main(["-v", "status", *state]) == 70
    assert "Traceback (most recent call last)" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--png", "--html"])
def test_report_to_a_directory_that_does_not_exist_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    state = ["--state-dir", str(tmp_path / "s")]
    assert main([*SAMPLE_STATE, *state]) == 0
    capsys.readouterr()
    code = main(["report", "--athlete", "sam", option, "/nonexistent/dir/x.png", *state])
    err = capsys.readouterr().err
    assert code == 1 and "no directory /nonexistent/dir" in err and "Traceback" not in err, err


def _bash_complete(script: str, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _syncd; echo "${{COMPREPLY[@]}}"',
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_bash_completion_offers_the_commands_subcommands_and_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert _bash_complete(script, "syncd", "do") == ["doctor"]
    assert set(_bash_complete(script, "syncd", "config", "")) >= {"init", "validate", "sample"}
    assert "--paste" in _bash_complete(script, "syncd", "connect", "strava", "--")
    assert "--dry-run" in _bash_complete(script, "syncd", "-v", "sync", "--d")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_name_every_command(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    from syncd.cli import build_parser
    from syncd.cli.completion import _table

    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for path, (words, _) in _table(build_parser()).items():
        for word in words:
            assert word in script, (path, word)
    assert script.startswith("#compdef syncd" if shell == "zsh" else "# fish completion")
