"""The provider on the real garminconnect client, with HTTP mocked by `responses`: checks what
the fake assumes (request shapes, timeouts, token refresh, the errors each call raises) against
the library itself. No request leaves the process: an unregistered URL fails the test."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import garminconnect.client
import pytest
import requests
import responses
from fakes.garmin_fake import detail_of, item
from responses import matchers

from syncd.errors import AuthRequired, RateLimited, Unavailable
from syncd.providers.garmin import GarminProvider
from syncd.providers.garmin.auth import resume_client
from syncd.tokens import FileTokenStore

API = "https://connectapi.garmin.com"
LIST = f"{API}/activitylist-service/activities/search/activities"
REFRESH = "https://diauth.garmin.com/di-oauth2-service/oauth/token"
CLIENT_ID = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"
NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
# older than the detail window: listing it costs no detail request
RUN = item(15213270004, datetime(2024, 5, 27, 7, 12, 5), description="Great hills today.")


def jwt(expires_in_s: float) -> str:
    """An access token shaped like Garmin's (the client reads `exp` to refresh in time)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"exp": time.time() + expires_in_s, "client_id": CLIENT_ID}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


def session(access: str) -> str:
    return json.dumps({"di_token": access, "di_refresh_token": "refresh-1", "di_client_id": CLIENT_ID})


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    # the token refresh posts with curl_cffi when installed, which `responses` cannot see
    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", False)

    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s: a provider never sleeps")

    monkeypatch.setattr(time, "sleep", no_sleep)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def provider(tmp_path: Path, access: str) -> tuple[GarminProvider, FileTokenStore]:
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("garmin", "sam", {"session": session(access)})  # as `syncd connect` does
    return GarminProvider("sam", resume_client(session(access)), tokens, clock=lambda: NOW), tokens


def test_resuming_costs_no_request_and_listing_is_one(http: responses.RequestsMock, tmp_path: Path) -> None:
    access = jwt(3600)
    garmin, tokens = provider(tmp_path, access)
    http.get(LIST, json=[RUN], match=[matchers.query_param_matcher({"start": "0", "limit": "100"})])
    [page] = list(garmin.fetch(None))
    assert [a.provider_id for a in page.activities] == ["15213270004"]
    [call] = http.calls
    assert call.request.headers["Authorization"] == f"Bearer {access}"
    assert call.request.req_kwargs["timeout"] == 15  # type: ignore[attr-defined]
    assert tokens.load("garmin", "sam") == {"session": session(access)}  # nothing rotated


def test_an_expiring_token_is_refreshed_and_the_new_pair_saved(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    garmin, tokens = provider(tmp_path, jwt(60))  # within the client's 15-minute margin
    fresh = jwt(3600)
    http.post(REFRESH, json={"access_token": fresh, "refresh_token": "refresh-2"})
    http.get(LIST, json=[RUN], match=[matchers.header_matcher({"Authorization": f"Bearer {fresh}"})])
    list(garmin.fetch(None))
    saved = tokens.load("garmin", "sam")
    assert saved is not None and json.loads(saved["session"])["di_refresh_token"] == "refresh-2"


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimited), (500, Unavailable), (503, Unavailable), (403, Unavailable)]
)
def test_list_errors_fail_fast_without_retrying(
    http: responses.RequestsMock, tmp_path: Path, status: int, error: type[Exception]
) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    http.get(LIST, status=status, json={"message": "no"})
    with pytest.raises(error):
        list(garmin.fetch(None))
    assert len(http.calls) == 1


