"""The service install's own places (issue 13): `syncd config init`, credentials read from
/etc/syncd/credentials, the state directory of a system install, the refusal to work on
another user's state, and a state that cannot be used said in one line, never a traceback.

The system paths (/etc/syncd, /var/lib/syncd) are pointed into the test's directory; the
whole recipe on the real paths, as a real `syncd` user, is scripts/test-service.sh."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.cli import main

GOOD = (
    '[strava]\nclient_id = 31415\nclient_secret = "credential:strava_client_secret"\n\n'
    '[[athletes]]\nname = "sam"\nproviders = ["strava"]\n'
)


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """/etc/syncd and /var/lib/syncd, inside the test's directory."""
    root = tmp_path / "root"
    monkeypatch.setattr("syncd.paths.SYSTEM_CONFIG", root / "etc/syncd/config.toml")
    monkeypatch.setattr("syncd.paths.SYSTEM_STATE", root / "var/lib/syncd")
    monkeypatch.setattr("syncd.paths.SYSTEM_CREDENTIALS", root / "etc/syncd/credentials")
    monkeypatch.delenv("XDG_CONFIG_HOME")  # so that the /etc config is the one found
    return root


def out_of(capsys: pytest.CaptureFixture[str]) -> str:
    got = capsys.readouterr()
    return got.out + got.err


def test_config_init_as_root_writes_the_service_config_for_the_syncd_group(
    system: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("syncd.cli.configure._service_group", lambda: os.getgid())
    monkeypatch.setattr("os.chown", lambda path, uid, gid: None)  # root:syncd needs real root
    assert main(["config", "init"]) == 0
    path = system / "etc/syncd/config.toml"
    said = out_of(capsys)
    assert f"wrote {path} (0640, group syncd)" in said
    assert "[strava] client_id" in said and "credentials/strava_client_secret" in said
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert 'state_dir = "/var/lib/syncd"' in path.read_text()
    path.write_text("# mine\n")
    assert main(["config", "init"]) == 1  # never over an existing file
    assert "exists already" in out_of(capsys) and path.read_text() == "# mine\n"
    assert main(["config", "init", "--force"]) == 0
    assert path.read_text().startswith("# syncd configuration")


def test_config_init_for_a_user_creates_the_directory_and_a_private_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert main(["config", "init"]) == 0
    path = tmp_path / "xdg-config" / "syncd" / "config.toml"
    assert f"wrote {path} (0600)" in out_of(capsys)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "# state_dir =" in path.read_text()  # a user's state stays in ~/.local/state
    assert main(["config", "init", "--path", str(tmp_path / "other.toml")]) == 0
    assert (tmp_path / "other.toml").exists()


def test_a_credential_without_credentials_directory_is_read_from_etc_syncd_credentials(
    system: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syncd.errors import ConfigError
    from syncd.secrets import resolve

    with pytest.raises(ConfigError) as missing:
        resolve("credential:strava_client_secret")
    where = system / "etc/syncd/credentials/strava_client_secret"
    assert f"no file {where}" in str(missing.value) and "-m 0640 -g syncd" in str(missing.value)
    where.parent.mkdir(parents=True)
    where.write_text("from-the-file\n")
    assert resolve("credential:strava_client_secret") == "from-the-file"
    own = system.parent / "home" / ".config" / "syncd" / "credentials" / "strava_client_secret"
    monkeypatch.setenv("HOME", str(system.parent / "home"))
    own.parent.mkdir(parents=True)
    own.write_text("my-own")
    assert resolve("credential:strava_client_secret") == "my-own"  # a user's own comes first
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(system))  # systemd's, when set, wins
    with pytest.raises(ConfigError, match="no credential strava_client_secret in"):
        resolve("credential:strava_client_secret")


def test_an_unreadable_credential_file_names_its_path_and_the_mode_it_needs(tmp_path: Path) -> None:
    secret = tmp_path / "credentials" / "strava_client_secret"
    secret.parent.mkdir()
    secret.write_text("hidden")
    secret.chmod(0o600)
    code = (
        "from syncd.secrets import resolve; from syncd.errors import ConfigError\n"
        "try: resolve('credential:strava_client_secret')\n"
        "except ConfigError as e: print(e)\n"
    )
    env = {**os.environ, "CREDENTIALS_DIRECTORY": str(secret.parent)}
    if os.geteuid() == 0:  # root reads any file: another owner's, and root without that power
        os.chown(secret, 65534, -1)
        lose = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    else:
        secret.chmod(0)
        lose = []
    done = subprocess.run([*lose, sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert f"{secret} cannot be read" in done.stdout, done.stdout + done.stderr
    assert "0640" in done.stdout and "hidden" not in done.stdout


def test_the_system_config_keeps_its_state_in_var_lib_syncd(
    system: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = system / "etc/syncd/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(GOOD)
    assert main(["status"]) == 0
    assert f"no state yet in {system / 'var/lib/syncd'}" in out_of(capsys)


def test_a_state_dir_key_and_state_directory_that_disagree_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "one"}"\n\n' + GOOD)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "two"))
    assert main(["status", "--config", str(config)]) == 78
    said = out_of(capsys)
    assert str(tmp_path / "one") in said and str(tmp_path / "two") in said
    assert main(["status", "--config", str(config), "--state-dir", str(tmp_path / "three")]) == 78
    monkeypatch.delenv("STATE_DIRECTORY")
    assert main(["status", "--config", str(config)]) == 0
    assert f"no state yet in {tmp_path / 'one'}" in out_of(capsys)


def _owned_by_someone_else(directory: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make `directory` another user's: nobody's when the tests run as root, else pretend
    to be root (the directory stays the test user's)."""
    import pwd

    directory.mkdir(parents=True)
    if os.geteuid() == 0:
        os.chown(directory, pwd.getpwnam("nobody").pw_uid, -1)
        return "nobody"
    owner = pwd.getpwuid(os.geteuid()).pw_name
    monkeypatch.setattr("os.geteuid", lambda: 0)
    return owner


@pytest.mark.parametrize(
    "command", [["status"], ["sync"], ["import", "--athlete", "sam", "--sample"], ["run"]]
)
def test_root_on_a_state_directory_of_another_user_is_told_to_run_as_that_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    state = tmp_path / "state"
    owner = _owned_by_someone_else(state, monkeypatch)
    config = tmp_path / "config.toml"
    config.write_text(GOOD)
    argv = ["--state-dir", str(state), *command, "--config", str(config)]
    assert main(argv) == 78
    said = out_of(capsys)
    assert f"run it as that user: sudo -u {owner} syncd --state-dir {state} {command[0]}" in said, said
    assert list(state.iterdir()) == []  # nothing created in it


def test_a_state_that_cannot_be_used_is_one_line_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("")
    newer = tmp_path / "newer"
    newer.mkdir()
    with sqlite3.connect(newer / "syncd.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "syncd.sqlite3").write_bytes(b"not a database at all" * 100)
    config = tmp_path / "config.toml"
    config.write_text(GOOD)
    for state, words in ((afile, "is a file"), (newer, "schema version 99"), (broken, "restore it")):
        for command in (["status"], ["check", "--athlete", "sam"], ["run"]):
            code = main(["--state-dir", str(state), "--config", str(config), *command])
            said = out_of(capsys)
            assert code == 78, (command, said)
            assert words in said and "Traceback" not in said and len(said.strip().splitlines()) == 1, said
