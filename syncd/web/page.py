"""What the runner's page shows, gathered from the state: the digest's weeks, the findings
the rules give now (answers count at once), the day's strength session, the knee check,
the recent runs with the runner's marks, every answer, and the rules turned down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from syncd.coach.digest import build_digest
from syncd.coach.session import StrengthSession
from syncd.coach.wording import PushMessage, push, rule_class
from syncd.config import AthleteConfig, Config
from syncd.domain import CheckIn, Finding
from syncd.engine.context import profile_of
from syncd.engine.policy import asked_fewer
from syncd.engine.strength import strength_for
from syncd.evaluation import stored_history
from syncd.history import Facts, History
from syncd.registry import evaluate_range, installed_rules, load_rules
from syncd.rules.knee_check import KneeCheck
from syncd.store import Store
from syncd.store.ledger import findings_between

RECENT_DAYS = 14
KNEE_KINDS = ("knee_pain", "knee_morning", "knee_settled")


@dataclass(frozen=True, slots=True)
class Shown:
    """One finding as the page shows it: its push title and text."""

    finding: Finding
    text: PushMessage


@dataclass
class PageData:
    athlete: AthleteConfig
    today: date
    weeks: list[dict[str, Any]]
    findings: list[Shown]
    session: StrengthSession
    strength_done_today: bool
    knee_since: date | None
    knee_ask: str | None  # today's knee question ("after_run", "morning") or None
    knee_answers: list[CheckIn]
    runs: list[Facts]
    answers: list[CheckIn]
    lowered: list[str]  # rule ids turned down to notes and digest
    rules: list[str] = field(default_factory=list)  # rule ids the runner may turn down


def _findings(config: Config, history: History, today: date, units: str) -> list[Shown]:
    """The findings every enabled rule gives now, for the days syncd still delivers about
    (`delivery_window_days`), one per key, most severe first."""
    first = today - timedelta(days=max(config.daemon.delivery_window_days, 1) - 1)
    found, _ = evaluate_range(load_rules(config.rules), history, first, today)
    best: dict[str, Finding] = {}
    for f in found:
        cls = rule_class(f.rule)
        if cls is not None and not cls.digest_line:
            continue  # descriptive numbers (the load ratio) are not news
        # one line per run a rule speaks about; for day-level and health findings only the
        # latest (the knee check's newest advice replaces yesterday's)
        group = f.rule if f.session is None or (cls is not None and cls.health) else f"{f.rule}:{f.session}"
        old = best.get(group)
        if old is None or (f.day, f.severity) > (old.day, old.severity):
            best[group] = f
    ordered = sorted(best.values(), key=lambda f: (-int(f.severity), -f.day.toordinal(), f.key))
    return [Shown(f, push(f, units)) for f in ordered]


def gather(config: Config, store: Store, athlete: AthleteConfig, now: datetime) -> PageData:
    """The page's data for `athlete` as of `now`."""
    profile = profile_of(config, athlete)
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(profile.timezone)).date()
    history = stored_history(store, athlete.name, profile, until=today)
    recorded = findings_between(store, athlete.name, today - timedelta(weeks=13), today)
    digest = build_digest(history, recorded, athlete=athlete.name, day=today, units=athlete.units, weeks=13)
    weeks = digest.to_json()["weeks"]
    knee = KneeCheck()
    since = knee.episode_start(history, today) if history.first else None
    ask = None
    if since is not None:
        asked = knee.evaluate(history, today)
        ask = str(asked[0].metrics["ask"]) if asked and asked[0].metrics["ask"] else None
    checkins = list(history.checkins)
    runs = [
        f
        for i in range(RECENT_DAYS)
        for f in (
            history.sessions_on(today - timedelta(days=i), include_suspect=True) if history.first else []
        )
        if f.sport.is_run
    ]
    rules = sorted(installed_rules())
    return PageData(
        athlete=athlete,
        today=today,
        weeks=weeks,
        findings=_findings(config, history, today, athlete.units) if history.first else [],
        session=strength_for(athlete, today, gentle=since is not None),
        strength_done_today=any(c.kind == "strength_done" and c.day == today for c in checkins),
        knee_since=since,
        knee_ask=ask,
        knee_answers=[c for c in checkins if c.kind in KNEE_KINDS],
        runs=runs,
        answers=checkins[::-1][:40],
        lowered=[r for r in rules if asked_fewer(checkins, r)],
        rules=rules,
    )
