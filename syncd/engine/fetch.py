"""The fetch step: each provider's pages stored with their cursor, and failing accounts kept
apart (one failing never stops the others; a revoked one asks, once, to be reconnected)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from syncd.config import AthleteConfig
from syncd.domain import Finding, Severity
from syncd.engine.context import Context, PassSummary, ProviderSummary, local_today
from syncd.errors import AuthRequired, ProviderError, RateLimited
from syncd.providers.base import Page, Provider
from syncd.store import Store, ledger

log = logging.getLogger("syncd.engine")

#: The rule id of syncd's own notices (an account to reconnect); no rule has it.
NOTICE_RULE = ledger.NOTICE_RULE


def store_pages(
    store: Store,
    athlete: str,
    name: str,
    provider: Provider,
    summary: ProviderSummary,
    on_page: Callable[[Page], None] = lambda page: None,
) -> None:
    """List the provider from the stored cursor and store every page with its cursor in one
    transaction (what changed is found later from the activities' change numbers), then
    hand it to `on_page`. Raises what the provider raises; the pages stored before stay
    stored. The one page loop: the engine and the tests both run this."""
    for page in provider.fetch(store.cursor(athlete, name)):
        with store.transaction() as tx:
            result = store.upsert_activities(page.activities, tx)
            if page.cursor is not None:
                store.set_cursor(tx, athlete, name, page.cursor)
        summary.fetched += len(page.activities)
        summary.new += result.new
        summary.updated += result.updated
        summary.skipped += len(page.skipped)
        on_page(page)


def _fetch(
    ctx: Context, athlete: AthleteConfig, name: str, provider: Provider, part: ProviderSummary
) -> None:
    """`store_pages` with each malformed item logged once while it stays malformed."""
    before = ctx.skipped.get((athlete.name, name), set())
    seen: set[str] = set()

    def on_page(page: Page) -> None:
        for reason in page.skipped:
            if reason not in before and reason not in seen:  # once, not every poll
                log.warning("%s/%s: skipped one item: %s", athlete.name, name, reason)
            seen.add(reason)
        if ctx.progress:
            ctx.progress(name, part.fetched)

    try:
        store_pages(ctx.store, athlete.name, name, provider, part, on_page)
    except BaseException:  # the listing stopped part-way: what it did not reach stays known
        ctx.skipped[(athlete.name, name)] = seen | before
        raise
    ctx.skipped[(athlete.name, name)] = seen


def _reconnect_notice(ctx: Context, athlete: AthleteConfig, provider: str, error: AuthRequired) -> None:
    """Ask the runner, once, to reconnect an account whose tokens stopped working. Syncing
    that account pauses until `syncd connect` sets it active again, so this runs once."""
    now = ctx.now()
    from syncd.plugins import installed_providers

    cls = installed_providers().get(provider)
    label = cls.display_name() if cls is not None else provider.capitalize()
    reason = "not connected yet" if "not connected" in str(error) else "the connection was revoked or expired"
    notice = Finding(
        rule=NOTICE_RULE,
        severity=Severity.WARNING,
        athlete=athlete.name,
        day=local_today(ctx.config, athlete, now),
        key=f"{NOTICE_RULE}:{athlete.name}:{provider}:reconnect:{now:%Y%m%dT%H%M%S}",
        title=f"Reconnect {label} to syncd",
        message=(
            f"syncd cannot read your {label} activities ({reason}). Run `syncd connect "
            f"{provider} --athlete {athlete.name}` on the server; syncing {label} waits until then."
        ),
        metrics={},
        citation="",
    )
    with ctx.store.transaction() as tx:
        for item in ledger.record(tx, [notice], deliver_from=notice.day, now=now):
            for notifier in ctx.notifiers(athlete):
                ledger.queue(tx, item.finding, notifier.channel, due=now)


def fetch_all(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Fetch from every provider; one failing is recorded and never stops the others."""
    store = ctx.store
    for name, provider in ctx.providers(athlete).items():
        part = summary.providers.setdefault(name, ProviderSummary())
        if store.account_status(athlete.name, name) == "auth_required":
            part.error = "paused: reconnect with `syncd connect " + name + "`"
            continue
        error: str | None = None
        status = "active"
        try:
            _fetch(ctx, athlete, name, provider, part)
        except AuthRequired as exc:
            part.error, status, error = "needs reconnecting", "auth_required", str(exc)
            store.set_account(athlete.name, name, status=status, error=error, synced_at=ctx.now())
            _reconnect_notice(ctx, athlete, name, exc)
            log.error("%s/%s: %s", athlete.name, name, exc)
            continue
        except RateLimited as exc:
            part.error, error = f"rate limited until {exc.retry_at:%H:%M} UTC", str(exc)
        except ProviderError as exc:
            part.error, error = f"unavailable ({exc})", str(exc)
        store.set_account(athlete.name, name, status=status, error=error, synced_at=ctx.now())
