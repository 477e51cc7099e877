"""What each route does: check the link (and on POST the one-time form), then draw a page
or store an answer and send the browser on (POST, redirect, GET)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from syncd.config import Config
from syncd.registry import installed_rules
from syncd.store import Store
from syncd.store.answers import spend, spent
from syncd.web.answers import Answer, BadAnswer, checkin_for
from syncd.web.html import refusal
from syncd.web.keys import derived, state_key
from syncd.web.links import runner_url
from syncd.web.signing import Link, Refused, open_form, open_link, sign_form, sign_link
from syncd.web.status import status_page
from syncd.web.text import say
from syncd.web.views import question_page, runner_page


class RunnerApp(Protocol):
    """What the handlers use of the app (`syncd.web.app.RunnerApp`)."""

    key: bytes | None
    now: Callable[[], datetime]
    on_answer: Callable[[str], None]
    status: Callable[[Store], dict[str, Any]] | None


_STATUS = {"invalid": 403, "expired": 410, "used": 410, "form": 403}


@dataclass(frozen=True)
class Request:
    method: str
    parts: list[str]  # the path below /syncd/, split
    form: dict[str, str] = field(default_factory=dict)
    saved: bool = False


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    location: str | None = None
    content_type: str = "text/html; charset=utf-8"


def _refuse(reason: str) -> Response:
    return Response(_STATUS.get(reason, 403), refusal(reason))


def handle(app: RunnerApp, config: Config, store: Store, request: Request) -> Response:
    """The response to one request below /syncd/ (static files aside)."""
    key = app.key or state_key(store.token_state)
    now = app.now()
    parts = request.parts
    if len(parts) == 2 and parts[0] == "owner" and request.method == "GET":
        try:
            link = open_link(derived(key, "owner"), parts[1], now)
        except Refused as exc:
            return _refuse(exc.reason)
        if link.question != "status" or app.status is None:
            return _refuse("invalid")
        return Response(200, status_page(app.status(store), now))
    if len(parts) not in (3, 4) or parts[0] != "r" or (len(parts) == 4 and parts[3] != "me"):
        return Response(404, refusal("missing"))
    athlete, token = parts[1], parts[2]
    try:
        link = open_link(derived(key, "runner"), token, now)
    except Refused as exc:
        return _refuse(exc.reason)
    known = {a.name for a in config.athletes}
    if link.athlete != athlete or athlete not in known or link.question == "status":
        return _refuse("invalid")  # another athlete's link, or one for nobody configured
    if link.question != "page" and spent(store, link.nonce):
        return _refuse("used")
    if len(parts) == 4:  # on to the runner's page: a fresh link, in the address bar only
        fresh = sign_link(derived(key, "runner"), athlete, "page", now)
        return Response(303, "", location=runner_url(config, athlete, fresh))
    if request.method == "POST":
        return _answer(app, config, store, link, token, request, key, now)
    return _show(config, store, link, token, request, key, now)


def _tokens(key: bytes, token: str, now: datetime):  # type: ignore[no-untyped-def]
    signer = derived(key, "form")
    return lambda question, about: sign_form(signer, token, question, about, now)


def _asked(config: Config, store: Store, link: Link) -> str | None:
    """The question's words, or None when what it is about is gone (a deleted run)."""
    if link.question == "run":
        found = store.find_activity(link.about, link.athlete)
        if len(found) != 1:
            return None
        a = found[0]
        km = f"{(a.distance_m or 0) / 1000:.1f}"
        return say("ask.run", sport=a.sport.value, day=a.start_utc.date().isoformat(), distance=km, unit="km")
    if link.question == "fewer":
        return say("ask.fewer", rule=link.about)
    return say(f"ask.{link.question}", day=link.about)


def _show(
    config: Config, store: Store, link: Link, token: str, request: Request, key: bytes, now: datetime
) -> Response:
    athlete = config.athlete(link.athlete)
    tokens = _tokens(key, token, now)
    if link.question == "page":
        from syncd.web.page import gather

        return Response(200, runner_page(gather(config, store, athlete, now), tokens, saved=request.saved))
    asked = _asked(config, store, link)
    if asked is None:
        return _refuse("invalid")
    return Response(
        200, question_page(athlete.name, link.question, link.about, link.preset, tokens, asked=asked)
    )


def _answer(
    app: RunnerApp,
    config: Config,
    store: Store,
    link: Link,
    token: str,
    request: Request,
    key: bytes,
    now: datetime,
) -> Response:
    """Store the answer a form sent: the form must be this page's, unused, and (on a question
    link) for this link's question. Spends the form and the question's link, then redirects."""
    try:
        form = open_form(derived(key, "form"), request.form.get("t", ""), token, now)
    except Refused:
        return _refuse("form")
    if link.question != "page" and (form.question, form.about) != (link.question, link.about):
        return _refuse("form")
    athlete = config.athlete(link.athlete)
    answer = Answer(athlete.name, form.question, form.about, request.form.get("v", ""))
    try:
        checkin = checkin_for(store, answer, config.timezone_of(athlete), now, set(installed_rules()))
    except (BadAnswer, KeyError):
        return Response(400, refusal("form"))
    nonces = [form.nonce] + ([link.nonce] if link.question != "page" else [])
    if not spend(store, athlete.name, nonces, now):
        return _refuse("form")
    store.add_checkin(checkin, source="page")
    app.on_answer(athlete.name)
    if link.question == "page":
        return Response(303, "", location="./?saved=1")
    fresh = sign_link(derived(key, "runner"), athlete.name, "page", now)
    return Response(303, "", location=runner_url(config, athlete.name, fresh) + "?saved=1")
