"""`syncd connect garmin` / `syncd disconnect garmin` against the fake account: tokens saved,
never the password; MFA; the sign-in lockout kept in the state."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import garminconnect.client
import pytest
import responses
from fakes.garmin_fake import FakeGarmin, GarminAccount
from garminconnect import (
    GarminConnectAuthenticationError,
    GarminConnectConnectionError,
    GarminConnectTooManyRequestsError,
)
from test_garmin_library import CLIENT_ID, jwt

import syncd.providers.garmin.connect
from syncd.cli import accounts, build_parser, load_config, main
from syncd.errors import RateLimited, SyncdError, Unavailable
from syncd.providers.garmin import GarminProvider
from syncd.providers.garmin.auth import lock_logins
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

    def __init__(
        self, account: GarminAccount, password: str = PASSWORD, *, email: str = "", mfa: str = ""
    ) -> None:
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
    return accounts.cmd_connect(
        args, login_client=runner.client, ask=runner.ask, ask_password=runner.ask_password, clock=lambda: now
    )


def account_row(argv: list[str]) -> tuple[str, str]:
    with Store(Path(argv[3])) as store:
        row = store.conn.execute(
            "SELECT external_id, status FROM accounts WHERE athlete = 'sam' AND provider = 'garmin'"
        ).fetchone()
    return row["external_id"], row["status"]


def test_connect_saves_only_the_tokens(
    argv: list[str],
    account: GarminAccount,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    runner = Runner(account)
    assert connect(argv, runner) == 0
    assert runner.used_email == "sam@example.org"  # from the [garmin] table
    assert runner.asked == ["Garmin password for sam@example.org: "]
    assert token_store(Path(argv[3])).load("garmin", "sam") == {"session": account.session()}
    assert account_row(argv) == ("81234567", "active")
    out, err = capsys.readouterr()
    assert "Connected Garmin Connect for sam (Garmin profile 81234567)." in out
    token_files = list((Path(argv[3]) / "tokens").iterdir())
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
    assert token_store(Path(argv[3])).load("garmin", "sam") is not None


def test_a_wrong_mfa_code_or_password_saves_nothing(argv: list[str], account: GarminAccount) -> None:
    account.mfa_code = "482913"
    with pytest.raises(SyncdError, match="did not accept the password or MFA code"):
        connect(argv, Runner(account, mfa="000000"))
    with pytest.raises(SyncdError, match="did not accept"):
        connect(argv, Runner(account, "wrong horse"))
    assert token_store(Path(argv[3])).load("garmin", "sam") is None


def test_the_email_option_and_the_password_reference(
    argv: list[str], account: GarminAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Path(argv[1])
    config.write_text(
        config.read_text().replace('email = "sam@example.org"', 'password = "env:GARMIN_PASSWORD"')
    )
    monkeypatch.setenv("GARMIN_PASSWORD", PASSWORD)
    runner = Runner(account)
    assert connect(argv, runner, "--email", "other@example.org") == 0
    assert runner.used_email == "other@example.org" and runner.asked == []  # nothing typed
    runner = Runner(account, email="typed@example.org")
    assert connect(argv, runner) == 0  # no --email and none configured: asked for
    assert runner.used_email == "typed@example.org" and runner.asked == ["Garmin e-mail: "]


def test_a_login_429_locks_sign_ins_for_six_hours_across_restarts(
    argv: list[str], account: GarminAccount
) -> None:
    account.login_faults = [GarminConnectTooManyRequestsError("Too many login attempts.")]
    with pytest.raises(
        RateLimited,
        match=r"Garmin rate-limits logins: try again after 20:00 "
        r"\(Europe/Amsterdam\)",
    ) as caught:
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


def test_garmintokens_in_the_environment_is_refused(
    argv: list[str], account: GarminAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GARMINTOKENS", "~/.garminconnect")
    with pytest.raises(SyncdError, match="unset GARMINTOKENS"):
        connect(argv, Runner(account))
    assert account.logins == 0


def test_disconnect_deletes_the_tokens(
    argv: list[str], account: GarminAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(argv, Runner(account))
    assert main(["disconnect", "garmin", "--athlete", "sam", *argv]) == 0
    assert "tokens deleted" in capsys.readouterr().out
    assert token_store(Path(argv[3])).load("garmin", "sam") is None
    assert account_row(argv) == ("81234567", "disconnected")
    assert main(["disconnect", "garmin", "--athlete", "sam", *argv]) == 0
    assert "nothing to delete" in capsys.readouterr().out


def test_both_providers_share_the_connect_group() -> None:
    parser: Any = build_parser()
    for provider in ("strava", "garmin"):
        args = parser.parse_args(["connect", provider, "--athlete", "sam"])
        assert args.func is accounts.cmd_connect and args.provider == args.connect_provider == provider
    assert parser.parse_args(["connect", "garmin", "--athlete", "sam", "--email", "a@b"]).email == "a@b"


# -- what a sign-in that half worked leaves behind ----------------------------------------------


def test_a_sign_in_without_a_di_token_saves_nothing(
    argv: list[str], account: GarminAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    account.di_exchange_fails = True  # the library fell back to a browser cookie
    with pytest.raises(SyncdError, match=r"only a browser session .* nothing was saved"):
        connect(argv, Runner(account))
    assert token_store(Path(argv[3])).load("garmin", "sam") is None
    with Store(Path(argv[3])) as store:
        assert store.conn.execute("SELECT 1 FROM accounts").fetchone() is None


def test_a_failing_profile_read_still_connects(
    argv: list[str], account: GarminAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    account.faults = [503]  # the profile read after the sign-in
    assert connect(argv, Runner(account)) == 0
    assert token_store(Path(argv[3])).load("garmin", "sam") == {"session": account.session()}
    assert account_row(argv) == (None, "active")
    out, err = capsys.readouterr()
    assert "Connected Garmin Connect for sam." in out
    assert "could not read the Garmin profile" in err and account.logins == 1


# -- the real library: Client.login and its strategies patched, HTTP mocked -------------------------

API = "https://connectapi.garmin.com"


def real_client(email: str, password: str, prompt: Callable[[], str]) -> Any:
    return syncd.providers.garmin.connect.garmin_client(email, password, prompt)


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(["connect", "garmin", "--athlete", "sam", *argv])
    return accounts.cmd_connect(
        args,
        login_client=real_client,
        ask=lambda p: "123456",
        ask_password=lambda p: PASSWORD,
        clock=lambda: NOW,
    )


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def test_a_5xx_on_the_profile_after_a_good_sign_in_is_no_wrong_password(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, no_sleep: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logins = []

    def signed_in(
        self: Any, email: str, password: str, prompt_mfa: Any = None, return_on_mfa: bool = False
    ) -> tuple[None, None]:
        logins.append(email)
        self.di_token, self.di_refresh_token, self.di_client_id = jwt(3600), "refresh-1", CLIENT_ID
        return None, None

    monkeypatch.setattr(garminconnect.client.Client, "login", signed_in)
    with responses.RequestsMock() as http:
        http.get(f"{API}/userprofile-service/socialProfile", status=503)
        assert run(argv) == 0
    saved = token_store(Path(argv[3])).load("garmin", "sam")
    assert saved is not None and json.loads(saved["session"])["di_refresh_token"] == "refresh-1"
    assert logins == ["sam@example.org"] and account_row(argv) == (None, "active")
    assert "could not read the Garmin profile" in capsys.readouterr().err


def test_the_profile_id_is_kept_when_the_profile_reads(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, no_sleep: None
) -> None:
    def signed_in(self: Any, *args: Any, **kwargs: Any) -> tuple[None, None]:
        self.di_token, self.di_refresh_token, self.di_client_id = jwt(3600), "refresh-1", CLIENT_ID
        return None, None

    monkeypatch.setattr(garminconnect.client.Client, "login", signed_in)
    with responses.RequestsMock() as http:
        http.get(
            f"{API}/userprofile-service/socialProfile",
            json={"displayName": "sam-runs", "profileId": 81234567},
        )
        assert run(argv) == 0
    assert account_row(argv) == ("81234567", "active")


def test_a_web_session_fallback_is_never_saved(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, no_sleep: None, capsys: pytest.CaptureFixture[str]
) -> None:
    def web_only(self: Any, *args: Any, **kwargs: Any) -> tuple[None, None]:
        self.jwt_web = "cookie-jwt"  # the DI exchange failed; the library fell back to JWT_WEB
        return None, None

    monkeypatch.setattr(garminconnect.client.Client, "login", web_only)
    config = Path(argv[1])
    config.write_text(
        config.read_text().replace(
            'email = "sam@example.org"', 'email = "sam@example.org"\npassword = "env:GARMIN_PW"'
        )
    )
    monkeypatch.setenv("GARMIN_PW", PASSWORD)
    with responses.RequestsMock():
        assert main(["connect", "garmin", "--athlete", "sam", *argv]) == 1
    assert "nothing was saved" in capsys.readouterr().err
    assert token_store(Path(argv[3])).load("garmin", "sam") is None


def strategies(monkeypatch: pytest.MonkeyPatch, *results: Exception) -> None:
    """The library's five sign-in strategies, in order, failing with `results`."""
    names = (
        "_mobile_login_cffi",
        "_mobile_login_requests",
        "_widget_web_login",
        "_portal_web_login_cffi",
        "_portal_web_login_requests",
    )
    for name, result in zip(names, results, strict=True):

        def fail(self: Any, email: str, password: str, result: Exception = result) -> None:
            raise result

        monkeypatch.setattr(garminconnect.client.Client, name, fail)


