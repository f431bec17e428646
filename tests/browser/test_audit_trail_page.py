"""The audit trail in a real browser: axe-core unfiltered, filtered, and with a date error."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def test_audit_trail_page(page, base_url):
    sign_in(page, base_url, "auditor@demo.example")
    page.get_by_role("link", name="Audit trail: every change made in the service").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Audit trail"
    check(page, "audit-trail")
    page.get_by_label("Kind of change").select_option("answer-changed")
    page.get_by_role("button", name="Show entries").click()
    page.wait_for_load_state()
    assert "kind=answer-changed" in page.url
    page.locator("details summary").first.click()
    check(page, "audit-trail-filtered")
    page.get_by_label("From").fill("31 February")
    page.get_by_role("button", name="Show entries").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "From date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    check(page, "audit-trail-date-error")
