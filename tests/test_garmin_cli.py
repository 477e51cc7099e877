"""`syncd connect garmin` / `syncd disconnect garmin` against the fake account: tokens saved,
never the password; MFA; the sign-in lockout kept in the state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.garmin_fake import FakeGarmin, GarminAccount
from garminconnect import GarminConnectConnectionError, GarminConnectTooManyRequestsError

import syncd.cli_garmin  # registers the commands
from syncd.cli import build_parser, load_config, main
from syncd.errors import RateLimited, SyncdError, Unavailable
from syncd.providers.garmin import GarminProvider, lock_logins
from syncd.store import Store
from syncd.tokens import token_store

NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse"


@pytest.fixture
def argv(tmp_path: Path) -> list[str]:
    config = tmp_path / "config.toml"
    config.write_text("""
[garmin]
email = "sam@example.org"

[[athletes]]
name = "sam"
timezone = "Europe/Amsterdam"
providers = ["garmin"]
""")
    return ["--config", str(config), "--state-dir", str(tmp_path / "state")]


@pytest.fixture
def account() -> GarminAccount:
    return GarminAccount(password=PASSWORD)


class Runner:
    """Answers the prompts of one `connect` and remembers which were asked."""

    def __init__(self, account: GarminAccount, password: str = PASSWORD, *, email: str = "",
                 mfa: str = "") -> None:
        self.account, self.password, self.email, self.mfa = account, password, email, mfa
        self.asked: list[str] = []

    def ask(self, prompt: str) -> str:
        self.asked.append(prompt)
        return self.mfa if "MFA" in prompt else self.email

    def ask_password(self, prompt: str) -> str:
        self.asked.append(prompt)
        return self.password

    def client(self, email: str, password: str, prompt_mfa: Callable[[], str]) -> FakeGarmin:
        self.used_email = email
        return FakeGarmin(self.account, email, password, prompt_mfa)


def connect(argv: list[str], runner: Runner, *extra: str, now: datetime = NOW) -> int:
    args = build_parser().parse_args(["connect", "garmin", "--athlete", "sam", *argv, *extra])
    return syncd.cli_garmin.cmd_connect(args, login_client=runner.client, ask=runner.ask,
                                        ask_password=runner.ask_password, clock=lambda: now)


def account_row(argv: list[str]) -> tuple[str, str]:
    with Store(Path(argv[3])) as store:
        row = store.conn.execute("SELECT external_id, status FROM accounts WHERE athlete = 'sam' "
                                 "AND provider = 'garmin'").fetchone()
    return row["external_id"], row["status"]


def test_connect_saves_only_the_tokens(argv: list[str], account: GarminAccount,
                                       capsys: pytest.CaptureFixture[str],
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    runner = Runner(account)
    assert connect(argv, runner) == 0
    assert runner.used_email == "sam@example.org"  # from the [garmin] table
    assert runner.asked == ["Garmin password for sam@example.org: "]
    assert token_store().load("garmin", "sam") == {"session": account.session()}
    assert account_row(argv) == ("81234567", "active")
    out, err = capsys.readouterr()
    assert "Connected Garmin Connect for sam (Garmin profile 81234567)." in out
    token_files = list((Path(argv[3]).parent / "xdg-config" / "syncd" / "tokens").iterdir())
    state = b"".join(p.read_bytes() for p in Path(argv[3]).iterdir() if p.is_file())
    for text in (out, err, caplog.text, *(p.read_text() for p in token_files)):
        assert PASSWORD not in text
    assert PASSWORD.encode() not in state
    assert b"access-token" not in state  # tokens live in the token store, never in the state


def test_connect_with_mfa(argv: list[str], account: GarminAccount) -> None:
    account.mfa_code = "482913"
    runner = Runner(account, mfa="482913")
    assert connect(argv, runner) == 0
    assert runner.asked[-1] == "Garmin MFA code: "
    assert token_store().load("garmin", "sam") is not None


def test_a_wrong_mfa_code_or_password_saves_nothing(argv: list[str], account: GarminAccount) -> None:
    account.mfa_code = "482913"
    with pytest.raises(SyncdError, match="did not accept the password or MFA code"):
        connect(argv, Runner(account, mfa="000000"))
    with pytest.raises(SyncdError, match="did not accept"):
        connect(argv, Runner(account, "wrong horse"))
    assert token_store().load("garmin", "sam") is None


def test_the_email_option_and_the_password_reference(argv: list[str], account: GarminAccount,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(argv[1])
    config.write_text(config.read_text().replace('email = "sam@example.org"',
                                                 'password = "env:GARMIN_PASSWORD"'))
    monkeypatch.setenv("GARMIN_PASSWORD", PASSWORD)
    runner = Runner(account)
    assert connect(argv, runner, "--email", "other@example.org") == 0
    assert runner.used_email == "other@example.org" and runner.asked == []  # nothing typed
    runner = Runner(account, email="typed@example.org")
    assert connect(argv, runner) == 0  # no --email and none configured: asked for
    assert runner.used_email == "typed@example.org" and runner.asked == ["Garmin e-mail: "]


def test_a_login_429_locks_sign_ins_for_six_hours_across_restarts(argv: list[str],
                                                                  account: GarminAccount) -> None:
    account.login_faults = [GarminConnectTooManyRequestsError("Too many login attempts.")]
    with pytest.raises(RateLimited, match=r"Garmin rate-limits logins: try again after 20:00 "
                                          r"\(Europe/Amsterdam\)") as caught:
        connect(argv, Runner(account))
    assert caught.value.retry_at == NOW + timedelta(hours=6)
    assert caught.value.exit_code == 75

    with Store(Path(argv[3])) as fresh:  # a new process reads the lockout from the state
        assert fresh.provider_value("garmin", "login_lockout:sam") == "2024-06-03T18:00:00+00:00"
        config = load_config(build_parser().parse_args(["status", *argv]))
        with pytest.raises(RateLimited):  # the daemon leaves the account alone too
            GarminProvider.create(config, config.athlete("sam"), fresh, clock=lambda: NOW)

    runner = Runner(account)
    with pytest.raises(RateLimited, match="try again after 20:00"):
        connect(argv, runner, now=NOW + timedelta(hours=5))
    assert account.logins == 1 and runner.asked == []  # no second attempt, no password asked

    assert connect(argv, Runner(account), now=NOW + timedelta(hours=6, minutes=1)) == 0
    with Store(Path(argv[3])) as fresh:
        assert fresh.provider_value("garmin", "login_lockout:sam") is None


def test_the_lockout_through_the_command_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with Store(Path(argv[3])) as store:
        lock_logins(store, "sam", datetime.now(UTC))
    assert main(["connect", "garmin", "--athlete", "sam", *argv]) == 75
    assert "syncd: Garmin rate-limits logins: try again after" in capsys.readouterr().err


def test_a_connection_failure_never_echoes_the_password(argv: list[str], account: GarminAccount) -> None:
    account.login_faults = [GarminConnectConnectionError(f"Login failed: form had {PASSWORD}")]
    with pytest.raises(Unavailable) as caught:
        connect(argv, Runner(account))
    assert PASSWORD not in str(caught.value) and "****" in str(caught.value)


def test_garmintokens_in_the_environment_is_refused(argv: list[str], account: GarminAccount,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARMINTOKENS", "~/.garminconnect")
    with pytest.raises(SyncdError, match="unset GARMINTOKENS"):
        connect(argv, Runner(account))
    assert account.logins == 0


def test_disconnect_deletes_the_tokens(argv: list[str], account: GarminAccount,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    connect(argv, Runner(account))
    assert main(["disconnect", "garmin", "--athlete", "sam", *argv]) == 0
    assert "tokens deleted" in capsys.readouterr().out
    assert token_store().load("garmin", "sam") is None
    assert account_row(argv) == ("81234567", "disconnected")
    assert main(["disconnect", "garmin", "--athlete", "sam", *argv]) == 0
    assert "nothing to delete" in capsys.readouterr().out


def test_both_providers_share_the_connect_group() -> None:
    import syncd.cli_strava  # noqa: F401  (registered by cli.py too)

    parser: Any = build_parser()
    for provider in ("strava", "garmin"):
        assert parser.parse_args(["connect", provider, "--athlete", "sam"]).func.__module__ \
            == f"syncd.cli_{provider}"
