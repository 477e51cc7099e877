"""`syncd connect intervals` / `syncd disconnect intervals` against the fake server: the key is
checked with one request and only its reference is kept; a bad key, a literal key and a
broken `[providers.intervals]` table are refused with the fix, and nothing is saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.intervals_server import FakeIntervals

from syncd.cli import accounts, build_parser, main
from syncd.config import parse
from syncd.errors import AuthRequired
from syncd.providers.intervals import IntervalsProvider
from syncd.providers.intervals.listing import account_key
from syncd.store import Store


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals() as server:
        yield server


class Setup:
    def __init__(self, tmp_path: Path, fake: FakeIntervals, table: str = "") -> None:
        self.state = tmp_path / "state"
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            f'[providers.intervals]\nbase_url = "{fake.base_url}"\n{table}\n'
            '[[athletes]]\nname = "sam"\ntimezone = "UTC"\nproviders = ["intervals"]\n'
        )
        self.argv = ["--config", str(self.config), "--state-dir", str(self.state)]

    def connect(self, *extra: str) -> int:
        return main(["connect", "intervals", "--athlete", "sam", *self.argv, *extra])

    def account(self) -> object:
        with Store(self.state) as store:
            return store.provider_value("intervals", account_key("sam"))

    def saved_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.state.rglob("*") if p.is_file())


def test_connect_checks_the_key_with_one_request_and_keeps_only_the_reference(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAM_INTERVALS_KEY", fake.key)
    setup = Setup(tmp_path, fake)
    assert setup.connect("--key", "env:SAM_INTERVALS_KEY") == 0
    assert [(r.method, r.path) for r in fake.log] == [("GET", "/api/v1/athlete/0")]
    assert setup.account() == {"key": "env:SAM_INTERVALS_KEY", "athlete_id": "0"}
    with Store(setup.state) as store:
        row = store.conn.execute(
            "SELECT external_id, status FROM accounts WHERE provider = 'intervals'"
        ).fetchone()
    assert tuple(row) == ("i90210", "active")
    out = capsys.readouterr()
    assert "Connected intervals.icu athlete i90210 (Sam Runner) for sam" in out.out
    assert "time zone Europe/Amsterdam" in out.out  # the config counts sam's days in UTC
    # the profile answer carries the key (icu_api_key): it reaches neither the state nor the screen
    assert fake.key.encode() not in setup.saved_bytes()
    assert fake.key not in out.out + out.err


def test_a_refused_key_saves_nothing(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAM_INTERVALS_KEY", "an-old-deleted-key")
    setup = Setup(tmp_path, fake)
    assert setup.connect("--key", "env:SAM_INTERVALS_KEY") == 1
    err = capsys.readouterr().err
    assert "did not accept the key env:SAM_INTERVALS_KEY names" in err and "nothing was saved" in err
    assert "an-old-deleted-key" not in err
    assert not setup.state.exists() or setup.account() is None


def test_a_credential_only_the_service_can_read_is_asked_once_for_the_check(
    tmp_path: Path, fake: FakeIntervals, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = Setup(tmp_path, fake)
    args = build_parser().parse_args(
        ["connect", "intervals", "--athlete", "sam", *setup.argv, "--key", "credential:intervals-sam"]
    )
    asked: list[str] = []

    def ask_key(prompt: str) -> str:
        asked.append(prompt)
        return fake.key

    assert accounts.cmd_connect(args, ask_key=ask_key) == 0
    assert len(asked) == 1
    assert "CREDENTIALS_DIRECTORY is not set" in capsys.readouterr().out
    assert setup.account() == {"key": "credential:intervals-sam", "athlete_id": "0"}
    assert fake.key.encode() not in setup.saved_bytes()


def test_the_key_itself_is_no_reference(
    tmp_path: Path, fake: FakeIntervals, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = Setup(tmp_path, fake)
    assert setup.connect("--key", fake.key) == 78
    err = capsys.readouterr().err
    assert "--key: expected a reference" in err and fake.key not in err
    assert fake.log == []


def test_a_coach_key_reads_the_athlete_it_names(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_KEY", fake.key)
    setup = Setup(tmp_path, fake)
    assert setup.connect("--key", "env:COACH_KEY", "--intervals-athlete", "i90210") == 0
    assert fake.log[-1].path == "/api/v1/athlete/i90210"
    assert setup.account() == {"key": "env:COACH_KEY", "athlete_id": "i90210"}
    assert setup.connect("--key", "env:COACH_KEY", "--intervals-athlete", "i4/../0") == 78
    assert len(fake.log) == 1


def test_disconnect_forgets_the_reference_and_the_next_pass_asks_to_reconnect(
    tmp_path: Path, fake: FakeIntervals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAM_INTERVALS_KEY", fake.key)
    setup = Setup(tmp_path, fake)
    setup.connect("--key", "env:SAM_INTERVALS_KEY")
    assert main(["disconnect", "intervals", "--athlete", "sam", *setup.argv]) == 0
    assert "stays valid until you delete it at intervals.icu" in capsys.readouterr().out
    assert setup.account() is None
    config = parse(
        {"providers": {"intervals": {"base_url": fake.base_url}}, "athletes": [{"name": "sam"}]}, "test"
    )
    with Store(setup.state) as store, pytest.raises(AuthRequired, match="syncd connect intervals"):
        IntervalsProvider.create(config, config.athlete("sam"), store)


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('api_key = "abc123"', "providers.intervals.api_key: unknown key, and it looks like a secret"),
        ("timeout_s = 0", "providers.intervals.timeout_s: input should be greater than 0"),
    ],
)
def test_a_broken_providers_table_names_the_key_and_the_fix(
    tmp_path: Path, fake: FakeIntervals, capsys: pytest.CaptureFixture[str], table: str, says: str
) -> None:
    setup = Setup(tmp_path, fake, table)
    assert setup.connect("--key", "env:X") == 78
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and "abc123" not in err
    assert fake.log == []


def test_plain_http_is_refused_except_to_loopback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[providers.intervals]\nbase_url = "http://intervals.icu"\n\n[[athletes]]\nname = "sam"\n'
    )
    assert main(["connect", "intervals", "--athlete", "sam", "--config", str(config)]) == 78
    assert "providers.intervals.base_url: plain http is only allowed to a loopback" in capsys.readouterr().err
