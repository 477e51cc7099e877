"""OAuth pieces: the authorize URL, the redirect's state and scope, code exchange, refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from syncd.errors import AuthRequired, SyncdError, Unavailable
from syncd.providers.strava.api import StravaApp, needs_refresh
from syncd.providers.strava.auth import authorize_url, check_scope, grant_from_redirect, new_state
from syncd.providers.strava.errors import ApplicationInactive

BASE = "https://www.strava.com"


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def test_authorize_url_asks_for_both_scopes_with_the_state() -> None:
    state = new_state()
    url = authorize_url(BASE, 4242, "http://127.0.0.1:5000/exchange_token", state)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}/oauth/authorize"
    assert "scope=activity:read_all,activity:write" in parts.query  # readable, as Strava shows
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "client_id": "4242",
        "redirect_uri": "http://127.0.0.1:5000/exchange_token",
        "response_type": "code",
        "approval_prompt": "auto",
        "scope": "activity:read_all,activity:write",
        "state": state,
    }
    assert new_state() != state and len(state) >= 30


def test_redirect_with_the_right_state_gives_code_and_scope() -> None:
    url = "http://localhost/exchange_token?state=abc&code=f00d&scope=read,activity:write,activity:read_all"
    grant = grant_from_redirect(f"  {url}\n", "abc")
    assert (grant.code, grant.scope) == ("f00d", "read,activity:write,activity:read_all")
    assert grant_from_redirect("state=abc&code=f00d&scope=read", "abc").code == "f00d"
    assert grant_from_redirect("0123abcd", "abc").scope is None  # a bare code


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("http://localhost/exchange_token?state=evil&code=f00d&scope=read", "state does not match"),
        ("http://localhost/exchange_token?code=f00d&scope=read", "state does not match"),
        ("http://localhost/exchange_token?state=abc&error=access_denied", "did not authorize"),
        ("http://localhost/exchange_token?state=abc&scope=read", "no code"),
        ("", "not an authorization code"),
        ("rm -rf /", "not an authorization code"),
    ],
)
def test_bad_redirects_are_refused(text: str, match: str) -> None:
    with pytest.raises(SyncdError, match=match):
        grant_from_redirect(text, "abc")


def test_scope_check() -> None:
    assert check_scope("read,activity:write,activity:read_all") == []
    assert check_scope(None) == []
    (warning,) = check_scope("read,activity:read_all")
    assert "cannot write notes" in warning
    (warning,) = check_scope("read,activity:read,activity:write")
    assert "Only Me" in warning
    with pytest.raises(SyncdError, match="cannot work without it"):
        check_scope("read,activity:write")


def test_exchange_posts_a_form_and_keeps_the_athlete_id(mock: responses.RequestsMock) -> None:
    mock.post(
        f"{BASE}/api/v3/oauth/token",
        json={
            "token_type": "Bearer",
            "expires_at": 1_700_021_600,
            "expires_in": 21600,
            "refresh_token": "r1",
            "access_token": "a1",
            "athlete": {"id": 1513, "firstname": "J"},
        },
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": "4242",
                    "client_secret": "s3cret",
                    "code": "f00d",
                    "grant_type": "authorization_code",
                }
            )
        ],
    )
    app = StravaApp(BASE, 4242, "s3cret")
    assert app.exchange("f00d") == {
        "access_token": "a1",
        "refresh_token": "r1",
        "expires_at": 1_700_021_600,
        "athlete_id": 1513,
    }
    assert "s3cret" not in repr(app)
    assert "s3cret" not in mock.calls[0].request.url  # credentials in the body only


def test_refused_code_and_unreachable_strava(mock: responses.RequestsMock) -> None:
    app = StravaApp(BASE, 4242, "s3cret")
    mock.post(
        f"{BASE}/api/v3/oauth/token",
        status=400,
        json={
            "message": "Bad Request",
            "errors": [{"resource": "AuthorizationCode", "field": "code", "code": "invalid"}],
        },
    )
    with pytest.raises(AuthRequired, match="AuthorizationCode code invalid"):
        app.exchange("old")
    mock.post(f"{BASE}/api/v3/oauth/token", status=503)
    with pytest.raises(Unavailable):
        app.refresh("r1")
    mock.post(f"{BASE}/api/v3/oauth/token", json={"message": "ok but odd"})
    with pytest.raises(Unavailable, match="no usable tokens"):
        app.refresh("r1")
    mock.post(
        f"{BASE}/api/v3/oauth/token",
        status=403,
        json={"errors": [{"resource": "Application", "field": "Status", "code": "Inactive"}]},
    )
    with pytest.raises(ApplicationInactive, match="subscription"):
        app.refresh("r1")


def test_refresh_margin() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    in_ = lambda minutes: {"expires_at": int((now + timedelta(minutes=minutes)).timestamp())}  # noqa: E731
    assert needs_refresh(in_(14), now) and needs_refresh(in_(-1), now)
    assert not needs_refresh(in_(16), now)
    assert needs_refresh({}, now) and needs_refresh({"expires_at": "soon"}, now)
