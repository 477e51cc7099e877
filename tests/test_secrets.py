"""Secret references resolve from env, systemd credentials and the keyring; URLs mask secrets."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.backends import fail

from syncd.errors import ConfigError
from syncd.secrets import is_reference, mask_url, resolve, secret_parts


class MemoryKeyring(KeyringBackend):
    """A keyring kept in a dict, so tests never touch the developer's real keyring."""

    # Below every real backend, so keyring's own discovery never picks it.
    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "credentials"
    directory.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(directory))
    return directory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("env:NTFY_TOKEN", True),
        ("credential:strava_client_secret", True),
        ("keyring:garmin", True),
        ("env:", False),
        ("ENV:X", False),
        ("ntfys://ntfy.sh/topic", False),
        ("hunter2", False),
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_is_reference(value: object, expected: bool) -> None:
    assert is_reference(value) is expected


def test_env_reference_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_TEST_TOKEN", "tok-123")
    assert resolve("env:SYNCD_TEST_TOKEN") == "tok-123"


def test_credential_strips_exactly_one_trailing_newline(credentials: Path) -> None:
    (credentials / "one").write_text("secret-one\n")
    (credentials / "two").write_text("secret-two\n\n")
    (credentials / "none").write_text("secret-none")
    assert resolve("credential:one") == "secret-one"
    assert resolve("credential:two") == "secret-two\n"
    assert resolve("credential:none") == "secret-none"


def test_keyring_reference_resolves(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("syncd", "ntfy", "from-keyring")
    assert resolve("keyring:ntfy") == "from-keyring"


def test_keyring_reads_only_the_syncd_service(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("other-app", "ntfy", "not-ours")
    with pytest.raises(ConfigError, match="keyring set syncd ntfy"):
        resolve("keyring:ntfy")


def _setup_nothing(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the environment and the credentials directory empty."""


def _setup_empty_env(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_EMPTY", "")


def _setup_no_credentials_dir(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")


def _setup_empty_credential(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (credentials / "blank").write_text("\n")


@pytest.mark.parametrize(
    ("ref", "setup", "expected"),
    [
        ("env:SYNCD_MISSING", _setup_nothing, ["env:SYNCD_MISSING", "SYNCD_MISSING is not set"]),
        ("env:SYNCD_EMPTY", _setup_empty_env, ["env:SYNCD_EMPTY", "is empty"]),
        (
            "credential:ntfy",
            _setup_no_credentials_dir,
            ["credential:ntfy", "CREDENTIALS_DIRECTORY is not set", "LoadCredential=ntfy:/"],
        ),
        (
            "credential:ntfy",
            _setup_nothing,
            ["credential:ntfy", "no credential ntfy", "LoadCredential=ntfy:/"],
        ),
        ("credential:blank", _setup_empty_credential, ["credential:blank", "is empty"]),
        ("credential:../etc/passwd", _setup_nothing, ["not a valid credential name"]),
        ("credential:..", _setup_nothing, ["not a valid credential name"]),
        ("credential:a/b", _setup_nothing, ["not a valid credential name"]),
    ],
)
def test_unresolvable_reference_names_it_and_the_fix(
    ref: str,
    setup: object,
    expected: list[str],
    credentials: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert callable(setup)
    setup(credentials, monkeypatch)
    with pytest.raises(ConfigError) as info:
        resolve(ref)
    for fragment in expected:
        assert fragment in str(info.value)


def test_missing_keyring_entry_says_how_to_set_it(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ConfigError, match=r"keyring:garmin.*keyring set syncd garmin"):
        resolve("keyring:garmin")


def test_unusable_keyring_backend_suggests_credentials() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(ConfigError, match=r"cannot be used.*credential:garmin"):
            resolve("keyring:garmin")
    finally:
        keyring.set_keyring(previous)


def test_literal_value_is_refused_without_being_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        resolve("hunter2-pasted-secret")
    assert "hunter2" not in str(info.value)
    assert "env:NAME" in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("json://user:s3cretpw@127.0.0.1:8080/", "json://user:****@127.0.0.1:8080/"),
        ("ntfys://ntfy.example.org/sam-running", "ntfys://ntfy.example.org/sa****"),
        ("ntfys://sam-running", "ntfys://s****"),
        ("ntfy://tk_abcdefghij@ntfy.example.org/sam-running", "ntfy://t****@ntfy.example.org/sa****"),
        ("gotify://gotify.example.org/AbCdEfGhIj", "gotify://gotify.example.org/Ab****"),
        ("pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi", "pover://u****@a****"),
        (
            "json://example.org/hook?token=abcdef&priority=high",
            "json://example.org/****?token=****&priority=high",
        ),
        ("json://example.org/?+Authorization=Bearer%20xyz", "json://example.org/?+Authorization=****"),
        ("tgram://123456789:abcdefg_hijklmnop/12315544/", "tgram://1****/12****/"),
        ("mailtos://user:pass@example.org", "mailtos://user:****@example.org"),
        ("not a url", "****"),
    ],
)
def test_mask_url_examples(url: str, expected: str) -> None:
    assert mask_url(url) == expected


# Every position in an apprise URL where a service keeps a secret; {S} marks it.
SECRET_POSITIONS = [
    "json://user:{S}@example.org:8080/hook",
    "jsons://{S}@example.org/",
    "json://example.org/hooks/{S}",
    "ntfys://ntfy.example.org/{S}",
    "ntfys://{S}",
    "ntfy://{S}@ntfy.example.org/topic",
    "ntfy://user:{S}@ntfy.example.org/topic",
    "gotify://gotify.example.org/{S}",
    "gotifys://gotify.example.org/sub/path/{S}/",
    "pover://{S}@abcdefghijabcdefghijabcdefghij",
    "pover://abcdefghijabcdefghijabcdefghij@{S}",
    "json://example.org/?token={S}",
    "json://example.org/?key={S}&priority=high",
    "json://example.org/?apikey={S}",
    "json://example.org/?password={S}",
    "json://example.org/?secret={S}",
    "json://example.org/?+X-Token={S}",
    "mailtos://user:{S}@example.org",
    "tgram://123456789:{S}/12345/",
    "discord://1234567/{S}",
    "unknownsvc://{S}",
    "json://example.org/a#{S}",
]

_SECRET_ALPHABET = string.ascii_letters + string.digits + "-_"


@given(
    template=st.sampled_from(SECRET_POSITIONS),
    secret=st.text(alphabet=_SECRET_ALPHABET, min_size=6, max_size=40),
)
def test_masked_url_never_contains_the_secret(template: str, secret: str) -> None:
    assume(secret not in template.replace("{S}", " "))
    url = template.replace("{S}", secret)
    assert secret not in mask_url(url)
    assert secret in secret_parts(url)
