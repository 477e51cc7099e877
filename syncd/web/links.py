"""The links syncd sends: answer buttons and a page link on each push, the runner's page,
the owner's status page. None of it exists unless `[daemon] public_url` is set.

URLs: `<public_url>/syncd/r/<athlete>/<token>/` for the runner (a question's page, or the
runner's own page), `<public_url>/syncd/owner/<token>/` for the server's owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from syncd.config import Config
from syncd.domain import Finding
from syncd.notifiers.base import Action
from syncd.web import PREFIX
from syncd.web.keys import derived, install_key
from syncd.web.signing import new_nonce, sign_link
from syncd.web.text import say


def runner_url(config: Config, athlete: str, token: str) -> str:
    return f"{config.daemon.public_url}{PREFIX}/r/{athlete}/{token}/"


def owner_url(config: Config, token: str) -> str:
    return f"{config.daemon.public_url}{PREFIX}/owner/{token}/"


def page_link(config: Config, athlete: str, now: datetime, key: bytes | None = None) -> str | None:
    """A fresh link to the runner's page (None when public_url is unset)."""
    if not config.daemon.public_url:
        return None
    token = sign_link(derived(key or install_key(), "runner"), athlete, "page", now)
    return runner_url(config, athlete, token)


def status_link(config: Config, now: datetime, days: int = 7, key: bytes | None = None) -> str | None:
    """A link to the owner's status page, valid `days` (None when public_url is unset)."""
    if not config.daemon.public_url:
        return None
    token = sign_link(derived(key or install_key(), "owner"), "", "status", now, days=days)
    return owner_url(config, token)


@dataclass(frozen=True, slots=True)
class PushAnswers:
    """What one push carries: buttons, the page a tap opens, the link for other services."""

    actions: tuple[Action, ...]
    click: str
    link: str


def _choices(finding: Finding, activity: str | None, today: date) -> list[tuple[str, str, str, str]]:
    """(label key, question, about, preset) for the answers a finding's push offers, in order:
    what its rule says it asks (`Rule.questions`)."""
    from syncd.coach.wording import rule_class

    cls = rule_class(finding.rule)
    return cls.questions(finding, activity, today) if cls is not None else []


def push_answers(
    config: Config,
    athlete: str,
    timezone: str,
    finding: Finding,
    now: datetime,
    *,
    activity: str | None = None,
    key: bytes | None = None,
) -> PushAnswers | None:
    """The answers a push of `finding` carries (None when public_url is unset). `activity` is
        the key of the run the finding is about, for "That was a race" and "Not a run". Every
        push offers "Fewer like this" (as a button where there is room, always on the page); its
    links share one nonce, so one answer spends them all."""
    if not config.daemon.public_url:
        return None
    signer = derived(key or install_key(), "runner")
    today = now.astimezone(ZoneInfo(timezone)).date()
    nonce = new_nonce()
    choices = _choices(finding, activity, today)
    if len(choices) < 3:  # ntfy shows three buttons; the page always offers "fewer" too
        choices.append(("button.fewer", "fewer", finding.rule, ""))

    def url(question: str, about: str, preset: str) -> str:
        token = sign_link(signer, athlete, question, now, about=about, preset=preset, nonce=nonce)
        return runner_url(config, athlete, token)

    actions = tuple(Action(say(label), url(q, about, preset)) for label, q, about, preset in choices)
    first = choices[0] if choices[0][1] != "fewer" else None
    question_page = url(first[1], first[2], "") if first else url("page", "", "")
    return PushAnswers(actions=actions, click=question_page, link=question_page)
