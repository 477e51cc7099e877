"""The owner's status page: what `syncd status` shows (accounts, next passes, failed
deliveries), as HTML. Push channels are masked as in the CLI; no token reaches it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from syncd.config import Config
from syncd.store import Store
from syncd.web.html import e, frame, section
from syncd.web.text import say


def status_data(config: Config, store: Store) -> dict[str, Any]:
    """What `syncd status --json` shows: athletes with their accounts, the request budget,
    masked push channels and deliveries given up on."""
    from syncd import __version__
    from syncd.cli.status import extra_status

    names = sorted({r["name"] for r in store.athletes()} | {a.name for a in config.athletes})
    return {
        "version": __version__,
        "athletes": {name: store.summary(name) for name in names},
        **extra_status(config, store),
    }


def status_page(data: dict[str, Any], now: datetime) -> str:
    """The page for the status dict (`syncd status --json`'s, plus `next_passes`)."""
    stamp = now.isoformat(timespec="minutes")
    out = [f"<h1>{e(say('status.title'))}</h1><p>syncd {e(data.get('version', ''))} · {e(stamp)}</p>"]
    for name, info in data.get("athletes", {}).items():
        rows = "".join(
            f"<li>{e(a['provider'])}: {e(a['status'])}, last sync {e(a['last_sync_at'] or 'never')}"
            + (f", last error: {e(a['last_error'])}" if a.get("last_error") else "")
            + "</li>"
            for a in info.get("accounts", [])
        )
        counts = f"<p>{e(info.get('activities', 0))} activities, {e(info.get('sessions', 0))} sessions</p>"
        out.append(section(name, counts + f"<ul>{rows}</ul>", f"athlete-{name}"))
    passes = "".join(f"<li>{e(job)}: {e(at)}</li>" for job, at in sorted(data.get("next_passes", {}).items()))
    out.append(section("Next passes", f"<ul>{passes}</ul>" if passes else "<p>not running</p>", "passes"))
    failed = data.get("failed_deliveries") or []
    items = "".join(
        f"<li>{e(f['athlete'])} {e(f['channel'])} {e(f['finding_key'])}: {e(f['last_error'])}</li>"
        for f in failed
    )
    out.append(section("Failed deliveries", f"<ul>{items}</ul>" if items else "<p>none</p>", "failed"))
    return frame(say("status.title"), "".join(out))
