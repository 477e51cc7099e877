"""One place for an account's secrets (issue 13, item 1) and the refresh under crashes and
concurrency (issue 10, defects 3 and 9): tokens live with their state, a mix-up is refused
naming both places, the lock holds across processes, a refresh cut short is said plainly."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import responses
from fakes.strava_server import FakeStrava

from syncd.cli import main
from syncd.errors import AuthRequired, ConfigError
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.store import Store
from syncd.tokens import FileTokenStore, TokenStoreError, token_store
from syncd.tokens_place import BINDING

TOKENS = {"access_token": "a" * 40, "refresh_token": "r" * 40, "expires_at": 1_700_000_000}
BASE = "https://www.strava.com"


def connected(state: Path) -> None:
    """What `syncd connect` leaves: the state, its account row and the account's tokens."""
    with Store(state) as store:
        store.ensure_athlete("sam", "UTC")
        store.set_account("sam", "strava", status="active", external_id="1513")
        token_store(state).save("strava", "sam", TOKENS)


def test_tokens_are_saved_with_the_state_and_tied_to_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    connected(state)
    assert (state / "tokens" / "strava-sam.json").exists()
    assert (state / BINDING).read_text().strip() == "file tokens"  # moves along with the state
    assert not (tmp_path / "xdg-config" / "syncd" / "tokens").exists()  # the old default is gone


def test_the_services_tokens_cannot_be_used_with_another_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = tmp_path / "var-lib-syncd"
    connected(service)
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(service / "tokens"))  # root, with its own state
    with pytest.raises(ConfigError) as refused:
        token_store(tmp_path / "root-state")
    assert str(service / "tokens") in str(refused.value) and str(tmp_path / "root-state") in str(
        refused.value
    )


def test_a_state_tied_to_a_token_dir_refuses_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state, mine, other = tmp_path / "state", tmp_path / "tokens", tmp_path / "elsewhere"
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(mine))
    connected(state)
    assert (mine / "state-dir").read_text().strip() == str(state)  # the directory knows its state
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(other))
    with pytest.raises(ConfigError) as refused:
        token_store(state)
    assert str(mine) in str(refused.value) and str(other) in str(refused.value)
    monkeypatch.delenv("SYNCD_TOKEN_DIR")
    with pytest.raises(ConfigError, match=str(state / "tokens")):  # nor the default
        token_store(state)
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(mine))
    with pytest.raises(ConfigError, match="belong to the state in"):  # nor another state
        token_store(tmp_path / "second")


def test_an_override_is_refused_when_the_state_holds_its_own_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    FileTokenStore(state / "tokens").save("strava", "sam", TOKENS)  # an install older than the tie
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(tmp_path / "other"))
    with pytest.raises(ConfigError) as refused:
        token_store(state)
    assert str(state / "tokens") in str(refused.value) and str(tmp_path / "other") in str(refused.value)


def test_another_users_keyring_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / BINDING).write_text(f"keyring test.Backend uid {os.geteuid() + 1}\n")
    monkeypatch.setenv("SYNCD_TOKEN_STORE", "keyring")
    monkeypatch.setenv("SYNCD_KEYRING_BACKEND", "test.Backend")
    with pytest.raises(ConfigError, match="keeps its account tokens in the keyring"):
        token_store(state)
    monkeypatch.delenv("SYNCD_TOKEN_STORE")  # nor the files beside it
    with pytest.raises(ConfigError, match=str(state / "tokens")):
        token_store(state)


def test_tokens_left_where_older_syncd_kept_them_are_reported_with_the_move(tmp_path: Path) -> None:
    old = tmp_path / "xdg-config" / "syncd" / "tokens"
    FileTokenStore(old).save("strava", "sam", TOKENS)
    with pytest.raises(TokenStoreError) as caught:
        token_store(tmp_path / "state").load("strava", "sam")
    message = str(caught.value)
    assert str(old) in message and str(tmp_path / "state" / "tokens") in message and "mv " in message
    assert "r" * 40 not in message


def test_root_saving_into_the_services_directory_keeps_its_owner(tmp_path: Path) -> None:
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    if os.geteuid() == 0:  # as root (sudo syncd ...), the files must stay the service user's
        os.chown(directory, 65534, 65534)
    FileTokenStore(directory).save("strava", "sam", TOKENS)
    owner = directory.stat()
    saved = (directory / "strava-sam.json").stat()
    assert (saved.st_uid, saved.st_gid) == (owner.st_uid, owner.st_gid)


# -- no mix-up can pause a healthy account or reach the runner's phone -------------------------------


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as server:
        yield server


def service_install(tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("STRAVA_SECRET", fake.client_secret)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[strava]\nclient_id = {fake.client_id}\nclient_secret = "env:STRAVA_SECRET"\n'
        f'base_url = "{fake.base_url}"\n\n[[athletes]]\nname = "sam"\ntimezone = "UTC"\n'
        'providers = ["strava"]\nnotify = ["json://127.0.0.1:9/never"]\n'
    )
    service = tmp_path / "var-lib-syncd"
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    with Store(service) as store:
        store.ensure_athlete("sam", "UTC")
        store.set_account("sam", "strava", status="active", external_id=str(fake.athlete_id))
        token_store(service).save(
            "strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope}
        )
    return config, service


