"""`syncd demo`: the whole job on the bundled sample athlete, with no account and no network.

The sample's Garmin and Strava copies are served by in-memory providers; the pass runs as
the daemon's would on the evening of the sample's last day, and delivers to the console.
"""

from __future__ import annotations

import io
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from syncd.config import parse
from syncd.engine import Context, profile_of, run_once
from syncd.engine.strength import strength_for
from syncd.evaluation import stored_history
from syncd.notifiers.console import ConsoleNotifier
from syncd.plugins import provider_ranks
from syncd.providers.base import Provider
from syncd.providers.bulk_export import read_paths
from syncd.providers.memory import MemoryProvider
from syncd.registry import load_rules
from syncd.store import Store
from syncd.store.ledger import findings_between

SAMPLE = Path(__file__).parent / "sample" / "sample.jsonl"
SAMPLE_ATHLETE = "sample"
SAMPLE_TIMEZONE = "Europe/Amsterdam"
#: The evening of the sample's last day (Sunday 2026-11-22), when the weekly digest goes out.
DEMO_NOW = datetime(2026, 11, 22, 19, 30, tzinfo=ZoneInfo(SAMPLE_TIMEZONE))


def _heading(text: str) -> str:
    return f"\n== {text} " + "=" * max(3, 66 - len(text))


def run_demo(out_dir: Path) -> str:
    """Run one pass over the sample in a temporary state dir; returns what a runner would see."""
    config = parse(
        {
            "athletes": [
                {
                    "name": SAMPLE_ATHLETE,
                    "timezone": SAMPLE_TIMEZONE,
                    "providers": ["garmin", "strava"],
                    "notes": {"garmin": True, "strava": True},
                    "units": "km",
                }
            ]
        },
        "demo",
    )
    athlete = config.athletes[0]
    acts = read_paths([SAMPLE], SAMPLE_ATHLETE).activities
    providers = {
        name: MemoryProvider(SAMPLE_ATHLETE, [a for a in acts if a.provider == name], provider_name=name)
        for name in ("garmin", "strava")
    }
    phone = io.StringIO()
    console = ConsoleNotifier(stream=phone)
    out: list[str] = [
        "syncd demo: 16 weeks of a sample runner (syncd/sample/), synced as if it were "
        f"{DEMO_NOW:%A %d %B %Y, %H:%M} in {SAMPLE_TIMEZONE}.",
        "No account, no network: the Garmin and Strava copies are served from memory.",
    ]
    with (
        tempfile.TemporaryDirectory(prefix="syncd-demo-") as tmp,
        Store(Path(tmp), rank=provider_ranks()) as store,
    ):
        ctx = Context(
            config=config,
            store=store,
            rules=load_rules({}),
            providers=lambda a: dict[str, Provider](providers),
            notifiers=lambda a: [console],
            now=lambda: DEMO_NOW,
        )
        summary = run_once(ctx, SAMPLE_ATHLETE)
        out += [_heading("sync"), summary.line()]
        out += _findings(store, summary.history)
        out += _notes(providers)
        out += [
            _heading("push messages (the console stands in for the phone)"),
            phone.getvalue().rstrip() or "(none)",
        ]
        out += [
            _heading("strength session for today (the one in the note, in full)"),
            strength_for(athlete, DEMO_NOW.date()).long(),
        ]
        out += _digest(config, store, out_dir)
    return "\n".join(out)


def _findings(store: Store, older: int) -> list[str]:
    today = DEMO_NOW.date()
    recent = findings_between(store, SAMPLE_ATHLETE, today - timedelta(days=2), today)
    out = [_heading("findings about the last 3 days")]
    out += [
        f"{f.day}  {f.severity.label:<8} {f.rule:<19} {f.title}"
        for f in sorted(recent, key=lambda f: (f.day, -int(f.severity), f.rule))
    ]
    out.append(f"(older findings are kept as history, not sent: {older}; `syncd check --since` lists them)")
    return out


def _notes(providers: dict[str, MemoryProvider]) -> list[str]:
    out = [_heading("notes, as they now read on each activity")]
    for name, provider in providers.items():
        for pid in dict(provider.writes):
            item = provider.items[pid]
            out += [
                f"-- {name} activity {pid}: {item.title!r} ({item.start_utc:%a %d %b})",
                provider.description(pid),
                "",
            ]
    return out


def _digest(config: object, store: Store, out_dir: Path) -> list[str]:
    from syncd.coach.chart import matplotlib_available, render_png, render_text
    from syncd.coach.digest import build_digest
    from syncd.config import Config

    assert isinstance(config, Config)
    athlete = config.athletes[0]
    day = DEMO_NOW.date()
    history = stored_history(store, SAMPLE_ATHLETE, profile_of(config, athlete), until=day)
    # the chart marks spike runs of all 12 weeks, so it needs their findings too
    findings = findings_between(store, SAMPLE_ATHLETE, day - timedelta(weeks=12), day)
    digest = build_digest(history, findings, athlete=SAMPLE_ATHLETE, day=day, units=athlete.units)
    lines = [
        _heading("weekly digest (Sunday evening)"),
        digest.title,
        "",
        digest.text,
        "",
        render_text(digest),
    ]
    if matplotlib_available():
        out_dir.mkdir(parents=True, exist_ok=True)
        png = render_png(digest, out_dir / "syncd-demo-chart.png")
        lines.append(f"\nThe digest's chart is at {png.resolve()}")
    else:
        lines.append("\n(chart image skipped: matplotlib is not installed; pip install 'syncd[chart]')")
    return lines
