"""The rule plugin interface: an id, a pydantic Config, and a pure `evaluate(history, day)`.

Finding keys are stable: `f"{rule}:{athlete}:{about}"` where `about` is the session id for
a finding about one workout, or a period for a day-level finding: the local day
("2026-11-21"), the ISO week ("2026-W47") or a named period such as a streak's first day.
A key never depends on days after the finding's day.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from syncd.domain import Finding, Severity
from syncd.history import History

Grade = Literal["B", "C", "D", "X"]


def finding_key(rule: str, athlete: str, about: str) -> str:
    """The stable key of a finding: rule, athlete and the session or period it is about."""
    return f"{rule}:{athlete}:{about}"


def iso_week(day: date) -> str:
    """The ISO week of `day` as a period name, e.g. '2026-W47'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def km(metres: int | float) -> float:
    """Metres as kilometres, kept to whole metres."""
    return round(metres / 1000, 3)


class Words(Protocol):
    """What the coach lends a rule to fill its message templates: numbers in the athlete's units."""

    def distance(self, km: float) -> str:
        """A distance given in km, in the athlete's units with one decimal."""
        ...

    def cap(self, km: float) -> str:
        """Like `distance`, rounded down, so "under X" never exceeds the computed cap."""
        ...

    def percent(self, pct: float) -> str:
        """Whole percent (one decimal where rounding would land on a band edge)."""
        ...

    def number(self, value: float) -> str:
        """One decimal; whole numbers without it; infinity as words."""
        ...

    def text(self, key: str, **fields: Any) -> str:
        """A string of the coach's table in the athlete's language."""
        ...

    def day(self, day: date) -> str:
        """A day as the runner reads it, e.g. "Sat 21 Nov"."""
        ...


_LOAD_KINDS = {
    "session_rpe": "session_rpe",
    "srpe": "session_rpe",
    "rpe": "session_rpe",
    "trimp": "trimp",
    "duration": "duration",
    "minutes": "duration",
    "time": "duration",
}


def load_words(finding: Finding, words: Words) -> str:
    """The load a finding used, in words ("minutes of training"), for load-based rules."""
    raw = finding.metrics.get("load_kind") or finding.load_kind
    if not raw:
        return words.text("load.unknown")
    known = _LOAD_KINDS.get(str(raw).lower())
    return words.text(f"load.{known}") if known else str(raw).replace("_", " ")


