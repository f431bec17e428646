"""Charts and progress in a real browser: zero axe-core violations, with and without the reminder error."""
from __future__ import annotations

from datetime import date

import pytest

from compliance import store
from compliance.core.returns import financial_year
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def current_cycle_id(live_app):
    """The demo's current cycle by name: other browser tests add cycles of their own to the same app."""
    with live_app.app_context():
        return next(c["id"] for c in store.cycles(get_db()) if c["name"] == financial_year(date.today()))


def test_the_charts_page_has_no_accessibility_violations(page, base_url, live_app):
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(f"{base_url}/cycles/{current_cycle_id(live_app)}/charts")
    assert page.locator("svg[role=img]").count() == 2
    assert page.get_by_role("img", name="Partnership % met by cycle").count() == 1
    check(page, "charts")


def test_the_progress_page_has_no_accessibility_violations(page, base_url, live_app):
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(f"{base_url}/cycles/{current_cycle_id(live_app)}/progress")
    assert page.get_by_role("button", name="Send reminders").count() == 1
    check(page, "progress")


def test_the_reminder_error_has_no_accessibility_violations(page, base_url, live_app):
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(f"{base_url}/cycles/{current_cycle_id(live_app)}/progress")
    page.get_by_role("button", name="Send reminders").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").get_by_text("Select at least one organisation to remind").count() == 1
    check(page, "progress-error")
