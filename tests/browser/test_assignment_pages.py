"""Assigning requirements in a real browser: the assign page (empty, with an error), and the task list showing
only the requirements assigned to you; axe-core and HTML_CodeSniffer find nothing on any of them. On an app of
its own, since assigning changes what the demo's task lists show."""
from __future__ import annotations

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in, submit_with_errors

pytestmark = pytest.mark.browser


def _police_return(app) -> int:
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        return next(r["id"] for r in store.returns_for_cycle(db, cycle["id"])
                    if r["organisation_name"] == "Brackenford Police")


def test_assigning_requirements_and_showing_only_mine(page, own_app, own_url):
    return_id = _police_return(own_app)
    sign_in(page, own_url, "signatory.police@demo.example")
    page.goto(f"{own_url}/returns/{return_id}")
    page.get_by_role("link", name="Assign requirements to colleagues").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Assign requirements"
    check(page, "assign-requirements")

    submit_with_errors(page, "Save", "assign-requirements-error")
    page.get_by_role("link", name="Select the requirements to assign").click()
    assert page.evaluate("document.activeElement.id") == "requirements", "the summary link reaches the first box"

    page.get_by_label("Requirement 1: Policy for service users").check()
    page.get_by_label("Requirement 3: Routine question").check()
    page.get_by_label("Assign them to").select_option(label="Dana Hollis")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "2 requirements assigned to Dana Hollis" in page.content()
    assert page.get_by_text("Assigned to Dana Hollis", exact=True).count() == 2

    page.context.clear_cookies()
    sign_in(page, own_url, "editor.police@demo.example")
    page.goto(f"{own_url}/returns/{return_id}")
    page.get_by_role("link", name="Show only the requirements assigned to you (2)").click()
    page.wait_for_load_state()
    assert "Showing only the 2 requirements assigned to you" in page.content()
    assert page.locator(".govuk-task-list__item").count() == 2
    check(page, "task-list-assigned-to-me")
