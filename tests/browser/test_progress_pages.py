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
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= 375"), "the charts shrink to a phone's width"
    check(page, "charts-phone")


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


def test_scheduled_reminders_and_their_schedule_have_no_accessibility_violations(page, base_url, live_app):
    cycle_id = current_cycle_id(live_app)
    with live_app.app_context():
        due = date.fromisoformat(store.cycle(get_db(), cycle_id)["due_date"])
    result = live_app.test_cli_runner().invoke(args=["send-due-reminders", "--today",
                                                     date.fromordinal(due.toordinal() - 7).isoformat()])
    assert result.exit_code == 0, result.output
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(f"{base_url}/cycles/{cycle_id}/progress")
    assert page.locator("#scheduled-sent tbody tr").count() > 0
    check(page, "progress-scheduled")
    page.get_by_role("link", name="Change when reminders go out").click()
    page.wait_for_load_state()
    check(page, "reminder-schedule")
    page.get_by_label("Days before the due date").fill("next week")
    page.get_by_role("button", name="Save when reminders go out").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Days before the due date").input_value() == "next week"
    check(page, "reminder-schedule-error")