class Rule(ABC):
    """One injury-prevention rule. Subclasses set the class attributes and `evaluate`."""

    # -- how the coach words and shows this rule's findings (defaults suit third-party rules) --
    #: its findings mark the run on the digest's chart (a much longer run)
    chart_mark: ClassVar[bool] = False
    #: its findings get a line in the digest's "worth knowing"
    digest_line: ClassVar[bool] = True
    #: its findings are about the runner's health: listed first, and they point to a professional
    health: ClassVar[bool] = False
    #: the digest quotes its note text, not its push text (the push speaks of "today")
    digest_quotes_note: ClassVar[bool] = False
    #: its findings come with a strength session for their day (in full in the push)
    offers_session: ClassVar[bool] = False

    id: ClassVar[str]
    title: ClassVar[str]
    grade: ClassVar[Grade]
    citation: ClassVar[str]  # short key, e.g. "frandsen2025"
    citation_text: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]  # every finding carries exactly these (RULES.md)
    # -- how the engine delivers its findings (DESIGN.md, "Who hears what"); `health` findings
    # -- go first under the daily push cap, `offers_session` ones carry the day's session --
    always_delivered: ClassVar[bool] = False  # a note and a push whatever the severity
    note_on_last_run: ClassVar[bool] = False  # a finding about a day rides on that day's last run
    push_at_morning: ClassVar[bool] = False  # pushed at the morning hour of its own day, not later
    push_spacing_days: ClassVar[int] = 0  # no push after one about the previous N days went out
    digest_only_metric: ClassVar[str | None] = None  # a finding with this metric true is not pushed
    digest_cap_setting: ClassVar[str | None] = None  # the Config field the digest's run cap reads

    class Config(BaseModel):
        """Settings of `[rules.<id>]`; unknown keys are refused."""

        model_config = ConfigDict(extra="forbid", frozen=True)
        enabled: bool = Field(default=True, description="Run this rule.")

    def __init__(self, config: BaseModel | None = None) -> None:
        """Raises TypeError when `config` is not this rule's Config."""
        if config is None:
            config = self.Config()
        if not isinstance(config, self.Config):
            raise TypeError(f"{self.id}: expected {type(self).__name__}.Config, got {type(config).__name__}")
        self.config: Any = config

    @abstractmethod
    def evaluate(self, history: History, day: date) -> list[Finding]:
        """Findings as of local `day`, reading only days <= `day`; no I/O, no clock."""

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        """The fields of this rule's message templates (`<rule>.<part>[.<variant>][.<severity>]`
        in the coach's strings), or None: the coach then says the finding's own message.

        Raises KeyError, TypeError or ValueError when the metrics are missing or malformed."""
        return None

    @classmethod
    def questions(
        cls, finding: Finding, activity: str | None, today: date
    ) -> list[tuple[str, str, str, str]]:
        """The answers a push of this finding offers, in order: (label key, question, about,
        preset), e.g. ("button.strength.done", "strength", "2026-11-23", "done"). `activity` is
        the key of the run the finding is about. None by default."""
        return []

    @classmethod
    def variant(cls, finding: Finding) -> str | None:
        """Which wording of the rule's templates fits this finding (e.g. "race"), or None."""
        return None

    @classmethod
    def pushed_at_morning(cls, finding: Finding) -> bool:
        """Whether this finding's push waits for the morning hour of its day (`push_at_morning`)."""
        return cls.push_at_morning

    @classmethod
    def stale_after_its_day(cls, finding: Finding) -> bool:
        """Whether a push of this finding still due after its day goes to the digest instead
        (it speaks of "today"); by default the findings pushed at the morning hour."""
        return cls.pushed_at_morning(finding)

    def finding(
        self,
        history: History,
        day: date,
        severity: Severity,
        about: str,
        metrics: Mapping[str, Any],
        message: str,
        *,
        session: str | None = None,
        load_kind: str | None = None,
        title: str | None = None,
    ) -> Finding:
        """A Finding of this rule; ValueError when `metrics` is not exactly `self.metrics`."""
        if set(metrics) != set(self.metrics):
            raise ValueError(f"{self.id}: metrics {sorted(metrics)} != {sorted(self.metrics)}")
        return Finding(
            rule=self.id,
            severity=severity,
            athlete=history.athlete,
            day=day,
            key=finding_key(self.id, history.athlete, about),
            title=title or self.title,
            message=message,
            metrics=dict(metrics),
            citation=self.citation,
            load_kind=load_kind,
            session=session,
        )


class WeeklyRule(Rule):
    """A rule about the state of a rolling window, keyed by a period (the ISO week by default).

    The condition usually holds for several days in a row; the finding is raised on the
    first day of the period it holds, and again only if its severity rises within the
    period, so `syncd check --since` and the digest show it once instead of every day.
    """

    @abstractmethod
    def evaluate_day(self, history: History, day: date) -> Finding | None:
        """The finding the window gives on `day`, before the per-period de-duplication."""

    def period_start(self, history: History, day: date) -> date:
        """The first day of the period `day`'s finding is keyed by: the ISO week's Monday."""
        return day - timedelta(days=day.weekday())

    def evaluate(self, history: History, day: date) -> list[Finding]:
        found = self.evaluate_day(history, day)
        if found is None:
            return []
        first = self.period_start(history, day)
        earlier = [self.evaluate_day(history, first + timedelta(days=i)) for i in range((day - first).days)]
        if any(f is not None and f.severity >= found.severity for f in earlier):
            return []
        return [found]
