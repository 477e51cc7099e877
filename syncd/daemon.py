"""`syncd run`: the service. APScheduler 3 runs every job on one worker thread (the state
database is used by one thread at a time); the main thread waits for signals and pings the
systemd watchdog.

Jobs: the athletes' passes in one rotation (`syncd.planner`: spread evenly, the interval
stretched to what Strava's budget for the app affords); the outbox every minute (quiet
hours ending, retries, the morning strength prompt); the weekly digest per athlete at their
local day and time; Strava webhook events as they arrive (first, one read each, within the
read budget the planned polls leave). SIGTERM lets the current job finish and exits 0;
SIGHUP reloads the config only if it validates.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from syncd import config as cfg
from syncd.engine import Context, PassSummary, local_today, run_once
from syncd.errors import ConfigError, SyncdError
from syncd.registry import load_checked
from syncd.store import Store
from syncd.systemd_notify import sd_notify, watchdog_interval

log = logging.getLogger(__name__)


class Daemon:
    """One running service: the config, the store, the scheduler and the webhook listener."""

    def __init__(
        self,
        config_path: Path,
        state_dir: Path,
        make_context: Callable[[cfg.Config, Store], Context] | None = None,
    ) -> None:
        self.config_path, self.state_dir = config_path, state_dir
        self.config = load_checked(config_path)  # raises ConfigError: exit 78 before anything starts
        from syncd.plugins import provider_ranks

        self.store = Store(state_dir, any_thread=True, rank=provider_ranks())
        self._make_context = make_context or _default_context
        self.ctx = self._make_context(self.config, self.store)
        self.stop_event = threading.Event()
        self.reload_event = threading.Event()
        self.scheduler: Any = None
        self.planner: Any = None
        self._generation = 0  # which schedule() the poll jobs belong to
        self._poll_lock = threading.Lock()  # a poll job never adds its successor once stopping
        self._stopping = False
        self.webhook: Any = None
        self.last_summary: dict[str, PassSummary] = {}

    # -- jobs ---------------------------------------------------------------------------

    def pass_job(self, athlete: str, *, fetch: bool = True) -> None:
        try:
            summary = run_once(self.ctx, athlete, fetch=fetch)
        except SyncdError as exc:
            log.error("%s: pass failed: %s", athlete, exc)
            return
        except Exception as exc:  # a bug: this athlete's pass waits for its next turn, the rest go on
            log.error("%s: pass failed unexpectedly: %s: %s", athlete, type(exc).__name__, exc)
            log.debug("%s: the error in full", athlete, exc_info=True)
            return
        self.last_summary[athlete] = summary
        log.info("%s", summary.line())
        sd_notify("STATUS=" + "; ".join(s.line() for s in self.last_summary.values())[:400])

    def deliver_job(self) -> None:
        from syncd.engine.delivery import deliver

        for athlete in self.config.athletes:
            try:
                deliver(self.ctx, athlete, PassSummary(athlete=athlete.name))
            except Exception:  # one athlete's failure never stops the others' deliveries
                log.exception("%s: delivery failed; the other athletes go on", athlete.name)

    def digest_job(self, athlete_name: str) -> None:
        from syncd.engine.digest import send_digest

        athlete = self.config.athlete(athlete_name)
        day = local_today(self.config, athlete, self.ctx.now())
        if send_digest(self.ctx, athlete, day):
            log.info("%s: weekly digest sent", athlete_name)

    def webhook_job(self, event: Any) -> None:
        from syncd.providers.strava.events import handle_event
        from syncd.tokens import token_store

        def provider_for(name: str) -> Any:
            return self.ctx.providers(self.config.athlete(name))["strava"]

        try:
            done = handle_event(
                event,
                self.store,
                token_store(self.state_dir),
                provider_for,
                lambda name: self.pass_job(name, fetch=False),  # the event brought what changed
                room=self.planner.event_room if self.planner is not None else lambda: None,
                poll=self.pass_job,  # a flood of unknown activities: one listing instead
            )
        except Exception as exc:  # a provider's trouble, a token store not this state's, a bug
            log.warning(
                "strava webhook event %s/%s left for later: %s", event.object_id, event.aspect_key, exc
            )
            if not isinstance(exc, SyncdError):
                log.debug("the error in full", exc_info=True)
            return
        log.info("strava webhook event %s/%s: %s", event.object_id, event.aspect_key, done)

    def retry_webhook_events(self) -> None:
        from syncd.providers.strava.events import pending_events

        for event in pending_events(self.store):
            self.webhook_job(event)

    # -- scheduling ---------------------------------------------------------------------

    def schedule(self) -> None:
        """(Re)create every job from the current config."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        from syncd.engine.digest import digest_schedule
        from syncd.planner import Planner

        sched = self.scheduler
        sched.remove_all_jobs()
        now = datetime.now(UTC)
        self.planner = Planner(self.config, self.store, lambda: datetime.now(UTC))
        self._generation += 1
        self._next_poll()
        for athlete in self.config.athletes:
            day, hour, minute = digest_schedule(athlete)
            zone = ZoneInfo(self.config.timezone_of(athlete))
            sched.add_job(
                self.digest_job,
                CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=zone),
                args=[athlete.name],
                id=f"digest:{athlete.name}",
            )
        sched.add_job(self.deliver_job, IntervalTrigger(minutes=1), id="deliver")
        if self.config.daemon.webhook_listen:
            sched.add_job(
                self.retry_webhook_events, IntervalTrigger(minutes=1), id="webhook-retry", next_run_time=now
            )

    def poll_job(self, generation: int) -> None:
        """The pass of the athlete whose turn it is (if the budget has room), then the next
        turn is scheduled: one pass per job, so webhook events queued meanwhile go first.
        A job of a schedule replaced since (SIGHUP) schedules nothing more."""
        try:
            name = self.planner.take()
            if name is not None:
                self.pass_job(name)
        finally:
            if generation == self._generation:
                self._next_poll()

    def _next_poll(self) -> None:
        # a new job each time (never one replaced by id: the scheduler thread removes a date
        # job it has just handed to the worker, and could remove its successor instead)
        with self._poll_lock:  # the scheduler's shutdown holds its job store lock while it
            if self._stopping:  # waits for this job: an add_job then would never return
                return
            self.scheduler.add_job(
                self.poll_job, "date", run_date=self.planner.next_due(), args=[self._generation]
            )

    def start(self) -> None:
        """Bind the listener (a taken port is a ConfigError: exit 78 before any job runs),
        then start the scheduler and the listener, and say so in one line."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        from syncd.service_log import configure, start_line

        configure(debug=logging.getLogger().isEnabledFor(logging.DEBUG))
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
            timezone=UTC,
        )
        try:
            self.schedule()
        except OverflowError:  # a poll interval longer than any clock can hold
            raise ConfigError(
                [
                    f"daemon.poll_interval: {self.config.daemon.poll_interval!r} is longer than syncd "
                    'can schedule; use at most a day or so, e.g. "6h"'
                ],
                str(self.config_path),
            ) from None
        self._bind_listener()
        self.scheduler.start()
        if self.webhook is not None:
            threading.Thread(target=self.webhook.run, name="webhook", daemon=True).start()
        sd_notify("READY=1\nSTATUS=running")
        log.info(
            "%s", start_line(self.config_path, self.config, self.scheduler, self.webhook, self.store.path)
        )

    def _bind_listener(self) -> None:
        """Create the webhook listener bound to `[daemon] webhook_listen` (not started).
        Raises ConfigError naming the key when the address cannot be bound."""
        listen = self.config.daemon.webhook_listen
        if not listen:
            return
        from syncd.listen import bind

        app = self._listener_app()
        if app is None:
            return
        self.webhook = bind(app, listen, str(self.config_path))

    def _listener_app(self) -> Any:
        """The listener's WSGI app: the Strava webhook and, with `[daemon] public_url`, the
        runner's pages under /syncd/ (syncd.web); None when there is neither."""
        from syncd.providers.strava.endpoint import WebhookApp, WebhookState, verify_token_for
        from syncd.secrets import resolve
        from syncd.web.mount import listener

        strava = self.config.strava
        app: Any = None
        if strava.client_id is not None and strava.client_secret is not None:
            app = WebhookApp(
                verify_token_for(resolve(strava.client_secret)),
                WebhookState(self.store.path, strava.client_id),
                enqueue=lambda event: self.scheduler.add_job(self.webhook_job, args=[event]),
            )
        # an answer on the runner's page runs that athlete's pass at once
        return listener(
            app,
            lambda: self.config,
            self.state_dir,
            on_answer=lambda name: self.scheduler.add_job(self.pass_job, args=[name]),
            next_passes=lambda: {j.id: str(j.next_run_time) for j in self.scheduler.get_jobs()},
        )

    def reload(self) -> None:
        """Swap in a new config if it validates; otherwise keep running on the old one."""
        try:
            new = load_checked(self.config_path)
            ctx = self._make_context(new, self.store)  # also validates the [rules] tables
        except SyncdError as exc:
            log.error("config not reloaded, still running on the previous one: %s", exc)
            return
        self.config, self.ctx = new, ctx
        self.schedule()
        log.info("config reloaded: %d athlete(s)", len(new.athletes))

    def run_forever(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit status (0)."""
        signal.signal(signal.SIGTERM, lambda *_: self.stop_event.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop_event.set())
        signal.signal(signal.SIGHUP, lambda *_: self.reload_event.set())
        self.start()
        beat = watchdog_interval()
        while not self.stop_event.wait(beat or 1.0):
            if beat:
                sd_notify("WATCHDOG=1")
            if self.reload_event.is_set():
                self.reload_event.clear()
                self.reload()
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        """Stop the listener (from its own thread, after the requests it handles), let the
        current step finish, close the state."""
        sd_notify("STOPPING=1")
        with self._poll_lock:
            self._stopping = True
        if self.webhook is not None:
            self.webhook.close()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # the current step finishes
        self.store.close()
        log.info("syncd stopped")


def _default_context(config: cfg.Config, store: Store) -> Context:
    from syncd.engine.wiring import build_context

    return build_context(config, store, isolated_push=True)  # apprise never loaded here
