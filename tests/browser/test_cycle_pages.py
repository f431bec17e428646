"""Cycle pages in a real browser: the list, creating one (empty, with errors, saved), and a cycle's page with its
returns table (sorted, filtered, nothing found, on a phone)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check, open_cycle_id, sign_in

pytestmark = pytest.mark.browser


def test_cycle_pages(page, base_url):
    sign_in(page, base_url, "coordinator@demo.example")
    page.get_by_role("link", name="Cycles", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cycles"
    check(page, "cycles")
    page.get_by_role("button", name="Create a cycle").click()
    page.wait_for_load_state()
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


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_returns_table_sorted_filtered_and_empty(page, base_url, live_app):
    cycle_id = open_cycle_id(live_app)
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(f"{base_url}/cycles/{cycle_id}")
    assert page.locator("h2", has_text="Close the cycle").is_visible()
    check(page, "cycle-open-returns")
    page.get_by_role("button", name="Close the cycle").click()  # without ticking the box: nothing closes
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    page.locator(".govuk-error-summary a").click()
    assert page.evaluate("document.activeElement.id") == "confirm-close"
    check(page, "cycle-close-unconfirmed")
    page.goto(f"{base_url}/cycles/{cycle_id}")
    page.get_by_role("link", name="Requirements done (sort least done first)").click()
    page.wait_for_load_state()
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    page.get_by_role("link", name="Requirements done (sort most done first)").click()
    page.wait_for_load_state()
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    page.get_by_label("Submitted (").check()
    page.get_by_label("Accepted (").check()
    page.get_by_role("button", name="Show returns").click()
    page.wait_for_load_state()
    assert "sort=done&order=desc" in page.url and "status=submitted" in page.url, "filtering keeps the sort"
    assert "Sorted by requirements done, most done first." in page.locator("#returns-showing").inner_text()
    statuses = page.locator("tbody .govuk-tag").all_inner_texts()
    assert statuses and set(statuses) <= {"Submitted", "Accepted"}
    check(page, "cycle-open-returns-filtered-sorted")
    page.set_viewport_size({"width": 375, "height": 800})
    assert _no_sideways_scroll(page), "the table scrolls in its own region, not the page"
    region = page.get_by_role("region", name=re.compile("^Returns for"))
    region.focus()
    page.keyboard.press("ArrowRight")  # the keyboard can scroll it too
    check(page, "cycle-open-returns-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}/cycles/{cycle_id}?status=withdrawn")
    assert page.get_by_text("There are no returns with the status you selected: Withdrawn.").is_visible()
    check(page, "cycle-open-returns-none")
