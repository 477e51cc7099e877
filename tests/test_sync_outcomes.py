"""`syncd sync` against the local fake Strava, for what its exit status and its state say
(issue 13, items 5 and 7): 78 when the admin must change something, 75 only for what passes
by itself, 0 with a one-line warning when one provider synced and the other was never
connected; a rate limit's wait honoured by the next sync; --dry-run changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava

from syncd.cli import main
from syncd.providers.strava.api import StravaApp
from syncd.tokens import FileTokenStore

LIST = "/api/v3/athlete/activities"


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(fault_sleep_s=0.0) as server:
        server.add_activity(datetime.now(UTC) - timedelta(hours=5), name="Easy", distance=8000.0)
        yield server


class Setup:
    def __init__(self, root: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fake, self.root = fake, root
        monkeypatch.setenv("STRAVA_SECRET", fake.client_secret)
        self.config = root / "config.toml"
        self.state = root / "state"
        self.write('providers = ["strava"]')

    def write(
        self, providers: str, secret: str = "env:STRAVA_SECRET", notify: str = "", zone: str = "UTC"
    ) -> None:
        self.config.write_text(
            f'[strava]\nclient_id = {self.fake.client_id}\nclient_secret = "{secret}"\n'
            f'base_url = "{self.fake.base_url}"\n\n[[athletes]]\nname = "sam"\ntimezone = "{zone}"\n'
            f"{providers}\n{notify}\n"
        )

    def connect(self) -> None:
        app = StravaApp(self.fake.base_url, self.fake.client_id, self.fake.client_secret)
        saved = app.exchange(self.fake.issue_code())
        tokens = FileTokenStore(self.state / "tokens")
        tokens.save("strava", "sam", {**saved, "scope": self.fake.grant_scope})

    def sync(self, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
        code = main(["sync", "--config", str(self.config), "--state-dir", str(self.state), *extra])
        out = capsys.readouterr()
        return code, out.out + out.err


@pytest.fixture
def setup(tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> Setup:
    return Setup(tmp_path, fake, monkeypatch)


def test_one_provider_synced_and_the_other_never_connected_exits_0_with_one_warning(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    setup.write('providers = ["strava", "garmin"]')
    code, out = setup.sync(capsys)
    assert code == 0, out
    warnings = [line for line in out.splitlines() if line.startswith("syncd: warning:")]
    assert len(warnings) == 1 and "garmin is not connected yet" in warnings[0], out
    assert "syncd connect garmin --athlete sam" in warnings[0]


def test_the_only_provider_never_connected_is_for_the_admin_to_fix(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert setup.sync(capsys)[0] == 78
    assert setup.sync(capsys)[0] == 78  # and so it stays, paused, on the next sync


def test_a_secret_that_does_not_resolve_exits_78_not_75(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    setup.write('providers = ["strava"]', secret="env:NOPE_NOT_SET")
    code, out = setup.sync(capsys)
    assert code == 78, out
    assert "NOPE_NOT_SET" in out


def test_a_provider_that_is_down_exits_75(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.connect()
    setup.fake.fail_next("500", times=5)
    assert setup.sync(capsys)[0] == 75


def test_the_next_sync_waits_for_the_time_a_rate_limit_gave(
    setup: Setup, fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    fake.fail_next("429", path=LIST)
    code, out = setup.sync(capsys)
    assert code == 75 and "rate limited until" in out, out
    asked = len(fake.requests(LIST))
    code, out = setup.sync(capsys)
    assert code == 75 and "rate limited until" in out, out
    assert len(fake.requests(LIST)) == asked  # Strava was not called before the time it gave


def _digest(directory: Path) -> dict[str, str]:
    """Every file's hash, the database by its content (SQLite's -wal and -shm files, which
    a reader of a WAL database leaves, hold nothing of it)."""
    import sqlite3

    out = {}
    for path in sorted(directory.rglob("*")):
        if path.name.endswith(("-wal", "-shm")) or not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".sqlite3":
            with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
                data = "\n".join(db.iterdump()).encode()
            db.close()
        out[str(path.relative_to(directory))] = hashlib.sha256(data).hexdigest()
    return out


def test_a_dry_run_changes_nothing_at_all_not_even_what_it_fetched(
    setup: Setup, fake: FakeStrava, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.connect()
    code, out = setup.sync(capsys, "--dry-run")
    assert code == 0, out
    assert not (setup.state / "syncd.sqlite3").exists()  # a first dry run: no state (its tokens aside)
    assert setup.sync(capsys)[0] == 0  # a real one stores the run
    fake.add_activity(datetime.now(UTC) - timedelta(hours=1), name="Long", distance=16000.0)
    before = _digest(setup.state)
    code, out = setup.sync(capsys, "--dry-run", "--json")
    assert code == 0 and '"new": 1' in out, out
    assert _digest(setup.state) == before
    assert not fake.requests("/api/v3/activities/", method="PUT")  # no note written either


def test_notify_test_with_a_url_apprise_cannot_use_exits_78(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    setup.write('providers = ["strava"]', notify='notify = ["nope://x"]')
    code = main(["notify", "test", "--athlete", "sam", "--config", str(setup.config)])
    assert code == 78
    assert "apprise cannot use this URL" in capsys.readouterr().out


def test_a_dry_run_uses_the_real_states_tokens_wherever_they_are_kept(
    setup: Setup, fake: FakeStrava, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCD_TOKEN_DIR", str(setup.state / "tokens"))  # named, as a service may
    setup.connect()
    assert setup.sync(capsys)[0] == 0  # the state claims its tokens
    fake.add_activity(datetime.now(UTC) - timedelta(hours=1), name="Long", distance=16000.0)
    code, out = setup.sync(capsys, "--dry-run", "--json")
    assert code == 0 and '"new": 1' in out, out  # not "the tokens belong to another state"
