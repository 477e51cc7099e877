"""`syncd connect garmin` through the real garminconnect sign-in, HTTP mocked by `responses`:
a 429 at each step (the sign-in page, the credentials, the token exchange after accepted
credentials) locks sign-ins for 6 hours and tells the runner to wait, never that the password
was wrong; one strategy is tried at a time, so nothing is sent after Garmin's first 429."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import garminconnect.client
import pytest
import responses
from test_garmin_library import CLIENT_ID, jwt

from syncd.cli import accounts, build_parser
from syncd.errors import RateLimited, SyncdError, Unavailable
from syncd.store import Store
from syncd.tokens import token_store

NOW = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
PASSWORD = "a long pass phrase"
SSO = "https://sso.garmin.com"
SIGN_IN_PAGE = f"{SSO}/mobile/sso/en_US/sign-in"
CREDENTIALS = f"{SSO}/mobile/api/login"
EXCHANGE = "https://diauth.garmin.com/di-oauth2-service/oauth/token"
TICKET_SERVICE = "https://mobile.integration.garmin.com/gcm/ios"  # the browser-cookie fallback
PROFILE = "https://connectapi.garmin.com/userprofile-service/socialProfile"
ACCEPTED = {"responseStatus": {"type": "SUCCESSFUL"}, "serviceTicketId": "ST-0421337-kQx9-cas"}


@pytest.fixture
def argv(tmp_path: Path) -> list[str]:
    config = tmp_path / "config.toml"
    config.write_text(
        '[garmin]\nemail = "sam@example.org"\n\n'
        '[[athletes]]\nname = "sam"\ntimezone = "Europe/Amsterdam"\nproviders = ["garmin"]\n'
    )
    return ["--config", str(config), "--state-dir", str(tmp_path / "state")]


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    # without curl_cffi the library signs in with plain requests, which `responses` sees
    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", False)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the library's anti-bot pauses
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def connect(argv: list[str]) -> int:
    args = build_parser().parse_args(["connect", "garmin", "--athlete", "sam", *argv])
    return accounts.cmd_connect(args, ask=lambda p: "", ask_password=lambda p: PASSWORD, clock=lambda: NOW)


def lockout(argv: list[str]) -> Any:
    with Store(Path(argv[3])) as store:
        return store.provider_value("garmin", "login_lockout:sam")


def refused_with_a_lockout(argv: list[str], http: responses.RequestsMock, requests: int) -> None:
    with pytest.raises(RateLimited) as caught:
        connect(argv)
    message = str(caught.value)
    assert message.startswith("Garmin rate-limits logins: try again after 16:00 (Europe/Amsterdam)")
    assert "restart Garmin's wait" in message and "did not accept" not in message
    assert caught.value.retry_at == NOW + timedelta(hours=6) and caught.value.exit_code == 75
    assert lockout(argv) == "2026-01-12T15:00:00+00:00"
    assert len(http.calls) == requests  # nothing was sent after the 429
    assert token_store(Path(argv[3])).load("garmin", "sam") is None


def test_a_429_on_the_sign_in_page_locks_sign_ins(argv: list[str], http: responses.RequestsMock) -> None:
    http.get(SIGN_IN_PAGE, status=429)
    refused_with_a_lockout(argv, http, requests=1)


def test_a_429_on_the_credentials_locks_sign_ins(argv: list[str], http: responses.RequestsMock) -> None:
    http.get(SIGN_IN_PAGE, body="<html><title>GARMIN Authentication Application</title></html>")
    http.post(CREDENTIALS, status=429, json={"message": "Too Many Requests"})
    refused_with_a_lockout(argv, http, requests=2)


def test_a_429_on_the_token_exchange_locks_sign_ins_and_is_no_wrong_password(
    argv: list[str], http: responses.RequestsMock
) -> None:
    http.get(SIGN_IN_PAGE, body="<html></html>")
    http.post(CREDENTIALS, json=ACCEPTED)  # Garmin accepted the password ...
    http.post(EXCHANGE, status=429)  # ... then throttled the exchange of the ticket for tokens
    http.get(TICKET_SERVICE, body="")  # the library's fallback: no JWT_WEB cookie comes back
    refused_with_a_lockout(argv, http, requests=4)


def test_a_failed_token_exchange_without_a_429_is_no_wrong_password_and_locks_nothing(
    argv: list[str], http: responses.RequestsMock
) -> None:
    http.get(SIGN_IN_PAGE, body="<html></html>")
    http.post(CREDENTIALS, json=ACCEPTED)
    http.post(EXCHANGE, status=500)  # every client id the library tries
    http.get(TICKET_SERVICE, body="")
    with pytest.raises(Unavailable, match="accepted the password, but its token exchange failed"):
        connect(argv)
    assert lockout(argv) is None


def test_a_wrong_password_is_said_so(argv: list[str], http: responses.RequestsMock) -> None:
    http.get(SIGN_IN_PAGE, body="<html></html>")
    http.post(CREDENTIALS, json={"responseStatus": {"type": "INVALID_USERNAME_PASSWORD"}})
    with pytest.raises(SyncdError, match="did not accept the password") as caught:
        connect(argv)
    assert not isinstance(caught.value, RateLimited) and lockout(argv) is None
    assert len(http.calls) == 2  # the other strategies would be refused the same way


def test_a_whole_sign_in_keeps_only_the_tokens(argv: list[str], http: responses.RequestsMock) -> None:
    access = jwt(3600)
    http.get(SIGN_IN_PAGE, body="<html></html>")
    http.post(CREDENTIALS, json=ACCEPTED)
    http.post(EXCHANGE, json={"access_token": access, "refresh_token": "refresh-1"})
    http.get(PROFILE, json={"displayName": "sam-runs", "profileId": 90210})  # the library's check, then ours
    assert connect(argv) == 0
    saved = token_store(Path(argv[3])).load("garmin", "sam")
    assert saved is not None
    assert json.loads(saved["session"]) == {
        "di_token": access,
        "di_refresh_token": "refresh-1",
        "di_client_id": CLIENT_ID,
    }
    assert PASSWORD not in json.dumps(saved)
    assert [c.request.method for c in http.calls] == ["GET", "POST", "POST", "GET", "GET"]
