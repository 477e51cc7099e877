"""knee_check (RULES.md): symptom-guided running after knee pain, from the runner's check-ins.

Active from a knee pain mention or a check-in with knee pain above 0, until 14 days pass
in which every check-in was at most 2/10 and never worse the next morning, or the runner
says the knee has settled. While active it asks one question a day at most: after a run,
"knee during and after, 0 to 10"; on the morning after a run day without a run of its own,
"knee now: better, same or worse". After three questions in a row without an answer it
stops asking (the watch, and the gentle strength session, go on; an answer from the page or
the command line brings the questions back). An answer turns into one piece of advice, the most
severe that applies (Esculier et al. 2018 and its group's education guidance):

- at most 2/10 and not worse the next morning: keep this load and build slowly (caution);
- above 2/10, or worse the next morning: change the next runs (warning);
- 5/10 or more, or worse the next morning twice in a row: pause running and see a
  physiotherapist or doctor now (alert).

Delivery: every finding is pushed (questions carry answer links, `syncd.web`); the after-run
question right after the run, the morning one at the athlete's morning hour, and a question
still due after its day goes to the digest instead. On a day the runner wrote about knee pain
the `pain_reported` push carries the after-run question, so no second push asks it.
"""

from __future__ import annotations

from datetime import date, timedelta

from syncd.domain import CheckIn, Finding, Severity
from syncd.history import History
from syncd.rules.base import Rule, Words
from syncd.rules.pain import mentions

SETTLE_DAYS = 14
#: after this many questions in a row without an answer, the watch goes on without asking
UNANSWERED_LIMIT = 3
OK_PAIN = 2
PAUSE_PAIN = 5


def _value(c: CheckIn) -> int:
    return int(c.value) if isinstance(c.value, int | str) and str(c.value).isdigit() else 0


def _knee_mentioned(history: History, day: date) -> bool:
    """Whether the runner's own words on a session of `day` mention knee pain."""
    return any(m.site == "knee" for f in history.sessions_on(day, include_suspect=True) for m in mentions(f))