def test_a_rejected_token_after_a_failed_refresh_needs_a_reconnect(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    http.get(LIST, status=401)
    http.post(REFRESH, status=400, json={"error": "invalid_grant"})  # the library tries once
    with pytest.raises(AuthRequired):
        list(garmin.fetch(None))


def test_a_network_failure_is_unavailable(http: responses.RequestsMock, tmp_path: Path) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    http.get(LIST, body=requests.ConnectionError("connection reset"))
    with pytest.raises(Unavailable):
        list(garmin.fetch(None))


def test_a_note_is_one_read_and_one_put_of_the_description(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    url = f"{API}/activity-service/activity/15213270004"
    http.get(url, json=detail_of(RUN))
    new = "Great hills today.\n\n— syncd —\nEase off."
    http.put(
        url,
        status=204,
        match=[matchers.json_params_matcher({"activityId": "15213270004", "description": new})],
    )
    assert garmin.write_note("15213270004", lambda current: current + "\n\n— syncd —\nEase off.")


def test_a_rate_limited_put_arrives_untranslated_and_is_mapped(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    url = f"{API}/activity-service/activity/15213270004"
    http.get(url, json=detail_of(RUN))
    http.put(url, status=429, headers={"Retry-After": "300"})
    with pytest.raises(RateLimited) as caught:
        garmin.write_note("15213270004", lambda current: current + " more")
    assert caught.value.retry_at == NOW + timedelta(minutes=5)


def test_a_deleted_activity_is_none(http: responses.RequestsMock, tmp_path: Path) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    http.get(f"{API}/activity-service/activity/42", status=404, json={"message": "Not Found"})
    assert garmin.fetch_one("42") is None


def test_unreadable_tokens_are_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="unreadable"):
        resume_client('{"di_token": null}')


# -- token refresh failures (the library swallows them; syncd refreshes itself) -------------------


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"status": 503}, Unavailable),
        ({"status": 500}, Unavailable),
        ({"status": 429}, RateLimited),
        ({"body": requests.ConnectTimeout("diauth timed out")}, Unavailable),
        ({"status": 400, "json": {"error": "invalid_grant"}}, AuthRequired),
        ({"status": 401}, AuthRequired),
    ],
)
def test_an_expired_token_whose_refresh_fails_is_judged_by_the_refresh(
    http: responses.RequestsMock, tmp_path: Path, reply: dict[str, Any], error: type[Exception]
) -> None:
    access = jwt(-60)  # expired: the host slept, or was offline
    garmin, tokens = provider(tmp_path, access)
    http.assert_all_requests_are_fired = False
    http.post(REFRESH, **reply)
    http.get(LIST, status=401, json={"message": "token expired"})
    with pytest.raises(error) as caught:
        list(garmin.fetch(None))
    assert type(caught.value) is error
    assert [c.request.method for c in http.calls] == ["POST"]  # the dead token is not sent
    assert tokens.load("garmin", "sam") == {"session": session(access)}  # nothing rotated


def test_a_refresh_through_curl_cffi_that_times_out_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from curl_cffi.requests.exceptions import Timeout as CurlTimeout

    def timed_out(*args: Any, **kwargs: Any) -> Any:
        raise CurlTimeout("Operation timed out after 30001 milliseconds")

    monkeypatch.setattr(garminconnect.client, "HAS_CFFI", True)
    monkeypatch.setattr(garminconnect.client.cffi_requests, "post", timed_out)
    garmin, _ = provider(tmp_path, jwt(-60))
    with responses.RequestsMock() as http, pytest.raises(Unavailable, match="Timeout"):
        list(garmin.fetch(None))
    assert len(http.calls) == 0


def test_a_401_after_the_librarys_own_refresh_failed_transiently_is_not_a_revocation(
    http: responses.RequestsMock, tmp_path: Path
) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))  # not due: Garmin still answers 401 (clock skew)
    http.get(LIST, status=401)
    http.post(REFRESH, status=503)  # the library refreshes after the 401, swallows the 503 ...
    http.get(LIST, status=401)  # ... and retries with the same token
    with pytest.raises(Unavailable, match="HTTP 503"):
        list(garmin.fetch(None))


def test_a_rate_limited_refresh_after_a_401_waits(http: responses.RequestsMock, tmp_path: Path) -> None:
    garmin, _ = provider(tmp_path, jwt(3600))
    http.get(LIST, status=401)
    http.post(REFRESH, status=429)
    http.get(LIST, status=401)
    with pytest.raises(RateLimited):
        list(garmin.fetch(None))
