"""A fake Garmin Connect account, and a fake `garminconnect.Garmin` client talking to it.

`GarminAccount` is the server side: activities shaped like Garmin's JSON, a request log,
the current tokens (rotated by a refresh), queued faults, and the password and MFA code
for sign-ins. `FakeGarmin` has the methods the provider and `syncd connect garmin` use, with
the real library's structure: `get_activities` and `get_activity` go through `connectapi`,
wrapped in garminconnect's own error-translating decorator (so a 429 arrives as
GarminConnectTooManyRequestsError, a 404 as GarminConnectNotFoundError, ...), while
`set_activity_description` calls the transport directly, as the library does, so its errors
arrive untranslated (GarminConnectConnectionError("API Error 429") with `.response`, or a
raw requests.Timeout).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from garminconnect import (
    GarminConnectAuthenticationError,
    GarminConnectConnectionError,
    GarminConnectNotFoundError,
    _handle_api_errors,
)

#: A queued fault for the next request: an HTTP status, "timeout" / "reset" (network), an
#: exception raised by the transport (e.g. transport_error(429, {"Retry-After": "120"})),
#: or None for a request that goes through (to fail the one after it).
Fault = int | str | BaseException | None


@dataclass
class FakeResponse:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


def transport_error(status: int, headers: dict[str, str] | None = None) -> GarminConnectConnectionError:
    """What garminconnect's transport raises for an HTTP error status."""
    cls = GarminConnectNotFoundError if status == 404 else GarminConnectConnectionError
    error = cls(f"API Error {status}")
    error.response = FakeResponse(status, headers or {})
    return error


def item(ident: int, start_gmt: datetime, *, km: float | None = 8.0, minutes: float = 48,
         type_key: str = "running", offset_h: int = 2, **extra: Any) -> dict[str, Any]:
    """One activity-list item as Garmin sends it (the shape of tests/data/garmin)."""
    data: dict[str, Any] = {
        "activityId": ident, "activityName": f"Run {ident}", "description": None,
        "startTimeGMT": start_gmt.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeLocal": (start_gmt + timedelta(hours=offset_h)).strftime("%Y-%m-%d %H:%M:%S"),
        "activityType": {"typeId": 1, "typeKey": type_key, "parentTypeId": 17},
        "distance": None if km is None else km * 1000.0, "duration": minutes * 60.0,
        "movingDuration": minutes * 60.0 - 12, "elapsedDuration": minutes * 60.0 + 60,
        "averageHR": 145.0, "maxHR": 168.0, "activityTrainingLoad": 80.5,
        "directWorkoutRpe": None, "manualActivity": False, "ownerDisplayName": "sam-runs",
        "beginTimestamp": int(start_gmt.replace(tzinfo=UTC).timestamp() * 1000),
    }
    data.update(extra)
    return data


def detail_of(listed: dict[str, Any]) -> dict[str, Any]:
    """The `get_activity` shape of a list item: numbers in summaryDTO, ISO "T" times."""
    tops = ("activityId", "activityName", "description")
    summary = {k: v for k, v in listed.items() if k not in (*tops, "activityType", "manualActivity")}
    for key in ("startTimeLocal", "startTimeGMT"):
        summary[key] = listed[key].replace(" ", "T") + ".0"
    return {**{k: listed.get(k) for k in tops}, "activityTypeDTO": listed.get("activityType"),
            "metadataDTO": {"manualActivity": listed.get("manualActivity", False)},
            "summaryDTO": summary}


class GarminAccount:
    """The server side of one Garmin Connect account."""

    def __init__(self, items: Iterable[dict[str, Any]] = (), *, password: str = "correct horse",
                 mfa_code: str | None = None) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.writes: list[tuple[int, str]] = []
        self.faults: list[Fault] = []
        self.login_faults: list[BaseException] = []
        self.logins = 0
        self.password, self.mfa_code = password, mfa_code
        self.display_name, self.profile_id = "sam-runs", 81234567
        self.generation = 1
        self.rotate_on_next_request = False
        for one in items:
            self.put(one)

    @property
    def tokens(self) -> dict[str, str]:
        """The tokens Garmin currently accepts (a refresh issues new ones)."""
        return {"di_token": f"access-token-{self.generation}",
                "di_refresh_token": f"refresh-token-{self.generation}",
                "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"}

    def session(self) -> str:
        return json.dumps(self.tokens)

    def put(self, data: dict[str, Any]) -> None:
        self.items[int(data["activityId"])] = copy.deepcopy(data)

    def description(self, ident: int | str) -> str:
        return self.items[int(ident)].get("description") or ""

    def newest_first(self) -> list[dict[str, Any]]:
        return sorted(self.items.values(), key=lambda d: (d["startTimeGMT"], d["activityId"]),
                      reverse=True)

    def list_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("list")]


