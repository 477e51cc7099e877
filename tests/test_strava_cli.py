"""`syncd connect/disconnect strava` and `syncd webhook ...` against the fake Strava, and the
promise that no token or secret ever reaches a log line or the terminal."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from fakes.strava_server import FakeStrava

from syncd.cli import accounts, build_parser, load_config, main
from syncd.errors import SyncdError
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.endpoint import WebhookApp, WebhookState, serve, verify_token_for
from syncd.store import Store
from syncd.tokens import token_store


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


@pytest.fixture
def argv(tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """--config and --state-dir for a config with athlete sam on the fake Strava."""
    monkeypatch.setenv("STRAVA_SECRET", fake.client_secret)
    config = tmp_path / "config.toml"
    config.write_text(f"""
[strava]
client_id = {fake.client_id}
client_secret = "env:STRAVA_SECRET"
base_url = "{fake.base_url}"

[[athletes]]
name = "sam"
providers = ["strava"]
notes = {{ strava = true }}
""")
    return ["--config", str(config), "--state-dir", str(tmp_path / "state")]


def connect(argv: list[str], *extra: str, tamper: str | None = None) -> int:
    """Run `syncd connect strava --athlete sam`, with the fake as the runner's browser."""
    args = build_parser().parse_args(["connect", "strava", "--athlete", "sam", *argv, *extra])
    landed: list[str] = []

    def browser(url: str) -> None:
        if "--paste" in extra:  # the runner copies the address the browser was sent to
            location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
            landed.append(location.replace("state=", f"state={tamper}") if tamper else location)
        else:  # the browser follows the redirect to the one-shot listener
            threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 5}, daemon=True).start()

    return accounts.cmd_connect(args, read=lambda: landed[0], opened=browser)


def account(argv: list[str]) -> tuple[str, str]:
    with Store(Path(argv[3])) as store:
        row = store.conn.execute(
            "SELECT external_id, status FROM accounts WHERE athlete = 'sam' AND provider = 'strava'"
        ).fetchone()
    return row["external_id"], row["status"]


