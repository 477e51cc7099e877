"""pain_reported (RULES.md): knee pain in the runner's own words on an activity.

Languages: English, Dutch and German basics. A clause (text between . , ; ! ? ( ) newlines,
" - " and contrast words such as but / maar / aber) must hold a knee word (knee, kneecap,
patella, runner's knee; knie, knieschijf; Knie, Kniescheibe) and a pain word (pain, sore,
ache, achy, aching, hurt(s), clicking, creaking, swelling, swollen; pijn, pijnlijk,
"doet zeer", gezwollen; Schmerz(en), schmerzt, "tut weh", geschwollen), or a compound of
both (Knieschmerzen, kniepijn). A pain word is negated by no / not / never / without /
...n't, geen / niet / zonder, kein(e) / nicht / ohne within the 3 words before it, or by a
following "free" (pain-free). syncd's own note block is ignored: its wording mentions knees.
Suspect sessions are scanned too: suspect is about implausible numbers, not the runner's words.
"""

from __future__ import annotations

import re
from datetime import date

from syncd.domain import Finding, Severity
from syncd.history import History
from syncd.rules.base import Rule

_DASHES = "\u2014\u2013-"  # em dash, en dash, hyphen
NOTE_HEADER = re.compile(rf"^[ \t]*[{_DASHES}]+[ \t]*syncd[ \t]*[{_DASHES}]+[ \t]*$", re.M | re.I)
_CLAUSES = re.compile(
    rf"[.,;!?()\n\r]+|\s[{_DASHES}]\s"
    r"|\b(?:but|however|though|although|maar|echter|aber|doch|jedoch)\b",
    re.I,
)
_TOKEN = re.compile(r"[\w']+")
_KNEE = {
    "knee",
    "knees",
    "kneecap",
    "kneecaps",
    "patella",
    "patellae",
    "patellar",
    "knie",
    "knieën",
    "knieen",
}
_PAIN = {
    "pain",
    "pains",
    "painful",
    "sore",
    "soreness",
    "ache",
    "aches",
    "achy",
    "achey",
    "aching",
    "hurt",
    "hurts",
    "hurting",
    "clicking",
    "clicks",
    "creaking",
    "creaks",
    "creaky",
    "swelling",
    "swollen",
    "pijn",
    "pijnlijk",
    "pijnlijke",
    "pijntje",
    "gezwollen",
    "opgezwollen",
    "zwelling",
    "klikt",
    "kraakt",
    "schmerz",
    "schmerzen",
    "schmerzt",
    "schmerzte",
    "schmerzhaft",
    "geschwollen",
    "schwellung",
    "weh",
    "wehtun",
    "knackt",
    "knirscht",
}
_PAIN_STEMS = ("schmerz", "pijn", "weh")  # inside German / Dutch compounds
_ZEER_VERBS = {"doet", "deed", "doen", "deden"}  # "zeer" alone means "very"
_NEGATIONS = {
    "no",
    "not",
    "never",
    "without",
    "none",
    "nor",
    "nothing",
    "geen",
    "niet",
    "zonder",
    "nooit",
    "kein",
    "keine",
    "keinen",
    "keinem",
    "keiner",
    "nicht",
    "ohne",
    "nie",
}
_NEGATION_REACH = 3
_SNIPPET_CHARS = 120


def _is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith("n't")


def _is_pain(tokens: list[str], i: int) -> bool:
    t = tokens[i]
    if t == "zeer":
        return any(w in _ZEER_VERBS for w in tokens[max(0, i - 2) : i])
    return t in _PAIN


#: words right after a pain word that say it is over ("knee soreness gone", "pijn is weg")
_RESOLVED = {"free", "gone", "disappeared", "vanished", "weg", "verdwenen", "vorbei"}


def _negated(tokens: list[str], i: int) -> bool:
    if any(w in _RESOLVED for w in tokens[i + 1 : i + 3]):
        return True
    return any(_is_negation(w) for w in tokens[max(0, i - _NEGATION_REACH) : i])


def clause_mentions_knee_pain(clause: str) -> bool:
    """True when the clause has a knee word and a pain word that is not negated."""
    tokens = _TOKEN.findall(clause.lower().replace("\u2019", "'"))
    knee = pain = False
    for i, t in enumerate(tokens):
        compound = t.startswith("knie") and t not in _KNEE
        if t in _KNEE or compound:
            knee = True
        stem_pain = compound and any(stem in t for stem in _PAIN_STEMS)
        if (stem_pain or _is_pain(tokens, i)) and not _negated(tokens, i):
            pain = True
    return knee and pain


def find_knee_pain(text: str) -> str | None:
    """The first clause of `text` that mentions knee pain, trimmed; None when there is none."""
    own = NOTE_HEADER.search(text)
    if own is not None:
        text = text[: own.start()]
    for clause in _CLAUSES.split(text):
        if clause and clause_mentions_knee_pain(clause):
            return " ".join(clause.split())[:_SNIPPET_CHARS]
    return None


class PainReported(Rule):
    """Knee pain mentioned in the title, description or private note of an activity."""

    id = "pain_reported"
    always_delivered = True
    push_first = True
    title = "Knee pain mentioned"
    grade = "D"
    citation = "pfp_consensus"
    citation_text = "Patellofemoral pain consensus statements: Crossley 2016, Collins 2018, Willy 2019"
    metrics = ("matched_text", "activity")

    def evaluate(self, history: History, day: date) -> list[Finding]:
        """A warning for each session of `day` whose text mentions knee pain."""
        out = []
        for f in history.sessions_on(day, include_suspect=True):
            matched = next((m for t in f.session.texts if (m := find_knee_pain(t))), None)
            if matched is None:
                continue
            out.append(
                self.finding(
                    history,
                    day,
                    Severity.WARNING,
                    f.id,
                    {"matched_text": matched, "activity": f.id},
                    session=f.id,
                    message="You mentioned knee pain. Ease off, use rest, ice, compression and "
                    "elevation after runs, and see a physiotherapist or doctor early: "
                    "several conditions cause knee pain and a professional can tell "
                    "them apart.",
                )
            )
        return out
