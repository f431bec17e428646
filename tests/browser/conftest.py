"""Browser fixtures: the app served by waitress on loopback, and Debian's Chromium driven by Playwright.

A click that submits a form or follows a link returns once the next page has started loading; a test that then
reads the title, the address or a count (none of which wait) first calls page.wait_for_load_state(), or on a busy
machine it reads the page before, or a page half there.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from waitress import create_server

from compliance import store
from compliance.config import ROOT
from compliance.core.returns import financial_year
from compliance.web.access import public
from compliance.web.requests import get_db
from tests import builders

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# HTML_CodeSniffer, the engine behind Pa11y: a second opinion beside axe-core, at WCAG 2 AA.
HTMLCS = ROOT / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
HTMLCS_STANDARD = "WCAG2AA"
ARTIFACTS = ROOT / "test-artifacts"
# Screenshots of every page checked, to look at: `make screenshots` (or COMPLIANCE_SCREENSHOTS=1). Without it, a
# page is photographed only when its check fails; a full-page PNG costs about as much as the checks themselves.
SCREENSHOTS = os.environ.get("COMPLIANCE_SCREENSHOTS") == "1"
# Chromium flags for a closed network: without the background ones it keeps dialling out.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _explode():
    raise RuntimeError("deliberate failure for the 500 page")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    app = builders.demo_app(tmp_path_factory.mktemp("live"))
    app.add_url_rule("/test-explode", "test_explode", public(_explode))
    return app


def _serve(app, threads: int):
    """The app served by waitress on a free loopback port, in a thread, while the fixture lasts: its address."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def base_url(live_app):
    yield from _serve(live_app, threads=4)


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """A module's own copy of the demo, for a module whose changes the other browser tests must not see."""
    return builders.demo_app(tmp_path_factory.mktemp("own"))


@pytest.fixture(scope="module")
def own_url(own_app):
    yield from _serve(own_app, threads=2)


@pytest.fixture(scope="module")
def mapped_live_app(tmp_path_factory):
    """A module's own app whose only frameworks are the two fixture frameworks that map to each other."""
    return builders.mapped_app(tmp_path_factory.mktemp("mapped"))


@pytest.fixture(scope="module")
def mapped_url(mapped_live_app):
    yield from _serve(mapped_live_app, threads=2)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed: `make test` installs it with apt-get"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def _tabs(browser):
    """The browser tab each test is given, kept from one test to the next while it is left as found. A new tab
    costs Chromium about half a second of CPU (a new renderer, every file fetched and compiled again), over a
    hundred times a run. {"page": the tab or None}"""
    kept: dict = {"page": None}
    yield kept
    if kept["page"] is not None:
        kept["page"].context.close()


def _new_tab(browser):
    # bypass_csp lets the test inject axe-core and HTML_CodeSniffer; the app's own CSP is checked by integration tests.
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORT)
    tab = context.new_page()
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    return tab


@pytest.fixture
def page(browser, _tabs):
    """A tab signed in as nobody, at the standard size, on a blank page, with no script errors noted. The tab is
    the last test's when that test left it as it can be reset: its cookies, the last page's storage, the size and
    media emulation are reset; a test that added listeners, routes, scripts or headers, or opened another tab,
    leaves a tab that is closed, and the next test gets a new one in a new context."""
    tab = _tabs["page"]
    if tab is None or tab.is_closed():
        tab = _tabs["page"] = _new_tab(browser)
    tab.context.clear_cookies()
    tab.js_errors = []
    changed: list[str] = []
    # What a test could add to the tab that would outlive it (listeners, routes, scripts, headers): such a tab is
    # not kept. The calls are noted, then passed on.
    for name in ("on", "once", "route", "add_init_script", "expose_function", "expose_binding",
                 "set_extra_http_headers"):
        setattr(tab, name, _noting(getattr(tab, name), name, changed))
    yield tab
    for name in ("on", "once", "route", "add_init_script", "expose_function", "expose_binding",
                 "set_extra_http_headers"):
        delattr(tab, name)
    if changed or tab.is_closed() or len(tab.context.pages) > 1:
        _discard(_tabs)
        return
    try:
        # Each origin the test visited keeps its storage in the tab's context: clear this page's, then leave it
        # (which also stops its timers before the next test's server is up).
        tab.evaluate("() => { try { localStorage.clear(); sessionStorage.clear() } catch (e) {} }")
        tab.goto("about:blank")
        tab.emulate_media(media="null", color_scheme="null", reduced_motion="null", forced_colors="null")
        if tab.viewport_size != VIEWPORT:
            tab.set_viewport_size(VIEWPORT)
    except PlaywrightError:  # a tab that cannot be reset (it crashed, say) is not kept
        _discard(_tabs)


