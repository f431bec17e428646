"""The action plan and an organisation's page in a real browser, as a board member uses them: reached from the
navigation and the matrix, filled, filtered and empty, at a laptop's width and a phone's; axe-core and
HTML_CodeSniffer find nothing on any of them."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from compliance import store
from compliance.core.returns import financial_year
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in
from tests.builders import NOW

pytestmark = pytest.mark.browser
BOARD = "board@demo.example"


def _cycles(app) -> dict[str, int]:
    with app.app_context():
        return {c["name"]: c["id"] for c in store.cycles(get_db())}


def _last_year() -> str:
    return financial_year(date.today() - timedelta(days=365))


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_action_plan_from_the_navigation_filled_and_filtered(page, own_url, own_app):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, own_url, BOARD)
    page.get_by_role("link", name="Improvement actions").click()
    page.wait_for_load_state()
    this_year = financial_year(date.today())
    assert page.url.endswith(f"/cycles/{_cycles(own_app)[this_year]}/actions")
    assert page.locator("#counts").inner_text().startswith("13 actions, none overdue")
    check(page, "actions-this-year")

    last_year = _last_year()
    page.get_by_role("link", name=f"Improvement actions, {last_year}").click()
    page.wait_for_load_state()
    assert page.locator("#counts").inner_text().startswith("60 actions, 60 overdue")
    assert page.locator("tbody tr").count() == 60
    assert page.locator("tbody .govuk-tag", has_text="Overdue").count() == 60
    check(page, "actions-last-year")

    page.get_by_label("Organisation").select_option(label="Brackenford Police")
    page.get_by_label("Overdue actions only").check()
    page.get_by_role("button", name="Show actions").click()
    page.wait_for_load_state()
    assert "overdue=yes" in page.url and "organisation=" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 4 and set(rows.locator("td:first-child").all_inner_texts()) == {"Brackenford Police"}
    assert "In all: 60 actions, 60 overdue" in page.locator("#counts").inner_text()
    assert "overdue=yes" in page.get_by_role("link", name="Download these 4 actions as CSV").get_attribute("href")
    check(page, "actions-filtered")

    page.get_by_label("Status").select_option(label="Done")
    page.get_by_role("button", name="Show actions").click()
    page.wait_for_load_state()
    assert "No actions match these filters" in page.locator("main").inner_text()
    check(page, "actions-filtered-empty")


def test_the_action_plan_of_a_cycle_with_no_signed_return(page, own_url, own_app):
    with own_app.app_context():
        keys = [row["key"] for row in store.framework_rows(get_db()) if row["status"] == "published"]
        cycle_id = store.create_cycle(get_db(), name="2040/41", open_date="2040-04-01", due_date="2040-06-30",
                                      declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
    sign_in(page, own_url, BOARD)
    page.goto(f"{own_url}/cycles/{cycle_id}/actions")
    assert "No signed return of 2040/41 has an improvement action yet" in page.locator("main").inner_text()
    check(page, "actions-empty")


def test_the_action_plan_on_a_phone(page, own_url, own_app):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, own_url, BOARD)
    page.goto(f"{own_url}/actions")
    assert _fits(page), "only the table's own region scrolls sideways"
    check(page, "actions-phone")


def test_an_organisations_page_from_the_matrix(page, own_url, own_app):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, own_url, BOARD)
    page.goto(f"{own_url}/cycles/{_cycles(own_app)[financial_year(date.today())]}/matrix")
    page.locator(".app-matrix__org a", has_text="Brackenford Police").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Brackenford Police"
    table = page.get_by_role("region", name=re.compile(r"^WDVF protocol 2018\s*: ratings year on year$"))
    assert table.locator("tbody tr").count() == 16
    this_year = financial_year(date.today())
    assert table.locator("thead th").all_inner_texts()[1:] == [_last_year(), this_year]
    assert page.get_by_role("link", name="Statement, version 1").count() == 1
    check(page, "organisation-record")
    page.set_viewport_size({"width": 375, "height": 800})
    assert _fits(page)
    check(page, "organisation-record-phone")


def test_an_organisation_with_no_returns_yet(page, own_url, own_app):
    with own_app.app_context():
        organisation_id = store.add_organisation(get_db(), {"name": "Newly Joined Trust", "sector": "health",
                                                            "active": 0}, actor=store.SYSTEM, now=NOW)
    sign_in(page, own_url, BOARD)
    page.goto(f"{own_url}/organisations/{organisation_id}")
    assert "No returns yet" in page.locator("main").inner_text()
    check(page, "organisation-record-empty")
