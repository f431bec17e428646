"""Organisations joining and leaving an open cycle, in a real browser: "Add organisations to this cycle" (nothing to
add, organisations to add, an error), the form's hints, and a withdrawn return's overview. On an app of its own,
since archiving a demo organisation would change what the other browser tests count."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in, submit_with_errors

pytestmark = pytest.mark.browser


def _open_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def test_adding_organisations_to_an_open_cycle(page, own_app, own_url):
    cycle = _open_cycle(own_app)
    sign_in(page, own_url, "coordinator@demo.example")
    page.goto(f"{own_url}/cycles/{cycle['id']}")
    page.get_by_role("link", name="Add organisations to this cycle").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Add organisations to this cycle"
    assert "Every active organisation has a return" in page.content()
    check(page, "cycle-add-organisations-none")
    with own_app.app_context():  # as if added before organisations joined open cycles by themselves
        store.add_organisation(get_db(), {"name": "Oakmere Ambulance Service", "sector": "ambulance"},
                               actor=store.SYSTEM, now=datetime.now(timezone.utc))
    page.reload()
    check(page, "cycle-add-organisations")
    submit_with_errors(page, "Add to the cycle", "cycle-add-organisations-error")
    page.get_by_role("link", name="Select at least one organisation to add to the cycle").click()
    assert page.evaluate("document.activeElement.id") == "organisations", "the summary link reaches the first box"
    page.get_by_label("Oakmere Ambulance Service").check()
    page.get_by_role("button", name="Add to the cycle").click()
    page.wait_for_load_state()
    assert "Oakmere Ambulance Service has a return in the" in page.locator(".govuk-notification-banner").inner_text()


def test_archiving_an_organisation_withdraws_its_return(page, own_app, own_url):
    cycle = _open_cycle(own_app)
    with own_app.app_context():
        greenway = store.organisation_named(get_db(), "Greenway Homes")
        ret = next(r for r in store.returns_for_cycle(get_db(), cycle["id"]) if r["organisation_id"] == greenway["id"])
    sign_in(page, own_url, "coordinator@demo.example")
    page.goto(f"{own_url}/organisations/{greenway['id']}/edit")
    assert f"Its return for {cycle['name']} will be withdrawn" in page.content()
    check(page, "organisation-edit-withdraw-hint")
    page.get_by_label("Archived: kept for the record, not asked for new returns").check()
    page.get_by_role("button", name="Save organisation").click()
    page.wait_for_load_state()
    assert "has been withdrawn" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "organisation-with-withdrawn-return")
    page.goto(f"{own_url}/returns/{ret['id']}")
    assert page.locator(".govuk-tag", has_text="Withdrawn").count() == 1
    check(page, "return-overview-withdrawn")


def test_carried_forward_answers_beside_last_year_and_confirmed_together(page, own_app, own_url):
    """Here rather than on the shared app: starting Haven Lane from last year would change the journey test's return."""
    cycle = _open_cycle(own_app)
    with own_app.app_context():
        ret = next(r for r in store.returns_for_cycle(get_db(), cycle["id"])
                   if r["organisation_name"] == "Haven Lane Women's Aid")
    sign_in(page, own_url, "editor.womensaid@demo.example")
    page.goto(f"{own_url}/returns/{ret['id']}")
    page.get_by_role("button", name="Start from last year's answers").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("^Confirm the answers carried forward")).click()
    page.wait_for_load_state()
    check(page, "confirm-carried-forward")
    submit_with_errors(page, "Confirm the ticked answers", "confirm-carried-forward-error")
    page.locator("input[name='answers']").first.check()
    page.get_by_role("button", name="Confirm the ticked answers").click()
    page.wait_for_load_state()
    assert "1 answer confirmed as still right" in page.locator(".govuk-notification-banner").inner_text()
    page.locator(".govuk-task-list__link").nth(1).click()
    page.wait_for_load_state()
    assert "Last year's answer, as signed for" in page.locator("main").inner_text()
    check(page, "answer-beside-last-year")
