"""The engine's budgets from DESIGN.md, measured against the local fake Strava (no network):

- an incremental poll with nothing new: exactly 1 HTTP request per provider account;
- a backfill of N activities: floor(N/200) + 1 list requests, no per-activity request;
- a whole idle pass (fetch, merge, evaluate, deliver) over ~4,000 stored activities;
- daemon idle memory under 80 MiB RSS with both providers' libraries loaded, a push channel
  and the webhook endpoint configured (the daemon's own Context, its scheduler and its
  listener running in the measured process), and no growth over 1,000 poll cycles;
- `syncd --help` under 300 ms.

Run:  .venv/bin/python bench/bench_engine.py [--cycles 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes.strava_server import FakeStrava  # noqa: E402

from syncd.config import parse  # noqa: E402
from syncd.engine import run_once  # noqa: E402
from syncd.engine.wiring import build_context  # noqa: E402
from syncd.providers.strava.api import StravaApp  # noqa: E402
from syncd.store import Store  # noqa: E402
from syncd.tokens import FileTokenStore  # noqa: E402

LIST = "/api/v3/athlete/activities"


def rss_mib() -> float:
    """This process's resident memory, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_mib() -> float:
    """This process's peak resident memory so far (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def help_time_ms(runs: int = 10) -> float:
    exe = str(Path(sys.executable).with_name("syncd"))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([exe, "--help"], capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def child(args: argparse.Namespace) -> None:
    """The daemon's side, in its own process so the fake server's memory is not counted."""
    import json
    import socket
    import threading

    from apscheduler.schedulers.background import BackgroundScheduler

    from syncd.providers.strava.endpoint import WebhookApp, WebhookState, serve, verify_token_for

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = parse(
        {
            "daemon": {"webhook_listen": f"127.0.0.1:{port}"},
            "strava": {
                "client_id": args.client_id,
                "client_secret": "env:BENCH_SECRET",
                "base_url": args.base_url,
            },
            "athletes": [{"name": "sam", "providers": ["strava"], "notify": ["json://127.0.0.1:9/push"]}],
        },
        "bench",
    )
    out: dict[str, object] = {}
    with Store(Path(args.state), any_thread=True) as store:
        ctx = build_context(config, store, isolated_push=True)  # as the daemon builds it
        ctx.notifiers(config.athlete("sam"))
        scheduler = BackgroundScheduler()
        scheduler.start()
        app = WebhookApp(
            verify_token_for("x"), WebhookState(store.path, args.client_id), enqueue=lambda e: None
        )
        listener = serve(app, "127.0.0.1", port)
        threading.Thread(target=listener.run, daemon=True).start()
        out["rss_before"] = rss_mib()
        if os.environ.get("BENCH_TRACEMALLOC"):
            import tracemalloc

            tracemalloc.start()
        began = time.perf_counter()
        run_once(ctx, "sam")
        if os.environ.get("BENCH_TRACEMALLOC"):
            current, peak = tracemalloc.get_traced_memory()
            snap = tracemalloc.take_snapshot()
            with open(os.environ["BENCH_TRACEMALLOC"], "w") as f:
                print(f"python heap after {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB", file=f)
                for stat in snap.statistics("lineno")[:25]:
                    print(stat, file=f)
            tracemalloc.stop()
        out["backfill_s"] = time.perf_counter() - began
        out["peak_backfill"] = peak_mib()
        out["rss_backfill"] = rss_mib()
        if not args.no_garmin:
            import garminconnect  # noqa: F401  (the Garmin library, as a daemon with both providers has it)

            import syncd.providers.garmin  # noqa: F401
        out["rss_garmin"] = rss_mib()
        times = []
        for _ in range(20):
            began = time.perf_counter()
            run_once(ctx, "sam")
            times.append((time.perf_counter() - began) * 1000)
        out["idle_ms"] = statistics.median(times)
        out["activities"] = store.summary("sam")["activities"]
        out["rss_start"] = rss_mib()
        for i in range(args.cycles):
            run_once(ctx, "sam")
            if i == 99:
                out["rss_100"] = rss_mib()
        out["rss_end"] = rss_mib()
        out["peak_end"] = peak_mib()
        listener.close()
        scheduler.shutdown()
    print(json.dumps(out))


def main() -> None:
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=4030)
    parser.add_argument("--no-garmin", action="store_true", help="leave the Garmin library out")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--client-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    print(f"syncd --help (median of 10): {help_time_ms():.0f} ms  (budget 300)")
    # limits high enough for 1,000 passes in a few seconds (real ones are 100 reads a quarter hour)
    roomy = ((100_000, 1_000_000), (100_000, 1_000_000))
    with tempfile.TemporaryDirectory() as tmp, FakeStrava(limits=roomy) as fake:
        root = Path(tmp)
        env = {**os.environ, "SYNCD_TOKEN_DIR": str(root / "tokens"), "BENCH_SECRET": fake.client_secret}
        # one every 30 hours (a rest day in five), the newest four days ago (older than the detail window: a
        # backfill lists them, it fetches none of them one by one)
        start = datetime.now(UTC).replace(hour=6, minute=30) - timedelta(days=4, hours=30 * args.activities)
        for i in range(args.activities):
            fake.add_activity(
                start + timedelta(hours=30 * i),
                distance=6000.0 + (i * 37) % 9000,
                moving_time=1800 + (i * 53) % 3600,
            )
        app = StravaApp(fake.base_url, fake.client_id, fake.client_secret)
        FileTokenStore(root / "tokens").save(
            "strava", "sam", {**app.exchange(fake.issue_code()), "scope": fake.grant_scope}
        )
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--cycles",
                str(args.cycles),
                "--base-url",
                fake.base_url,
                "--client-id",
                str(fake.client_id),
                "--state",
                str(root / "state"),
                *(["--no-garmin"] if args.no_garmin else []),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(done.stdout.strip().splitlines()[-1])
        expected = args.activities // 200 + 1
        idle_passes = 20 + args.cycles
        lists = len(fake.requests(LIST))
        others = len(fake.log) - lists - len(fake.requests("/api/v3/oauth"))
        print(
            f"backfill of {args.activities}: {lists - idle_passes} list requests (budget {expected}), "
            f"{others} per-activity requests, {got['backfill_s']:.1f} s for the whole first pass"
        )
        print(
            f"idle pass: {idle_passes} passes made {lists - expected} list requests "
            f"({(lists - expected) / idle_passes:.2f} per pass, budget 1), median "
            f"{got['idle_ms']:.1f} ms per pass over {got['activities']} stored activities"
        )
        garmin = "left out" if args.no_garmin else f"loaded: {got['rss_garmin']:.1f} MiB"
        print(
            f"memory (daemon process): {got['rss_before']:.1f} MiB before the first pass, peak "
            f"{got['peak_backfill']:.1f} MiB during the backfill, {got['rss_backfill']:.1f} MiB after it; "
            f"the Garmin library {garmin}; {got['rss_start']:.1f} MiB after 20 idle passes, "
            f"{got['rss_100']:.1f} MiB after 100 idle passes, {got['rss_end']:.1f} MiB after "
            f"{args.cycles} (budget 80 MiB, no growth; push and webhooks configured); peak "
            f"{got['peak_end']:.1f} MiB"
        )


if __name__ == "__main__":
    main()