def _noting(call, name: str, changed: list[str]):
    def noted(*args, **kwargs):
        changed.append(name)
        return call(*args, **kwargs)
    return noted


def _discard(tabs: dict) -> None:
    tab, tabs["page"] = tabs["page"], None
    if tab is not None:
        tab.context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core against the page at WCAG 2.2 AA (plus best practice); return the violations."""
    page.add_script_tag(path=str(AXE))
    # resultTypes: only violations are read, so axe need not gather every passing node (a third of its time).
    # preload: false skips fetching every stylesheet and media file again (a quarter of what is left). Only two
    # rules use them: css-orientation-lock, experimental and so not run, and no-autoplay-audio, which can only
    # ever ask for a review (reviewOnFail), never report a violation; and the service has no audio or video.
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],"
        " preload: false})",
        WCAG_TAGS,
    )
    return result["violations"]


# HTMLCS.process(standard, content, callback, failCallback) runs the standard's sniffs (bundled in the build,
# so nothing is fetched) and calls back; HTMLCS.getMessages() then lists {type, code, msg, element, data}, where
# type is HTMLCS.ERROR (1), WARNING (2) or NOTICE (3). Only errors fail a test: warnings and notices are "check
# this by hand" prompts, as Pa11y treats them by default.
HTMLCS_RUN = """
(standard) => new Promise((resolve, reject) => {
  const snippet = (element) => {
    const html = element && element.outerHTML !== undefined ? element.outerHTML : '(the whole document)';
    const flat = html.replace(/\\s+/g, ' ');
    return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
  };
  // 2.5.1 raises its autocomplete (1.3.5, H98) errors under "InvalidAutoComplete_..." while its English text is
  // keyed "InvalidAutocomplete_...", so reporting one throws instead (squizlabs/HTML_CodeSniffer#296): alias them.
  const english = window.translation.en;
  for (const key of Object.keys(english).filter((name) => name.startsWith('1_3_5_H98.InvalidAutocomplete_'))) {
    english[key.replace('Autocomplete', 'AutoComplete')] = english[key];
  }
  HTMLCS.process(standard, document, () => resolve(
    HTMLCS.getMessages()
      .filter((message) => message.type === HTMLCS.ERROR)
      .map((message) => ({code: message.code, message: message.msg, element: snippet(message.element)}))
  ), () => reject(new Error('HTML_CodeSniffer could not load the ' + standard + ' standard')));
})
"""


def htmlcs_errors(page) -> list[dict]:
    """Run HTML_CodeSniffer against the page at WCAG2AA; return its errors (code, message, element snippet)."""
    page.add_script_tag(path=str(HTMLCS))
    return page.evaluate(HTMLCS_RUN, HTMLCS_STANDARD)


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations],
        indent=2,
    )


def describe_htmlcs(errors: list[dict]) -> str:
    return "HTML_CodeSniffer (WCAG2AA) errors:\n" + "\n".join(
        f"- {e['code']}\n  {e['message']}\n  at {e['element']}" for e in errors
    )


def screenshot(page, name: str, *, failed: bool = False) -> Path | None:
    """The whole page as test-artifacts/<name>.png, when screenshots are asked for or its check failed."""
    if not (SCREENSHOTS or failed):
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check(page, name: str) -> None:
    """Fail on any axe-core violation, any HTML_CodeSniffer error or script error (with a screenshot of the page
    then, or always when screenshots are asked for)."""
    violations = axe_violations(page)
    errors = htmlcs_errors(page)
    screenshot(page, name, failed=bool(violations or errors or page.js_errors))
    assert violations == [], describe(violations)
    assert errors == [], describe_htmlcs(errors)
    assert page.js_errors == []


def submit_with_errors(page, button: str, shot: str) -> None:
    """Press a form's button expecting it refused: the title starts "Error: ", and both engines find nothing."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    check(page, shot)


def open_cycle_id(live_app):
    """The demo's current cycle: other browser tests add cycles of their own to the same app."""
    with live_app.app_context():
        return next(c["id"] for c in store.cycles(get_db()) if c["name"] == financial_year(date.today()))


DEMO_PASSWORD = "demo-partnership-2026"


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form and wait for the home page."""
    page.goto(base_url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/home")
