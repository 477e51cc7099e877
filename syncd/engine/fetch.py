"""The fetch step: each provider's pages stored with their cursor, items it could not read kept
and retried, and failing accounts kept apart (one failing, even with an error nobody foresaw,
never stops the others; one whose access stopped working is paused and its owner told once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from syncd.config import AthleteConfig
from syncd.engine.context import Context, PassSummary, ProviderSummary
from syncd.engine.notices import reconnect_notice
from syncd.errors import AuthRequired, BadPayload, ProviderError, RateLimited, Unavailable
from syncd.providers.base import Page, Provider, Rejected
from syncd.store import Store, rejected

log = logging.getLogger("syncd.engine")

#: How many kept unreadable items of one account a pass reads again (each may cost a request).
RETRIES_PER_PASS = 3
#: Account states in which an AuthRequired means "never connected", not "access lost".
NEVER_CONNECTED = (None, "not_connected", "disconnected")


def store_pages(
    store: Store,
    athlete: str,
    name: str,
    provider: Provider,
    summary: ProviderSummary,
    on_page: Callable[[Page], None] = lambda page: None,
    now: datetime | None = None,
) -> None:
    """List the provider from the stored cursor and store every page with its cursor in one
    transaction, its unreadable items kept beside it (so the cursor never passes an item
    that is stored nowhere; what changed is found later from the activities' change
    numbers), then hand it to `on_page`. Raises what the provider raises; the pages stored
    before stay stored. The one page loop: the engine and the tests both run this."""
    stamp = now or datetime.now(UTC)
    kept_any = bool(rejected.count(store, athlete).get(name))
    for page in provider.fetch(store.cursor(athlete, name)):
        with store.transaction() as tx:
            result = store.upsert_activities(page.activities, tx)
            if page.rejected:
                items = [(r.provider_id, r.start_utc, r.raw, r.error) for r in page.rejected]
                rejected.keep(tx, athlete, name, items, stamp)
                kept_any = True
            if kept_any:  # listed readable now (fixed at the provider): no longer kept
                rejected.forget(tx, athlete, name, [a.provider_id for a in page.activities])
            if page.cursor is not None:
                store.set_cursor(tx, athlete, name, page.cursor)
        summary.fetched += len(page.activities)
        summary.new += result.new
        summary.updated += result.updated
        summary.skipped += len(page.skipped)
        on_page(page)


def retry_rejected(
    store: Store, athlete: str, name: str, provider: Provider, summary: ProviderSummary, now: datetime
) -> None:
    """Read again up to RETRIES_PER_PASS kept items whose retry is due: one that maps is
    stored and forgotten, one the provider says is gone is forgotten, one still unreadable
    backs off. A rate limit or an outage ends the retries for this pass (the listing meets
    it next); AuthRequired and the rest are raised."""
    for item in rejected.due(store, athlete, name, now, RETRIES_PER_PASS):
        try:
            activity = provider.reread(Rejected(item.provider_id, item.start_utc, item.raw, item.error))
        except BadPayload as exc:
            rejected.still_bad(store, athlete, name, item, str(exc), now)
            continue
        except (RateLimited, Unavailable):
            return
        with store.transaction() as tx:
            if activity is not None:
                result = store.upsert_activities([activity], tx)
                summary.new += result.new
                summary.updated += result.updated
            rejected.forget(tx, athlete, name, [item.provider_id])
        log.info(
            "%s/%s: item %s %s",
            athlete,
            name,
            item.provider_id,
            "is readable now and stored" if activity is not None else "is gone there; forgotten",
        )


def _fetch(
    ctx: Context, athlete: AthleteConfig, name: str, provider: Provider, part: ProviderSummary
) -> None:
    """Kept items retried, then `store_pages`, each malformed item logged once while it stays
    malformed."""
    before = ctx.skipped.get((athlete.name, name), set())
    seen: set[str] = set()

    def on_page(page: Page) -> None:
        for reason in page.skipped:
            if reason not in before and reason not in seen:  # once, not every poll
                log.warning("%s/%s: skipped one item: %s", athlete.name, name, reason)
            seen.add(reason)
        if ctx.progress:
            ctx.progress(name, part.fetched)

    retry_rejected(ctx.store, athlete.name, name, provider, part, ctx.now())
    try:
        store_pages(ctx.store, athlete.name, name, provider, part, on_page, ctx.now())
    except BaseException:  # the listing stopped part-way: what it did not reach stays known
        ctx.skipped[(athlete.name, name)] = seen | before
        raise
    ctx.skipped[(athlete.name, name)] = seen


def _lost_access(
    ctx: Context, athlete: AthleteConfig, name: str, part: ProviderSummary, exc: AuthRequired
) -> None:
    """Pause an account whose access stopped working and tell its owner once; an account
    that was never connected (or was disconnected on purpose) is only noted: nothing to
    reconnect, nothing pushed."""
    store, now = ctx.store, ctx.now()
    before = store.account_status(athlete.name, name)
    if before in NEVER_CONNECTED:
        status = "disconnected" if before == "disconnected" else "not_connected"
        part.error = f"not connected: run `syncd connect {name} --athlete {athlete.name}`"
        store.set_account(athlete.name, name, status=status, error=str(exc), synced_at=None)
        (log.warning if before is None else log.debug)("%s/%s: %s", athlete.name, name, exc)
        return
    part.error = "needs reconnecting"
    store.set_account(athlete.name, name, status="auth_required", error=str(exc), synced_at=now)
    reconnect_notice(ctx, athlete, name, exc)
    log.error("%s/%s: %s", athlete.name, name, exc)


def fetch_all(ctx: Context, athlete: AthleteConfig, summary: PassSummary) -> None:
    """Fetch from every provider; one failing is recorded and never stops the others."""
    store = ctx.store
    for name, provider in ctx.providers(athlete).items():
        part = summary.providers.setdefault(name, ProviderSummary())
        if store.account_status(athlete.name, name) == "auth_required":
            part.error = "paused: reconnect with `syncd connect " + name + "`"
            continue
        error: str | None = None
        try:
            _fetch(ctx, athlete, name, provider, part)
        except AuthRequired as exc:
            _lost_access(ctx, athlete, name, part, exc)
            continue
        except RateLimited as exc:
            part.error, error = f"rate limited until {exc.retry_at:%H:%M} UTC", str(exc)
        except ProviderError as exc:
            part.error, error = f"unavailable ({exc})", str(exc)
        except Exception as exc:  # a bug (ours or a plugin's): this account waits, the rest go on
            error = f"failed unexpectedly ({type(exc).__name__}); see the log with -vv"
            part.error = error
            log.error(
                "%s/%s: this pass skipped the account: %s: %s", athlete.name, name, type(exc).__name__, exc
            )
            log.debug("%s/%s: the error in full", athlete.name, name, exc_info=True)
        store.set_account(athlete.name, name, status="active", error=error, synced_at=ctx.now())
