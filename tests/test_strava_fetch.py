"""The Strava provider against HTTP mocked with `responses`: paging, overlap, cursor, details,
mapping, every error path, token rotation, notes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from syncd.engine import ProviderSummary, fetch
from syncd.errors import AuthRequired, BadPayload, ProviderError, RateLimited, Unavailable
from syncd.providers.base import Page
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.providers.strava.errors import ApplicationInactive
from syncd.providers.strava.mapping import activity_from
from syncd.sports import Sport
from syncd.store import Store
from syncd.tokens import FileTokenStore

DATA = Path(__file__).parent / "data" / "strava"
BASE = "https://www.strava.com"
LIST = f"{BASE}/api/v3/athlete/activities"
TOKEN = f"{BASE}/api/v3/oauth/token"
NOW = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
DETAILED = json.loads((DATA / "activity.3.json").read_text())
MANUAL = json.loads((DATA / "activity-manual.3.json").read_text())
PAGE = json.loads((DATA / "activities-page.json").read_text())  # a SummaryActivity list
DETAIL_ONLY = (
    "description",
    "private_note",
    "perceived_exertion",
    "segment_efforts",
    "best_efforts",
    "splits_metric",
    "splits_standard",
    "calories",
)
HEADERS = {
    "X-RateLimit-Limit": "200,2000",
    "X-RateLimit-Usage": "10,100",
    "X-ReadRateLimit-Limit": "100,1000",
    "X-ReadRateLimit-Usage": "5,50",
}


def summary(ident: int, start: datetime, **extra: Any) -> dict[str, Any]:
    """A SummaryActivity shaped like the reference payload (no detail-only fields)."""
    item = {k: v for k, v in copy.deepcopy(DETAILED).items() if k not in DETAIL_ONLY}
    item.update(
        id=ident,
        resource_state=2,
        start_date=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        sport_type="Run",
        utc_offset=7200.0,
        average_heartrate=150.5,
        max_heartrate=178.0,
        suffer_score=52.0,
    )
    item.update(extra)
    return item


def old_items(count: int, first_id: int = 1) -> list[dict[str, Any]]:
    start = datetime(2020, 1, 1, 7, tzinfo=UTC)
    return [summary(first_id + i, start + timedelta(hours=20 * i)) for i in range(count)]


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def tokens(tmp_path: Path) -> FileTokenStore:
    store = FileTokenStore(tmp_path / "tokens")
    store.save(
        "strava",
        "sam",
        {
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "expires_at": int((NOW + timedelta(hours=5)).timestamp()),
            "athlete_id": 1513,
            "scope": "read,activity:write,activity:read_all",
        },
    )
    return store


def make(store: Store, tokens: FileTokenStore, **kwargs: Any) -> StravaProvider:
    app = StravaApp(BASE, 4242, "app-secret")
    api = StravaApi(app, tokens, "sam", Budget(store, 4242, lambda: NOW), lambda: NOW)
    return StravaProvider("sam", api, store, clock=lambda: NOW, **kwargs)


@pytest.fixture
def provider(store: Store, tokens: FileTokenStore) -> StravaProvider:
    store.ensure_athlete("sam", "UTC")
    return make(store, tokens)


def listing(
    mock: responses.RequestsMock, page: int, items: list[dict[str, Any]], after: int = 0, **kw: Any
) -> None:
    kw.setdefault("json", items)
    kw.setdefault("headers", HEADERS)
    mock.get(
        LIST,
        match=[matchers.query_param_matcher({"after": str(after), "per_page": "200", "page": str(page)})],
        **kw,
    )


def store_pages(provider: StravaProvider, store: Store) -> list[Page]:
    """The engine's page loop (from the stored cursor); the pages it stored."""
    pages: list[Page] = []
    fetch.store_pages(store, "sam", "strava", provider, ProviderSummary(), pages.append)
    return pages


# -- paging, overlap, cursor -------------------------------------------------------------------


