"""Giving an answer: checked against the athlete's own data, stored as a check-in with its
time. The web pages and `syncd checkin` both answer through `give`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from syncd.domain import CheckIn
from syncd.errors import SyncdError
from syncd.store import Store
from syncd.web.questions import question


class BadAnswer(SyncdError):
    """An answer that cannot be taken (unknown value, a run of another athlete, ...)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer as given: question, what it is about, the chosen value, the local day."""

    athlete: str
    question: str
    about: str
    value: str
    day: date | None = None  # the day it is about, exactly (the CLI's --day); None: from `about`


def _day(about: str) -> date:
    try:
        return date.fromisoformat(about)
    except ValueError:
        raise BadAnswer(f"{about!r} is not a day (YYYY-MM-DD)") from None


def _activity_day(store: Store, athlete: str, ref: str, tz: ZoneInfo) -> tuple[str, date]:
    """(activity key, local day) of the athlete's stored activity `ref`; raises BadAnswer."""
    found = store.find_activity(ref, athlete)
    if len(found) != 1:
        raise BadAnswer(
            f"no stored activity {ref!r} of {athlete}"
            if not found
            else f"{ref!r} names several activities; write it as provider:id"
        )
    return found[0].key, found[0].start_utc.astimezone(tz).date()


def checkin_for(store: Store, answer: Answer, timezone: str, now: datetime, rules: set[str]) -> CheckIn:
    """The check-in an answer makes; raises BadAnswer for an answer the question does not take,
    a day in the future, a run the athlete does not have, or a rule that is not installed."""
    q = question(answer.question)
    if answer.value not in q.kinds:
        raise BadAnswer(f"{answer.value!r} is not an answer to {q.id}; one of: {', '.join(q.answers)}")
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    kind, about = q.kinds[answer.value], None
    value: str | int | None = None
    day = today
    if q.about == "day":
        asked = _day(answer.about)
        if asked > today:
            raise BadAnswer(f"{asked} is in the future")
        day = asked
        if q.id == "strength" and answer.day is None:  # done on the day of the answer, in the week
            sunday = asked + timedelta(days=6 - asked.weekday())
            day = min(max(today, asked), sunday)
    elif q.about == "activity":
        about, day = _activity_day(store, answer.athlete, answer.about, tz)
    elif q.about == "rule":
        if answer.about not in rules:
            raise BadAnswer(f"no rule {answer.about!r}; one of: {', '.join(sorted(rules))}")
        about = answer.about
    if q.id == "knee_pain":
        value = int(answer.value)
    elif q.id == "knee_morning":
        value = answer.value
    return CheckIn(answer.athlete, kind, day, now, value=value, about=about)


def give(
    store: Store, answer: Answer, timezone: str, now: datetime, rules: set[str], *, source: str
) -> CheckIn:
    """Store the answer as a check-in (`source`: "page" or "cli"); returns it. Raises BadAnswer."""
    checkin = checkin_for(store, answer, timezone, now, rules)
    store.add_checkin(checkin, source=source)
    return checkin
