"""The accreditation pages in a real browser: zero axe-core violations and HTML_CodeSniffer errors in every state
(none recorded, filled in, with errors), the level revealed under its scheme and the evidence's fields under their
choice with the keyboard alone, and a certificate uploaded through the form.

The organisation is made for these tests, so nothing here touches the demo organisations other browser tests use;
the demo's own accreditations are checked where they show: the home page and a signed statement.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from compliance import store
from compliance.core.returns import financial_year
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in
from tests.builders import minimal_pdf, password_hash

pytestmark = pytest.mark.browser
PASSWORD = "lighthouse-amber-quartz-42"
NOW = datetime.now(timezone.utc)
EDITOR = "editor@accreditation-pages.example"
AWARDED = date.today() - timedelta(days=200)
EXPIRES = date.today() + timedelta(days=60)  # within 90 days: flagged


@pytest.fixture(scope="module")
def organisation(live_app):
    """A test organisation with its own editor and no accreditations."""
    with live_app.app_context():
        db = get_db()
        organisation_id = store.upsert_organisation(db, name="Accreditation Pages Test Refuge", sector="specialist",
                                                    now=NOW)
        store.create_user(db, email=EDITOR, name="Asha Editor", role="editor", organisation_id=organisation_id,
                          password_hash=password_hash(PASSWORD), actor=store.SYSTEM, now=NOW)
    return organisation_id


def sign_in(page, base_url):
    browser_sign_in(page, base_url, EDITOR, PASSWORD)


def fill_date(page, name: str, day: date) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def test_none_recorded_then_one_added_with_a_certificate_through_errors(page, base_url, organisation, tmp_path):
    sign_in(page, base_url)
    assert page.goto(f"{base_url}/organisations/{organisation}").status == 200
    assert page.get_by_text("No accreditations recorded.").is_visible()
    check(page, "accreditations-none")
    page.get_by_role("button", name="Add an accreditation").click()
    page.wait_for_load_state()
    assert page.title().startswith("Add an accreditation")
    assert page.get_by_label("Safe minimum practice").is_hidden(), "a scheme's levels show only once it is chosen"
    check(page, "accreditation-add-empty")
    submit_with_errors(page, "Save accreditation", "accreditation-add-errors-empty")
    page.get_by_label("Respect accreditation").check()
    fill_date(page, "awarded_on", date.today() + timedelta(days=3))
    page.get_by_label("Certificate or reference number (optional)").fill("RSP <b>2031</b> & co")
    page.get_by_label("Upload a file").check()
    submit_with_errors(page, "Save accreditation", "accreditation-add-errors-filled")
    assert page.get_by_label("Respect accreditation").is_checked()
    assert page.get_by_label("Certificate or reference number (optional)").input_value() == "RSP <b>2031</b> & co"
    assert page.locator("#awarded_on-year").input_value() == str((date.today() + timedelta(days=3)).year)
    page.get_by_label("Full accreditation").check()
    fill_date(page, "awarded_on", AWARDED)
    fill_date(page, "expires_on", EXPIRES)
    certificate = tmp_path / "Respect certificate.pdf"
    certificate.write_bytes(minimal_pdf("Respect accreditation certificate"))
    page.get_by_label("Certificate or letter").set_input_files(str(certificate))
    check(page, "accreditation-add-filled")
    page.get_by_role("button", name="Save accreditation").click()
    page.wait_for_url(f"{base_url}/organisations/{organisation}#accreditations")
    assert page.get_by_text("Respect accreditation (Full accreditation) has been added").is_visible()
    assert page.get_by_text("Expires soon", exact=True).first.is_visible()
    assert page.get_by_text("RSP <b>2031</b> & co").is_visible()
    check(page, "accreditations-filled")
    assert page.goto(f"{base_url}/home").status == 200
    assert page.get_by_role("heading", name="Your organisation's accreditations").is_visible()
    check(page, "accreditations-home")


def test_the_level_and_the_evidence_fields_are_revealed_with_the_keyboard(page, base_url, organisation):
    sign_in(page, base_url)
    page.goto(f"{base_url}/organisations/{organisation}/accreditations/new")
    level = page.get_by_label("Full accreditation")
    assert level.is_hidden()
    page.get_by_label("DAHA accreditation").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("Respect accreditation").is_checked() and level.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # into the level's own group: its first choice, then the second
    assert page.evaluate("document.activeElement.id").startswith("level_respect")
    page.get_by_label("Upload a file").focus()
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Link to a web page").is_checked() and page.get_by_label("Web address").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "url"
    check(page, "accreditation-add-revealed")


def test_change_with_an_error_then_someone_elses_change_then_remove(page, base_url, organisation, live_app):
    sign_in(page, base_url)
    page.goto(f"{base_url}/organisations/{organisation}")
    page.get_by_role("link", name="Change Respect accreditation (Full accreditation)").click()
    page.wait_for_load_state()
    assert page.title().startswith("Change an accreditation")
    assert page.get_by_label("Keep the evidence it has").is_checked()
    check(page, "accreditation-change")
    page.locator("#expires_on-year").fill(str(AWARDED.year - 1))
    submit_with_errors(page, "Save accreditation", "accreditation-change-errors")
    assert page.get_by_text("The expiry date must be after the date awarded").first.is_visible()
    page.locator("#expires_on-year").fill(str(EXPIRES.year + 3))
    with live_app.app_context():  # a colleague saves a change meanwhile
        db = get_db()
        current = store.organisation_accreditations(db, organisation)[0]
        store.change_accreditation(db, current["id"], {**current, "reference": "Saved by a colleague"},
                                   revision=current["revision"], actor=store.SYSTEM, now=NOW)
    submit_with_errors(page, "Save accreditation", "accreditation-change-elsewhere")
    assert page.get_by_text("What the other person saved").is_visible()
    assert page.get_by_text("Saved by a colleague").is_visible()
    page.get_by_role("button", name="Save accreditation").click()
    page.wait_for_url(f"{base_url}/organisations/{organisation}#accreditations")
    page.get_by_role("link", name="Remove Respect accreditation (Full accreditation)").click()
    page.wait_for_load_state()
    check(page, "accreditation-remove")
    page.get_by_role("button", name="Yes, remove it").click()
    page.wait_for_url(f"{base_url}/organisations/{organisation}#accreditations")
    assert page.get_by_text("No accreditations recorded.").is_visible()


def test_a_signed_statement_lists_the_accreditations_held_at_signing(page, base_url, live_app):
    with live_app.app_context():
        db = get_db()
        haven = store.organisation_named(db, "Haven Lane Women's Aid")["id"]
        last_year = financial_year(date.today() - timedelta(days=365))
        ret = next(r for r in store.returns_for_organisation(db, haven) if r["cycle_name"] == last_year)
    browser_sign_in(page, base_url, "board@demo.example", "demo-partnership-2026")
    assert page.goto(f"{base_url}/returns/{ret['id']}/statement").status == 200
    assert page.get_by_role("heading", name="Accreditations held at signing").is_visible()
    assert page.get_by_text("SafeLives Leading Lights").is_visible()
    check(page, "statement-accreditations")
