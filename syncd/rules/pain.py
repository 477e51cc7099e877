"""pain_reported (RULES.md): pain in the runner's own words on an activity, by body site.

Knee pain is a warning (the target of syncd's advice); other running sites are a caution,
and a warning when the same site is mentioned again within 7 days. One finding per session,
about its most serious site. Suspect sessions are scanned too: suspect is about implausible
numbers, not the runner's words. The words are matched by `syncd.rules.pain_words`.
"""

from __future__ import annotations

from datetime import date, timedelta

from syncd.domain import Finding, Severity
from syncd.history import Facts, History
from syncd.rules.base import Rule, Words
from syncd.rules.pain_words import SITES, Mention, find_knee_pain, find_pain

__all__ = ["KNEE_WINDOW_DAYS", "PainReported", "find_knee_pain", "find_pain", "knee_mentioned", "mentions"]

REPEAT_DAYS = 7
#: how long after a knee mention the strength session stays the gentle one (RULES.md, knee_check)
KNEE_WINDOW_DAYS = 14
_DAY_US = 24 * 3600 * 1_000_000


def mentions(f: Facts) -> tuple[Mention, ...]:
    """Every site the session's own words say hurts (title, description, private note)."""
    found: dict[str, Mention] = {}
    for text in f.session.texts:
        for m in find_pain(text):
            found.setdefault(m.site, m)
    return tuple(found[s] for s in SITES if s in found)


def knee_mentioned(history: History, first: date, last: date) -> bool:
    """Whether any session of the local days first..last mentions knee pain."""
    day = first
    while day <= last:
        if any(m.site == "knee" for f in history.sessions_on(day, include_suspect=True) for m in mentions(f)):
            return True
        day += timedelta(days=1)
    return False


class PainReported(Rule):
    """Pain at a body site mentioned in the title, description or private note of an activity."""

    id = "pain_reported"
    always_delivered = True
    title = "Pain mentioned"
    grade = "D"
    citation = "pfp_consensus"
    citation_text = "Patellofemoral pain consensus statements: Crossley 2016, Collins 2018, Willy 2019"
    metrics = ("matched_text", "activity", "site")

    health = True

    @classmethod
    def questions(
        cls, finding: Finding, activity: str | None, today: date
    ) -> list[tuple[str, str, str, str]]:
        if finding.metrics.get("site") == "knee" and finding.day == today:
            return [("button.knee_pain", "knee_pain", finding.day.isoformat(), "")]  # the knee check's first
        return []

    @classmethod
    def variant(cls, finding: Finding) -> str | None:
        """ "knee" for the knee, "other" for every other site."""
        return "knee" if finding.metrics.get("site", "knee") == "knee" else "other"

    @classmethod
    def template_fields(cls, finding: Finding, words: Words) -> dict[str, str] | None:
        matched = str(finding.metrics["matched_text"]).replace('"', "'")
        site = words.text(f"site.{finding.metrics.get('site', 'knee')}")
        return {
            "matched": matched if len(matched) <= 50 else matched[:49].rstrip() + "…",
            "activity": str(finding.metrics.get("activity") or ""),
            "day": words.day(finding.day),
            "site": site,
            "Site": site[:1].upper() + site[1:],
        }

    def _repeated(self, history: History, f: Facts, site: str) -> bool:
        earlier = history.sessions_between(f.start_us - REPEAT_DAYS * _DAY_US, f.start_us)
        return any(m.site == site for g in earlier if g.id != f.id for m in mentions(g))

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """One finding for each session of `day` whose words mention pain: its most serious site."""
        out = []
        for f in history.sessions_on(day, include_suspect=True):
            found = mentions(f)
            if not found:
                continue
            graded = [
                (
                    Severity.WARNING
                    if m.site == "knee" or self._repeated(history, f, m.site)
                    else Severity.CAUTION,
                    m,
                )
                for m in found
            ]
            severity, m = max(graded, key=lambda sm: (sm[0], -list(SITES).index(sm[1].site)))
            metrics = {"matched_text": m.clause, "activity": f.id, "site": m.site}
            out.append(
                self.finding(
                    history,
                    day,
                    severity,
                    f.id,
                    metrics,
                    session=f.id,
                    title="Knee pain mentioned"
                    if m.site == "knee"
                    else f"{m.site.capitalize()} pain mentioned",
                    message=(
                        f"You mentioned pain ({m.site}). Ease off, and see a physiotherapist or doctor "
                        "early: a professional can tell the causes of running pain apart."
                    ),
                )
            )
        return out