def test_paging_stops_at_the_first_short_page(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    items = old_items(405)
    for n in range(3):
        listing(mock, n + 1, items[n * 200 : (n + 1) * 200])
    pages = store_pages(provider, store)
    assert [len(p.activities) for p in pages] == [200, 200, 5]
    assert len(mock.calls) == 3
    newest = int(datetime.fromisoformat(items[-1]["start_date"]).timestamp())
    assert store.cursor("sam", "strava") == str(newest)
    assert pages[0].cursor == str(int(datetime.fromisoformat(items[199]["start_date"]).timestamp()))


def test_a_full_last_page_costs_one_more_empty_page(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    listing(mock, 1, old_items(200))
    listing(mock, 2, [])
    pages = store_pages(provider, store)
    assert [len(p.activities) for p in pages] == [200, 0]
    assert pages[1].cursor == pages[0].cursor  # an empty page never moves the cursor back


def test_after_is_the_cursor_minus_the_overlap(
    store: Store, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    store.ensure_athlete("sam", "UTC")
    cursor = 1_700_000_000
    listing(mock, 1, [], after=cursor - 3 * 86400)
    pages = list(make(store, tokens).fetch(str(cursor)))
    assert pages[0].cursor == str(cursor) and pages[0].activities == []
    listing(mock, 1, [], after=cursor - 3600)
    list(make(store, tokens, overlap_days=1 / 24).fetch(str(cursor)))


@pytest.mark.parametrize(("window_days", "overlap_days"), [(1, 3), (3, 3), (7, 7)])
def test_the_overlap_covers_the_detail_window(
    store: Store,
    tokens: FileTokenStore,
    mock: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    window_days: int,
    overlap_days: int,
) -> None:
    """A configured provider relists at least 3 days, and at least the delivery window, so a
    recent activity whose detail read failed is listed (and read) again on the next pass."""
    from syncd.config import parse
    from syncd.tokens import token_store

    monkeypatch.setenv("STRAVA_SECRET", "app-secret")
    fresh = {
        **(tokens.load("strava", "sam") or {}),
        "expires_at": int(datetime.now(UTC).timestamp()) + 6 * 3600,
    }
    token_store(store.path.parent).save("strava", "sam", fresh)
    config = parse(
        {
            "daemon": {"delivery_window_days": window_days},
            "strava": {"client_id": 4242, "client_secret": "env:STRAVA_SECRET", "base_url": BASE},
            "athletes": [{"name": "sam", "providers": ["strava"]}],
        },
        "test",
    )
    store.ensure_athlete("sam", "UTC")
    provider = StravaProvider.create(config, config.athletes[0], store)
    cursor = 1_700_000_000
    listing(mock, 1, [], after=cursor - overlap_days * 86400)
    list(provider.fetch(str(cursor)))


def test_the_cursor_advances_only_with_a_stored_page(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    items = old_items(300)
    listing(mock, 1, items[:200])
    listing(mock, 2, [], status=503)
    with pytest.raises(Unavailable):
        store_pages(provider, store)
    first_cursor = store.cursor("sam", "strava")
    assert first_cursor == str(int(datetime.fromisoformat(items[199]["start_date"]).timestamp()))
    assert len(store.activities("sam")) == 200
    # the next pass starts from the stored cursor (minus the overlap)
    listing(mock, 1, items[190:], after=int(first_cursor) - 3 * 86400)
    store_pages(provider, store)
    assert len(store.activities("sam")) == 300


def test_a_generator_not_consumed_sends_nothing(
    provider: StravaProvider, mock: responses.RequestsMock
) -> None:
    provider.fetch(None)
    assert len(mock.calls) == 0


# -- details for recent activities, idle polls -------------------------------------------------


def test_recent_activities_are_fetched_in_detail_once(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    recent = summary(900, NOW - timedelta(hours=5))
    detail = {
        **copy.deepcopy(DETAILED),
        "id": 900,
        "start_date": recent["start_date"],
        "description": "Knee a bit sore",
        "private_note": "felt 7/10",
        "perceived_exertion": 7,
    }
    listing(mock, 1, [*old_items(3), recent])
    mock.get(f"{BASE}/api/v3/activities/900", json=detail, headers=HEADERS)
    store_pages(provider, store)
    stored = {a.provider_id: a for a in store.activities("sam")}
    assert stored["900"].description == "Knee a bit sore"
    assert stored["900"].private_note == "felt 7/10" and stored["900"].rpe == 7
    assert stored["1"].description == ""  # backfilled: no request of its own
    assert len(mock.calls) == 2

    # idle poll: the overlap relists it, the stored words are kept, exactly one request
    mock.reset()
    cursor = store.cursor("sam", "strava")
    assert cursor is not None
    listing(mock, 1, [recent], after=int(cursor) - 3 * 86400)
    pages = store_pages(provider, store)
    assert len(mock.calls) == 1
    assert pages[0].activities[0].description == "Knee a bit sore"
    assert store.activities("sam")[-1].revision == 0  # nothing changed


def test_a_detail_that_fails_keeps_the_page_then_raises(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    a, b = summary(901, NOW - timedelta(hours=3)), summary(902, NOW - timedelta(hours=2))
    listing(mock, 1, [a, b])
    mock.get(f"{BASE}/api/v3/activities/901", status=429, headers={**HEADERS, "X-RateLimit-Usage": "201,300"})
    with pytest.raises(RateLimited):
        store_pages(provider, store)
    assert {x.provider_id for x in store.activities("sam")} == {"901", "902"}  # summaries kept
    assert len(mock.calls) == 2  # no detail request for 902 after the 429


def test_a_detail_not_readable_yet_keeps_the_summary(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    listing(mock, 1, [summary(903, NOW - timedelta(hours=1))])
    mock.get(
        f"{BASE}/api/v3/activities/903", status=404, json={"message": "Record Not Found"}, headers=HEADERS
    )
    pages = store_pages(provider, store)
    assert pages[0].activities[0].provider_id == "903"


# -- mapping -----------------------------------------------------------------------------------


def test_a_run_strava_marks_as_a_race_is_a_race_and_nothing_else_is() -> None:
    race = activity_from(summary(6, NOW, sport_type="Run", workout_type=1, name="Parkrun"), "sam")
    long_run = activity_from(summary(7, NOW, sport_type="Run", workout_type=2, name="City Marathon"), "sam")
    ride = activity_from(summary(8, NOW, sport_type="Ride", workout_type=11), "sam")  # a ride's race is 11
    assert race.race and not long_run.race and not ride.race  # a race title alone says nothing


def test_mapping_of_the_reference_payloads() -> None:
    run = activity_from(DETAILED, "sam")
    assert (run.provider, run.provider_id, run.athlete) == ("strava", "4207331905", "sam")
    assert run.start_utc == datetime(2021, 4, 17, 6, 58, 12, tzinfo=UTC)
    assert run.sport is Sport.RUN and run.sport_raw == "Run"  # no sport_type: falls back to type
    assert (run.distance_m, run.moving_s, run.elapsed_s, run.utc_offset_s) == (8413, 2874, 3021, 7200)
    assert run.title == "Canal loop with Noor"
    assert run.description == "" and not run.manual and not run.trainer
    assert json.loads(run.raw_json) == DETAILED
    hike = activity_from(MANUAL, "sam")
    assert hike.manual and hike.sport is Sport.HIKE and hike.distance_m == 17890
    easy, trail, spin = (activity_from(item, "sam") for item in PAGE)
    assert (easy.sport, trail.sport, spin.sport) == (Sport.RUN, Sport.TRAIL_RUN, Sport.CYCLING)
    assert trail.sport_raw == "TrailRun" and trail.effort_score == 27.0 and trail.avg_hr == 141.5
    assert spin.trainer and spin.distance_m == 0 and spin.avg_hr is None and spin.effort_score is None
    item = summary(5, NOW, sport_type="TrailRun", type="Run", perceived_exertion=11, suffer_score=None)
    mapped = activity_from(item, "sam")
    assert mapped.sport is Sport.TRAIL_RUN and mapped.rpe is None and mapped.effort_score is None
    assert (mapped.avg_hr, mapped.max_hr, mapped.utc_offset_s) == (150.5, 178.0, 7200)


def test_mapping_agrees_with_stravalibs_models() -> None:
    from stravalib.model import DetailedActivity

    for payload in (DETAILED, MANUAL, *PAGE):
        ours, theirs = activity_from(payload, "sam"), DetailedActivity.model_validate(payload)
        assert ours.provider_id == str(theirs.id) and ours.start_utc == theirs.start_date
        assert ours.distance_m == round(float(theirs.distance or 0))
        assert (ours.moving_s, ours.elapsed_s) == (theirs.moving_time, theirs.elapsed_time)
        assert ours.sport_raw == (theirs.sport_type or theirs.type).root  # type: ignore[union-attr]
        assert ours.avg_hr == theirs.average_heartrate and ours.max_hr == theirs.max_heartrate
        assert ours.effort_score == theirs.suffer_score and ours.title == theirs.name
        assert (ours.manual, ours.trainer) == (bool(theirs.manual), bool(theirs.trainer))
        assert ours.utc_offset_s == int(theirs.utc_offset or 0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "numeric id"),
        ({"id": True}, "numeric id"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"distance": "far"}, "distance"),
        ({"distance": -5.0}, "negative"),
        ({"max_heartrate": "high"}, "max_heartrate"),
        ({"sport_type": 7}, "sport_type"),
        ({"moving_time": float("inf")}, "moving_time"),  # JSON's 1e999: round() would raise
        ({"average_heartrate": float("nan")}, "average_heartrate"),
        ({"distance": 1e300}, "distance"),  # finite, but no SQLite integer holds it
    ],
)
def test_malformed_items_are_skipped_with_a_reason(
    change: dict[str, Any], reason: str, provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    good = old_items(2)
    listing(mock, 1, [good[0], {**old_items(1, 50)[0], **change}, good[1], "junk"])
    pages = store_pages(provider, store)
    assert [a.provider_id for a in pages[0].activities] == ["1", "2"]
    assert len(pages[0].skipped) == 2 and reason in pages[0].skipped[0]
    # kept raw with its error when it has an id to read it again by ("junk" has none)
    kept = [(r.provider_id, r.raw.get("distance"), reason in r.error) for r in pages[0].rejected]
    numbered = isinstance(change.get("id", 50), int) and not isinstance(change.get("id", 50), bool)
    assert kept == ([("50", {**old_items(1, 50)[0], **change}.get("distance"), True)] if numbered else [])
    with pytest.raises(BadPayload):
        activity_from({**DETAILED, **change}, "sam")


# -- errors ------------------------------------------------------------------------------------


def test_401_refreshes_once_then_asks_to_reconnect(
    provider: StravaProvider, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    listing(
        mock,
        1,
        [],
        status=401,
        json={
            "message": "Authorization Error",
            "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
        },
    )
    mock.post(
        TOKEN,
        json={
            "access_token": "access-2",
            "refresh_token": "refresh-2",
            "expires_at": int((NOW + timedelta(hours=6)).timestamp()),
        },
    )
    listing(mock, 1, [], status=401, json={"message": "Authorization Error"})
    with pytest.raises(AuthRequired, match="syncd connect strava --athlete sam"):
        list(provider.fetch(None))
    assert [c.request.headers["Authorization"] for c in mock.calls if "athlete" in c.request.url] == [
        "Bearer access-1",
        "Bearer access-2",
    ]
    assert tokens.load("strava", "sam")["refresh_token"] == "refresh-2"  # type: ignore[index]


def test_401_then_a_working_refreshed_token(provider: StravaProvider, mock: responses.RequestsMock) -> None:
    listing(mock, 1, [], status=401, json={"message": "Authorization Error"})
    mock.post(
        TOKEN,
        json={
            "access_token": "access-2",
            "refresh_token": "refresh-2",
            "expires_at": int((NOW + timedelta(hours=6)).timestamp()),
        },
    )
    listing(mock, 1, old_items(1))
    assert len(next(iter(provider.fetch(None))).activities) == 1


def test_a_revoked_grant_asks_to_reconnect(
    provider: StravaProvider, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    tokens.save("strava", "sam", {**tokens.load("strava", "sam"), "expires_at": 0})  # type: ignore[dict-item]
    mock.post(
        TOKEN,
        status=400,
        json={
            "message": "Bad Request",
            "errors": [{"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}],
        },
    )
    with pytest.raises(AuthRequired, match="reconnect"):
        list(provider.fetch(None))


def test_inactive_application_is_explained(provider: StravaProvider, mock: responses.RequestsMock) -> None:
    listing(
        mock,
        1,
        [],
        status=403,
        json={
            "message": "Forbidden",
            "errors": [{"resource": "Application", "field": "Status", "code": "Inactive"}],
        },
    )
    with pytest.raises(ApplicationInactive, match="subscription") as caught:
        list(provider.fetch(None))
    assert not isinstance(caught.value, AuthRequired)  # reconnecting would not help


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"message": "Internal Server Error"}},
        {"status": 502, "body": "<html>Bad gateway</html>"},
        {"body": requests.exceptions.ReadTimeout("slow")},
        {"body": requests.exceptions.ConnectionError("refused")},
        {"status": 200, "body": '[{"id": 1, "na'},
    ],
)
def test_server_trouble_is_unavailable(
    failure: dict[str, Any], provider: StravaProvider, mock: responses.RequestsMock
) -> None:
    mock.get(LIST, **failure)
    with pytest.raises(Unavailable):
        list(provider.fetch(None))


def test_429_waits_for_the_next_quarter_hour(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    listing(
        mock,
        1,
        [],
        status=429,
        headers={**HEADERS, "X-RateLimit-Usage": "201,300", "X-ReadRateLimit-Usage": "101,300"},
        json={"message": "Rate Limit Exceeded"},
    )
    with pytest.raises(RateLimited) as caught:
        list(provider.fetch(None))
    assert caught.value.retry_at == datetime(2024, 6, 3, 12, 15, tzinfo=UTC)
    # and the budget now refuses before sending anything
    with pytest.raises(RateLimited):
        list(provider.fetch(None))
    assert len(mock.calls) == 1


def test_429_on_the_daily_limit_waits_for_midnight(
    provider: StravaProvider, mock: responses.RequestsMock
) -> None:
    listing(
        mock,
        1,
        [],
        status=429,
        headers={**HEADERS, "X-RateLimit-Usage": "30,2001", "X-ReadRateLimit-Usage": "20,1001"},
    )
    with pytest.raises(RateLimited) as caught:
        list(provider.fetch(None))
    assert caught.value.retry_at == datetime(2024, 6, 4, tzinfo=UTC)


def test_token_refreshed_before_expiry_and_rotation_saved(
    provider: StravaProvider, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    saved = tokens.load("strava", "sam")
    assert saved is not None
    soon = int((NOW + timedelta(minutes=14)).timestamp())
    tokens.save("strava", "sam", {**saved, "expires_at": soon})
    mock.post(
        TOKEN,
        json={
            "access_token": "access-2",
            "refresh_token": "refresh-2",
            "expires_at": int((NOW + timedelta(hours=6)).timestamp()),
        },
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": "4242",
                    "client_secret": "app-secret",
                    "refresh_token": "refresh-1",
                    "grant_type": "refresh_token",
                }
            )
        ],
    )
    listing(mock, 1, [])
    list(provider.fetch(None))
    assert mock.calls[1].request.headers["Authorization"] == "Bearer access-2"
    after = tokens.load("strava", "sam")
    assert after is not None
    assert (after["access_token"], after["refresh_token"]) == ("access-2", "refresh-2")
    assert after["athlete_id"] == 1513 and after["scope"] == saved["scope"]  # kept


def test_fresh_token_is_not_refreshed(
    provider: StravaProvider, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    saved = tokens.load("strava", "sam")
    assert saved is not None
    later = int((NOW + timedelta(minutes=16)).timestamp())
    tokens.save("strava", "sam", {**saved, "expires_at": later})
    listing(mock, 1, [])
    list(provider.fetch(None))
    assert len(mock.calls) == 1


# -- single activities and notes ---------------------------------------------------------------


def test_fetch_one(provider: StravaProvider, mock: responses.RequestsMock) -> None:
    mock.get(
        f"{BASE}/api/v3/activities/99895560",
        headers=HEADERS,
        json={**DETAILED, "description": "Easy", "perceived_exertion": 3},
    )
    mock.get(f"{BASE}/api/v3/activities/1", status=404, headers=HEADERS, json={"message": "Record Not Found"})
    got = provider.fetch_one("99895560")
    assert got is not None and got.description == "Easy" and got.rpe == 3
    assert provider.fetch_one("1") is None
    with pytest.raises(BadPayload):
        provider.fetch_one("../athlete")


def test_write_note_reads_then_writes_only_a_change(
    provider: StravaProvider, mock: responses.RequestsMock
) -> None:
    url = f"{BASE}/api/v3/activities/99895560"
    mock.get(url, json={**DETAILED, "description": "Great hills."}, headers=HEADERS)
    mock.put(
        url,
        json={**DETAILED},
        headers=HEADERS,
        match=[matchers.json_params_matcher({"description": "Great hills.\n\n— syncd —\nnote"})],
    )
    assert provider.write_note("99895560", lambda d: d + "\n\n— syncd —\nnote") is True
    mock.get(url, json={**DETAILED, "description": None}, headers=HEADERS)
    assert provider.write_note("99895560", lambda d: d) is False
    mock.get(url, json={**DETAILED, "description": "x"}, headers=HEADERS)
    assert provider.write_note("99895560", lambda d: None) is False
    assert [c.request.method for c in mock.calls] == ["GET", "PUT", "GET", "GET"]


def test_write_note_needs_room_for_both_requests(
    provider: StravaProvider, store: Store, mock: responses.RequestsMock
) -> None:
    Budget(store, 4242, lambda: NOW).record({**HEADERS, "X-RateLimit-Usage": "199,300"}, "GET")
    with pytest.raises(RateLimited):
        provider.write_note("99895560", lambda d: "new")
    assert len(mock.calls) == 0


def test_write_note_without_write_permission(
    provider: StravaProvider, tokens: FileTokenStore, mock: responses.RequestsMock
) -> None:
    saved = tokens.load("strava", "sam")
    assert saved is not None
    tokens.save("strava", "sam", {**saved, "scope": "read,activity:read_all"})
    with pytest.raises(ProviderError, match="activity:write"):
        provider.write_note("99895560", lambda d: "new")
    tokens.save("strava", "sam", {**saved, "scope": None})  # pasted bare code: unknown scope
    url = f"{BASE}/api/v3/activities/99895560"
    mock.get(url, json=DETAILED, headers=HEADERS)
    mock.put(
        url,
        status=401,
        headers=HEADERS,
        json={
            "message": "Authorization Error",
            "errors": [{"resource": "AccessToken", "field": "activity:write_permission", "code": "missing"}],
        },
    )
    with pytest.raises(ProviderError, match="activity:write") as caught:
        provider.write_note("99895560", lambda d: "new")
    assert not isinstance(caught.value, AuthRequired)  # syncing itself goes on


def test_every_strava_sport_type_has_a_sport() -> None:
    """syncd's table names every sport type Strava's API has (stravalib lists them), so
    none falls back to "other" by accident."""
    from typing import get_args

    from stravalib.model import SportType

    from syncd.sports import STRAVA_SPORT_TYPES

    assert set(get_args(SportType.model_fields["root"].annotation)) == set(STRAVA_SPORT_TYPES)