class KneeCheck(Rule):
    """Questions and advice while a knee is being watched after knee pain."""

    id = "knee_check"
    title = "Knee check"
    grade = "C"
    citation = "esculier2018"
    citation_text = (
        "Esculier et al., Br J Sports Med 2018 (symptom-guided running for patellofemoral pain) "
        "and its group's education guidance for clinicians"
    )
    metrics = ("pain_during", "next_morning", "days_active", "checkins", "ask", "advice")
    health = True
    always_delivered = True  # questions are cautions, and still pushed: they ask for an answer
    digest_quotes_note = True  # the push speaks of "today's run" and "this morning"

    @classmethod
    def pushed_at_morning(cls, finding: Finding) -> bool:
        """The morning question waits for the morning hour; the rest go out at once."""
        return finding.metrics.get("ask") == "morning"

    @classmethod
    def stale_after_its_day(cls, finding: Finding) -> bool:
        """A question is about its own day: asked the next day it would be wrong."""
        return finding.metrics.get("ask") is not None

    @classmethod
    def questions(
        cls, finding: Finding, activity: str | None, today: date
    ) -> list[tuple[str, str, str, str]]:
        day, ask = finding.day.isoformat(), finding.metrics.get("ask")
        if ask == "after_run":
            return [
                ("button.knee_pain", "knee_pain", day, ""),
                ("button.knee_settled", "knee_settled", "", ""),
            ]
        if ask == "morning":
            return [(f"button.knee_morning.{v}", "knee_morning", day, v) for v in ("better", "same", "worse")]
        return [("button.knee_settled", "knee_settled", "", "")]

    @classmethod
    def variant(cls, finding: Finding) -> str | None:
        """The question asked ("after_run", "morning") or the advice given ("keep", "adapt", "pause")."""
        return str(finding.metrics.get("advice") or finding.metrics.get("ask") or "") or None

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        return {
            "pain": "" if m["pain_during"] is None else words.number(m["pain_during"]),
            "morning": str(m["next_morning"] or ""),
            "days": words.number(m["days_active"]),
        }

    def _watch(self, history: History) -> dict[date, date]:
        """Every watched day of the history and the first day of its watch (memoised). Only
        the days with a knee mention or a check-in can start, prolong or end a watch, so only
        they are looked at; the days between are filled in."""
        key = (self.id, "watch")
        cached = history.memo.get(key)
        if isinstance(cached, dict):
            return cached
        watched: dict[date, date] = {}
        first, last = history.first, history.last
        if first is None or last is None:
            history.memo[key] = watched
            return watched
        mentioned = {f.day for f in history.sessions if any(m.site == "knee" for m in mentions(f))}
        days = sorted({d for d in mentioned | {c.day for c in history.checkins} if first <= d <= last})

        def fill(start: date, until: date) -> None:
            for i in range((min(until, last) - start).days + 1):
                watched[start + timedelta(days=i)] = start

        start: date | None = None
        last_bad = first
        for day in days:
            if start is not None and (day - last_bad).days >= SETTLE_DAYS:
                fill(start, last_bad + timedelta(days=SETTLE_DAYS - 1))  # 14 calm days: over
                start = None
            answers = history.checkins_between(day, day)
            pains = [_value(c) for c in answers if c.kind == "knee_pain"]
            worse = any(c.kind == "knee_morning" and c.value == "worse" for c in answers)
            said = day in mentioned
            if any(c.kind == "knee_settled" for c in answers):
                if start is not None:
                    fill(start, day - timedelta(days=1))
                start = None
            elif start is None and (said or worse or any(p > 0 for p in pains)):
                start = last_bad = day
            elif start is not None and (said or worse or any(p > OK_PAIN for p in pains)):
                last_bad = day
        if start is not None:
            fill(start, last_bad + timedelta(days=SETTLE_DAYS - 1))
        history.memo[key] = watched
        return watched

    def episode_start(self, history: History, day: date) -> date | None:
        """The first day of the watch `day` falls in, or None when the knee is not watched."""
        return self._watch(history).get(day)

    def _question(self, history: History, day: date) -> str | None:
        """The question `day` asks: after a run, or the morning after one; None on a day of a
        knee mention (the pain push asks it) or without a run the day before or on the day."""
        if _knee_mentioned(history, day):
            return None
        if history.runs_on(day):
            return "after_run"
        if day > (history.first or day) and history.runs_on(day - timedelta(days=1)):
            return "morning"
        return None

    def _unanswered(self, history: History, start: date, day: date) -> int:
        """Questions asked in a row before `day` in this watch with no knee answer since."""
        count, probe = 0, day - timedelta(days=1)
        while probe >= start:
            if history.checkins_between(probe, probe, "knee_pain") or history.checkins_between(
                probe, probe, "knee_morning"
            ):
                break
            if self._question(history, probe) is not None or _knee_mentioned(history, probe):
                count += 1
            probe -= timedelta(days=1)
        return count

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """At most one finding for `day`: the advice an answer of that day earns, else a question."""
        start = self.episode_start(history, day)
        if start is None:
            return []
        today = history.checkins_between(day, day)
        pains = [_value(c) for c in today if c.kind == "knee_pain"]
        mornings = [str(c.value) for c in today if c.kind == "knee_morning"]
        earlier = [
            str(c.value)
            for c in history.checkins_between(
                day - timedelta(days=3), day - timedelta(days=1), "knee_morning"
            )
        ]
        metrics: dict[str, object] = {
            "pain_during": pains[-1] if pains else None,
            "next_morning": mornings[-1] if mornings else None,
            "days_active": (day - start).days + 1,
            "checkins": len(history.checkins_between(start, day, "knee_pain"))
            + len(history.checkins_between(start, day, "knee_morning")),
            "ask": None,
            "advice": None,
        }
        if pains or mornings:
            pain, morning = (pains[-1] if pains else 0), (mornings[-1] if mornings else None)
            twice_worse = morning == "worse" and earlier and earlier[-1] == "worse"
            if pain >= PAUSE_PAIN or twice_worse:
                advice, severity = "pause", Severity.ALERT
            elif pain > OK_PAIN or morning == "worse":
                advice, severity = "adapt", Severity.WARNING
            else:
                advice, severity = "keep", Severity.CAUTION
            metrics["advice"] = advice
            return [self._finding(history, day, severity, f"advice-{day.isoformat()}", metrics)]
        ask = self._question(history, day)
        if ask is None or self._unanswered(history, start, day) >= UNANSWERED_LIMIT:
            return []  # no question today, or the runner has let the last ones pass
        metrics["ask"] = ask
        return [self._finding(history, day, Severity.CAUTION, f"ask-{day.isoformat()}", metrics)]

    def _finding(
        self, history: History, day: date, severity: Severity, about: str, metrics: dict[str, object]
    ) -> Finding:
        texts = {
            "after_run": "How was your knee during and after today's run, from 0 to 10?",
            "morning": "How is your knee this morning: better, the same or worse than usual?",
            "keep": "This load suits the knee: keep it, and build up slowly.",
            "adapt": "Change the next runs: shorter and more often, slower, run-walk, flat routes.",
            "pause": "Pause running and see a physiotherapist or doctor now.",
        }
        key = str(metrics["advice"] or metrics["ask"])
        return self.finding(history, day, severity, about, metrics, message=texts[key])
