"""A fake Garmin Connect account, and a fake `garminconnect.Garmin` client talking to it.

`GarminAccount` is the server side: activities shaped like Garmin's JSON (what only the detail
has, such as the runner's RPE, kept apart from the list item), multisport legs that only the
detail request reaches, a request log,
the current tokens (rotated by a refresh), queued faults, and the password and MFA code
for sign-ins. `FakeGarmin` has the methods the provider and `syncd connect garmin` use, with
the real library's structure: `get_activities` and `get_activity` go through `connectapi`,
wrapped in garminconnect's own error-translating decorator (so a 429 arrives as
GarminConnectTooManyRequestsError, a 404 as GarminConnectNotFoundError, ...), while
`set_activity_description` calls the transport directly, as the library does, so its errors
arrive untranslated (GarminConnectConnectionError("API Error 429") with `.response`, or a
raw requests.Timeout). `FakeGarmin.client` (a FakeClient, like the library's `Client`) holds
the tokens with their expiry and refresh, the credential sign-in, and the transport.
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

PROFILE = "/userprofile-service/socialProfile"


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


def item(
    ident: int,
    start_gmt: datetime,
    *,
    km: float | None = 8.0,
    minutes: float = 48,
    type_key: str = "running",
    offset_h: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    """One activity-list item as Garmin sends it (the shape of tests/data/garmin)."""
    data: dict[str, Any] = {
        "activityId": ident,
        "activityName": f"Run {ident}",
        "description": None,
        "startTimeGMT": start_gmt.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeLocal": (start_gmt + timedelta(hours=offset_h)).strftime("%Y-%m-%d %H:%M:%S"),
        "activityType": {"typeId": 1, "typeKey": type_key, "parentTypeId": 17},
        "distance": None if km is None else km * 1000.0,
        "duration": minutes * 60.0,
        "movingDuration": minutes * 60.0 - 12,
        "elapsedDuration": minutes * 60.0 + 60,
        "averageHR": 145.0,
        "maxHR": 168.0,
        "activityTrainingLoad": 80.5,
        "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
        "manualActivity": False,
        "parent": False,
        "ownerDisplayName": "sam-runs",
        "beginTimestamp": int(start_gmt.replace(tzinfo=UTC).timestamp() * 1000),
    }
    data.update(extra)
    return data


def detail_of(listed: dict[str, Any], only_in_detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `get_activity` shape of a list item: numbers in summaryDTO, ISO "T" times, the type
    and event type as DTOs; `only_in_detail` adds what the list never has: summaryDTO keys
    (directWorkoutRpe, directWorkoutFeel) and "metadataDTO" keys (a parent's childIds)."""
    tops = ("activityId", "activityName", "description")
    moved = (*tops, "activityType", "eventType", "manualActivity", "parent", "parentId")
    summary = {k: v for k, v in listed.items() if k not in moved and not k.startswith("hrTimeInZone")}
    for key in ("startTimeLocal", "startTimeGMT"):
        summary[key] = listed[key].replace(" ", "T") + ".0"
    extra = dict(only_in_detail or {})
    meta = {"manualActivity": listed.get("manualActivity", False), "childIds": [], "childActivityTypes": []}
    meta.update(extra.pop("metadataDTO", {}))
    return {
        **{k: listed.get(k) for k in tops},
        "isMultiSportParent": listed.get("parent") is True,
        "activityTypeDTO": listed.get("activityType"),
        "eventTypeDTO": listed.get("eventType"),
        "metadataDTO": meta,
        "summaryDTO": {**summary, **extra},
    }


class GarminAccount:
    """The server side of one Garmin Connect account."""

    def __init__(
        self,
        items: Iterable[dict[str, Any]] = (),
        *,
        password: str = "correct horse",
        mfa_code: str | None = None,
    ) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.only_in_detail: dict[int, dict[str, Any]] = {}
        self.legs: dict[int, dict[str, Any]] = {}  # details of multisport legs: never listed
        self.requests: list[str] = []
        self.writes: list[tuple[int, str]] = []
        self.faults: list[Fault] = []
        self.login_faults: list[BaseException] = []
        self.logins = 0
        self.password, self.mfa_code = password, mfa_code
        self.display_name, self.profile_id = "sam-runs", 81234567
        self.generation = 1
        self.rotate_on_next_request = False
        self.expiring = False  # the access token expires within the library's margin
        self.refresh_faults: list[int | str | BaseException] = []  # for the next refreshes
        self.di_exchange_fails = False  # a sign-in ends with a web session, no DI token
        for one in items:
            self.put(one)

    @property
    def tokens(self) -> dict[str, str]:
        """The tokens Garmin currently accepts (a refresh issues new ones)."""
        return {
            "di_token": f"access-token-{self.generation}",
            "di_refresh_token": f"refresh-token-{self.generation}",
            "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
        }

    def session(self) -> str:
        return json.dumps(self.tokens)

    def put(self, data: dict[str, Any], rpe: int | None = None, **only_in_detail: Any) -> None:
        """List `data`; `rpe` (1-10) and `only_in_detail` appear in its detail only, as on Garmin."""
        ident = int(data["activityId"])
        self.items[ident] = copy.deepcopy(data)
        extra = dict(only_in_detail)
        if rpe is not None:
            extra["directWorkoutRpe"] = rpe * 10
        self.only_in_detail[ident] = extra

    def put_multisport(self, parent: dict[str, Any], legs: list[dict[str, Any]], kinds: list[str]) -> None:
        """A multisport parent (listed) and its legs (`kinds`: their type keys, transitions too),
        each leg a list-item-shaped dict; only the parent's detail names them."""
        ident = int(parent["activityId"])
        self.put(
            {**parent, "parent": True},
            metadataDTO={"childIds": [int(leg["activityId"]) for leg in legs], "childActivityTypes": kinds},
        )
        for leg in legs:
            self.legs[int(leg["activityId"])] = {**detail_of(leg), "parentId": ident}

    def delete(self, ident: int) -> None:
        """Delete an activity as Garmin does: a multisport parent takes its legs along."""
        gone = self.items.pop(ident)
        for leg in self.only_in_detail.get(ident, {}).get("metadataDTO", {}).get("childIds", []):
            self.legs.pop(leg, None)
        del gone

    def description(self, ident: int | str) -> str:
        return self.items[int(ident)].get("description") or ""

    def newest_first(self) -> list[dict[str, Any]]:
        return sorted(self.items.values(), key=lambda d: (d["startTimeGMT"], d["activityId"]), reverse=True)

    def list_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("list")]


