"""Text rendering of `syncd status`."""

from __future__ import annotations

from typing import Any


def render_status(data: dict[str, Any]) -> str:
    """A few readable lines per athlete from the status dict the CLI builds."""
    lines = [f"syncd {data['version']} · state {data['state_db']} (schema v{data['schema_version']})"]
    if not data["athletes"]:
        lines.append("no athletes yet: add one to the config, or `syncd import --athlete NAME FILE`")
    for name, info in data["athletes"].items():
        providers = ", ".join(f"{p} {n}" for p, n in info["by_provider"].items()) or "none"
        lines.append(f"\n{name}")
        lines.append(f"  activities  {info['activities']} ({providers}; {info['deleted']} deleted)")
        lines.append(
            f"  sessions    {info['sessions']} ({info['merged_sessions']} recorded by two providers)"
        )
        last = info["last_activity"]
        if last:
            km = f"{last['distance_m'] / 1000:.1f} km " if last["distance_m"] else ""
            lines.append(
                f"  last        {last['start_utc'][:16].replace('T', ' ')} UTC  {last['sport']} "
                f"{km}{last['title']!r} ({last['provider']})"
            )
        for account in info["accounts"]:
            state = account["status"] + (
                f", last error: {account['last_error']}" if account["last_error"] else ""
            )
            lines.append(
                f"  {account['provider']:<11} {state}; last sync {account['last_sync_at'] or 'never'}"
            )
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
    return "\n".join(lines)