@pytest.mark.parametrize("mode", [["--paste"], ["--timeout", "10"]])
def test_connect_saves_tokens_and_the_account(
    mode: list[str], argv: list[str], fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    assert connect(argv, *mode) == 0
    saved = token_store(Path(argv[3])).load("strava", "sam")
    assert saved is not None and saved["athlete_id"] == 1513
    assert saved["scope"] == fake.grant_scope and saved["access_token"] in fake.access
    assert account(argv) == ("1513", "active")
    out = capsys.readouterr().out
    assert "Connected Strava for sam (Strava athlete 1513)." in out
    assert "scope=activity:read_all,activity:write" in out and "Note:" not in out


def test_connect_without_write_permission_connects_without_notes(
    argv: list[str], fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.grant_scope = "read,activity:read_all"
    assert connect(argv, "--paste") == 0
    assert "cannot write notes" in capsys.readouterr().out
    assert token_store(Path(argv[3])).load("strava", "sam")["scope"] == "read,activity:read_all"  # type: ignore[index]


def test_connect_without_read_permission_is_refused(argv: list[str], fake: FakeStrava) -> None:
    fake.grant_scope = "read,activity:write"
    with pytest.raises(SyncdError, match="cannot work without it"):
        connect(argv, "--paste")
    assert token_store(Path(argv[3])).load("strava", "sam") is None
    assert fake.requests("/api/v3/oauth/token") == []  # the code was never even exchanged


def test_connect_refuses_a_redirect_with_another_state(argv: list[str], fake: FakeStrava) -> None:
    with pytest.raises(SyncdError, match="state does not match"):
        connect(argv, "--paste", tamper="forged")
    assert token_store(Path(argv[3])).load("strava", "sam") is None


def test_disconnect_revokes_and_deletes(
    argv: list[str], fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(argv, "--paste")
    assert main(["disconnect", "strava", "--athlete", "sam", *argv]) == 0
    assert "access revoked and tokens deleted" in capsys.readouterr().out
    assert token_store(Path(argv[3])).load("strava", "sam") is None
    assert len(fake.requests("/oauth/deauthorize")) == 1
    assert not next(iter(fake.refresh.values())).authorized
    assert account(argv) == ("1513", "disconnected")
    assert main(["disconnect", "strava", "--athlete", "sam", *argv]) == 0  # nothing left


def test_disconnect_deletes_tokens_even_when_strava_cannot_be_told(
    argv: list[str], fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(argv, "--paste")
    fake.fail_next("500", path="/oauth/deauthorize")
    assert main(["disconnect", "strava", "--athlete", "sam", *argv]) == 1
    err = capsys.readouterr().err
    assert "tokens are deleted anyway" in err and "strava.com/settings/apps" in err
    assert token_store(Path(argv[3])).load("strava", "sam") is None


def test_connect_needs_the_strava_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[athletes]]\nname = "sam"\n')
    assert main(["connect", "strava", "--athlete", "sam", "--paste", "--config", str(config)]) == 78
    assert "strava.client_id: required" in capsys.readouterr().err


def test_webhook_commands(argv: list[str], fake: FakeStrava, capsys: pytest.CaptureFixture[str]) -> None:
    state = WebhookState(Path(argv[3]) / "syncd.sqlite3", fake.client_id)
    Store(Path(argv[3])).close()
    server = serve(WebhookApp(verify_token_for(fake.client_secret), state, lambda e: None), port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/hook"
        assert main(["webhook", "status", *argv]) == 0
        assert "No webhook subscription" in capsys.readouterr().out
        assert main(["webhook", "subscribe", "--callback-url", url, *argv]) == 0
        ident = next(iter(fake.subscriptions))
        assert f"subscription {ident}" in capsys.readouterr().out
        assert state.subscription_id() == ident
        assert main(["webhook", "status", *argv]) == 0
        assert url in capsys.readouterr().out
        assert main(["webhook", "subscribe", "--callback-url", url, *argv]) == 75
        assert "already" in capsys.readouterr().err
        assert main(["webhook", "unsubscribe", *argv]) == 0
        assert f"Deleted subscription {ident}" in capsys.readouterr().out
        assert fake.subscriptions == {} and state.subscription_id() is None
    finally:
        server.close()
        thread.join(5)


def test_no_token_or_secret_in_logs_or_output(
    argv: list[str], fake: FakeStrava, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level("DEBUG")
    fake.add_activity(datetime.now(UTC) - timedelta(hours=2), description="Felt good")
    assert connect(argv, "--paste") == 0
    config = load_config(build_parser().parse_args(["status", *argv]), required=True)
    with Store(Path(argv[3])) as store:
        provider = StravaProvider.create(config, config.athlete("sam"), store)
        assert isinstance(provider, StravaProvider)
        fake.expire_access_tokens()
        saved = token_store(Path(argv[3])).load("strava", "sam")
        assert saved is not None
        token_store(Path(argv[3])).save("strava", "sam", {**saved, "expires_at": 0})
        pages = list(provider.fetch(None))
        assert pages[0].activities[0].description == "Felt good"
        block = "— syncd —\nfine"
        provider.write_note(
            pages[0].activities[0].provider_id,
            lambda d: (
                apply_block(d, block).description
                if apply_block(d, block).outcome is NoteOutcome.WRITE
                else None
            ),
        )
    assert main(["disconnect", "strava", "--athlete", "sam", *argv]) == 0
    secrets = [*fake.issued, fake.client_secret]
    assert len(secrets) == 6  # a code, two access and two refresh tokens, the client secret
    seen = caplog.text + "".join(capsys.readouterr())
    assert "GET /api/v3/athlete/activities" in caplog.text  # the log did record the calls
    leaked = [s for s in secrets if s in seen]
    assert leaked == []


def test_cli_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, syncd.cli, syncd.providers.strava.connect; syncd.cli.build_parser(); "
        "print([m for m in ('requests', 'stravalib', 'waitress', 'keyring', 'http.server') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_connect_strava_takes_its_own_options() -> None:
    parser = build_parser()
    args = parser.parse_args(["connect", "strava", "--athlete", "sam", "--paste", "--port", "8000"])
    assert args.func is accounts.cmd_connect and args.provider == "strava"
    assert args.paste and args.port == 8000
    with pytest.raises(SystemExit):
        parser.parse_args(["connect", "garmin", "--athlete", "sam", "--paste"])  # Strava's option only


def test_connect_explains_a_busy_port_and_an_empty_paste(argv: list[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        with pytest.raises(SyncdError, match=f"port {port}"):
            connect(argv, "--port", port)
    args = build_parser().parse_args(["connect", "strava", "--athlete", "sam", "--paste", *argv])

    def closed_stdin() -> str:
        raise EOFError

    with pytest.raises(SyncdError, match="nothing was pasted"):
        accounts.cmd_connect(args, read=closed_stdin)