class FakeTokens:
    """The token half of garminconnect's Client: dumps() and loads()."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def dumps(self) -> str:
        return json.dumps({k: self.state.get(k) for k in ("di_token", "di_refresh_token", "di_client_id")})

    def loads(self, tokenstore: str) -> None:
        try:
            data = json.loads(tokenstore)
            if not data.get("di_token"):
                raise GarminConnectAuthenticationError("Missing tokens from dict load")
        except Exception as exc:  # the library turns every failure into this one error
            raise GarminConnectConnectionError("Token extraction loads() structurally failed") from exc
        self.state = data


class FakeGarmin:
    """Stands in for `garminconnect.Garmin`, talking to a GarminAccount."""

    retry_attempts = 0  # read by the library's decorator: no retry, no sleep

    def __init__(self, account: GarminAccount, email: str | None = None,
                 password: str | None = None, prompt_mfa: Callable[[], str] | None = None) -> None:
        self.account = account
        self.client = FakeTokens()
        self.username, self.password, self.prompt_mfa = email, password, prompt_mfa
        self.display_name: str | None = None
        self.profile_id: int | None = None

    # -- sign-in (Garmin.login with credentials) -------------------------------------------

    def login(self, tokenstore: str | None = None) -> tuple[str | None, Any]:
        self.account.logins += 1
        if self.account.login_faults:
            raise self.account.login_faults.pop(0)
        if self.password != self.account.password:
            raise GarminConnectAuthenticationError("Authentication failed (401 Unauthorized).")
        if self.account.mfa_code is not None:
            if self.prompt_mfa is None:
                raise GarminConnectAuthenticationError("MFA Required but no prompt_mfa mechanism supplied")
            if self.prompt_mfa() != self.account.mfa_code:
                raise GarminConnectAuthenticationError("MFA verification failed")
        self.client.state = dict(self.account.tokens)
        self.display_name, self.profile_id = self.account.display_name, self.account.profile_id
        self.password = None
        return None, None

    # -- the transport ----------------------------------------------------------------------

    def _transport(self, what: str) -> None:
        """One request: refresh if due, then the account's queued fault, then the token check."""
        account = self.account
        account.requests.append(what)
        if account.rotate_on_next_request:
            account.rotate_on_next_request = False
            account.generation += 1
            self.client.state = dict(account.tokens)
        if account.faults:
            fault = account.faults.pop(0)
            if fault is None:
                pass
            elif isinstance(fault, BaseException):
                raise fault
            elif fault == "timeout":
                raise requests.Timeout("HTTPSConnectionPool: Read timed out. (read timeout=15)")
            elif fault == "reset":
                raise requests.ConnectionError("Connection aborted: ConnectionResetError(104)")
            else:
                assert isinstance(fault, int)
                raise transport_error(fault)
        if self.client.state.get("di_token") != account.tokens["di_token"]:
            raise transport_error(401)

    @_handle_api_errors("API call")
    def connectapi(self, path: str, **kwargs: Any) -> Any:
        self._transport(f"{kwargs.pop('what')}")
        return kwargs.pop("answer")()

    # -- what syncd calls --------------------------------------------------------------------

    def get_activities(self, start: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        def answer() -> list[dict[str, Any]]:
            return copy.deepcopy(self.account.newest_first()[start:start + limit])

        result: list[dict[str, Any]] = self.connectapi(
            "/activitylist-service/activities/search/activities",
            what=f"list start={start} limit={limit}", answer=answer)
        return result

    def get_activity(self, activity_id: str) -> dict[str, Any]:
        def answer() -> dict[str, Any]:
            found = self.account.items.get(int(activity_id))
            if found is None:
                raise transport_error(404)
            return detail_of(found)

        result: dict[str, Any] = self.connectapi(f"/activity-service/activity/{activity_id}",
                                                 what=f"get {activity_id}", answer=answer)
        return result

    def set_activity_description(self, activity_id: str, description: str) -> Any:
        self._transport(f"put {activity_id}")
        found = self.account.items.get(int(activity_id))
        if found is None:
            raise transport_error(404)
        found["description"] = description
        self.account.writes.append((int(activity_id), description))
        return {}


def resumer(account: GarminAccount, made: list[FakeGarmin] | None = None) -> Callable[[str], FakeGarmin]:
    """A client factory for GarminProvider.create, like syncd's resume_client: no request;
    ValueError for unreadable tokens. Every client made is appended to `made`."""

    def resume(session: str) -> FakeGarmin:
        garmin = FakeGarmin(account)
        try:
            garmin.client.loads(session)
        except GarminConnectConnectionError:
            raise ValueError("unreadable Garmin tokens") from None
        if made is not None:
            made.append(garmin)
        return garmin

    return resume
