"""A fake Strava on 127.0.0.1, built from Strava's API spec (reference/strava/strava_swagger.json)
and the payloads in tests/data/strava/: OAuth (authorize, token, deauthorize), the athlete's
activity list, single activities (GET/PUT), push subscriptions, rate-limit headers on every
API answer, a request log, and injectable faults.

Tests drive it through its Python API: `add_activity`, `fail_next`, `log`, `description`...

Fault injection for the fault suite (tests/e2e): `block` holds a chosen request so the test
can `kill -9` the client while it waits (tests/fakes/blocking.py); `on_request` runs an action
when a request arrives (expire or revoke tokens mid-pass); more fault kinds (429 without
headers, 503, connection resets, stalls past the client's timeout, HTML or empty bodies);
several athletes on one app; and `refresh_policy`, how the token endpoint retires tokens:

``always``   every refresh issues a new pair and retires the old refresh token at once
             (the default, and the strictest reading).
``strava``   what Strava documents (developers.strava.com/docs/authentication, "Refreshing
             Expired Access Tokens"): while the current access token has more than an hour
             left, a refresh returns that same access token and refresh token; otherwise a new
             access token, the older one staying valid until it expires, and (if `rotate`) a
             new refresh token, the older refresh token "invalidated immediately".
``lenient``  the older refresh token keeps working until the new access token is first used
             (what some OAuth servers do; Strava does not document it).
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

from fakes.blocking import Block, Blocks
from fakes.strava_routes import handler_for, post_request
from fakes.strava_state import FAULTS, REFRESH_POLICIES, Account, Fault, Logged, Trigger, Usage

DATA = Path(__file__).parent.parent / "data" / "strava"
# Fields only the detailed representation carries (the list omits them).
DETAIL_ONLY = (
    "description",
    "private_note",
    "perceived_exertion",
    "segment_efforts",
    "best_efforts",
    "splits_metric",
    "splits_standard",
    "laps",
    "photos",
    "gear",
    "calories",
    "embed_token",
    "device_name",
)


class FakeStrava:
    """The fake service; `base_url` is what syncd's [strava] base_url points at."""

    client_id = 4242
    client_secret = "fake-client-secret-0123456789"

    def __init__(
        self,
        *,
        athlete_id: int = 1513,
        token_lifetime_s: int = 6 * 3600,
        limits: tuple[tuple[int, int], tuple[int, int]] = ((200, 2000), (100, 1000)),
        rotate_refresh_tokens: bool = True,
        refresh_policy: str = "always",
        fault_sleep_s: float = 2.0,
        stall_s: float = 31.0,
        grant_scope: str = "read,activity:write,activity:read_all",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.athlete_id = athlete_id
        self.token_lifetime_s = token_lifetime_s
        self.limits = limits
        assert refresh_policy in REFRESH_POLICIES, refresh_policy
        self.rotate = rotate_refresh_tokens
        self.refresh_policy = refresh_policy
        self.fault_sleep_s = fault_sleep_s
        self.stall_s = stall_s
        self.grant_scope = grant_scope
        self.clock = clock
        self.lock = threading.RLock()
        self.activities: dict[int, dict[str, Any]] = {}
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self.codes: dict[str, Account] = {}
        self.access: dict[str, tuple[Account, float]] = {}
        self.refresh: dict[str, Account] = {}
        self.subscriptions: dict[int, dict[str, Any]] = {}
        self.issued: list[str] = []  # every code and token ever handed out (leak checks)
        self.usage = Usage()
        self.blocks = Blocks()
        self.triggers: list[Trigger] = []
        self.retire_on_use: dict[str, str] = {}  # lenient policy: new access -> old refresh
        self.authorizing_athlete = athlete_id  # who clicks Authorize on /oauth/authorize
        self._next_id = 10_000_000_000
        template = json.loads((DATA / "activity.3.json").read_text())
        self.template = {
            k: v
            for k, v in template.items()
            if k not in ("segment_efforts", "best_efforts", "splits_standard")
        }
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True, name="fake-strava"
        )

    # lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStrava:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.blocks.clear()
        self.server.shutdown()
        self.server.server_close()

    # test API -----------------------------------------------------------------------------

    def add_activity(
        self, start: datetime, *, athlete_id: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Add one of the athlete's activities (activity.3.json's shape); returns it."""
        owner = self.athlete_id if athlete_id is None else athlete_id
        with self.lock:
            self._next_id += 1
            item = copy.deepcopy(self.template)
            item.update(
                {
                    "id": self._next_id,
                    "athlete": {"id": owner, "resource_state": 1},
                    "start_date": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "start_date_local": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "utc_offset": 3600.0,
                    "sport_type": "Run",
                    "type": "Run",
                    "average_heartrate": 148.2,
                    "max_heartrate": 171.0,
                    "suffer_score": 41.0,
                    "description": None,
                    "private_note": None,
                }
            )
            item.update(fields)
            self.activities[item["id"]] = item
            return item

    def description(self, activity_id: int) -> str | None:
        with self.lock:
            return self.activities[activity_id].get("description")

    def fail_next(
        self, kind: str, times: int = 1, path: str | None = None, method: str | None = None
    ) -> None:
        """Make the next `times` requests (whose path starts with `path`, of `method`) fail as `kind`."""
        assert kind in FAULTS, kind
        with self.lock:
            self.faults += [Fault(kind, path, method) for _ in range(times)]

    def update_activity(self, activity_id: int, **fields: Any) -> None:
        """Change an activity as the runner would on Strava (a corrected distance, ...)."""
        with self.lock:
            self.activities[activity_id].update(fields)

    def delete_activity(self, activity_id: int) -> None:
        with self.lock:
            del self.activities[activity_id]

    def block(
        self,
        path: str,
        method: str | None = None,
        *,
        stage: str = "before",
        skip: int = 0,
        hold_s: float = 60,
    ) -> Block:
        """Hold the (skip+1)-th request to `path` (a prefix) at `stage` (tests/fakes/blocking.py)."""
        return self.blocks.arm(method, path, stage=stage, skip=skip, hold_s=hold_s)

    def on_request(
        self, path: str, action: Callable[[], None], method: str | None = None, skip: int = 0
    ) -> None:
        """Run `action` (once) when the (skip+1)-th request to `path` arrives, before it is handled."""
        with self.lock:
            self.triggers.append(Trigger(method, path, action, skip))

    def revoke(self, athlete_id: int | None = None) -> None:
        """The runner revokes the app on strava.com: every token of the athlete stops working."""
        who = self.athlete_id if athlete_id is None else athlete_id
        with self.lock:
            for account in [a for a, _ in self.access.values()] + list(self.refresh.values()):
                if account.athlete_id == who:
                    account.authorized = False

    def issue_code(self, scope: str | None = None, athlete_id: int | None = None) -> str:
        """An authorization code as if the runner had clicked Authorize."""
        code = secrets.token_hex(8)
        who = self.authorizing_athlete if athlete_id is None else athlete_id
        with self.lock:
            self.codes[code] = Account(who, scope or self.grant_scope)
            self.issued.append(code)
        return code

    def requests(self, path: str = "", method: str | None = None) -> list[Logged]:
        """Logged requests whose path starts with `path` (and of `method`)."""
        with self.lock:
            return [r for r in self.log if r.path.startswith(path) and (method is None or r.method == method)]

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access = {t: (a, self.clock() - 1) for t, (a, _) in self.access.items()}
            for account, _ in self.access.values():
                account.access_expires = self.clock() - 1

    def send_event(self, event: dict[str, Any], callback_url: str | None = None) -> tuple[int, float]:
        """POST a webhook event to the subscription's callback; (status, seconds taken)."""
        url = callback_url or next(iter(self.subscriptions.values()))["callback_url"]
        started = time.monotonic()
        try:
            with urlopen(post_request(url, json.dumps(event).encode()), timeout=5) as resp:
                return resp.status, time.monotonic() - started
        except HTTPError as exc:
            return exc.code, time.monotonic() - started

    # request handling (called from the handler thread) ---------------------------------------

    def fire_triggers(self, method: str, path: str) -> None:
        due = []
        with self.lock:
            for trigger in list(self.triggers):
                if (trigger.method is None or trigger.method == method) and path.startswith(trigger.path):
                    if trigger.skip > 0:
                        trigger.skip -= 1
                        continue
                    self.triggers.remove(trigger)
                    due.append(trigger.action)
        for action in due:
            action()

    def take_fault(self, path: str, method: str | None = None) -> str | None:
        with self.lock:
            for fault in self.faults:
                if fault.method is not None and fault.method != method:
                    continue
                if fault.path is None or path.startswith(fault.path):
                    self.faults.remove(fault)
                    return fault.kind
        return None

    def count(self, method: str) -> dict[str, str]:
        """Count one API request; the rate-limit headers Strava sends with the answer."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        day, quarter = now.date().isoformat(), (now.hour * 60 + now.minute) // 15
        with self.lock:
            u = self.usage
            if u.window[0] != day:
                u.overall, u.read = [0, 0], [0, 0]
            elif u.window[1] != quarter:
                u.overall[0], u.read[0] = 0, 0
            u.window = (day, quarter)
            u.overall = [u.overall[0] + 1, u.overall[1] + 1]
            if method == "GET":
                u.read = [u.read[0] + 1, u.read[1] + 1]
            (o15, oday), (r15, rday) = self.limits
            return {
                "X-RateLimit-Limit": f"{o15},{oday}",
                "X-RateLimit-Usage": f"{u.overall[0]},{u.overall[1]}",
                "X-ReadRateLimit-Limit": f"{r15},{rday}",
                "X-ReadRateLimit-Usage": f"{u.read[0]},{u.read[1]}",
            }

    def over_limit(self) -> bool:
        (o15, oday), (r15, rday) = self.limits
        u = self.usage
        return u.overall[0] > o15 or u.overall[1] > oday or u.read[0] > r15 or u.read[1] > rday

    def new_tokens(self, account: Account) -> dict[str, Any]:
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        expires = int(self.clock()) + self.token_lifetime_s
        self.access[access] = (account, expires)
        self.refresh[refresh] = account
        account.access, account.access_expires = access, expires
        self.issued += [access, refresh]
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires,
            "expires_in": self.token_lifetime_s,
        }

    def refreshed(self, old: str, account: Account) -> dict[str, Any]:
        """The answer to a refresh with the refresh token `old`, by `refresh_policy`."""
        now = self.clock()
        if self.refresh_policy == "strava" and account.access_expires - now > 3600:
            return {  # more than an hour left: the same access token (and refresh token) again
                "token_type": "Bearer",
                "access_token": account.access,
                "refresh_token": old,
                "expires_at": int(account.access_expires),
                "expires_in": int(account.access_expires - now),
            }
        body = self.new_tokens(account)
        if not self.rotate:
            del self.refresh[body["refresh_token"]]
            body["refresh_token"] = old
        elif self.refresh_policy == "lenient":
            self.retire_on_use[body["access_token"]] = old
        else:
            del self.refresh[old]  # retired the moment the new one is issued
        return body  # older access tokens stay valid until they expire, as at Strava

    def account_for(self, header: str | None) -> Account | None:
        token = (header or "").removeprefix("Bearer ").strip()
        with self.lock:
            found = self.access.get(token)
        if found is None or found[1] <= self.clock() or not found[0].authorized:
            return None
        with self.lock:
            retired = self.retire_on_use.pop(token, None)
            if retired is not None:  # lenient policy: the new pair is in use now
                self.refresh.pop(retired, None)
        return found[0]

    def summary(self, item: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k not in DETAIL_ONLY}
        out["resource_state"] = 2
        return out

    def listing(self, query: dict[str, str], owner: int | None = None) -> list[dict[str, Any]]:
        after, before = query.get("after"), query.get("before")
        page = int(query.get("page", 1))
        per_page = min(int(query.get("per_page", 30)), 200)

        def epoch(item: dict[str, Any]) -> int:
            return int(datetime.fromisoformat(item["start_date"]).timestamp())

        with self.lock:
            items = [
                i
                for i in self.activities.values()
                if (after is None or epoch(i) > int(after))
                and (before is None or epoch(i) < int(before))
                and (owner is None or i["athlete"]["id"] == owner)
            ]
        # Strava lists oldest first when `after` is given, newest first otherwise.
        items.sort(key=lambda i: (epoch(i), i["id"]), reverse=after is None)
        return [self.summary(i) for i in items[(page - 1) * per_page : page * per_page]]
