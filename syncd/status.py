"""`syncd status`: what each athlete's accounts and the service are doing, in the athlete's
own time zone; the text rendering of it.

An account is shown only for a provider the athlete's config still names. "last sync" is
the last pass that succeeded; a failed one is shown as a failed attempt with its error. An
account whose notes cannot be written (the runner unticked the permission to edit
activities) is never shown as simply connected. The service's next pass is the last pass
plus the poll interval (while `syncd run` runs), its next digest the athlete's digest time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from pathlib import Path

    from syncd.config import AthleteConfig, Config
    from syncd.store import Store

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local(iso: str | None, zone: str) -> str | None:
    """'2026-12-01 19:30 CET' for a stored UTC time, in `zone` (None stays None)."""
    if not iso:
        return None
    moment = datetime.fromisoformat(iso)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M %Z}"


def next_digest(athlete: AthleteConfig, zone: str, now: datetime) -> datetime:
    """The next time the athlete's weekly digest goes out (their 'sun 19:00', local)."""
    day, clock = athlete.digest.split()
    hour, minute = (int(x) for x in clock.split(":"))
    here = now.astimezone(ZoneInfo(zone))
    at = here.replace(hour=hour, minute=minute, second=0, microsecond=0)
    at += timedelta(days=(DAYS.index(day) - here.weekday()) % 7)
    return at if at > here else at + timedelta(days=7)


def _notes_blocked(state: Path, provider: str, athlete: AthleteConfig) -> str | None:
    """Why the athlete's notes on `provider` cannot be written, or None (Strava's grant)."""
    if provider != "strava" or not athlete.notes.get("strava"):
        return None
    from syncd.tokens import token_store

    try:
        saved = token_store(state).load("strava", athlete.name)
    except Exception:  # the token store's own trouble shows in the sync, not here
        return None
    scope = saved.get("scope") if saved else None
    if isinstance(scope, str) and "activity:write" not in scope.split(","):
        return (
            "notes wait: the permission to edit activities (activity:write) was not granted; "
            f"reconnect and leave it ticked: syncd connect strava --athlete {athlete.name}"
        )
    return None


def accounts(
    store: Store, athlete: AthleteConfig, zone: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per provider the athlete's config names (removed ones are left out)."""
    from syncd.store import outbox

    by_name = {r["provider"]: r for r in rows}
    far = datetime.now(UTC) + timedelta(days=3650)
    out = []
    for name in athlete.providers:
        row = by_name.get(name, {})
        failed = bool(row.get("last_error"))
        waiting = [d for d in outbox.due(store, athlete.name, f"note:{name}", far) if d.attempts]
        out.append(
            {
                "provider": name,
                "status": row.get("status") or "not connected",
                "last_sync": None if failed else local(row.get("last_sync_at"), zone),
                "last_attempt": local(row.get("last_sync_at"), zone) if failed else None,
                "last_error": row.get("last_error"),
                "notes_blocked": _notes_blocked(store.token_state, name, athlete),
                "notes_waiting": len(waiting),
            }
        )
    return out


def service(config: Config, athlete: AthleteConfig, last: list[str | None], now: datetime) -> dict[str, Any]:
    """The next pass (after the last one, every poll interval) and the next digest."""
    from syncd.config import duration_seconds

    zone = config.timezone_of(athlete)
    every = duration_seconds(config.daemon.poll_interval)
    attempts = [datetime.fromisoformat(t) for t in last if t]
    due = max(attempts) + timedelta(seconds=every) if attempts else now
    return {
        "poll_interval": config.daemon.poll_interval,
        "next_pass": local(max(due, now).isoformat(), zone),
        "next_digest": f"{next_digest(athlete, zone, now):%a %Y-%m-%d %H:%M %Z}",
    }


def _account_line(account: dict[str, Any], athlete: str) -> str:
    name, status = account["provider"], account["status"]
    connect = f"syncd connect {name} --athlete {athlete}"
    if status == "not connected":
        text = f"not connected yet: {connect}"
    elif status == "auth_required":
        text = f"needs connecting again: {connect}"
    elif status == "disconnected":
        text = f"disconnected; {connect} to sync it again"
    elif account["notes_blocked"]:
        text = f"connected, but {account['notes_blocked']}"
    else:
        text = "connected"
    if account["last_sync"]:
        text += f"; last sync {account['last_sync']}"
    elif account["last_attempt"]:
        text += f"; last attempt {account['last_attempt']} failed: {account['last_error']}"
    if account["notes_waiting"]:
        text += f"; {account['notes_waiting']} note(s) not written yet, tried again later"
    return f"  {name:<11} {text}"


def render_status(data: dict[str, Any]) -> str:
    """A few readable lines per athlete from the status dict the CLI builds."""
    lines = [f"syncd {data['version']} · state {data['state_db']} (schema v{data['schema_version']})"]
    if not data["athletes"]:
        lines.append("no athletes yet: add one to the config, or `syncd import --athlete NAME FILE`")
    for name, info in data["athletes"].items():
        providers = ", ".join(f"{p} {n}" for p, n in info["by_provider"].items()) or "none"
        lines.append(f"\n{name}" + (f" ({info['timezone']})" if info.get("timezone") else ""))
        lines.append(f"  activities  {info['activities']} ({providers}; {info['deleted']} deleted)")
        lines.append(
            f"  sessions    {info['sessions']} ({info['merged_sessions']} recorded by two providers)"
        )
        last = info["last_activity"]
        if last:
            km = f"{last['distance_m'] / 1000:.1f} km " if last["distance_m"] else ""
            when = local(last["start_utc"], info.get("timezone") or "UTC")
            lines.append(f"  last        {when}  {last['sport']} {km}{last['title']!r} ({last['provider']})")
        lines += [_account_line(a, name) for a in info["accounts"]]
        svc = info.get("service")
        if svc:
            lines.append(
                f"  service     next pass {svc['next_pass']} (every {svc['poll_interval']}, while "
                f"`syncd run` runs); next digest {svc['next_digest']}"
            )
    lines += _app_lines(data)
    return "\n".join(lines)


def _app_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    budget = data.get("strava_budget")
    if budget:
        q, d = budget["15min"], budget["day"]
        lines.append(
            f"\nStrava API budget (shared by this app's athletes): {q['used']}/{q['limit']} this "
            f"quarter hour ({q['reads_used']}/{q['reads_limit']} reads), {d['used']}/{d['limit']} "
            f"today ({d['reads_used']}/{d['reads_limit']} reads)"
        )
    plan = data.get("poll_plan")
    if plan:
        lines.append(f"Polling each Strava account {plan['text']}")
    for name, urls in data.get("push_channels", {}).items():
        lines.append(f"push channels of {name}: {', '.join(urls)}")
    failed = data.get("failed_deliveries") or []
    if failed:
        lines.append(f"\n{len(failed)} message(s) given up after repeated failures:")
        lines += [
            f"  {f['athlete']} {f['channel']} {f['finding_key']}: {f['last_error']}" for f in failed[:10]
        ]
    return lines
