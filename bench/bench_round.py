"""Many athletes on one standard Strava app, polled by the daemon's planner against the fake
Strava with its real windows (100 reads per 15 minutes from :00 :15 :30 :45 UTC, 1,000 a
day from UTC midnight), on a simulated clock shared by the fake and syncd (issue 11 budget:
each athlete polled within 10 % of the same count per hour, no rate-limit error).

Every pass is a real `run_once` with the real Strava provider over HTTP; the clock jumps to
the planner's next turn instead of sleeping. A fake that lists each athlete's own activities
(`listing(owner=...)`) gets an old history per athlete, listed on each first pass; the fake
of tests/fakes/strava_server.py on main lists every activity to every athlete, so with it
the accounts have none (every poll is the idle one-read poll). Optionally (`--events`), webhook events for
stored activities arrive spread over the run and are handled as the daemon handles them
(one read each, within what the planned polls leave).

Run:  .venv/bin/python bench/bench_round.py [--athletes 100] [--hours 48] [--events 0]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes.strava_server import FakeStrava  # noqa: E402

from syncd.config import Config, parse  # noqa: E402
from syncd.engine import Context, run_once  # noqa: E402
from syncd.planner import Planner  # noqa: E402
from syncd.providers.strava import StravaProvider  # noqa: E402
from syncd.providers.strava.api import StravaApi, StravaApp  # noqa: E402
from syncd.providers.strava.budget import Budget  # noqa: E402
from syncd.providers.strava.events import WebhookEvent, handle_event  # noqa: E402
from syncd.registry import load_rules  # noqa: E402
from syncd.store import Store  # noqa: E402
from syncd.store.webhooks import EndpointState  # noqa: E402
from syncd.tokens import FileTokenStore  # noqa: E402

START = datetime(2026, 3, 2, 8, 3, 17, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def setup(root: Path, fake: FakeStrava, clock: Clock, count: int, webhooks: bool) -> tuple[Config, Context]:
    names = [f"a{i:03d}" for i in range(count)]
    daemon = {"webhook_listen": "127.0.0.1:8421"} if webhooks else {}
    config = parse(
        {
            "daemon": daemon,
            "strava": {"client_id": fake.client_id, "client_secret": "env:X", "base_url": fake.base_url},
            "athletes": [{"name": n, "providers": ["strava"], "timezone": "UTC"} for n in names],
        },
        "bench",
    )
    store = Store(root / "state")
    tokens = FileTokenStore(root / "tokens")
    app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
    providers = {}
    for i, name in enumerate(names):
        fake.athlete_id = 5000 + i  # who clicks Authorize next
        tokens.save("strava", name, {**app.exchange(fake.issue_code()), "scope": fake.grant_scope})
        store.ensure_athlete(name, "UTC")
        store.set_account(name, "strava", status="active", external_id=str(5000 + i))
        api = StravaApi(app, tokens, name, Budget(store, fake.client_id, clock), clock)
        providers[name] = StravaProvider(name, api, store, clock=clock)
    ctx = Context(
        config=config,
        store=store,
        rules=load_rules({}),
        providers=lambda a: {"strava": providers[a.name]},
        notifiers=lambda a: [],
        now=clock,
    )
    return config, ctx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--hours", type=float, default=48)
    parser.add_argument("--events", type=int, default=0, help="webhook events spread over the run")
    args = parser.parse_args()
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp, FakeStrava(clock=lambda: clock.now.timestamp()) as fake:
        config, ctx = setup(Path(tmp), fake, clock, args.athletes, webhooks=args.events > 0)
        if "owner" in inspect.signature(fake.listing).parameters:  # a fake that lists by athlete
            for i in range(args.athletes):  # an old history each lists on its first pass
                for k in range(20):
                    fake.add_activity(
                        START - timedelta(days=400 - 7 * k), athlete_id=5000 + i, distance=8000.0
                    )
        planner = Planner(config, ctx.store, clock)
        polls: Counter[str] = Counter()
        per_hour: Counter[tuple[str, int]] = Counter()
        limited, handled = 0, 0
        end = START + timedelta(hours=args.hours)
        gap = timedelta(hours=args.hours) / max(1, args.events)
        next_event = START + gap / 2 if args.events else end
        endpoint = EndpointState(ctx.store.path, "strava")
        while True:
            clock.now = max(clock.now, min(planner.next_due(), next_event))
            if clock.now >= end:
                break
            if clock.now >= next_event:
                owner = handled % args.athletes
                ident = 90_000_000 + handled  # an activity Strava shows no more: still one read
                event = WebhookEvent("activity", ident, "update", 5000 + owner, 1, int(clock.now.timestamp()))
                endpoint.remember(event.key, str(event.owner_id))
                handle_event(
                    event, ctx.store, None, lambda n: ctx.providers(config.athlete(n))["strava"],  # type: ignore[arg-type]
                    lambda n: run_once(ctx, n, fetch=False), now=clock.now, room=planner.event_room,
                )  # fmt: skip
                handled += 1
                next_event += gap
                continue
            name = planner.take()
            if name is None:
                continue
            summary = run_once(ctx, name)
            limited += sum("rate limited" in (p.error or "") for p in summary.providers.values())
            polls[name] += 1
            per_hour[(name, int((clock.now - START).total_seconds() // 3600))] += 1
        counts = [polls[a.name] for a in config.athletes]
        mean = statistics.mean(counts)
        spread = max(abs(c - mean) for c in counts) / mean * 100
        answered_429 = sum(r.status == 429 for r in fake.log)
        reads = [r for r in fake.log if r.method == "GET" and r.path.startswith("/api/v3/")]
        print(
            f"{args.athletes} athletes on one standard app over {args.hours:g} simulated hours: "
            f"{planner.plan.describe()}"
        )
        print(
            f"polls per athlete: min {min(counts)}, max {max(counts)}, mean {mean:.2f} "
            f"({mean / args.hours:.3f} an hour); furthest from the mean {spread:.1f} % (budget 10 %)"
        )
        print(
            f"requests: {len(reads)} reads in all ({len(reads) / args.hours * 24:.0f} a day, limit 1,000), "
            f"{answered_429} answered 429, {limited} passes rate-limited, {handled} webhook events handled"
        )


if __name__ == "__main__":
    main()
