"""Every built-in provider passes the provider contract (tests/contract.py): the in-memory
provider the engine tests rely on, Strava against the local fake server, and Garmin against
the fake Garmin Connect client (garminconnect's own error handling, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from contract import Account, Fault, ProviderContract
from factories import run
from fakes.garmin_fake import FakeGarmin, GarminAccount, item
from fakes.strava_server import FakeStrava

from syncd.errors import AuthRequired, RateLimited, Unavailable
from syncd.providers.base import Provider
from syncd.providers.garmin import GarminProvider
from syncd.providers.memory import MemoryProvider
from syncd.providers.strava import StravaProvider
from syncd.providers.strava.api import StravaApi, StravaApp
from syncd.providers.strava.budget import Budget
from syncd.store import Store
from syncd.tokens import FileTokenStore


class MemoryAccount:
    def __init__(self) -> None:
        self.memory = MemoryProvider("sam")
        self.provider: Provider = self.memory
        self.count = 0

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        self.count += 1
        ident = f"m{self.count}"
        self.memory.put(run("memory", ident, start.isoformat(), km, title=title))
        return ident

    def remove(self, provider_id: str) -> None:
        self.memory.remove(provider_id)

    def description(self, provider_id: str) -> str:
        return self.memory.description(provider_id)

    def set_description(self, provider_id: str, text: str) -> None:
        self.memory.put(replace(self.memory.items[provider_id], description=text))

    def fail_next(self, fault: Fault) -> None:
        errors = {
            "auth": AuthRequired("revoked"),
            "rate": RateLimited("slow down", datetime.now(UTC) + timedelta(minutes=15)),
            "down": Unavailable("down"),
        }
        self.memory.faults.append(errors[fault])


class TestMemoryProvider(ProviderContract):
    @pytest.fixture
    def account(self) -> Account:
        return MemoryAccount()


class StravaAccount:
    def __init__(self, fake: FakeStrava, store: Store, tokens: FileTokenStore) -> None:
        self.fake = fake
        app = StravaApp(fake.base_url, fake.client_id, fake.client_secret, timeout=(2.0, 2.0))
        tokens.save("strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
        api = StravaApi(app, tokens, "sam", Budget(store, fake.client_id))
        self.provider: Provider = StravaProvider("sam", api, store)

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        return str(self.fake.add_activity(start, distance=km * 1000.0, name=title)["id"])

    def remove(self, provider_id: str) -> None:
        with self.fake.lock:
            del self.fake.activities[int(provider_id)]

    def description(self, provider_id: str) -> str:
        return self.fake.description(int(provider_id)) or ""

    def set_description(self, provider_id: str, text: str) -> None:
        with self.fake.lock:
            self.fake.activities[int(provider_id)]["description"] = text

    def fail_next(self, fault: Fault) -> None:
        if fault == "auth":  # the runner revoked syncd's access: tokens and grant are gone
            with self.fake.lock:
                self.fake.access.clear()
                self.fake.refresh.clear()
        else:
            self.fake.fail_next({"rate": "429", "down": "500"}[fault])


class TestStravaProvider(ProviderContract):
    @pytest.fixture
    def account(self, store: Store, tmp_path: Path) -> Iterator[Account]:
        with FakeStrava(fault_sleep_s=0.0) as fake:
            yield StravaAccount(fake, store, FileTokenStore(tmp_path / "tokens"))


class GarminContractAccount:
    def __init__(self, store: Store, tmp_path: Path) -> None:
        self.account = GarminAccount()
        tokens = FileTokenStore(tmp_path / "tokens")
        tokens.save("garmin", "sam", {"session": self.account.session()})
        api = FakeGarmin(self.account)
        api.client.loads(self.account.session())
        self.provider: Provider = GarminProvider("sam", api, tokens, store=store)
        self.next_id = 5_000_000_000

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        self.next_id += 1
        gmt = start.astimezone(UTC).replace(tzinfo=None)
        self.account.put(item(self.next_id, gmt, km=km, activityName=title))
        return str(self.next_id)

    def remove(self, provider_id: str) -> None:
        del self.account.items[int(provider_id)]

    def description(self, provider_id: str) -> str:
        return self.account.description(provider_id)

    def set_description(self, provider_id: str, text: str) -> None:
        self.account.items[int(provider_id)]["description"] = text

    def fail_next(self, fault: Fault) -> None:
        if fault == "auth":  # the runner signed syncd out: the tokens and their refresh are dead
            self.account.generation += 1
            return
        self.account.faults.append({"rate": 429, "down": 503}[fault])


class TestGarminProvider(ProviderContract):
    @pytest.fixture
    def account(self, store: Store, tmp_path: Path) -> Account:
        return GarminContractAccount(store, tmp_path)
