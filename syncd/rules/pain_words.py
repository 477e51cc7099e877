"""Finding pain in a runner's own words: a body site and a pain word in the same clause.

Languages: English, Dutch and German. A clause is the text between . , ; ! ? ( ) newlines,
" - " and contrast words (but / maar / aber …). It mentions pain at a site when it holds a
site word and a pain word that is not negated, or a compound of both (kniepijn,
Knieschmerzen), or one of the idioms (runner's knee, shin splints, "my knees would say
otherwise"). Weak pain words (bad, dodgy, stiff …) must stand within three words of the
site ("bad knees"), so "bad weather on foot" says nothing about a foot. A pain word is
negated by no / not / never / without / …n't, geen / niet / zonder, kein(e) / nicht / ohne
within the three words before it, or by "free" / "gone" / "weg" right after it. Look-alikes
(knee-deep, kneeling, hip-hop, on foot) are not sites. syncd's own note block is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_DASHES = "\u2014\u2013-"  # em dash, en dash, hyphen
NOTE_HEADER = re.compile(rf"^[ \t]*[{_DASHES}]+[ \t]*syncd[ \t]*[{_DASHES}]+[ \t]*$", re.M | re.I)
_CLAUSES = re.compile(
    rf"[.,;!?()\n\r]+|\s[{_DASHES}]\s|\b(?:but|however|though|although|maar|echter|aber|doch|jedoch)\b",
    re.I,
)
_TOKEN = re.compile(r"[\w']+")
_LOOKALIKES = re.compile(
    r"\bknee[- ](?:deep|high|length|socks?)\b|\bhip[- ]?hop\b|\bon foot\b|\bfoot[- ]?(?:ball|path|bridge)\w*"
    r"|\bhigh heels?\b|\bheel[- ]?strik\w*|\bcalf[- ]raises?\b|\bhip (?:work|thrusts?|bridges?)\b",
    re.I,
)

#: Body sites, most important first; each word belongs to one site.
SITES: dict[str, frozenset[str]] = {
    "knee": frozenset(
        [
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
            "knieschijf",
            "kniescheibe",
        ]
    ),
    "shin": frozenset(["shin", "shins", "scheen", "schenen", "schienbein", "schienbeine"]),
    "achilles": frozenset(["achilles", "achillespees", "achillessehne"]),
    "calf": frozenset(["calf", "calves", "kuit", "kuiten", "wade", "waden"]),
    "hip": frozenset(["hip", "hips", "heup", "heupen", "hüfte", "hüften", "huefte"]),
    "heel": frozenset(["heel", "heels", "hiel", "hielen", "ferse", "fersen"]),
    "foot": frozenset(["foot", "feet", "voet", "voeten", "fuß", "füße", "fuss", "fuesse"]),
    "ankle": frozenset(["ankle", "ankles", "enkel", "enkels", "knöchel", "sprunggelenk"]),
    "hamstring": frozenset(["hamstring", "hamstrings", "hammy", "hammies"]),
}
_SITE_OF = {word: site for site, words in SITES.items() for word in words}
#: the start of a Dutch or German compound that names a site (kniepijn, Schienbeinschmerzen)
_COMPOUND_STEMS = {
    "knie": "knee",
    "scheen": "shin",
    "schienbein": "shin",
    "achilles": "achilles",
    "kuit": "calf",
    "waden": "calf",
    "heup": "hip",
    "hüft": "hip",
    "hiel": "heel",
    "fersen": "heel",
    "voet": "foot",
    "fuß": "foot",
    "enkel": "ankle",
    "knöchel": "ankle",
}
_PAIN_STEMS = ("pijn", "schmerz", "weh", "blessure", "verletz")
_STRONG = frozenset(
    [
        "pain",
        "pains",
        "painful",
        "sore",
        "soreness",
        "ache",
        "aches",
        "aching",
        "achy",
        "achey",
        "hurt",
        "hurts",
        "hurting",
        "hurted",
        "twinge",
        "twinges",
        "twingy",
        "niggle",
        "niggles",
        "niggly",
        "niggling",
        "tweak",
        "tweaked",
        "tweaky",
        "tender",
        "tenderness",
        "clicking",
        "clicks",
        "creaking",
        "creaks",
        "creaky",
        "swelling",
        "swollen",
        "flaring",
        "flared",
        "flare",
        "injured",
        "injury",
        "pijn",
        "pijnlijk",
        "pijnlijke",
        "pijntje",
        "pijntjes",
        "gezwollen",
        "opgezwollen",
        "zwelling",
        "klikt",
        "kraakt",
        "geblesseerd",
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
        "verletzt",
    ]
)
_WEAK = frozenset(
    ["bad", "dodgy", "stiff", "stiffness", "tight", "dicky", "gammy", "stijf", "stijve", "steif"]
)
_WEAK_REACH = 3
_ZEER_VERBS = frozenset({"doet", "deed", "doen", "deden"})  # "zeer" alone means "very"
_NEGATIONS = frozenset(
    [
        "no",
        "not",
        "never",
        "without",
        "none",
        "nor",
        "nothing",
        "zero",
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
    ]
)
_NEGATION_REACH = 3
#: words right after a pain word that say it is over ("knee soreness gone", "pijn is weg")
_RESOLVED = frozenset({"free", "gone", "disappeared", "vanished", "weg", "verdwenen", "vorbei"})
#: idioms that name a site and its trouble at once
_IDIOMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), site)
    for pattern, site in (
        (r"\b(?:runner|jumper)'?s'? knees?\b", "knee"),
        (r"\bpatell(?:o-?femoral|ar tendin\w+)\b", "knee"),
        (r"\bknees? (?:would|will|'d|might) (?:say|tell|beg to differ|disagree)", "knee"),
        (r"\blast van (?:mijn |m'n |de |het )?knie", "knee"),
        (r"\bshin ?splints?\b|\bglass shins?\b", "shin"),
        (r"\bplantar fasci\w*", "heel"),
        (r"\bachilles tendin\w+", "achilles"),
        (r"\b(?:rolled|twisted|sprained|turned|tweaked) (?:my |an |the |left |right )*ankles?\b", "ankle"),
        (r"\blast van (?:mijn |m'n |de |het )?(?:scheen|kuit|heup|hiel|voet|enkel)", "other"),
    )
)
_SNIPPET_CHARS = 120


@dataclass(frozen=True, slots=True)
class Mention:
    """Pain at one body site, and the clause that says so."""

    site: str
    clause: str


def _negated(tokens: list[str], i: int) -> bool:
    if any(w in _RESOLVED for w in tokens[i + 1 : i + 3]):
        return True
    return any(w in _NEGATIONS or w.endswith("n't") for w in tokens[max(0, i - _NEGATION_REACH) : i])


def _is_pain(tokens: list[str], i: int) -> bool:
    t = tokens[i]
    if t == "zeer":
        return any(w in _ZEER_VERBS for w in tokens[max(0, i - 2) : i])
    return t in _STRONG


def _sites_in(clause: str) -> list[str]:
    """The sites this clause says hurt, in the order of SITES."""
    tokens = _TOKEN.findall(_LOOKALIKES.sub(" ", clause.lower().replace("\u2019", "'")))
    sites: dict[str, list[int]] = {}
    pains: list[int] = []
    weak: list[int] = []
    found: set[str] = set()
    for i, t in enumerate(tokens):
        site = _SITE_OF.get(t)
        stem = (
            next((s for s in _COMPOUND_STEMS if t.startswith(s) and t != s), None) if site is None else None
        )
        if stem is not None and any(p in t[len(stem) :] for p in _PAIN_STEMS):
            # kniepijn, Knieschmerzen: site and pain in one word (voetbal or enkele are neither)
            if not _negated(tokens, i):
                found.add(_COMPOUND_STEMS[stem])
            continue
        if site is not None:
            sites.setdefault(site, []).append(i)
        if _negated(tokens, i):
            continue
        if _is_pain(tokens, i) or (t == "up" and i and tokens[i - 1] == "playing"):
            pains.append(i)
        elif t in _WEAK:
            weak.append(i)
    for site, positions in sites.items():
        if pains or any(abs(w - p) <= _WEAK_REACH for w in weak for p in positions):
            found.add(site)
    return [s for s in SITES if s in found]


def _idioms_in(clause: str) -> list[str]:
    lowered = clause.lower().replace("\u2019", "'")
    out = []
    for pattern, site in _IDIOMS:
        match = pattern.search(lowered)
        if match is None:
            continue
        before = _TOKEN.findall(lowered[: match.start()])[-_NEGATION_REACH:]
        if any(w in _NEGATIONS or w.endswith("n't") for w in before):
            continue
        if site == "other":
            site = next((s for s in _sites_in(match.group(0) + " pijn") if s != "knee"), "foot")
        out.append(site)
    return out


@lru_cache(maxsize=8192)
def find_pain(text: str) -> tuple[Mention, ...]:
    """Every body site `text` says hurts, with the first clause that says so (SITES order)."""
    own = NOTE_HEADER.search(text)
    if own is not None:
        text = text[: own.start()]
    found: dict[str, str] = {}
    for clause in _CLAUSES.split(text):
        if not clause or not clause.strip():
            continue
        for site in [*_idioms_in(clause), *_sites_in(clause)]:
            found.setdefault(site, " ".join(clause.split())[:_SNIPPET_CHARS])
    return tuple(Mention(site, found[site]) for site in SITES if site in found)


def find_knee_pain(text: str) -> str | None:
    """The first clause of `text` that mentions knee pain, trimmed; None when there is none."""
    return next((m.clause for m in find_pain(text) if m.site == "knee"), None)
