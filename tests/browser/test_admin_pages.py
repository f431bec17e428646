"""Every admin page in a real browser, empty, filled and with errors: zero axe-core violations."""
from __future__ import annotations

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"




def sign_in(page, base_url, email):
    browser_sign_in(page, base_url, email, DEMO_PASSWORD)


@pytest.fixture(scope="module")
def ids(live_app):
    with live_app.app_context():
        db = get_db()
        police = next(o for o in store.organisations(db) if o["name"] == "Brackenford Police")
        editor = store.user_by_email(db, "editor.police@demo.example")
    return {"organisation": police["id"], "person": editor["id"]}


def test_organisation_pages(page, base_url, ids):
    sign_in(page, base_url, "coordinator@demo.example")
    for name, path in [("organisations", "/organisations"), ("organisations-all", "/organisations?status=all"),
                       ("organisation", f"/organisations/{ids['organisation']}"),
                       ("organisation-edit", f"/organisations/{ids['organisation']}/edit")]:
        assert page.goto(base_url + path).status == 200
        check(page, f"admin-{name}")
    page.goto(base_url + "/organisations/new")
    check(page, "admin-organisation-new")
    submit_with_errors(page, "Save organisation", "admin-organisation-new-errors")
    page.get_by_label("Organisation name").fill("Brackenford Police")
    page.get_by_label("Police").check()
    page.get_by_label("Main contact's email address").fill("not an email")
    page.get_by_role("button", name="Save organisation").click()
    page.wait_for_load_state()
    assert "already exists" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Organisation name").input_value() == "Brackenford Police"
    check(page, "admin-organisation-new-duplicate")


def test_import_page_empty_and_with_row_errors(page, base_url, tmp_path):
    sign_in(page, base_url, "coordinator@demo.example")
    page.goto(base_url + "/organisations/import")
    check(page, "admin-import")
    bad = tmp_path / "organisations.csv"
    bad.write_text("name,sector,contact_name,contact_email\n"
                   "Brackenford Police,police,,\n,housing,,\nNew Org,spaceship,,bad-email\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(bad))
    submit_with_errors(page, "Check and import", "admin-import-errors")


def test_people_pages(page, base_url, ids):
    sign_in(page, base_url, "coordinator@demo.example")
    for name, path in [("people", "/people"), ("person", f"/people/{ids['person']}"),
                       ("person-role", f"/people/{ids['person']}/role"), ("outbox", "/outbox")]:
        assert page.goto(base_url + path).status == 200
        check(page, f"admin-{name}")
    page.goto(base_url + f"/people/{ids['person']}/role")
    page.get_by_label("Executive Board member").check()
    page.get_by_role("button", name="Save role").click()
    page.wait_for_load_state()
    assert "not part of a member organisation" in page.locator(".govuk-error-summary").inner_text()
    check(page, "admin-person-role-errors")
    page.goto(base_url + "/people/invite")
    check(page, "admin-invite")
    submit_with_errors(page, "Send invitation", "admin-invite-errors")
    page.get_by_label("Full name").fill("Ōla Person")
    page.get_by_label("Email address").fill("ola.person@demo.example")
    page.get_by_label("Organisation editor").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert "Select the organisation" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Full name").input_value() == "Ōla Person"
    check(page, "admin-invite-role-error")
    page.get_by_label("Organisation", exact=True).select_option(label="Brackenford Police")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ōla Person"
    check(page, "admin-invited-person")
    page.goto(base_url + "/outbox")
    assert "ola.person@demo.example" in page.content()
    page.get_by_text("ola.person@demo.example").first.scroll_into_view_if_needed()
    check(page, "admin-outbox-with-invitation")


def test_an_editor_sees_their_own_organisation(page, base_url, ids):
    sign_in(page, base_url, "editor.police@demo.example")
    assert page.goto(base_url + f"/organisations/{ids['organisation']}").status == 200
    check(page, "editor-own-organisation")
    assert page.goto(base_url + "/organisations").status == 403
    check(page, "editor-forbidden")


def test_without_the_services_address_the_invite_and_reset_pages_say_what_to_set(page, base_url, live_app):
    """The states a partnership sees before it has set COMPLIANCE_BASE_URL: still accessible, nothing typed lost."""
    live_app.config["BASE_URL"] = ""
    try:
        page.goto(base_url + "/forgot-password")
        assert "cannot be reset by email" in page.locator("main").inner_text()
        check(page, "account-reset-without-address")
        sign_in(page, base_url, "coordinator@demo.example")
        page.goto(base_url + "/people/invite")
        assert "COMPLIANCE_BASE_URL" in page.locator(".govuk-warning-text").inner_text()
        check(page, "admin-invite-without-address")
        page.get_by_label("Full name").fill("Nia Person")
        page.get_by_label("Email address").fill("nia.person@demo.example")
        page.get_by_label("Executive Board member").check()
        page.get_by_role("button", name="Send invitation").click()
        page.wait_for_load_state()
        assert page.title().startswith("Error: ")
        assert page.get_by_label("Full name").input_value() == "Nia Person"
        check(page, "admin-invite-without-address-error")
    finally:
        live_app.config["BASE_URL"] = "http://localhost"
