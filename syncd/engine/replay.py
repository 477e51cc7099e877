"""`syncd replay`: the stored history replayed day by day, as the daemon would have run it.

On a copy of the state, the athlete's activities are served again by a `ReplayProvider`
per provider, each one as the simulated clock passes the moment it was uploaded. The clock
stops where the daemon would have acted: after each upload (a pass), at the morning hour
of every day (the morning pass and the strength prompt), when a held push comes due (quiet
hours), right after each of the runner's answers (check-ins, stored or recorded in a file)
and at the weekly digest. Everything goes through the real engine and delivery
policy (`run_once`, `send_digest`) with the athlete's own quiet hours and daily cap; pushes
and digests land in a `Recorder`, notes in the replay providers. The real state, accounts
and channels are never touched.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from syncd.config import AthleteConfig, Config
from syncd.domain import Activity, CheckIn
from syncd.engine.context import Context, local_today, profile_of
from syncd.engine.digest import digest_schedule, send_digest
from syncd.engine.passes import run_once
from syncd.engine.recorder import Recorded, Recorder, ReplayProvider
from syncd.engine.replay_result import Delivery, ReplayResult, plain_metrics
from syncd.evaluation import stored_history
from syncd.registry import load_rules
from syncd.store import Store, outbox
from syncd.store.ledger import finding_by_key, findings_between

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PASS, _DIGEST = 0, 1


def replay_athlete(
    store: Store,
    config: Config,
    athlete: AthleteConfig,
    *,
    since: date | None = None,
    until: date | None = None,
    answers: Sequence[CheckIn] | None = None,
) -> ReplayResult:
    """Replay `athlete`'s stored history on a copy of `store`; the original is only read.

    `answers` replace the stored check-ins (None: use the stored ones, each given at its own
    time). Raises ValueError when the athlete has no stored activities."""
    activities = store.activities(athlete.name)
    if not activities:
        raise ValueError(f"no activities stored for {athlete.name!r}")
    checkins = list(store.checkins(athlete.name) if answers is None else answers)
    tz = ZoneInfo(config.timezone_of(athlete))
    first = since or min(a.start_utc for a in activities).astimezone(tz).date()
    last = until or max(a.start_utc for a in activities).astimezone(tz).date() + timedelta(days=14)
    with tempfile.TemporaryDirectory(prefix="syncd-replay-") as tmp:
        copy = _fresh_copy(store, Path(tmp), athlete.name)
        try:
            return _Replay(copy, config, athlete, activities, checkins, tz, first, last).run()
        finally:
            copy.close()


def _fresh_copy(store: Store, directory: Path, athlete: str) -> Store:
    """A copy of the state with nothing of the athlete but the athlete itself."""
    copy = store.copy_to(directory)
    copy.signs_links = False  # no answer links, no key, no tokens: nothing of the real state
    copy.forget_athlete_data(athlete)
    return copy


class _Replay:
    """The simulated daemon of one replay."""

    def __init__(
        self,
        store: Store,
        config: Config,
        athlete: AthleteConfig,
        activities: list[Activity],
        checkins: list[CheckIn],
        tz: ZoneInfo,
        first: date,
        last: date,
    ) -> None:
        self.store, self.config, self.tz, self.first, self.last = store, config, tz, first, last
        self.clock = datetime.combine(first, time(0), tz).astimezone(UTC)
        self.notes: list[Recorded] = []
        self.recorder = Recorder(lambda: self.clock)
        self.providers = self._providers(athlete.name, activities)
        notes = {name: athlete.notes.get(name, True) for name in self.providers}
        self.athlete = athlete.model_copy(update={"providers": sorted(self.providers), "notes": notes})
        self.config = config.model_copy(update={"athletes": [self.athlete]})
        self.ctx = Context(
            config=self.config,
            store=store,
            rules=load_rules(config.rules),
            providers=lambda a: dict(self.providers),
            notifiers=lambda a: [self.recorder],
            now=lambda: self.clock,
        )
        self.pending_checkins = sorted(checkins, key=lambda c: c.at)
        self.result = ReplayResult(athlete.name, first, last)
        self.events: list[tuple[datetime, int]] = []

    def _providers(self, athlete: str, activities: list[Activity]) -> dict[str, ReplayProvider]:
        """One replay provider per provider the history came from, sharing the clock and notes."""
        by_provider: dict[str, list[Activity]] = {}
        for a in activities:
            by_provider.setdefault(a.provider, []).append(a)
        return {
            name: ReplayProvider(athlete, name, items, lambda: self.clock, self.notes)
            for name, items in sorted(by_provider.items())
        }

    def _schedule(self) -> None:
        start = self.clock
        end = datetime.combine(self.last + timedelta(days=1), time(0), self.tz).astimezone(UTC)
        for provider in self.providers.values():
            for moment in provider.arrivals_between(start, end):
                self.events.append((moment, _PASS))
        weekday, hour, minute = digest_schedule(self.athlete)
        day = self.first
        while day <= self.last:
            local_morning = datetime.combine(day, time(self.athlete.morning_hour), self.tz)
            self.events.append((local_morning.astimezone(UTC), _PASS))
            if _WEEKDAYS[day.weekday()] == weekday:
                at = datetime.combine(day, time(hour, minute), self.tz).astimezone(UTC)
                self.events.append((at, _DIGEST))
            day += timedelta(days=1)
        for answer in self.pending_checkins:  # the daemon runs a pass right after an answer
            if start <= answer.at <= end:
                self.events.append((answer.at, _PASS))
        self.events.append((start, _PASS))  # the account is connected: the first backfill
        heapq.heapify(self.events)

    def run(self) -> ReplayResult:
        """Run every event in time order; returns what was delivered."""
        self._schedule()
        last_pass: datetime | None = None
        while self.events:
            moment, kind = heapq.heappop(self.events)
            self.clock = moment
            self._answers_until(moment)
            if kind == _DIGEST:
                send_digest(self.ctx, self.athlete, local_today(self.config, self.athlete, moment))
                continue
            if last_pass == moment:
                continue
            last_pass = moment
            run_once(self.ctx, self.athlete.name)
            self.result.passes += 1
            held = outbox.next_due(self.store, self.athlete.name)
            if held is not None and held > moment:
                heapq.heappush(self.events, (held, _PASS))
        self._collect()
        return self.result

    def _answers_until(self, moment: datetime) -> None:
        """Store the check-ins given by `moment`, as the runner would have given them."""
        while self.pending_checkins and self.pending_checkins[0].at <= moment:
            self.store.add_checkin(self.pending_checkins.pop(0), source="replay")

    def _collect(self) -> None:
        """Turn what the recorder and the providers kept into deliveries, with their findings."""
        out: list[Delivery] = []
        for item in [*self.recorder.sent, *self.notes]:
            local = item.at.astimezone(self.tz)
            if item.channel == "note":
                out.append(
                    Delivery(
                        item.at,
                        local.isoformat(timespec="minutes"),
                        "note",
                        "",
                        "",
                        item.title,
                        item.text,
                        item.key,
                        local.date().isoformat(),
                    )
                )
                continue
            finding = finding_by_key(self.store, item.key) if item.channel == "push" else None
            out.append(
                Delivery(
                    item.at,
                    local.isoformat(timespec="minutes"),
                    item.channel,
                    finding.rule if finding else ("digest" if item.channel == "digest" else ""),
                    finding.severity.label if finding else "",
                    item.title,
                    item.text,
                    item.key,
                    (finding.day if finding else local.date()).isoformat(),
                    plain_metrics(finding.metrics) if finding else {},
                )
            )
        out.sort(key=lambda d: (d.at, d.channel, d.key))
        self.result.deliveries = out
        self.result.findings = findings_between(self.store, self.athlete.name, self.first, self.last)
        history = stored_history(self.store, self.athlete.name, profile_of(self.config, self.athlete))
        self.result.run_days = {f.day for f in history.runs if self.first <= f.day <= self.last}
