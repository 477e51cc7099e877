"""`syncd doctor` against the local fake Strava: one line per check with the fix, exit 78 when
the admin must change something, 0 when all is well (issue 13, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.strava_server import FakeStrava

from syncd.cli import main
from syncd.providers.strava.api import StravaApp
from syncd.tokens import FileTokenStore


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(fault_sleep_s=0.0) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STRAVA_SECRET", fake.client_secret)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[strava]\nclient_id = {fake.client_id}\nclient_secret = "env:STRAVA_SECRET"\n'
        f'base_url = "{fake.base_url}"\n\n[[athletes]]\nname = "sam"\nproviders = ["strava"]\n'
        'notify = ["json://127.0.0.1:9/sam"]\nnotes = { strava = true }\n'
    )
    return path


def tokens(tmp_path: Path) -> FileTokenStore:
    return FileTokenStore(tmp_path / "state" / "tokens")


def connect(tmp_path: Path, fake: FakeStrava, scope: str | None = None) -> None:
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    saved = app.exchange(fake.issue_code(scope))
    (tmp_path / "state").mkdir(mode=0o700, exist_ok=True)  # as `syncd connect` makes it
    tokens(tmp_path).save("strava", "sam", {**saved, "scope": scope or fake.grant_scope})


def doctor(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["doctor", "--config", str(config), "--state-dir", str(tmp_path / "state"), *extra])
    return code, capsys.readouterr().out


def test_a_working_setup_is_all_ok_with_strava_asked_once(
    tmp_path: Path, fake: FakeStrava, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(tmp_path, fake)
    code, out = doctor(tmp_path, config, capsys)
    assert code == 0, out
    assert "ok    strava app: active" in out
    assert "ok    sam/strava tokens: present" in out
    assert "ok    athletes[0].notify[0]: apprise can use" in out
    assert out.strip().splitlines()[-1].endswith("0 warnings, 0 failed"), out
    assert len(fake.requests("/api/v3/athlete", method="GET")) == 1
    assert fake.client_secret not in out and not any(t in out for t in fake.issued)


def test_each_problem_is_one_failed_line_with_its_fix(
    tmp_path: Path, fake: FakeStrava, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(tmp_path, fake, scope="read,activity:read_all")  # the write box unticked
    tokens(tmp_path).directory.chmod(0o755)
    config.write_text(config.read_text().replace("json://127.0.0.1:9/sam", "nope://x"))
    code, out = doctor(tmp_path, config, capsys)
    assert code == 78, out
    lines = out.splitlines()
    assert any(line.startswith("FAIL  athletes[0].notify[0]: apprise cannot use") for line in lines), out
    assert any("FAIL  sam/strava tokens: notes are on, but the permission" in line for line in lines)
    assert any(line.startswith("warn  token directory:") and "chmod 0700" in line for line in lines)


def test_an_inactive_strava_app_is_named_with_what_its_owner_must_do(
    tmp_path: Path, fake: FakeStrava, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(tmp_path, fake)
    fake.fail_next("403_inactive", path="/api/v3/athlete")
    code, out = doctor(tmp_path, config, capsys)
    assert code == 78
    assert "FAIL  strava app: Strava refuses every request of this API application" in out


def test_an_athlete_never_connected_and_a_broken_config(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(tmp_path, config, capsys, "--offline")
    assert code == 78
    assert "FAIL  sam/strava tokens: not connected yet; syncd connect strava --athlete sam" in out
    config.write_text("[strava\n")
    code, out = doctor(tmp_path, config, capsys)
    assert code == 78 and out.startswith("FAIL  ") and "not valid TOML" in out
