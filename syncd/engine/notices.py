"""syncd's own notices, for the person who runs the server (DESIGN.md, "Who hears what").

They go to the log, `syncd status` (the account's state and error) and, once, to push. They
are not the runner's findings: never counted against the runner's daily push limit, never in
the digest's "worth knowing", never withdrawn by a pass, and never "reconnect" for an account
that was never connected (the fetch step does not call this for one).
"""

from __future__ import annotations

from syncd.config import AthleteConfig
from syncd.domain import Finding, Severity
from syncd.engine.context import Context, local_today
from syncd.errors import AuthRequired
from syncd.store import ledger

#: The rule id of syncd's own notices; no rule has it.
NOTICE_RULE = ledger.NOTICE_RULE


def is_notice(finding: Finding) -> bool:
    """Whether the finding is one of syncd's own notices rather than one of the runner's."""
    return finding.rule == NOTICE_RULE


def reconnect_notice(ctx: Context, athlete: AthleteConfig, provider: str, error: AuthRequired) -> None:
    """Ask, once, for an account whose access stopped working to be connected again. Syncing
    that account pauses until `syncd connect` sets it active again, so this runs once per
    loss; the message says why in plain words (`AuthRequired.reason`)."""
    from syncd.plugins import installed_providers

    now = ctx.now()
    cls = installed_providers().get(provider)
    label = cls.display_name() if cls is not None else provider.capitalize()
    reason = error.reason or "the connection was revoked or expired"
    notice = Finding(
        rule=NOTICE_RULE,
        severity=Severity.WARNING,
        athlete=athlete.name,
        day=local_today(ctx.config, athlete, now),
        key=f"{NOTICE_RULE}:{athlete.name}:{provider}:reconnect:{now:%Y%m%dT%H%M%S}",
        title=f"Reconnect {label} to syncd",
        message=(
            f"syncd cannot read your {label} activities: {reason}. Run `syncd connect "
            f"{provider} --athlete {athlete.name}` on the server; syncing {label} waits until then."
        ),
        metrics={},
        citation="",
    )
    with ctx.store.transaction() as tx:
        for item in ledger.record(tx, [notice], deliver_from=notice.day, now=now):
            for notifier in ctx.notifiers(athlete):
                ledger.queue(tx, item.finding, notifier.channel, due=now)
