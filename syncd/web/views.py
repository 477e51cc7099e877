"""The runner's pages: one question with its answers, and the runner's own page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from syncd.coach.wording import distance
from syncd.domain import CheckIn
from syncd.web.html import answer_form, e, frame, notice, section
from syncd.web.page import PageData
from syncd.web.questions import KNEE_SCALE, question
from syncd.web.text import say

#: (question, about) → a fresh one-time form token for the page being drawn
Tokens = Callable[[str, str], str]


def choices(qid: str) -> list[tuple[str, str]]:
    """(value, label) of every answer of a question, as its page offers them."""
    if qid == "knee_pain":
        return [(v, v) for v in KNEE_SCALE]
    return [(v, say(f"answer.{qid}.{v}")) for v in question(qid).answers]


def question_page(
    athlete: str, qid: str, about: str, preset: str, tokens: Tokens, *, asked: str, units: str = "km"
) -> str:
    """The page a question link opens: the question, its answers (the preset one first in
    focus), and a way on to the runner's own page."""
    offered = choices(qid)
    if qid == "run":
        offered = [c for c in offered if c[0] in ("race", "left_out", "real")]
    body = (
        f"<h1>{e(say('page.title', athlete=athlete))}</h1><p class='ask'>{e(asked)}</p>"
        + answer_form(
            tokens(qid, about),
            offered,
            selected=preset,
            cls="answers scale" if qid == "knee_pain" else "answers",
        )
        + f'<p><a href="me">{e(say("page.open"))}</a></p>'
    )
    return frame(say("page.title", athlete=athlete), body)


def _said(c: CheckIn) -> str:
    return say(f"said.{c.kind}", value=c.value, about=c.about or "")


def _findings(data: PageData) -> str:
    if not data.findings:
        return f"<p>{e(say('page.findings.none'))}</p>"
    items = "".join(
        f'<li class="finding sev-{e(s.finding.severity.label)}" data-rule="{e(s.finding.rule)}">'
        f"<strong>{e(s.text.title)}</strong><br>{e(s.text.body)}</li>"
        for s in data.findings
    )
    return f'<ul class="findings">{items}</ul>'


def _weeks(data: PageData) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in say("page.weeks.table", unit=data.athlete.units).split(";"))
    rows = "".join(
        f"<tr><td>{e(w['start'])}</td><td>{e(distance(w['run_km'], data.athlete.units))}</td>"
        f"<td>{e(distance(w['longest_km'], data.athlete.units))}</td><td>{e(w['strength'])}</td></tr>"
        for w in data.weeks
        if w["known"]
    )
    return f'<div id="chart" aria-hidden="true"></div><table id="weeks-table"><tr>{head}</tr>{rows}</table>'


def _strength(data: PageData, tokens: Tokens) -> str:
    s = data.session
    items = "".join(
        f"<li><strong>{e(ex.name.capitalize())}</strong> {e(dose.describe())}"
        f"<br><small>{e(' '.join(ex.steps))}</small></li>"
        for ex, dose in s.items
    )
    gentle = f"<p>{e(say('page.strength.gentle'))}</p>" if s.gentle else ""
    done = (
        notice(say("said.strength_done"))
        if data.strength_done_today
        else answer_form(tokens("strength", data.today.isoformat()), [("done", say("page.strength.done"))])
    )
    return f"{gentle}<ol class='session'>{items}</ol>{done}"


def _knee(data: PageData, tokens: Tokens) -> str:
    out = []
    if data.knee_since is not None:
        days = (data.today - data.knee_since).days + 1
        out.append(f"<p>{e(say('page.knee.watched', day=data.knee_since.isoformat(), days=days))}</p>")
        today = data.today.isoformat()
        if data.knee_ask == "after_run":
            out.append(f"<p>{e(say('ask.knee_pain', day=today))}</p>")
            out.append(answer_form(tokens("knee_pain", today), choices("knee_pain"), cls="answers scale"))
        elif data.knee_ask == "morning":
            out.append(f"<p>{e(say('ask.knee_morning', day=today))}</p>")
            out.append(answer_form(tokens("knee_morning", today), choices("knee_morning")))
        out.append(answer_form(tokens("knee_settled", ""), choices("knee_settled")))
    history = "".join(f"<li>{e(c.day.isoformat())}: {e(_said(c))}</li>" for c in data.knee_answers)
    out.append(f'<ul class="knee">{history}</ul>' if history else f"<p>{e(say('page.knee.none'))}</p>")
    return "".join(out)


def _runs(data: PageData, tokens: Tokens) -> str:
    items = []
    for f in data.runs:
        key = f.session.primary.key
        marks = [say("page.runs.race")] if f.race else []
        marks += [say("page.runs.left_out")] if f.suspect else []
        offered = [("not_race" if f.race else "race"), ("real" if f.suspect else "left_out")]
        labels = [(v, say(f"answer.run.{v}")) for v in offered]
        km = distance(f.distance_m / 1000, data.athlete.units)
        form = answer_form(tokens("run", key), labels, cls="answers small")
        items.append(
            f'<li data-run="{e(key)}">{e(f.day.isoformat())} · {e(km)} {e(data.athlete.units)} '
            f"{e(' · '.join(marks))}{form}</li>"
        )
    return f'<ul class="runs">{"".join(items)}</ul>'


def _answers(data: PageData) -> str:
    if not data.answers:
        return f"<p>{e(say('page.answers.none'))}</p>"
    rows = "".join(
        f"<li><time>{e(c.at.isoformat(timespec='minutes'))}</time> {e(_said(c))} "
        f"({e(c.day.isoformat())})</li>"
        for c in data.answers
    )
    return f'<ul class="said">{rows}</ul>'


def _preferences(data: PageData, tokens: Tokens) -> str:
    lowered = "".join(
        f"<li>{e(say('page.preferences.lowered', rule=r))}"
        f"{answer_form(tokens('fewer', r), [('undo', say('answer.fewer.undo'))], cls='answers small')}</li>"
        for r in data.lowered
    )
    return f'<ul class="prefs">{lowered}</ul>' if lowered else f"<p>{e(say('page.preferences.normal'))}</p>"


def runner_page(data: PageData, tokens: Tokens, *, saved: bool = False, day: date | None = None) -> str:
    """The runner's own page, every answer a form of its own."""
    name = data.athlete.name
    body = [f"<h1>{e(say('page.title', athlete=name))}</h1>"]
    if saved:
        body.append(notice(say("page.saved")))
    body.append(section(say("page.findings"), _findings(data), "findings"))
    body.append(section(say("page.weeks"), _weeks(data), "weeks"))
    body.append(section(say("page.strength"), _strength(data, tokens), "strength"))
    body.append(section(say("page.knee"), _knee(data, tokens), "knee"))
    body.append(section(say("page.runs"), _runs(data, tokens), "runs"))
    body.append(section(say("page.preferences"), _preferences(data, tokens), "preferences"))
    body.append(section(say("page.answers"), _answers(data), "answers"))
    body.append(f"<footer><p>{e(say('page.footer'))}</p></footer>")
    chart = {"weeks": data.weeks, "units": data.athlete.units}
    return frame(say("page.title", athlete=name), "".join(body), data=chart)
