"""The audit trail in a real browser, each state checked by axe-core and HTML_CodeSniffer: every event, a kind of
event on its second page, nothing found, and a date that is not a real one."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def _show(page) -> None:
    page.get_by_role("button", name="Show events").click()
    page.wait_for_load_state()


def test_audit_trail_page(page, base_url):
    sign_in(page, base_url, "auditor@demo.example")
    page.get_by_role("link", name="Audit trail: every change made in the service").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Audit trail"
    assert re.match(r"Showing 1 to 50 of [\d,]+ events, newest first", page.locator("h2").first.inner_text())
    check(page, "audit-trail")

    page.get_by_label("Kind of event").select_option(label="Answer changed")
    _show(page)
    assert "kind=answer-changed" in page.url
    assert "Rating: from blank to “" in page.locator(".govuk-summary-list").inner_text()
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    assert "kind=answer-changed" in page.url and "page=2" in page.url
    assert page.locator("h2").first.inner_text().startswith("Showing 51 to 100 of")
    check(page, "audit-trail-filtered")

    page.get_by_label("Person").fill("nobody by this name")
    _show(page)
    assert "No events match these filters." in page.locator("main").inner_text()
    check(page, "audit-trail-empty")

    page.get_by_label("Person").fill("")
    from_date = page.get_by_role("group", name="From date")
    for box, typed in (("Day", "31"), ("Month", "2"), ("Year", "2026")):
        from_date.get_by_label(box).fill(typed)
    _show(page)
    assert page.title().startswith("Error: ")
    assert "From date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_role("group", name=re.compile("From date")).get_by_label("Day").input_value() == "31"
    check(page, "audit-trail-date-error")
