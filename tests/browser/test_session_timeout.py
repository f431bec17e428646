"""The idle timeout never eats work: typing keeps the session alive, and an idle person is warned first."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.browser.conftest import check
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"
LIFETIME = timedelta(seconds=5)  # 30 minutes in service; short here so the test waits seconds, not minutes
# The warning shows for the last quarter of a session: long enough here for the accessibility checks to run on it
# and the button to be pressed, on a busy machine.
WARNED_LIFETIME = timedelta(seconds=12)


def _lifetime(app, lifetime):
    before = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    yield
    app.config["PERMANENT_SESSION_LIFETIME"] = before


@pytest.fixture
def short_sessions(live_app):
    yield from _lifetime(live_app, LIFETIME)


@pytest.fixture
def warned_sessions(live_app):
    yield from _lifetime(live_app, WARNED_LIFETIME)


def sign_in(page, base_url, email="coordinator@demo.example"):
    browser_sign_in(page, base_url, email, DEMO_PASSWORD)


def test_an_idle_person_is_warned_and_can_stay_signed_in(page, base_url, warned_sessions):
    sign_in(page, base_url)
    dialog = page.locator("#session-timeout")
    dialog.wait_for(state="visible", timeout=10_000)
    assert "You will be signed out soon" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    check(page, "session-timeout-warning")
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    time.sleep(4)  # over 12 seconds since signing in: only the session kept alive is still signed in
    assert page.goto(base_url + "/home").url == base_url + "/home", "still signed in"


def test_typing_for_longer_than_the_timeout_keeps_the_work(page, base_url, short_sessions):
    sign_in(page, base_url)
    page.goto(base_url + "/people/invite")
    name = page.get_by_label("Full name")
    for letter in "Slow one":  # 8 keystrokes over about 8 seconds: longer than the 5-second timeout
        name.press(letter if letter != " " else "Space")
        time.sleep(1)
    assert not page.locator("#session-timeout").is_visible()
    page.get_by_label("Email address").fill("slow.typist@demo.example")
    page.get_by_label("Executive Board member").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Slow one", "the form was saved, not bounced to sign-in"


def test_after_the_timeout_the_page_stays_so_nothing_typed_is_lost(page, base_url, short_sessions):
    sign_in(page, base_url)
    page.goto(base_url + "/people/invite")
    page.get_by_label("Full name").fill("Words I have not saved")
    dialog = page.locator("#session-timeout")
    page.wait_for_function("document.querySelector('#session-timeout h2')"
                           ".textContent.includes('You have been signed out')", timeout=15_000)
    assert dialog.is_visible()
    assert page.url == base_url + "/people/invite", "the page does not navigate away"
    check(page, "session-timeout-signed-out")
    assert page.get_by_label("Full name").input_value() == "Words I have not saved"
    assert page.goto(base_url + "/home").url.startswith(base_url + "/sign-in")
