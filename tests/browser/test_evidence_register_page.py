"""The evidence register in a real browser: unfiltered, filtered, and with an unknown requirement reported."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def test_evidence_register_page(page, base_url):
    sign_in(page, base_url, "auditor@demo.example")
    page.get_by_role("link", name="Evidence register").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Evidence register"
    check(page, "evidence-register")
    page.get_by_label("Organisation").select_option(label="Brackenford Police")
    page.get_by_role("button", name="Show evidence").click()
    page.wait_for_load_state()
    assert "organisation=" in page.url and page.locator("tbody tr").count() > 0
    check(page, "evidence-register-filtered")
    page.get_by_label("Only expired evidence").check()
    page.get_by_role("button", name="Show evidence").click()
    page.wait_for_load_state()
    assert "expired=yes" in page.url
    check(page, "evidence-register-expired")
    page.get_by_label("Framework").select_option(index=1)
    page.get_by_label("Requirement").fill("no-such-ref")
    page.get_by_role("button", name="Show evidence").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "there is no “no-such-ref”" in page.locator(".govuk-error-summary").inner_text()
    check(page, "evidence-register-unknown-requirement")
    assert page.js_errors == []
