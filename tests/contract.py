"""The provider contract: one test class every provider passes (as vdirsyncer's storage tests).

A provider's test module subclasses `ProviderContract` and gives the `account` fixture: an
`Account`, i.e. the provider plus the means to change the service behind it the way a
runner (or an outage) would. A third-party provider's own tests import this module too.

What it checks: a listing stores every activity once and an idle one stores nothing new;
the next listing brings what was added since, and the overlap catches an activity uploaded
late with an earlier start; a deleted activity reads as None; a note keeps the runner's
text and holds one block; failures are the domain errors (AuthRequired, RateLimited,
Unavailable).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

import pytest

from syncd.engine import ProviderSummary
from syncd.engine.fetch import store_pages
from syncd.errors import AuthRequired, RateLimited, Unavailable
from syncd.notes import NoteOutcome, apply_block
from syncd.providers.base import Provider
from syncd.store import Store

Fault = Literal["auth", "rate", "down"]
BLOCK = "— syncd —\n45 % longer than your longest run in 30 days (16.0 vs 11.0 km)."
BLOCK_2 = "— syncd —\n45 % longer than your longest run in 30 days (16.2 vs 11.0 km)."


class Account(Protocol):
    """One athlete's account at the service, and the provider for it."""

    provider: Provider

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        """Record an activity on the service; its provider id."""

    def remove(self, provider_id: str) -> None:
        """Delete the activity on the service."""

    def description(self, provider_id: str) -> str:
        """The activity's description as the service holds it."""

    def set_description(self, provider_id: str, text: str) -> None:
        """The runner edits the description."""

    def fail_next(self, fault: Fault) -> None:
        """Make the provider's next request fail: revoked access, rate limit, outage."""


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ProviderContract:
    """Subclass with an `account` fixture; every test here must pass."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        with Store(tmp_path / "contract-state") as store:
            store.ensure_athlete("sam", "UTC")
            yield store

    def listing(self, account: Account, store: Store) -> ProviderSummary:
        summary = ProviderSummary()
        store_pages(store, "sam", account.provider.name, account.provider, summary)
        return summary

    def test_a_listing_stores_every_activity_once(self, account: Account, store: Store) -> None:
        ids = {account.add(now() - timedelta(days=d, hours=2), 8.0 + d) for d in (1, 2, 4)}
        assert self.listing(account, store).new == 3
        stored = store.activities("sam")
        assert {a.provider_id for a in stored} == ids
        assert {(a.provider, a.athlete) for a in stored} == {(account.provider.name, "sam")}
        assert self.listing(account, store).new == 0  # an idle listing adds nothing

    def test_the_next_listing_brings_what_was_added(self, account: Account, store: Store) -> None:
        account.add(now() - timedelta(days=2), 8.0)
        self.listing(account, store)
        later = account.add(now() - timedelta(hours=1), 10.0)
        summary = self.listing(account, store)
        assert summary.new == 1
        assert later in {a.provider_id for a in store.activities("sam")}

    def test_the_overlap_catches_a_late_upload(self, account: Account, store: Store) -> None:
        account.add(now() - timedelta(hours=2), 8.0)
        self.listing(account, store)
        late = account.add(now() - timedelta(days=1), 6.0)  # recorded yesterday, synced now
        assert self.listing(account, store).new == 1
        assert late in {a.provider_id for a in store.activities("sam")}

    def test_a_deleted_activity_reads_as_none(self, account: Account) -> None:
        ident = account.add(now() - timedelta(hours=3), 8.0)
        got = account.provider.fetch_one(ident)
        assert got is not None and got.provider_id == ident and got.distance_m == 8000
        account.remove(ident)
        assert account.provider.fetch_one(ident) is None

    def test_a_note_keeps_the_runners_text_and_holds_one_block(self, account: Account) -> None:
        assert account.provider.writes_notes
        ident = account.add(now() - timedelta(hours=3), 16.0)
        account.set_description(ident, "Great hills today.")

        def writes(block: str, confirmed: str | None) -> bool:
            def edit(current: str) -> str | None:
                result = apply_block(current, block, confirmed)
                return result.description if result.outcome is NoteOutcome.WRITE else None

            return account.provider.write_note(ident, edit)

        assert writes(BLOCK, None)
        assert account.description(ident) == f"Great hills today.\n\n{BLOCK}"
        assert writes(BLOCK_2, BLOCK)
        assert account.description(ident) == f"Great hills today.\n\n{BLOCK_2}"
        assert not writes(BLOCK_2, BLOCK_2)  # the same block again: nothing to write

    @pytest.mark.parametrize(
        ("fault", "error"), [("auth", AuthRequired), ("rate", RateLimited), ("down", Unavailable)]
    )
    def test_failures_are_the_domain_errors(
        self, account: Account, store: Store, fault: Fault, error: type[Exception]
    ) -> None:
        account.add(now() - timedelta(hours=3), 8.0)
        account.fail_next(fault)
        with pytest.raises(error) as caught:
            self.listing(account, store)
        if isinstance(caught.value, RateLimited):  # says when to try again, in UTC
            assert caught.value.retry_at.tzinfo is not None and caught.value.retry_at > now() - timedelta(
                minutes=1
            )