def lockout(argv: list[str]) -> Any:
    with Store(Path(argv[3])) as store:
        return store.provider_value("garmin", "login_lockout:sam")


def test_a_partly_rate_limited_sign_in_locks_sign_ins(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, no_sleep: None
) -> None:
    too_many = GarminConnectTooManyRequestsError("Mobile login returned 429")
    strategies(
        monkeypatch,
        too_many,
        too_many,
        too_many,
        too_many,
        GarminConnectConnectionError("Portal login: Cloudflare challenge page"),
    )
    with pytest.raises(RateLimited, match="Garmin rate-limits logins") as caught:
        run(argv)
    assert caught.value.retry_at == NOW + timedelta(hours=6)
    assert lockout(argv) == "2024-06-03T18:00:00+00:00"
    assert logging.getLogger("garminconnect.client.sso").level == logging.NOTSET  # left as it was


def test_a_429_seen_only_by_one_fingerprint_locks_too(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, no_sleep: None, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = []

    def mobile(self: Any, sess: Any, email: str, password: str) -> None:
        attempts.append(sess)
        if len(attempts) == 1:
            raise GarminConnectTooManyRequestsError("Mobile login returned 429")
        raise GarminConnectConnectionError("Mobile login: Cloudflare challenge page")

    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", True)
    monkeypatch.setattr(garminconnect.client.cffi_requests, "Session", lambda impersonate: impersonate)
    monkeypatch.setattr(garminconnect.client.Client, "_do_mobile_login", mobile)
    blocked = GarminConnectConnectionError("Cloudflare challenge page")

    def web(self: Any, email: str, password: str) -> None:
        raise blocked

    for name in ("_widget_web_login", "_portal_web_login_cffi", "_portal_web_login_requests"):
        monkeypatch.setattr(garminconnect.client.Client, name, web)
    with pytest.raises(RateLimited):
        run(argv)
    assert lockout(argv) == "2024-06-03T18:00:00+00:00"
    # the library logs that 429 at debug level only: nothing below the shown level got through
    assert len(attempts) == 3  # the strategy's three fingerprints; no other strategy after the 429
    assert not [
        r for r in caplog.records if r.name.startswith("garminconnect") and r.levelno < logging.WARNING
    ]


def test_a_429_stops_the_sign_in_at_once(
    argv: list[str], no_sleep: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    too_many = GarminConnectTooManyRequestsError("Mobile login returned 429")
    wrong = GarminConnectAuthenticationError("Invalid username or password")
    strategies(
        monkeypatch, GarminConnectConnectionError("curl_cffi not available"), too_many, wrong, wrong, wrong
    )
    with pytest.raises(RateLimited, match="Garmin rate-limits logins") as caught:
        run(argv)
    assert "did not accept" not in str(caught.value)  # the strategies after the 429 never ran
    assert lockout(argv) is not None


def test_a_sign_in_blocked_without_a_429_locks_nothing(
    argv: list[str], no_sleep: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = GarminConnectConnectionError("Cloudflare challenge page")
    strategies(monkeypatch, *[blocked] * 5)
    with pytest.raises(Unavailable, match="Cloudflare"):
        run(argv)
    assert lockout(argv) is None
