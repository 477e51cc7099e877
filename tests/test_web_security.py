"""The answer links as credentials: expired, altered, replayed or another athlete's links and
forms without the page's token are refused with a plain page; no secret leaks anywhere."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from web_world import PUBLIC, WebWorld, form_token

from syncd.notifiers.base import Message
from syncd.tokens import token_store
from syncd.web.keys import ACCOUNT, derived, state_key
from syncd.web.links import page_link, status_link
from syncd.web.signing import sign_link

REFUSED = "This link cannot be used"


@pytest.fixture
def world(tmp_path: Path) -> WebWorld:
    w = WebWorld(tmp_path, athletes=("sam", "alex"))
    w.sync("sam")
    w.sync("alex")
    w.now += timedelta(hours=2, minutes=5)  # 07:05: the morning's strength prompt goes out
    w.sync("sam")
    w.sync("alex")
    return w


def prompt(w: WebWorld, athlete: str = "sam") -> Message:
    [m] = [m for m in w.phone.about("strength_frequency") if m.athlete == athlete]
    return m


def refused_plainly(r: object, code: int) -> None:
    assert r.code == code and REFUSED in r.text  # type: ignore[attr-defined]
    assert "<form" not in r.text and "km" not in r.text and "sam" not in r.text  # type: ignore[attr-defined]


def test_a_push_carries_its_answers_as_signed_links(world: WebWorld) -> None:
    m = prompt(world)
    assert [a.label for a in m.actions] == ["Done", "Not this week", "Fewer like this"]
    assert all(a.url.startswith(f"{PUBLIC}/syncd/r/sam/") for a in m.actions)
    assert m.click and m.link == m.click
    page = world.get(m.actions[0].url)
    assert page.code == 200 and "Strength session for the week of 2026-04-13" in page.text


def test_an_expired_link_is_refused(world: WebWorld) -> None:
    url = prompt(world).actions[0].url
    world.now += timedelta(days=7)
    refused_plainly(world.get(url), 410)
    assert "expired" in world.get(url).text


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_an_altered_link_is_refused(world: WebWorld, where: str) -> None:
    url = prompt(world).actions[0].url
    token = url.rstrip("/").rsplit("/", 1)[1]
    body, sig = token.split(".")
    if where == "payload":  # the same link claiming another day
        import base64
        import json

        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        data["o"] = "2026-04-06"
        body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    else:
        sig = ("A" if sig[0] != "A" else "B") + sig[1:]
    refused_plainly(world.get(url.replace(token, f"{body}.{sig}")), 403)


def test_a_replayed_link_is_refused_after_its_answer(world: WebWorld) -> None:
    m = prompt(world)
    page = world.get(m.actions[0].url)
    assert world.post(m.actions[0].url, {"t": form_token(page.text), "v": "done"}).code == 303
    for action in m.actions:  # every button of that push is spent with it
        refused_plainly(world.get(action.url), 410)
    again = world.post(m.actions[0].url, {"t": form_token(page.text), "v": "done"})
    assert again.code == 410
    assert [c.kind for c in world.store.checkins("sam")] == ["strength_done"]


def test_another_athletes_link_or_form_is_refused(world: WebWorld) -> None:
    theirs = prompt(world, "alex").actions[0].url
    token = theirs.rstrip("/").rsplit("/", 1)[1]
    refused_plainly(world.get(f"{PUBLIC}/syncd/r/sam/{token}/"), 403)
    # a form from alex's page posted on sam's link
    alex_form = form_token(world.get(theirs).text)
    mine = prompt(world).actions[0].url
    r = world.post(mine, {"t": alex_form, "v": "done"})
    assert r.code == 403 and world.store.checkins("sam") == []
    # a link signed for an athlete the config does not know
    ghost = sign_link(derived(state_key(world.state), "runner"), "ghost", "page", world.now)
    refused_plainly(world.get(f"{PUBLIC}/syncd/r/ghost/{ghost}/"), 403)


def test_an_answer_without_the_pages_token_is_refused(world: WebWorld) -> None:
    url = prompt(world).actions[0].url
    for data in ({"v": "done"}, {"t": "", "v": "done"}, {"t": "forged.token", "v": "done"}):
        r = world.post(url, data)
        assert r.code == 403 and "This form has expired or was already sent" in r.text
    assert world.store.checkins("sam") == [] and world.answered == []


def test_a_question_link_answers_only_its_own_question(world: WebWorld) -> None:
    """A form token of the runner's page cannot answer through a question link's page."""
    page_url = page_link(world.config, "sam", world.now, key=state_key(world.state))
    assert page_url is not None
    page = world.get(page_url)
    fewer_form = form_token(page.text)  # the first form of the page: today's strength "done"
    other = prompt(world).actions[2].url  # the "fewer" question link
    assert world.post(other, {"t": fewer_form, "v": "done"}).code == 403


def test_the_runners_link_does_not_open_the_owners_page(world: WebWorld) -> None:
    url = page_link(world.config, "sam", world.now, key=state_key(world.state))
    assert url is not None
    token = url.rstrip("/").rsplit("/", 1)[1]
    refused_plainly(world.get(f"{PUBLIC}/syncd/owner/{token}/"), 403)
    owner = status_link(world.config, world.now, key=state_key(world.state))
    assert owner is not None
    assert world.get(owner).code == 403  # no status source wired in this app: still refused


def test_no_secret_or_token_in_the_html_the_logs_or_the_database(
    world: WebWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    m = prompt(world)
    key_hex = token_store(world.state).load(*ACCOUNT)["key"]  # type: ignore[index]
    tokens = [a.url.rstrip("/").rsplit("/", 1)[1] for a in m.actions]
    pages = [world.get(a.url).text for a in m.actions]
    done = world.post(m.actions[0].url, {"t": form_token(pages[0]), "v": "done"})
    page = world.get(done.headers["Location"])
    page_token = done.headers["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[1]
    forms = [form_token(pages[0])]
    for html in [*pages, page.text]:
        assert key_hex not in html and all(t not in html for t in [*tokens, page_token])
    world.store.close()
    state = b"".join(p.read_bytes() for p in world.state.iterdir() if p.is_file())
    for secret in [key_hex, *tokens, page_token, *forms, *(t.split(".")[1] for t in tokens)]:
        assert secret.encode() not in state
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert all(s not in logged for s in [key_hex, *tokens, page_token])


def test_the_key_lives_in_the_token_store_with_owner_only_permissions(world: WebWorld) -> None:
    prompt(world)  # with the tokens of the state that sent the push, not the default state's
    files = [p for p in (Path(world.state) / "tokens").iterdir()]
    [key_file] = [p for p in files if p.name == "syncd-web-key.json"]
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_pages_send_no_referrer_and_are_not_cached(world: WebWorld) -> None:
    r = world.get(prompt(world).actions[0].url)
    assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store"
    assert "form-action 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
