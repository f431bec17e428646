"""Cycle pages in a real browser: the list, creating one (empty, with errors, saved), and a cycle's page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def test_cycle_pages(page, base_url):
    sign_in(page, base_url, "coordinator@demo.example")
    page.get_by_role("link", name="Cycles", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cycles"
    check(page, "cycles")
    page.get_by_role("button", name="Create a cycle").click()
    check(page, "cycle-new")
    page.get_by_label("Name").fill("2040-41")
    page.get_by_role("button", name="Save cycle").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "like 2025/26" in summary and "Select at least one framework" in summary
    check(page, "cycle-new-errors")
    page.get_by_role("link", name="Enter the date the cycle opens").click()
    assert page.evaluate("document.activeElement.id") == "open_date-day", "the summary link reaches the day box"
    page.get_by_label("Name").fill("2040/41")
    page.get_by_label("Over-Arching Domestic Violence Protocol 2018: organisational requirements, version 1").check()
    for prefix, (day, month, year) in {"open_date": ("1", "4", "2040"), "due_date": ("30", "6", "2040")}.items():
        page.locator(f"#{prefix}-day").fill(day)
        page.locator(f"#{prefix}-month").fill(month)
        page.locator(f"#{prefix}-year").fill(year)
    page.get_by_role("button", name="Save cycle").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "2040/41"
    assert "Draft: not yet open to organisations" in page.content()
    check(page, "cycle-draft")
