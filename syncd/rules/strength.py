"""strength_frequency (RULES.md): the weekly strength-session prompt, which learns to be quiet.

The prompt is an invitation, never a warning: always `caution`. It speaks at most once per
ISO week, on the first day of the week its condition holds. It is pushed in the morning,
so it reads the complete days before its day: at least 14 days of history, at least 2 runs
in the last 14 days, fewer than `target_per_week` strength sessions in the last 7 (logged on
any provider or marked done through syncd), no "not this week" or "done" answer this week,
and no recovery moment (a warning or alert spike, a race, a pain mention) on that day or
the 2 days before. After `quiet_after_weeks` prompts in a row with no strength session,
the next ones are for the weekly digest only (`digest_only`); the last pushed one says so
(`quiet_next`). Weeks without a prompt (a break from running) do not end the count; a
strength session, logged or marked done, brings the prompts back. After a knee pain mention the
session offered is the gentle, hip-focused one (`gentle`) for 14 days or until the runner
says the knee has settled.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field

from syncd.domain import Finding, Severity
from syncd.history import WINDOW_30D_US, History
from syncd.rules.base import Rule, Words, iso_week
from syncd.rules.knee_check import KneeCheck
from syncd.rules.pain import mentions
from syncd.rules.rampup import SessionSpike

RECOVERY_DAYS = 2  # "no prompt in the 48 h after": the day of the moment and the two after it
_SPIKE = SessionSpike()  # the default bands: a warning or alert spike is a recovery moment
_KNEE = KneeCheck()


def recovery_moments(history: History, day: date) -> list[str]:
    """What on `day` calls for recovery first (RULES.md): "race", "spike" (a warning or alert
    spike) and "pain" (a mention at any site), each at most once, in that order."""
    found: set[str] = set()
    for f in history.sessions_on(day, include_suspect=True):
        if mentions(f):
            found.add("pain")
        if f.suspect is not None or not f.sport.is_run:
            continue
        if f.race:
            found.add("race")
        ref = history.reference_run(f)
        if ref is not None and history.enough_history(f.start_us, WINDOW_30D_US):
            band = _SPIKE.band(f.distance_m, ref.distance_m)
            if band is not None and band >= Severity.WARNING:
                found.add("spike")
    return [m for m in ("race", "spike", "pain") if m in found]


def recovery_moment(history: History, day: date) -> bool:
    """Whether `day` has a race, a pain mention or a warning/alert spike (RULES.md)."""
    return bool(recovery_moments(history, day))


def knee_gentle(history: History, day: date) -> bool:
    """Whether the strength session of `day` should be the gentle one: while the knee is
    watched after knee pain (RULES.md, knee_check), until it has settled."""
    return _KNEE.episode_start(history, day) is not None


class StrengthFrequency(Rule):
    """The weekly strength-session prompt while the athlete runs and logs little strength work."""

    id = "strength_frequency"
    always_delivered = True
    note_on_last_run = True
    push_at_morning = True
    push_spacing_days = 1
    digest_only_metric = "digest_only"
    title = "Time for a strength session"
    grade = "B"
    citation = "lauersen2014"
    citation_text = (
        "Lauersen et al., Br J Sports Med 2014 and 2018; Coppack 2011; "
        "Toresdahl 2020 (no effect of a brief home programme)"
    )
    metrics = (
        "strength_last_7d",
        "strength_last_14d",
        "target_per_week",
        "prompt_streak",
        "quiet_next",
        "digest_only",
        "gentle",
    )

    class Config(Rule.Config):
        target_per_week: int = Field(
            default=2, ge=1, description="Prompt when fewer strength sessions than this in the last 7 days."
        )
        quiet_after_weeks: int = Field(
            default=4,
            ge=1,
            description=(
                "After this many weekly prompts in a row with no strength session, prompts go to the "
                "weekly digest only, until a strength session appears."
            ),
        )

    digest_quotes_note = True
    offers_session = True

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        m = finding.metrics
        target = int(m["target_per_week"])
        # the reference article recommends 2 to 3 sessions a week; the rule prompts below `target`
        shown = f"{target} to 3" if target < 3 else words.number(target)

        def sessions(n: int) -> str:
            key = "0" if n == 0 else "1" if n == 1 else "n"
            return words.text(f"strength_frequency.sessions.{key}", n=n)

        n7 = sessions(int(m["strength_last_7d"]))
        return {
            "n7": words.number(m["strength_last_7d"]),
            "n14": words.number(m["strength_last_14d"]),
            "n7_sessions": n7,
            "n7_sessions_cap": n7[:1].upper() + n7[1:],
            "n14_sessions": sessions(int(m["strength_last_14d"])),
            "target": shown,
            "quiet": words.text("strength_frequency.quiet_next") if m.get("quiet_next") else "",
            "gentle": words.text("strength_frequency.gentle") + " " if m.get("gentle") else "",
        }

    def _holds(self, history: History, day: date) -> bool:
        # the prompt goes out in the morning: it counts the complete days before `day`
        before = day - timedelta(days=1)
        if history.days_known(before) < 14 or history.run_count(before, 14) < 2:
            return False  # not running: no prompt (RULES.md, "Only while running")
        if history.strength_count(before, 7) >= self.config.target_per_week:
            return False
        monday = day - timedelta(days=day.weekday())
        if history.checkins_between(monday, day, "strength_skip_week"):
            return False  # "not this week"
        if history.checkins_between(monday, day, "strength_done"):
            return False  # "done": a session marked done this week stops the week's prompt
        return not any(recovery_moment(history, day - timedelta(days=k)) for k in range(RECOVERY_DAYS + 1))

    def prompt_day(self, history: History, day: date) -> date | None:
        """The day of the prompt of `day`'s ISO week up to `day`, or None (memoised per history)."""
        memo = history.memo.setdefault((self.id, id(self)), {})
        assert isinstance(memo, dict)
        monday = day - timedelta(days=day.weekday())
        key = (monday, day)
        if key not in memo:
            probe, found = monday, None
            while probe <= day and found is None:
                if history.days_known(probe) and self._holds(history, probe):
                    found = probe
                probe += timedelta(days=1)
            memo[key] = found
        result = memo[key]
        return result if isinstance(result, date) else None

    def _streak(self, history: History, day: date) -> int:
        """Prompts since the last strength session, this one included (capped): weeks without a
        prompt (not running, say) do not end the count; a strength session does."""
        streak, limit = 1, self.config.quiet_after_weeks + 1
        sunday = day - timedelta(days=day.weekday() + 1)
        while streak < limit and history.days_known(sunday) > 0:
            if history.strength_count(day, (day - sunday).days + 7) > 0:
                break  # a strength session in this week or since: the count starts after it
            if self.prompt_day(history, sunday) is not None:
                streak += 1
            sunday -= timedelta(days=7)
        return streak

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """One caution for `day` when it is the first day of its ISO week the condition holds."""
        if self.prompt_day(history, day) != day:
            return []
        c = self.config
        before = day - timedelta(days=1)
        s7, s14 = history.strength_count(before, 7), history.strength_count(before, 14)
        streak = self._streak(history, day)
        metrics = {
            "strength_last_7d": s7,
            "strength_last_14d": s14,
            "target_per_week": c.target_per_week,
            "prompt_streak": streak,
            "quiet_next": streak == c.quiet_after_weeks,
            "digest_only": streak > c.quiet_after_weeks,
            "gentle": knee_gentle(history, day),
        }
        sessions = "1 strength session" if s7 == 1 else f"{s7} strength sessions"
        return [
            self.finding(
                history,
                day,
                Severity.CAUTION,
                iso_week(day),
                metrics,
                message=f"{sessions} in the last 7 days; aim for {c.target_per_week} to 3 a week.",
            )
        ]
