"""strength_frequency (RULES.md): the weekly strength-session prompt, which learns to be quiet.

The prompt is an invitation, never a warning: always `caution`. It speaks at most once per
ISO week, on its Monday, pushed at the morning hour, so it reads the complete days before:
the last ISO week. Its condition: at least 14 days of history, at least 2 runs in the last
14 days, fewer than `target_per_week` strength sessions in the last 7 (logged on any
provider or marked done through syncd), no "not this week" or "done" answer this week,
and no recovery moment (a warning or alert spike, a race, a pain mention) on that day or
the 2 days before. After `quiet_after_weeks` prompts in a row with no strength session,
the next ones are for the weekly digest only (`digest_only`); the last pushed one says so
(`quiet_next`). Weeks without a prompt (a break from running) do not end the count. A week at
the aim starts it afresh; a session (logged or marked done) after 14 days without one brings
back one prompt, and if that one is let pass too, the digest again (`_streak`). After a knee pain mention the
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

    @classmethod
    def questions(
        cls, finding: Finding, activity: str | None, today: date
    ) -> list[tuple[str, str, str, str]]:
        day = finding.day.isoformat()
        return [
            ("button.strength.done", "strength", day, "done"),
            ("button.strength.skip_week", "strength", day, "skip_week"),
        ]

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
        """The Monday of `day`'s ISO week when the week has a prompt, else None (memoised).

        The week's prompt goes out on its Monday morning, about the 7 days before: the last
        ISO week. A dip of the rolling count in mid-week (two sessions a week on different
        days) is not a reason to speak again."""
        monday = day - timedelta(days=day.weekday())
        memo = history.memo.setdefault((self.id, id(self)), {})
        assert isinstance(memo, dict)
        if monday not in memo:
            memo[monday] = history.days_known(monday) > 0 and self._holds(history, monday)
        return monday if memo[monday] else None

    def _at_aim(self, history: History, first: date, last: date) -> bool:
        return bool(history.strength_count(last, (last - first).days + 1) >= self.config.target_per_week)

    def _restart(self, history: History, first: date, last: date) -> bool:
        """Whether first..last has a strength session after 14 days without one."""
        day = first
        while day <= last:
            if history.strength_count(day, 1) and not history.strength_count(day - timedelta(days=1), 14):
                return True
            day += timedelta(days=1)
        return False

    def _streak(self, history: History, day: date) -> int:
        """How many prompts in a row the runner has let pass, this one included (capped).

        A week at the aim starts the count afresh. Weeks without a prompt (a break from
        running) do not end it. Once the prompts have gone quiet, a strength session after 14
        days without one brings back one prompt, and the next let pass sends them back to
        the digest: syncd learns, and does not forget after a single session. Before that, a
        restarted runner's count starts again. Memoised per history, Monday by Monday."""
        quiet, limit = self.config.quiet_after_weeks, self.config.quiet_after_weeks + 1
        memo = history.memo.setdefault((self.id, id(self), "streak"), {})
        assert isinstance(memo, dict)
        monday = day - timedelta(days=day.weekday())
        chain: list[date] = []
        state: tuple[int, bool] = (0, False)  # (the last prompt's count, a restart since it)
        probe = monday
        while probe not in memo:
            chain.append(probe)
            before = probe - timedelta(days=7)
            if history.days_known(before + timedelta(days=6)) == 0:
                break  # the history starts here
            probe = before
        else:
            state = memo[probe]
        for week in reversed(chain):
            last, restarted = state
            first, end = week - timedelta(days=7), week - timedelta(days=1)
            if self._at_aim(history, first, end):
                last, restarted = 0, False
            elif self._restart(history, first, end):
                restarted = True
            if self.prompt_day(history, week) is not None:
                back = quiet if last >= quiet else 1  # after a restart: one prompt back, or afresh
                last, restarted = (back if restarted else min(last + 1, limit)), False
            state = (last, restarted)
            memo[week] = state
        return max(1, state[0])

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
