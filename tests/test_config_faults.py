"""Configs that used to pass `config validate` and fail later, or fail with the wrong words
(issues 10 and 13): each gives exit 78 naming the key, never the value of a secret, never a
traceback; and `config validate` checks what only the machine can tell (references, push
URLs) offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.cli import main

HEAD = '[strava]\nclient_id = 31415\nclient_secret = "env:STRAVA_SECRET"\n'
ATHLETE = '\n[[athletes]]\nname = "sam"\nproviders = ["strava"]\n'


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STRAVA_SECRET", "s3cr3t-value-for-tests")
    monkeypatch.setattr("syncd.paths.SYSTEM_CREDENTIALS", tmp_path / "no-credentials", raising=False)


def run(tmp_path: Path, text: str | bytes, capsys: pytest.CaptureFixture[str], *cmd: str) -> tuple[int, str]:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    code = main([*(cmd or ("config", "validate")), "--config", str(path), "--state-dir", str(tmp_path / "s")])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    ("text", "key", "never"),
    [
        (
            HEAD.replace('"env:STRAVA_SECRET"', "736251983746") + ATHLETE,
            "strava.client_secret",
            "736251983746",
        ),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML", None),
        ('[daemon]\npoll_interval = "99999999999h"\n' + HEAD + ATHLETE, "daemon.poll_interval", None),
        ('[daemon]\npoll_interval = "' + "9" * 5000 + 'h"\n' + HEAD + ATHLETE, "daemon.poll_interval", None),
        ('[daemon]\npoll_interval = "25h"\n' + HEAD + ATHLETE, "at least once a day", None),
        ('[daemon]\nwebhook_listen = "127.0.0.1:99999"\n' + HEAD + ATHLETE, "daemon.webhook_listen", None),
        ('[daemon]\nwebhook_listen = "127.0.0.1:0"\n' + HEAD + ATHLETE, "1 to 65535", None),
        (
            '[daemon]\npoll_interval = "15m"\npoll_interval = "20m"\n' + HEAD + ATHLETE,
            "(poll_interval)",
            None,
        ),
        ('[daemon]\nstate_dir = "relative/dir"\n' + HEAD + ATHLETE, "daemon.state_dir", None),
        (HEAD + ATHLETE + 'digest = "sunday 7pm"\n', "'sun 19:00'", None),
        ("[garmin]\npassword = 123456789\n" + HEAD + ATHLETE, "garmin.password", "123456789"),
    ],
)
def test_a_broken_config_names_the_key_exits_78_and_never_echoes_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str, never: str | None
) -> None:
    code, out = run(tmp_path, text, capsys)
    assert code == 78, out
    assert key in out, out
    assert "Traceback" not in out
    assert "^(" not in out  # no raw regular expression
    if never:
        assert never not in out, out


def test_a_utf8_byte_order_mark_is_no_reason_to_refuse_a_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, "\ufeff" + HEAD + ATHLETE, capsys)
    assert (code, "valid (1 athlete(s))" in out) == (0, True), out


def test_a_file_in_latin_1_is_named_as_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(tmp_path, '[daemon]\ntimezone = "Europe/Z\xfcrich"\n'.encode("latin-1"), capsys)
    assert code == 78 and "utf-8" in out, out


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ('notify = ["nope://x"]', "athletes[0].notify[0]", "apprise cannot use"),
        ('notify = ["env:NOPE_NOT_SET"]', "athletes[0].notify[0]", "NOPE_NOT_SET is not set"),
        ('notify = ["keyring:push"]', "athletes[0].notify[0]", "keyring"),
        ('notify = ["ntfys://ntfy.example.org/sam-running"]', "athletes[0].notify[0]", "sample's example"),
    ],
)
def test_validate_resolves_every_reference_and_parses_every_push_url(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: str,
    key: str,
    words: str,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # a server's keyring
    code, out = run(tmp_path, HEAD + ATHLETE + extra + "\n", capsys)
    assert code == 78, out
    assert f"{key}: " in out and words in out, out


def test_validate_refuses_an_unresolvable_client_secret_and_an_athlete_with_nothing_to_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD.replace("env:STRAVA_SECRET", "credential:strava_client_secret") + ATHLETE
    code, out = run(tmp_path, text.replace('providers = ["strava"]', "providers = []"), capsys)
    assert code == 78
    assert "strava.client_secret: credential:strava_client_secret: no file" in out
    assert "athletes[0].providers: empty" in out


def test_validate_of_a_good_config_with_a_working_push_url_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, HEAD + ATHLETE + 'notify = ["json://127.0.0.1:9/sam"]\n', capsys)
    assert code == 0, out


def test_run_refuses_a_webhook_port_that_is_taken_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, out = run(
            tmp_path, f'[daemon]\nwebhook_listen = "127.0.0.1:{port}"\n' + HEAD + ATHLETE, capsys, "run"
        )
    assert code == 78, out
    assert "daemon.webhook_listen" in out and "Traceback" not in out