class FakeClient:
    """garminconnect's `Client` (`Garmin.client`): the tokens (dumps, loads, expiry, refresh),
    the credential sign-in, and the transport every request goes through. Unlike the library,
    a 401 is not followed by a refresh and a retry (tests/test_garmin_library.py covers that)."""

    def __init__(self, account: GarminAccount) -> None:
        self.account = account
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

    # -- token refresh ------------------------------------------------------------------------

    def _token_expires_soon(self) -> bool:
        return self.account.expiring and self.state.get("di_token") == self.account.tokens["di_token"]

    def _refresh_di_token(self) -> None:
        """Like the library: a refusal raises "DI token refresh failed: <status>", a network
        error arrives raw; on success the pair rotates."""
        account = self.account
        account.requests.append("refresh")
        if account.refresh_faults:
            fault = account.refresh_faults.pop(0)
            if isinstance(fault, BaseException):
                raise fault
            if fault == "timeout":
                raise requests.Timeout("HTTPSConnectionPool: Read timed out. (read timeout=30)")
            raise GarminConnectAuthenticationError(f"DI token refresh failed: {fault}")
        if self.state.get("di_refresh_token") != account.tokens["di_refresh_token"]:
            raise GarminConnectAuthenticationError("DI token refresh failed: 400")
        account.generation += 1
        account.expiring = False
        self.state = dict(account.tokens)

    # -- sign-in (Client.login) -----------------------------------------------------------------

    def login(
        self,
        email: str,
        password: str,
        prompt_mfa: Callable[[], str] | None = None,
        return_on_mfa: bool = False,
    ) -> tuple[str | None, Any]:
        account = self.account
        account.logins += 1
        self.state = {}
        if account.login_faults:
            raise account.login_faults.pop(0)
        if password != account.password:
            raise GarminConnectAuthenticationError("Authentication failed (401 Unauthorized).")
        if account.mfa_code is not None:
            if prompt_mfa is None:
                raise GarminConnectAuthenticationError("MFA Required but no prompt_mfa mechanism supplied")
            if prompt_mfa() != account.mfa_code:
                raise GarminConnectAuthenticationError("MFA verification failed")
        if not account.di_exchange_fails:  # else the library falls back to a JWT_WEB cookie
            self.state = dict(account.tokens)
        return None, None

    # -- the transport ----------------------------------------------------------------------

    def transport(self, what: str) -> None:
        """One request: refresh if due, then the account's queued fault, then the token check."""
        account = self.account
        account.requests.append(what)
        if account.rotate_on_next_request:
            account.rotate_on_next_request = False
            account.generation += 1
            self.state = dict(account.tokens)
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
        if self.state.get("di_token") != account.tokens["di_token"]:
            raise transport_error(401)

    def connectapi(self, path: str, **kwargs: Any) -> Any:
        """The only untranslated GET syncd makes: the profile, after `syncd connect`."""
        assert path == PROFILE
        self.transport("profile")
        return {"displayName": self.account.display_name, "profileId": self.account.profile_id}


class FakeGarmin:
    """Stands in for `garminconnect.Garmin`, talking to a GarminAccount."""

    retry_attempts = 0  # read by the library's decorator: no retry, no sleep

    def __init__(
        self,
        account: GarminAccount,
        email: str | None = None,
        password: str | None = None,
        prompt_mfa: Callable[[], str] | None = None,
    ) -> None:
        self.account = account
        self.client = FakeClient(account)
        self.username, self.password, self.prompt_mfa = email, password, prompt_mfa
        self.display_name: str | None = None
        self.profile_id: int | None = None

    @_handle_api_errors("API call")
    def connectapi(self, path: str, **kwargs: Any) -> Any:
        if path == PROFILE:
            return self.client.connectapi(path)
        self.client.transport(f"{kwargs.pop('what')}")
        return kwargs.pop("answer")()

    # -- what syncd calls --------------------------------------------------------------------

    def get_activities(self, start: int = 0, limit: int = 20) -> list[dict[str, Any]]:
        def answer() -> list[dict[str, Any]]:
            return copy.deepcopy(self.account.newest_first()[start : start + limit])

        result: list[dict[str, Any]] = self.connectapi(
            "/activitylist-service/activities/search/activities",
            what=f"list start={start} limit={limit}",
            answer=answer,
        )
        return result

    def get_activity(self, activity_id: str) -> dict[str, Any]:
        def answer() -> dict[str, Any]:
            ident = int(activity_id)
            if ident in self.account.legs:
                return copy.deepcopy(self.account.legs[ident])
            found = self.account.items.get(ident)
            if found is None:
                raise transport_error(404)
            return detail_of(found, self.account.only_in_detail.get(ident))

        result: dict[str, Any] = self.connectapi(
            f"/activity-service/activity/{activity_id}", what=f"get {activity_id}", answer=answer
        )
        return result

    def set_activity_description(self, activity_id: str, description: str) -> Any:
        self.client.transport(f"put {activity_id}")
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