def account_and_queue(service: Path) -> tuple[str | None, int]:
    with Store(service) as store:
        queued = store.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
        return store.account_status("sam", "strava"), int(queued)


@pytest.mark.parametrize(
    "mixup",
    ["another token dir", "the service's tokens with root's state", "another state, the service's tokens"],
)
def test_no_mixup_pauses_a_healthy_account(
    tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch, mixup: str
) -> None:
    config, service = service_install(tmp_path, fake, monkeypatch)
    argv = ["sync", "--config", str(config)]
    if mixup == "another token dir":  # root's environment still names its own directory
        monkeypatch.setenv("SYNCD_TOKEN_DIR", str(tmp_path / "root-tokens"))
        argv += ["--state-dir", str(service)]
    elif mixup == "the service's tokens with root's state":
        monkeypatch.setenv("SYNCD_TOKEN_DIR", str(service / "tokens"))
    else:
        monkeypatch.setenv("SYNCD_TOKEN_DIR", str(service / "tokens"))
        argv += ["--state-dir", str(tmp_path / "copy")]
    assert main(argv) != 0
    assert account_and_queue(service) == ("active", 0)  # not paused, nothing for the phone
    assert fake.requests("/api/v3/athlete/activities") == []  # and nobody synced with them
    monkeypatch.delenv("SYNCD_TOKEN_DIR")
    assert main(["sync", "--config", str(config), "--state-dir", str(service)]) == 0  # as it was


# -- defects 3 and 9: the refresh --------------------------------------------------------------------


def _hold_the_lock(directory: str, held: Any, release: Any) -> None:
    store = FileTokenStore(Path(directory))
    with store.locked("strava", "sam"):
        held.set()
        release.wait(30)


def test_the_refresh_lock_holds_across_processes(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens")
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold_the_lock, args=(str(tmp_path / "tokens"), held, release))
    other.start()
    try:
        assert held.wait(30)
        with (
            pytest.raises(TokenStoreError, match="another syncd process"),
            store.locked("strava", "sam", timeout=0),
        ):
            pass
    finally:
        release.set()
        other.join(30)
    with store.locked("strava", "sam", timeout=5):  # free again once the other one let go
        pass


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def api(tmp_path: Path) -> tuple[StravaApi, FileTokenStore]:
    tokens = FileTokenStore(tmp_path / "tokens")
    tokens.save("strava", "sam", {**TOKENS, "expires_at": 0})  # expired: the next call refreshes
    store = Store(tmp_path / "state")
    app = StravaApp(BASE, 4242, "app-secret")
    return StravaApi(app, tokens, "sam", Budget(store, 4242)), tokens


def test_a_refresh_cut_short_by_a_stop_is_explained_plainly(
    tmp_path: Path, mock: responses.RequestsMock
) -> None:
    strava, tokens = api(tmp_path)
    tokens.mark_renewing("strava", "sam")  # syncd was killed after sending a refresh
    mock.post(
        f"{BASE}/api/v3/oauth/token",
        status=400,
        json={
            "message": "Bad Request",
            "errors": [{"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}],
        },
    )
    with pytest.raises(AuthRequired) as caught:
        strava.access_token()
    said = str(caught.value)
    assert "stopped while Strava was renewing" in said and "syncd connect strava --athlete sam" in said
    assert "revoked" not in said and "refresh_token" not in said
    assert caught.value.reason is not None and "revoked" not in caught.value.reason


def test_a_refused_refresh_without_a_cut_short_one_says_revoked(
    tmp_path: Path, mock: responses.RequestsMock
) -> None:
    strava, _ = api(tmp_path)
    mock.post(f"{BASE}/api/v3/oauth/token", status=401, json={"message": "Authorization Error"})
    with pytest.raises(AuthRequired) as caught:
        strava.access_token()
    assert caught.value.reason == "the connection was revoked or expired"


def test_a_saved_refresh_clears_the_mark(tmp_path: Path, mock: responses.RequestsMock) -> None:
    strava, tokens = api(tmp_path)
    later = int((datetime.now(UTC) + timedelta(hours=6)).timestamp())
    mock.post(
        f"{BASE}/api/v3/oauth/token",
        json={"access_token": "b" * 40, "refresh_token": "s" * 40, "expires_at": later},
    )
    assert strava.access_token() == ("b" * 40, True)
    assert not tokens.renewal_cut_short("strava", "sam")
    assert json.loads((tmp_path / "tokens" / "strava-sam.json").read_text())["refresh_token"] == "s" * 40


def test_a_caller_that_names_no_state_gets_the_one_the_token_dir_belongs_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "srv-syncd"
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(tmp_path / "tokens"))
    connected(state)
    store = token_store()  # e.g. the answer-link key, which knows no state directory
    assert isinstance(store, FileTokenStore) and store.load("strava", "sam") == TOKENS
