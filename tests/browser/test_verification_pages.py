"""Auditors' checks in a real browser: the return's checklist, one answer's check (empty, with errors, saved),
the audit summary, the validated matrix and the statement; zero axe-core violations on each, by keyboard too."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from compliance import store
from compliance.core.returns import financial_year
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def larkhill(live_app):
    """Larkhill Hospitals' return in the demo's current cycle: submitted, and used by no other browser test."""
    with live_app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["name"] == financial_year(date.today()))
        found = next(r for r in store.returns_for_cycle(db, cycle["id"])
                     if r["organisation_name"] == "Larkhill Hospitals NHS Trust")
    return cycle["id"], found["id"]


def test_an_auditor_checks_answers_and_reads_the_summary(page, base_url, live_app):
    cycle_id, return_id = larkhill(live_app)
    sign_in(page, base_url, "auditor@demo.example")
    page.goto(f"{base_url}/returns/{return_id}")
    page.get_by_role("link", name="Check the evidence of this return").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check the evidence"
    check(page, "verification-return")
    page.locator("tbody a", has_text="Check").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    check(page, "verification-answer")
    # by keyboard: choose "Not verified" and save without a rating or comment
    page.get_by_label("Not verified").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the check").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select the rating the evidence supports" in summary and "a comment is needed" in summary
    check(page, "verification-answer-errors")
    page.get_by_label("Validated rating").select_option(index=2)
    page.get_by_label("Comment").fill("The policy seen is from 2019 and names no lead")
    page.get_by_role("button", name="Save the check").click()
    page.wait_for_load_state()
    assert "has been saved: Not verified" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"{base_url}/returns/{return_id}/audit-summary")
    assert "The policy seen is from 2019" in page.locator("main").inner_text()
    check(page, "audit-summary")
    page.goto(f"{base_url}/returns/{return_id}/statement")
    assert "Auditor's check" in page.locator("main").inner_text()
    check(page, "statement-with-checks")
    assert page.js_errors == []


def test_the_validated_matrix_has_no_accessibility_violations(page, base_url, live_app):
    cycle_id, _ = larkhill(live_app)
    sign_in(page, base_url, "board@demo.example")
    page.goto(f"{base_url}/cycles/{cycle_id}/matrix")
    page.get_by_role("link", name="Validated by auditors").click()
    page.wait_for_load_state()
    assert "view=validated" in page.url and "validated ratings" in page.locator("h1").inner_text()
    check(page, "matrix-validated")
    page.get_by_label("Sector").select_option(label="Health (NHS)")
    page.get_by_role("button", name="Show matrix").click()
    page.wait_for_load_state()
    assert "view=validated" in page.url, "filtering keeps the view"
    check(page, "matrix-validated-filtered")
    assert page.js_errors == []


def test_the_register_filtered_by_check_has_no_violations(page, base_url):
    sign_in(page, base_url, "auditor@demo.example")
    page.goto(f"{base_url}/evidence-register")
    page.get_by_label("Verification status").select_option(label="Not checked")
    page.get_by_role("button", name="Show evidence").click()
    page.wait_for_load_state()
    assert "verification=not-checked" in page.url
    check(page, "evidence-register-not-checked")
    assert page.js_errors == []


def test_empty_and_conflict_states_have_no_violations(page, base_url, live_app):
    cycle_id, return_id = larkhill(live_app)
    with live_app.app_context():
        db = get_db()
        police = next(r for r in store.returns_for_cycle(db, cycle_id)
                      if r["organisation_name"] == "Brackenford Police")
    sign_in(page, base_url, "auditor@demo.example")
    page.goto(f"{base_url}/returns/{police['id']}/verification")
    assert "There is nothing to check yet" in page.locator("main").inner_text()
    check(page, "verification-nothing-yet")
    page.goto(f"{base_url}/returns/{police['id']}/audit-summary")
    assert "Nothing has been checked" in page.locator("main").inner_text()
    check(page, "audit-summary-nothing")
    # someone else saves a check of the same answer while this page is open
    page.goto(f"{base_url}/returns/{return_id}/verification")
    page.locator("tbody a").nth(2).click()
    with live_app.app_context():
        db = get_db()
        context = return_service.load_return(db, return_id)
        version, answers = return_service.standing_answers(db, return_id)
        framework, requirement = [(f, r) for f, r in context.requirements() if (f.key, r.id) in answers][2]
        coordinator = store.user_by_email(db, "coordinator@demo.example")
        store.save_verification(db, return_id, framework.key, requirement.id,
                                {"status": "verified", "validated_rating": answers[(framework.key, requirement.id)]
                                 ["rating"], "comment": "Checked at the visit"},
                                version=version["version"], self_rating=answers[(framework.key, requirement.id)]
                                ["rating"], revision=0, actor=store.Actor(coordinator["id"], coordinator["email"]),
                                now=datetime.now(timezone.utc))
    page.get_by_label("Not checked").check()
    page.get_by_role("button", name="Save the check").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Checked at the visit" in page.locator("#conflict").inner_text()
    check(page, "verification-answer-conflict")
    assert page.js_errors == []
