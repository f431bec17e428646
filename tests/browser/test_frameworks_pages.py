"""The frameworks pages in a real browser, empty and with errors: zero axe-core violations."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"

# Not valid: an unknown field, a repeated requirement id and a published requirement without wording.
BROKEN = '''
id = "browser-test-framework"
version = "1"
title = "Browser test framework (test data only)"
short_title = "Browser test"
published = 2024-04-01
source = "Written for the browser tests; not a real framework"
status = "published"
colour = "blue"

[[scale]]
code = "met"
label = "Met"
definition = "Test level."
rag = "green"
score = 1
counts_as_met = true

[[scale]]
code = "not-met"
label = "Not met"
definition = "Test level."
rag = "red"
score = 0

[overall]
rule = "worst-rating-wins"

[[requirements]]
id = "r-1"
ref = "1"
title = "Test requirement"
text = "Test wording only."

[requirements.guidance]
good = "Test."
evidence = "Test."

[[requirements]]
id = "r-1"
ref = "2"
title = "Another test requirement"
text = ""

[requirements.guidance]
good = "Test."
evidence = "Test."
'''


def sign_in(page, base_url, email="coordinator@demo.example"):
    browser_sign_in(page, base_url, email, DEMO_PASSWORD)


def test_the_list_and_framework_pages(page, base_url, live_app):
    sign_in(page, base_url)
    page.get_by_role("link", name="Frameworks", exact=True).click()
    page.wait_for_url(base_url + "/frameworks")
    assert page.locator("h1").inner_text() == "Frameworks"
    check(page, "admin-frameworks")
    for name, path in [("wdvf", "/frameworks/wdvf-overarching-protocol-2018/1"),
                       ("west-midlands-draft", "/frameworks/west-midlands-dv-standards-2014/1"),
                       ("bvpi", "/frameworks/bvpi-225/1")]:
        assert page.goto(base_url + path).status == 200
        check(page, f"admin-framework-{name}")
    assert "is not yet loaded" in page.goto(base_url + "/frameworks/west-midlands-dv-standards-2014/1").text()
    assert "is not yet loaded" in page.locator(".govuk-warning-text").inner_text()


def test_the_upload_page_empty_and_with_errors(page, base_url, tmp_path):
    sign_in(page, base_url)
    page.goto(base_url + "/frameworks")
    page.get_by_role("button", name="Upload a framework file").click()
    page.wait_for_url(base_url + "/frameworks/upload")
    check(page, "admin-framework-upload")
    page.get_by_role("button", name="Check and load").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Select a framework file" in page.locator(".govuk-error-summary").inner_text()
    check(page, "admin-framework-upload-no-file")
    broken = tmp_path / "browser-test-framework--1.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    page.get_by_label("Framework file").set_input_files(str(broken))
    page.get_by_role("button", name="Check and load").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "has 3 problems" in page.locator(".govuk-error-summary").inner_text()
    problems = page.locator("#problems").inner_text()
    for place in ("colour", "requirements[2].text", "requirements[2].id"):
        assert place in problems
    check(page, "admin-framework-upload-errors")
    # The summary's link takes keyboard and screen reader users to the file field.
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "file"


def test_an_organisation_editor_reads_a_framework_in_full(page, base_url):
    sign_in(page, base_url, "editor.police@demo.example")
    assert page.goto(base_url + "/frameworks/wdvf-overarching-protocol-2018/1").status == 200
    assert "Provide an annual statement of compliance" in page.locator("main").inner_text()
    check(page, "framework-as-editor")
