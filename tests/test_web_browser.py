"""The runner's page in a real headless browser on a phone-sized window: strength "Done",
the knee check's 4/10 and 6/10, "That was a race". Debian's chromium and chromium-driver,
driven by selenium; the test installs them with apt-get when they are missing (CI runs as
root). Screenshots of each page go to $SYNCD_SCREENS (default /work/coord/screens when it
exists, else the test's temporary directory)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import run
from web_world import WebWorld

from syncd.providers.strava.endpoint import serve
from syncd.web.keys import state_key
from syncd.web.links import page_link
from syncd.web.mount import Listener

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: a phone's viewport (CSS pixels), as chromium's device emulation draws it
PHONE = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0}}


def _ensure_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installed from Debian's packages if missing."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
            check=True,
            env=env,
            timeout=1200,
        )
    return str(shutil.which("chromium")), str(shutil.which("chromedriver"))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", PHONE)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[WebWorld, str]]:
    server = serve(Listener(None, None), "127.0.0.1", 0)  # the port first: public_url names it
    port = server.effective_port
    server.close()
    world = WebWorld(tmp_path, public=f"http://127.0.0.1:{port}", notes={"strava": True})
    world.sync()
    server = serve(Listener(None, world.app), "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield world, f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


def screens(tmp_path: Path) -> Path:
    default = Path("/work/coord/screens")
    where = Path(os.environ.get("SYNCD_SCREENS") or (default if default.is_dir() else tmp_path))
    where.mkdir(parents=True, exist_ok=True)
    return where


def click(driver: Any, css: str) -> None:
    """Press a button and wait for the page the answer leads to (a new document)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()

    def moved_on(d: Any) -> bool:
        try:
            before.tag_name  # noqa: B018  (raises once the old document is gone)
        except Exception:
            return d.execute_script("return document.readyState") == "complete"  # type: ignore[no-any-return]
        return False

    WebDriverWait(driver, 20).until(moved_on)


def sore_run(world: WebWorld, pid: str, hour: int) -> str:
    """A run with a sore knee uploaded at `hour` today; the knee question link of its push."""
    world.now = world.now.replace(hour=hour, minute=30)
    world.strava["sam"].put(
        run("strava", pid, world.now.replace(minute=0).isoformat(), 7.0, minutes=25, title="Knee sore again")
    )
    world.sync()
    return world.phone.about("pain_reported")[-1].actions[0].url


def test_the_runners_page_and_its_answers_in_a_phone_browser(
    browser: Any, site: tuple[WebWorld, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    world, _ = site
    shots = screens(tmp_path)
    # Monday 05:00: the page, then "I did a strength session today"
    browser.get(page_link(world.config, "sam", world.now, key=state_key(world.state)))
    assert browser.execute_script("return window.innerWidth") <= 400
    week = browser.find_elements(By.CSS_SELECTOR, "#chart rect.week")
    assert len(week) >= 6 and week[-1].get_attribute("data-strength") == "0"
    browser.save_screenshot(str(shots / "1-runner-page.png"))
    click(browser, "#strength button[value=done]")
    assert "Saved." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert (
        browser.find_elements(By.CSS_SELECTOR, "#chart rect.week")[-1].get_attribute("data-strength") == "1"
    )
    browser.save_screenshot(str(shots / "2-strength-done.png"))
    world.now = world.now.replace(hour=7, minute=5)
    world.sync()
    assert world.phone.about("strength_frequency") == []  # the week's prompt stopped
    # Monday evening: a sore knee; its push asks 0-10; 4 gives the adapted-runs advice
    browser.get(sore_run(world, "sore1", 18))
    browser.save_screenshot(str(shots / "3-knee-question.png"))
    click(browser, "form.scale button[value='4']")
    advice = browser.find_element(By.CSS_SELECTOR, "#findings").text
    assert "over more, shorter runs" in advice and "10 to 20 % slower" in advice
    assert world.phone.about("knee_check")[-1].title == "Knee check: change the next runs"
    browser.save_screenshot(str(shots / "4-knee-4-of-10.png"))
    # Tuesday evening: again, and 6 means pause and see a professional
    world.now += timedelta(days=1)
    browser.get(sore_run(world, "sore2", 18))
    click(browser, "form.scale button[value='6']")
    assert "see a physiotherapist or doctor" in browser.find_element(By.CSS_SELECTOR, "#findings").text
    assert world.phone.about("knee_check")[-1].title == "Knee check: pause running"
    browser.save_screenshot(str(shots / "5-knee-6-of-10.png"))
    # Wednesday: a much longer run; "That was a race" turns the advice into congratulations
    world.now = world.now + timedelta(days=1)
    world.now = world.now.replace(hour=12)
    world.strava["sam"].put(run("strava", "race", world.now.replace(hour=9).isoformat(), 15.0, minutes=75))
    world.sync()
    spike = world.phone.about("session_spike")[-1]
    assert "Congratulations" not in spike.body and "— syncd —" in world.strava["sam"].description("race")
    browser.get(spike.actions[0].url)
    browser.save_screenshot(str(shots / "6-race-question.png"))
    click(browser, "button[value=race]")
    assert "Congratulations on your race" in browser.find_element(By.CSS_SELECTOR, "#findings").text
    assert "Race: 15.0 km, congratulations" in world.strava["sam"].description("race")  # the note too
    browser.save_screenshot(str(shots / "7-after-race.png"))
    # a used link is refused with a plain page
    browser.get(spike.actions[0].url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link cannot be used"
    browser.save_screenshot(str(shots / "8-used-link.png"))
