"""Answering from a push and from the runner's page: what each answer changes, at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from factories import run
from web_world import WebWorld, form_token

from syncd.web.keys import state_key
from syncd.web.links import page_link


@pytest.fixture
def world(tmp_path: Path) -> WebWorld:
    w = WebWorld(tmp_path)
    w.sync()  # 05:00 Monday: the week's strength prompt is queued for 07:00
    return w


def page(w: WebWorld) -> tuple[str, str]:
    url = page_link(w.config, "sam", w.now, key=state_key(w.state))
    assert url is not None
    return url, w.get(url).text


def answer_on_page(w: WebWorld, url: str, html: str, marker: str, value: str) -> str:
    """Post `value` with the form that follows `marker` on the page; returns the new page."""
    at = html.index(marker)
    index = html[:at].count('name="t" value="')
    r = w.post(url, {"t": form_token(html, index), "v": value})
    assert r.code == 303 and r.headers["Location"] == "./?saved=1"
    return w.get(url + "?saved=1").text


def test_done_on_the_page_before_the_morning_stops_the_weeks_prompt(world: WebWorld) -> None:
    url, html = page(world)
    assert "Today&#x27;s strength session" in html or "strength session" in html
    after = answer_on_page(world, url, html, 'id="strength"', "done")
    assert world.answered == ["sam"]  # the pass ran at once
    assert "Saved." in after and "Strength session done" in after
    for hour in (2, 24, 48):  # the morning, and the days after: no prompt this week
        world.now = world.now.replace(hour=7, minute=5) + timedelta(hours=hour - 2)
        world.sync()
    assert world.phone.about("strength_frequency") == []
    assert '"strength":1' in after.split('id="page-data"')[1]  # the chart's week counts it


def test_not_this_week_from_the_push(world: WebWorld) -> None:
    world.now += timedelta(hours=2, minutes=5)
    world.sync()
    [prompt] = world.phone.about("strength_frequency")
    link = prompt.actions[1].url
    r = world.post(link, {"t": form_token(world.get(link).text), "v": "skip_week"})
    assert r.code == 303 and "?saved=1" in r.headers["Location"]
    assert [c.kind for c in world.store.checkins("sam")] == ["strength_skip_week"]


def knee_world(w: WebWorld) -> str:
    """A run with a sore knee at 18:00 on Monday; returns the knee question's link of its push."""
    w.now = w.now.replace(hour=18, minute=0)
    w.strava["sam"].put(
        run(
            "strava",
            "sore",
            w.now.replace(hour=17).isoformat(),
            7.0,
            minutes=42,
            title="Evening run, knee sore",
        )
    )
    w.sync()
    [pain] = w.phone.about("pain_reported")
    assert pain.actions[0].label == "Answer 0 to 10"
    return pain.actions[0].url


@pytest.mark.parametrize(
    ("pain", "advice", "title"),
    [
        ("4", "over more, shorter runs", "Knee check: change the next runs"),
        ("6", "see a physiotherapist or doctor", "Knee check: pause running"),
        ("1", "this load suits", "Knee check: this load suits it"),
    ],
)
def test_a_knee_answer_gives_the_advice_of_its_score(
    world: WebWorld, pain: str, advice: str, title: str
) -> None:
    link = knee_world(world)
    html = world.get(link).text
    assert "from 0 (nothing) to 10" in html and html.count('name="v"') == 11
    r = world.post(link, {"t": form_token(html), "v": pain})
    shown = world.get(r.headers["Location"]).text
    assert advice in shown.lower()
    [pushed] = world.phone.about("knee_check")  # the advice went to the phone at once
    assert pushed.title == title
    [c] = [c for c in world.store.checkins("sam") if c.kind == "knee_pain"]
    assert c.value == int(pain) and c.day.isoformat() == "2026-04-13"


def test_that_was_a_race_changes_the_next_messages(world: WebWorld) -> None:
    world.now = world.now.replace(hour=12)
    world.strava["sam"].put(run("strava", "long", world.now.replace(hour=9).isoformat(), 14.0, minutes=80))
    world.sync()
    [spike] = world.phone.about("session_spike")
    assert [a.label for a in spike.actions[:2]] == ["That was a race", "Not a run"]
    assert "Congratulations" not in spike.body
    link = spike.actions[0].url
    r = world.post(link, {"t": form_token(world.get(link).text), "v": "race"})
    shown = world.get(r.headers["Location"]).text
    assert "Congratulations on your race" in shown  # the finding's words changed with the mark
    assert [(c.kind, c.about) for c in world.store.checkins("sam")] == [("race", "strava:long")]


def test_fewer_messages_folds_the_rules_pushes_and_the_page_undoes_it(world: WebWorld) -> None:
    world.now += timedelta(hours=2, minutes=5)
    world.sync()
    [prompt] = world.phone.about("strength_frequency")
    fewer = prompt.actions[2].url
    assert "Fewer messages like this (strength_frequency)" in world.get(fewer).text
    world.post(fewer, {"t": form_token(world.get(fewer).text), "v": "fewer"})
    world.now += timedelta(days=7)  # next Monday's prompt: folded into the digest
    world.sync()
    assert len(world.phone.about("strength_frequency")) == 1
    url, html = page(world)
    assert "strength_frequency: to notes and the digest only" in html
    after = answer_on_page(world, url, html, "to notes and the digest only", "undo")
    assert "All messages as usual." in after
    kinds = [c.kind for c in world.store.checkins("sam")]
    assert kinds == ["fewer", "fewer_undo"]


def test_it_was_real_on_the_page_counts_a_run_left_out(world: WebWorld) -> None:
    fast = run("strava", "gps", world.now.replace(hour=4).isoformat(), 12.0, minutes=20)  # 1:40 min/km
    world.strava["sam"].put(fast)
    world.sync()
    url, html = page(world)
    row = html[html.index('data-run="strava:gps"') :]
    assert "left out" in row[:200]
    after = answer_on_page(world, url, html, 'data-run="strava:gps"', "real")
    row = after[after.index('data-run="strava:gps"') :]
    assert "left out" not in row[: row.index("</li>")]
