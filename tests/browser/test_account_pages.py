"""Account pages in a real browser: axe-core in every state, a keyboard-only sign-in, and the coordinator's home
with work waiting and with none."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from compliance import store
from compliance.services import accounts
from compliance.store import db
from compliance.web.requests import get_db
from tests.browser.conftest import check, open_cycle_id, sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"




def test_sign_in_empty_and_with_errors(page, base_url):
    page.goto(base_url + "/sign-in")
    check(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "sign-in-empty-errors")
    page.get_by_label("Email address").fill("someone@demo.example")
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "Enter a correct email address and password" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Email address").input_value() == "someone@demo.example"
    check(page, "sign-in-wrong-details")


def test_keyboard_only_sign_in(page, base_url):
    page.goto(base_url + "/sign-in")
    page.keyboard.press("Tab")  # skip link
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("coordinator@demo.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "/home")
    assert page.locator("h1").inner_text() == "Hello, Alex Morgan"
    check(page, "home-admin")
    # Signing out is reachable by keyboard too.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()").startswith("Sign out"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "/sign-in")
    check(page, "signed-out")


def test_forgot_password_pages(page, base_url):
    page.goto(base_url + "/forgot-password")
    check(page, "forgot-password")
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_load_state()
    check(page, "forgot-password-errors")
    page.get_by_label("Email address").fill("editor.police@demo.example")
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_url(base_url + "/forgot-password/sent")
    check(page, "reset-sent")


def _token(live_app, email, purpose):
    with live_app.test_request_context():
        db = get_db()
        person = store.user_by_email(db, email)
        lifetime = accounts.INVITE_LIFETIME if purpose == "invite" else accounts.RESET_LIFETIME
        return store.create_token(db, person["id"], purpose, lifetime=lifetime, now=datetime.now(timezone.utc))


@pytest.mark.parametrize(("purpose", "path", "heading"), [
    ("invite", "/set-password/", "Create your password"),
    ("reset", "/reset-password/", "Choose a new password"),
])
def test_password_pages_empty_with_errors_and_expired(page, base_url, live_app, purpose, path, heading):
    token = _token(live_app, "auditor@demo.example", purpose)
    page.goto(base_url + path + token)
    assert page.locator("h1").inner_text() == heading
    check(page, f"{purpose}-password")
    page.get_by_role("textbox", name="New password", exact=True).fill("password1234")
    page.get_by_role("textbox", name="Confirm new password").fill("password1234")
    page.get_by_role("button", name="Save password").click()
    page.wait_for_load_state()
    assert "very common password" in page.locator(".govuk-error-summary").inner_text()
    check(page, f"{purpose}-password-errors")
    page.goto(base_url + path + "no-longer-valid")
    assert page.locator("h1").inner_text() == "This link has expired"
    check(page, f"{purpose}-link-expired")


def test_your_account_and_signing_out_everywhere_else(page, base_url, browser):
    other = browser.new_context(bypass_csp=True).new_page()
    sign_in(other, base_url, "board@demo.example")
    sign_in(page, base_url, "board@demo.example")
    page.get_by_role("link", name="Your account, and where you are signed in").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your account"
    check(page, "account")
    page.get_by_role("button", name="Sign out everywhere else").click()
    page.wait_for_load_state()
    assert "signed out everywhere else" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "account-signed-out-elsewhere")
    other.goto(base_url + "/home")
    assert "/sign-in" in other.url, "the other browser is signed out"
    other.context.close()


def _change(live_app, sql: str, params: list) -> None:
    connection = db.connect(live_app.config["DATABASE"])
    with connection.atomic():
        connection.execute(sql, params)
    connection.close()


def test_the_coordinators_home_with_work_waiting_and_with_none(page, base_url, live_app):
    cycle_id = open_cycle_id(live_app)
    with live_app.app_context():
        due = store.cycle(get_db(), cycle_id)["due_date"]
    sign_in(page, base_url, "coordinator@demo.example")
    _change(live_app, "UPDATE cycles SET due_date = ? WHERE id = ?", [(date.today() - timedelta(days=2)).isoformat(),
                                                                        cycle_id])
    try:
        page.goto(base_url + "/home")
        assert page.get_by_role("heading", name=re.compile("returns? waiting for your review")).is_visible()
        assert page.get_by_role("heading", name=re.compile("overdue returns?$")).is_visible()
        page.set_viewport_size({"width": 375, "height": 800})
        check(page, "home-admin-work-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        check(page, "home-admin-work")
        _change(live_app, "UPDATE returns SET withdrawn_at = '2026-01-01T00:00:00+00:00' WHERE cycle_id = ?",
                [cycle_id])
        page.goto(base_url + "/home")
        assert page.get_by_text("Nothing is waiting for you").is_visible()
        check(page, "home-admin-nothing-waiting")
    finally:
        _change(live_app, "UPDATE cycles SET due_date = ? WHERE id = ?", [due, cycle_id])
        _change(live_app, "UPDATE returns SET withdrawn_at = NULL WHERE cycle_id = ?", [cycle_id])
