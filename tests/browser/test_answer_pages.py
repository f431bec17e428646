"""A requirement's pages in a real browser: zero axe-core violations in every state, the edit conflict, and the
reason revealed under "Not applicable" with the keyboard alone.

The return belongs to an organisation made for these tests, in a cycle named 2031/32 opened for it alone, so
nothing here touches the demo organisations other browser tests use.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in
from tests.builders import first_versions, minimal_pdf, password_hash

pytestmark = pytest.mark.browser
PASSWORD = "harbour-violet-compass-17"
NOW = datetime.now(timezone.utc)
EDITOR = "editor@answer-pages-refuge.example"
SECOND_EDITOR = "second.editor@answer-pages-refuge.example"
PROTOCOL = "wdvf-overarching-protocol-2018"


@pytest.fixture(scope="module")
def ret(live_app):
    """An open 2031/32 return, against every framework, for a test organisation with its own editor."""
    with live_app.app_context():
        db = get_db()
        admin = store.user_by_email(db, "coordinator@demo.example")
        actor = store.Actor(admin["id"], admin["email"])
        organisation_id = store.upsert_organisation(db, name="Answer Pages Test Refuge", sector="police", now=NOW)
        for email, name in [(EDITOR, "Ada Editor"), (SECOND_EDITOR, "Ben Colleague")]:
            store.create_user(db, email=email, name=name, role="editor", organisation_id=organisation_id,
                              password_hash=password_hash(PASSWORD), actor=store.SYSTEM, now=NOW)
        cycle_id = store.create_cycle(db, name="2031/32", open_date="2031-04-01", due_date="2032-03-31",
                                      declaration="I confirm.", actor=actor, now=NOW,
                                      framework_keys=first_versions(db))
        store.open_cycle(db, cycle_id, [store.organisation(db, organisation_id)], actor=actor, now=NOW)
        found = next(r for r in store.returns_for_cycle(db, cycle_id) if r["organisation_id"] == organisation_id)
        context = return_service.load_return(db, found["id"])
        requirements = [(f.id, r.id) for f, r in context.requirements()]
    return {"id": found["id"], "requirements": requirements}


def url(base_url, ret, index, tail=""):
    framework_id, requirement_id = ret["requirements"][index]
    return f"{base_url}/returns/{ret['id']}/{framework_id}/{requirement_id}{tail}"


def sign_in(page, base_url, email=EDITOR):
    browser_sign_in(page, base_url, email, PASSWORD)


def test_answer_page_empty_filled_and_with_an_error(page, base_url, ret):
    sign_in(page, base_url)
    assert page.goto(url(base_url, ret, 0)).status == 200
    check(page, "answer-empty")
    page.get_by_label("Partially met").check()
    page.get_by_label("Explain your rating").fill("Our policy covers most teams.\nTraining is still rolling out.")
    check(page, "answer-filled")
    page.get_by_label("Explain your rating").fill("x" * 5001)
    assert "You have 1 character too many" in page.locator("#narrative-info").inner_text() or \
        "too many" in page.locator(".govuk-character-count").inner_text()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Partially met").is_checked()
    assert page.get_by_label("Explain your rating").input_value() == "x" * 5001
    check(page, "answer-error")


def test_a_draft_framework_page_shows_its_notice(page, base_url, ret):
    sign_in(page, base_url)
    index = next(i for i, (framework_id, _) in enumerate(ret["requirements"])
                 if framework_id == "west-midlands-dv-standards-2014")
    page.goto(url(base_url, ret, index))
    notice = page.locator(".govuk-warning-text").first.inner_text()
    assert "must load it from the published standards document" in notice
    check(page, "answer-draft-framework")


def test_the_edit_conflict_keeps_my_text_and_shows_theirs(page, base_url, ret, browser):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 1))
    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = other_context.new_page()
    try:
        sign_in(other, base_url, SECOND_EDITOR)
        other.goto(url(base_url, ret, 1))
        other.get_by_label("Met", exact=True).check()
        other.get_by_label("Explain your rating").fill("Their version, saved first")
        other.get_by_role("button", name="Save and come back later").click()
        other.wait_for_url(f"{base_url}/returns/{ret['id']}")
    finally:
        other_context.close()
    page.get_by_label("Not met", exact=True).check()
    page.get_by_label("Explain your rating").fill("My version, typed at the same time")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    conflict = page.locator("#conflict").inner_text()
    assert "Their version, saved first" in conflict and "Ben Colleague" in conflict
    assert page.get_by_label("Explain your rating").input_value() == "My version, typed at the same time"
    assert page.get_by_label("Not met", exact=True).is_checked()
    check(page, "answer-conflict")
    page.get_by_role("button", name="Save and continue").click()  # saving again keeps mine
    page.wait_for_url(url(base_url, ret, 2))
    page.goto(url(base_url, ret, 1))
    assert page.get_by_label("Explain your rating").input_value() == "My version, typed at the same time"


def test_the_reason_is_revealed_under_not_applicable_with_the_keyboard(page, base_url, ret):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 3))
    reason = page.get_by_label("Reason")
    assert reason.is_hidden()
    page.get_by_label("Met", exact=True).focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("Not applicable").is_checked()
    assert reason.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("We do not work with the public.")
    check(page, "answer-reason-revealed")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")  # back to "Not met": the reason is hidden again
    assert reason.is_hidden()
    page.keyboard.press("ArrowDown")
    assert reason.is_visible() and reason.input_value() == "We do not work with the public."
    page.get_by_role("button", name="Save and come back later").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/returns/{ret['id']}")
    page.goto(url(base_url, ret, 3))
    assert page.get_by_label("Reason").input_value() == "We do not work with the public."


def test_action_page_empty_with_errors_then_saved(page, base_url, ret):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 4))
    page.get_by_label("Partially met").check()
    page.get_by_role("button", name="Add an improvement action").click()
    page.wait_for_url(url(base_url, ret, 4, "/actions/new"))
    check(page, "action-empty")
    submit_with_errors(page, "Save action", "action-errors")
    page.get_by_label("What will you do?").fill("Train every team leader")
    page.get_by_label("Who owns it?").fill("Safeguarding lead")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2032")
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save action").click()
    page.wait_for_load_state()
    assert "Train every team leader" in page.locator("#actions ~ .govuk-summary-card").first.inner_text()
    assert page.get_by_label("Partially met").is_checked()  # saved before going to the action page
    check(page, "answer-with-action")
    page.get_by_role("button", name="Remove action 1").click()
    page.wait_for_load_state()
    check(page, "action-remove")


def test_upload_page_empty_and_with_an_upload_error(page, base_url, ret, tmp_path):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 5, "/evidence/upload"))
    check(page, "upload-empty")
    program = tmp_path / "policy.pdf"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    page.get_by_label("File", exact=True).set_input_files(str(program))
    page.get_by_label("Title").fill("Domestic abuse policy")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "is a program" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Title").input_value() == "Domestic abuse policy"
    check(page, "upload-error")
    good = tmp_path / "Domestic abuse policy.pdf"
    good.write_bytes(minimal_pdf())
    page.get_by_label("File", exact=True).set_input_files(str(good))
    page.locator("#effective_date-day").fill("1")
    page.locator("#effective_date-month").fill("4")
    page.locator("#effective_date-year").fill("2031")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_url(url(base_url, ret, 5) + "#evidence")
    assert "Domestic abuse policy.pdf" in page.locator("#evidence ~ .govuk-summary-card").first.inner_text()
    check(page, "answer-with-evidence")
    page.get_by_role("button", name="Remove from this requirement").first.click()
    page.wait_for_load_state()
    check(page, "evidence-remove")


def test_a_file_over_the_limit_is_refused_before_sending_and_what_was_typed_stays(page, base_url, ret, live_app,
                                                                                 tmp_path):
    """The server could only refuse the whole request, and everything typed with it: the browser stops it first."""
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 5, "/evidence/upload"))
    limit = live_app.config["MAX_UPLOAD_MB"]
    big = tmp_path / "scanned minutes.pdf"
    big.write_bytes(minimal_pdf() + b"\0" * (limit * 1024 * 1024))
    page.get_by_label("File", exact=True).set_input_files(str(big))
    page.get_by_label("Title").fill("Board minutes, March")
    page.get_by_role("button", name="Upload file").click()
    error = page.locator("#file-size-error")
    assert " ".join(error.text_content().split()) == f"Error: The selected file must be smaller than {limit} MB"
    assert page.url == url(base_url, ret, 5, "/evidence/upload"), "nothing was sent"
    assert page.get_by_label("Title").input_value() == "Board minutes, March"
    assert page.evaluate("document.activeElement.id") == "file" and page.title().startswith("Error: ")
    check(page, "upload-file-too-large")
    small = tmp_path / "minutes.pdf"
    small.write_bytes(minimal_pdf())
    page.get_by_label("File", exact=True).set_input_files(str(small))
    assert error.count() == 0, "choosing another file clears the message"


def test_link_page_empty_and_with_an_error(page, base_url, ret):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 6, "/evidence/link"))
    check(page, "link-empty")
    page.get_by_label("Title").fill("Policy on the intranet")
    page.get_by_label("Web address").fill("javascript:alert(1)")
    submit_with_errors(page, "Add link", "link-error")


def test_attach_page(page, base_url, ret, tmp_path):
    sign_in(page, base_url)
    good = tmp_path / "Training record.pdf"
    good.write_bytes(minimal_pdf("Training record"))
    page.goto(url(base_url, ret, 7, "/evidence/upload"))
    page.get_by_label("File", exact=True).set_input_files(str(good))
    page.get_by_label("Title").fill("Training record 2031")
    page.locator("#effective_date-day").fill("1")
    page.locator("#effective_date-month").fill("5")
    page.locator("#effective_date-year").fill("2031")
    page.get_by_role("button", name="Upload file").click()
    page.goto(url(base_url, ret, 8))
    page.get_by_role("button", name="Use evidence you have already added").click()
    page.wait_for_url(url(base_url, ret, 8, "/evidence/attach"))
    check(page, "attach")
    submit_with_errors(page, "Use this evidence", "attach-error")
    page.get_by_label("Training record 2031").check()
    page.get_by_role("button", name="Use this evidence").click()
    page.wait_for_load_state()
    assert "Training record 2031" in page.locator("#evidence ~ .govuk-summary-card").first.inner_text()


def test_enter_on_a_rating_saves_and_continues(page, base_url, ret):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 9))
    page.get_by_label("Met", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # the form's default button is "Save and continue", not a button lower down
    page.wait_for_url(url(base_url, ret, 10))
    page.goto(url(base_url, ret, 9))
    assert page.get_by_label("Met", exact=True).is_checked()


def test_leaving_with_unsaved_changes_asks_first(page, base_url, ret):
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 11))
    page.get_by_label("Explain your rating").fill("Typed but not saved yet")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="Home").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == url(base_url, ret, 11)
    assert page.get_by_label("Explain your rating").input_value() == "Typed but not saved yet"


def test_without_javascript_the_reason_is_always_shown_and_saved(browser, base_url, ret):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, base_url)
        page.goto(url(base_url, ret, 12))
        assert page.get_by_label("Reason").is_visible()
        page.get_by_label("Not applicable").check()
        page.get_by_label("Reason").fill("We have no premises open to the public.")
        page.get_by_role("button", name="Save and come back later").click()
        page.wait_for_url(f"{base_url}/returns/{ret['id']}")
        page.goto(url(base_url, ret, 12))
        assert page.get_by_label("Reason").input_value() == "We have no premises open to the public."
        assert page.get_by_label("Not applicable").is_checked()
    finally:
        context.close()


def test_two_devices_stay_signed_in_and_typing_outlives_an_ended_session(page, base_url, ret, browser):
    """The same editor on a laptop and a phone: signing in on the phone leaves the laptop signed in; once the
    phone signs out everywhere else, the laptop's save keeps what was typed, given back after signing in."""
    sign_in(page, base_url)
    page.goto(url(base_url, ret, 3))
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Explain your rating").fill("Typed on the laptop before lunch")
    phone_context = browser.new_context(viewport={"width": 375, "height": 800})
    phone = phone_context.new_page()
    try:
        sign_in(phone, base_url)
        page.get_by_role("button", name="Save and come back later").click()
        page.wait_for_url(f"{base_url}/returns/{ret['id']}")  # the laptop is still signed in: it saved
        page.goto(url(base_url, ret, 4))
        page.get_by_label("Explain your rating").fill("Typed on the laptop after lunch")
        phone.goto(base_url + "/account")
        phone.get_by_role("button", name="Sign out everywhere else").click()
        phone.wait_for_load_state()
    finally:
        phone_context.close()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert "/sign-in" in page.url
    assert "what you typed is kept for you" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "answer-signed-out-kept")
    page.get_by_label("Email address").fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.startswith(url(base_url, ret, 4) + "?restore=")
    assert page.get_by_label("Explain your rating").input_value() == "Typed on the laptop after lunch"
    check(page, "answer-typing-given-back")
