"""Public pages in a real browser: zero axe-core violations, keyboard use, no script errors."""
from __future__ import annotations

import pytest

from tests.browser.conftest import VIEWPORT, axe_violations, check, describe_htmlcs, htmlcs_errors, sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "start": ("/", 200),
    "accessibility": ("/accessibility", 200),
    "privacy": ("/privacy", 200),
    "not-found": ("/no-such-page", 404),
    "server-error": ("/test-explode", 500),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_violations(page, base_url, name):
    path, status = PAGES[name]
    response = page.goto(base_url + path)
    assert response.status == status
    check(page, f"public-{name}")


def test_both_engines_find_what_is_wrong_on_a_page_made_wrong(page):
    """The check every browser test relies on can fail: a page with an image without a text alternative, a field
    without a label and pale text is refused by both engines (and nothing on it fetches anything)."""
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>Wrong</title></head><body><main><h1>Wrong</h1>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<form><input type="text" name="who"></form>'
                     '<p style="color:#eee;background:#fff">Hard to read</p></main></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found, found
    errors = htmlcs_errors(page)
    codes = [error["code"] for error in errors]
    # H37: an img without alt; F68: a field without a name; G18: text whose contrast is below 4.5:1
    assert any(code.endswith(".H37") for code in codes), describe_htmlcs(errors)
    assert any(code.endswith(".F68") for code in codes), describe_htmlcs(errors)
    assert any(code.endswith(".G18.Fail") for code in codes), describe_htmlcs(errors)


def test_page_works_at_mobile_width(page, base_url):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base_url + "/")
    check(page, "public-start-mobile")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, "the page scrolls sideways at mobile width"


def test_govuk_frontend_javascript_runs(page, base_url):
    page.goto(base_url + "/")
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    assert page.js_errors == []


def test_keyboard_user_can_skip_to_content_and_reach_the_footer_links(page, base_url):
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.textContent.trim()"))
        if visited[-1] == "Privacy notice":
            break
    assert "Accessibility statement" in visited and visited[-1] == "Privacy notice"
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "/privacy")
    assert page.locator("h1").inner_text() == "Privacy notice"


# The tab is kept from one test to the next (conftest's `page`): the next test must find it as new. The three tests
# run in this order, on one worker (the module is one scope).
_LEFT: dict = {}


def test_a_test_that_signs_in_narrows_prints_and_stores_leaves_the_tab(page, base_url):
    sign_in(page, base_url, "coordinator@demo.example")
    page.evaluate("() => { localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1') }")
    page.set_viewport_size({"width": 375, "height": 800})
    page.emulate_media(media="print", color_scheme="dark", reduced_motion="reduce")
    assert page.evaluate("matchMedia('print').matches && matchMedia('(prefers-color-scheme: dark)').matches")
    _LEFT["tab"] = page


def test_the_next_test_gets_that_tab_signed_out_full_size_blank_on_screen_and_empty(page, base_url):
    assert page is _LEFT["tab"], "the tab was kept"
    assert page.url == "about:blank" and page.viewport_size == VIEWPORT and page.js_errors == []
    assert page.context.cookies() == []
    assert not page.evaluate("matchMedia('print').matches || matchMedia('(prefers-color-scheme: dark)').matches"
                             " || matchMedia('(prefers-reduced-motion: reduce)').matches")
    page.goto(base_url + "/")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    page.goto(base_url + "/home")
    assert page.url.startswith(base_url + "/sign-in")
    page.on("dialog", lambda dialog: dialog.dismiss())  # a listener would outlive this test: the tab is not kept


def test_a_tab_left_with_a_listener_is_not_kept(page):
    assert page is not _LEFT["tab"] and _LEFT["tab"].is_closed()
