"""The Garmin provider through `run_once`, as the daemon runs it: a Garmin-only athlete gets
the same note and push for a spike run as a Strava athlete does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from fakes.garmin_fake import GarminAccount, item, resumer

from syncd.config import parse
from syncd.engine import Context, run_once
from syncd.notifiers.base import Message, Notifier
from syncd.providers.garmin import GarminProvider
from syncd.registry import installed_providers, load_rules
from syncd.store import Store
from syncd.tokens import token_store

TODAY = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)  # a Friday, after the evening run
SPIKE = 777000


class Phone(Notifier):
    name: ClassVar[str] = "push"

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


def quiet_history() -> list[dict[str, Any]]:
    """35 days: an 8 km run every other day, strength twice a week: nothing to say."""
    start = (TODAY - timedelta(days=36)).replace(tzinfo=None)
    runs = [item(1000 + i, start + timedelta(days=i), km=8.0, minutes=48) for i in range(0, 35, 2)]
    strength = [
        item(2000 + i, start + timedelta(days=i, hours=2), km=None, minutes=30, type_key="strength_training")
        for i in range(1, 35, 3)
    ]
    return runs + strength


class World:
    def __init__(self, tmp: Path) -> None:
        self.store = Store(tmp / "state")
        self.config = parse(
            {
                "athletes": [
                    {"name": "sam", "timezone": "UTC", "providers": ["garmin"], "notes": {"garmin": True}}
                ]
            },
            "test",
        )
        self.account = GarminAccount(quiet_history())
        token_store(self.store.path.parent).save("garmin", "sam", {"session": self.account.session()})
        self.phone = Phone()
        self.provider = GarminProvider.create(
            self.config,
            self.config.athlete("sam"),
            self.store,
            client_factory=resumer(self.account),
            clock=lambda: TODAY,
        )
        self.ctx = Context(
            config=self.config,
            store=self.store,
            rules=load_rules({}),
            providers=lambda a: {"garmin": self.provider},
            notifiers=lambda a: [self.phone],
            now=lambda: TODAY,
        )

    def sync(self) -> Any:
        return run_once(self.ctx, "sam")


def test_a_spike_run_on_garmin_gets_its_note_and_push(tmp_path: Path) -> None:
    world = World(tmp_path)
    first = world.sync()
    assert first.providers["garmin"].fetched == len(quiet_history())
    assert world.phone.messages == [] and world.account.writes == []

    world.account.put(
        item(
            SPIKE,
            (TODAY - timedelta(hours=2)).replace(tzinfo=None),
            km=16.0,
            minutes=96,
            description="Great hills today.",
        )
    )
    summary = world.sync()
    assert summary.providers["garmin"].error is None and summary.findings >= 1
    assert [m for m in world.phone.messages if "session_spike:" in m.key]
    assert [ident for ident, _ in world.account.writes] == [SPIKE]
    note = world.account.description(SPIKE)
    assert note.startswith("Great hills today.\n\n— syncd —\n")  # the runner's words first, untouched
    assert "16.0" in note and "8.0" in note

    before = (len(world.phone.messages), len(world.account.writes), len(world.account.requests))
    world.sync()  # idle: one listing request, nothing written or sent again
    assert (len(world.phone.messages), len(world.account.writes)) == before[:2]
    assert world.account.requests[before[2] :] == ["list start=0 limit=100"]


def test_garmin_failing_is_recorded_and_the_pass_goes_on(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.account.faults = [429]
    summary = world.sync()
    assert summary.providers["garmin"].error == "rate limited until 17:15 UTC"
    row = world.store.conn.execute(
        "SELECT status, last_error FROM accounts WHERE provider = 'garmin'"
    ).fetchone()
    assert row["status"] == "active" and "rate-limiting" in row["last_error"]


def test_the_provider_is_installed_as_a_plugin() -> None:
    assert installed_providers()["garmin"] is GarminProvider
