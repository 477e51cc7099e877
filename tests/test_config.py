"""Config loading: every error names the file, the key path and the fix, and exits 78."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from syncd.cli import main
from syncd.config_sample import sample

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
[daemon]
timezone = "Europe/Amsterdam"

[strava]
client_id = 31415
client_secret = "env:STRAVA_SECRET"

[[athletes]]
name = "sam"
providers = ["strava"]
notify = ["ntfys://ntfy.example.org/sam"]
quiet_hours = "22:00-07:00"
"""


@pytest.fixture(autouse=True)
def _strava_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """GOOD's secret reference resolves (validate checks that it does); credential: references
    look in no real /etc/syncd/credentials."""
    monkeypatch.setenv("STRAVA_SECRET", "not-a-real-secret")
    monkeypatch.setattr("syncd.paths.SYSTEM_CREDENTIALS", tmp_path / "no-credentials", raising=False)


def validate(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    code = main(["config", "validate", "--config", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_good_config_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, GOOD, capsys)
    assert code == 0
    assert "valid (1 athlete(s))" in out


@pytest.mark.parametrize(
    ("change", "key", "hint"),
    [
        (('name = "sam"', 'name = "sam"\nnotfy = []'), "athletes[0].notfy", "unknown key"),
        (
            ('notify = ["ntfys://ntfy.example.org/sam"]', 'notify = ["ntfys://x", 3]'),
            "athletes[0].notify[1]",
            "valid string",
        ),
        (
            ('client_secret = "env:STRAVA_SECRET"', 'client_secret = "abc123supersecret"'),
            "strava.client_secret",
            "env:NAME",
        ),
        (('timezone = "Europe/Amsterdam"', 'timezone = "Mars/Olympus"'), "daemon.timezone", "IANA name"),
        (('quiet_hours = "22:00-07:00"', 'quiet_hours = "late"'), "athletes[0].quiet_hours", "HH:MM-HH:MM"),
        (('providers = ["strava"]', 'providers = ["polar"]'), "athletes[0].providers[0]", "'polar'"),
        (("client_id = 31415", 'client_id = "twelve"'), "strava.client_id", "integer"),
        (("[daemon]", '[daemon]\npoll_interval = "soon"'), "daemon.poll_interval", "'15m'"),
        (("[strava]", '[strava]\ntoken = "abc"'), "strava.token", "env:NAME"),
        (
            ("client_id = 31415", 'client_id = 31415\nbase_url = "http://strava.example.com"'),
            "strava.base_url",
            "loopback",
        ),
        (('name = "sam"', 'name = "Sam Smith"'), "athletes[0].name", "a-z, 0-9, - and _"),
        (
            ('name = "sam"', 'name = "sam"\nsuspect = { fastest_pace = "2.30" }'),
            "athletes[0].suspect.fastest_pace",
            "minutes:seconds per km",
        ),
        (
            ('name = "sam"', 'name = "sam"\nsuspect = { fastest_pace = "9:00", slowest_pace = "8:00" }'),
            "athletes[0].suspect",
            "quicker",
        ),
    ],
)
def test_each_error_names_the_key_and_exits_78(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], key: str, hint: str
) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    code, out = validate(tmp_path, text, capsys)
    assert code == 78
    assert str(tmp_path / "config.toml") in out
    assert f"{key}:" in out
    assert hint in out
    assert "Traceback" not in out


def test_literal_secret_is_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, GOOD.replace("env:STRAVA_SECRET", "s3cr3t-value-123"), capsys)
    assert code == 78
    assert "s3cr3t-value-123" not in out


def test_broken_toml_gives_line_and_78(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, GOOD + "\n[athletes\n", capsys)
    assert code == 78
    assert "not valid TOML" in out and "line" in out


def test_missing_named_file_says_how_to_create_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "validate", "--config", str(tmp_path / "nope.toml")])
    err = capsys.readouterr().err
    assert code == 78
    assert "syncd config sample >" in err


def test_duplicate_athletes_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, GOOD + '\n[[athletes]]\nname = "sam"\n', capsys)
    assert code == 78 and "unique" in out


def test_config_path_from_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text(GOOD)
    monkeypatch.setenv("SYNCD_CONFIG", str(path))
    assert main(["config", "validate"]) == 0
    assert str(path) in capsys.readouterr().out


def test_xdg_config_home_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "xdg" / "syncd" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert main(["config", "validate"]) == 0
    assert str(path) in capsys.readouterr().out


def test_example_config_is_generated_from_the_models() -> None:
    assert (ROOT / "config.example.toml").read_text() == sample(), (
        "config.example.toml is stale: run `syncd config sample > config.example.toml`"
    )


def test_the_unedited_sample_parses_but_validate_names_what_is_left_to_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from syncd.config import parse

    parse(tomllib.loads(sample()), "sample")  # every key and value of the sample is one syncd takes
    code, out = validate(tmp_path, sample(), capsys)
    assert code == 78, out
    assert "strava.client_id: still the sample's 12345" in out
    assert "athletes[0].notify[0]: still the sample's example address" in out
    assert "strava.client_secret: credential:strava_client_secret" in out  # no such file here
