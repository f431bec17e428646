"""Browser fixtures: the app served by waitress on loopback, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from waitress import create_server

from compliance.config import ROOT
from compliance.web.access import public
from tests.conftest import make_app

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
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
    app = make_app(tmp_path_factory.mktemp("live"))
    app.add_url_rule("/test-explode", "test_explode", public(_explode))
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    server = create_server(live_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed: `make test` installs it with apt-get"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the app's own CSP is checked by integration tests.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core against the page at WCAG 2.2 AA (plus best practice); return the violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations],
        indent=2,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check(page, name: str) -> None:
    """Screenshot the page, then fail on any axe-core violation or script error."""
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], describe(violations)
    assert page.js_errors == []


DEMO_PASSWORD = "demo-partnership-2026"


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form and wait for the home page."""
    page.goto(base_url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/home")
