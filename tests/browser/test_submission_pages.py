"""Check answers, signing, the confirmation, a signed version and returning for amendment, in a real browser:
zero axe-core violations in every state.

The return belongs to an organisation made for these tests, in a cycle named 2030/31, so that nothing here
touches the demo organisations other browser tests use.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in
from tests.builders import first_versions, password_hash

pytestmark = pytest.mark.browser
PASSWORD = "quarry-lantern-thimble-42"
DEMO_PASSWORD = "demo-partnership-2026"
NOW = datetime.now(timezone.utc)
EDITOR = "editor@submission-trust.example"
SIGNATORY = "signatory@submission-trust.example"
HOSTILE = "<script>alert(1)</script> & our policy\nSecond line of the narrative"


@pytest.fixture(scope="module")
def ret(live_app):
    """An open 2030/31 return for a test organisation with its own editor and signatory."""
    with live_app.app_context():
        db = get_db()
        admin = store.user_by_email(db, "coordinator@demo.example")
        actor = store.Actor(admin["id"], admin["email"])
        organisation_id = store.upsert_organisation(db, name="Submission Test Trust", sector="health", now=NOW)
        for email, name, role, job in [(EDITOR, "Esme Editor", "editor", "Safeguarding lead"),
                                       (SIGNATORY, "Sam Signatory", "signatory", "Chief executive")]:
            store.create_user(db, email=email, name=name, role=role, job_title=job, organisation_id=organisation_id,
                              password_hash=password_hash(PASSWORD), actor=store.SYSTEM, now=NOW)
        cycle_id = store.create_cycle(
            db, name="2030/31", open_date="2030-04-01", due_date="2031-03-31", actor=actor, now=NOW,
            declaration="I confirm that this return is a true and complete account.\n"
                        "It is signed on behalf of the trust.",
            framework_keys=first_versions(db))
        # Only this organisation: other browser tests see no new returns for the demo organisations.
        store.open_cycle(db, cycle_id, [store.organisation(db, organisation_id)], actor=actor, now=NOW)
        found = next(r for r in store.returns_for_cycle(db, cycle_id) if r["organisation_id"] == organisation_id)
    return {"id": found["id"], "app": live_app}


def fill(ret, *, leave_out: int = 0) -> None:
    with ret["app"].app_context():
        db = get_db()
        editor = store.user_by_email(db, EDITOR)
        actor = store.Actor(editor["id"], editor["email"])
        requirements = return_service.load_return(db, ret["id"]).requirements()
        for framework, requirement in requirements[:len(requirements) - leave_out]:
            level = next(level for level in framework.scale
                         if level.counts_as_met and not level.needs_action and not level.needs_reason)
            current = store.answer(db, ret["id"], framework.key, requirement.id)
            store.save_answer(db, ret["id"], framework.key, requirement.id,
                              {"rating": level.code, "narrative": HOSTILE, "reason": ""},
                              revision=current["revision"] if current else 0, actor=actor, now=NOW)


def add_evidence_and_action(ret) -> None:
    """A file backing the first answer, and the second partially met with its improvement action."""
    with ret["app"].app_context():
        db = get_db()
        editor = store.user_by_email(db, EDITOR)
        actor = store.Actor(editor["id"], editor["email"])
        context = return_service.load_return(db, ret["id"])
        (first_fw, first), (second_fw, second) = context.requirements()[:2]
        store.add_evidence(db, context.ret.organisation_id, {
            "kind": "file", "title": "Domestic abuse policy <2030> & annex", "filename": "policy.pdf",
            "sha256": "cd34" * 16, "content_type": "application/pdf", "size": 2048, "effective_date": "2030-04-01",
            "valid_until": "2032-03-31"}, answer_id=store.answer(db, ret["id"], first_fw.key, first.id)["id"],
            actor=actor, now=NOW)
        current = store.answer(db, ret["id"], second_fw.key, second.id)
        store.save_answer(db, ret["id"], second_fw.key, second.id,
                          {"rating": "partially-met", "narrative": "Half done.", "reason": ""},
                          revision=current["revision"], actor=actor, now=NOW)
        store.save_action(db, current["id"], {"what": "Train every team", "owner": "Safeguarding lead",
                                              "due_date": "2031-03-31", "status": "in-progress"}, actor=actor, now=NOW)


def submitted(ret) -> None:
    """Make sure the return is submitted (signed as version n): the tests below may run on their own."""
    if status(ret) == "submitted":
        return
    fill(ret)
    with ret["app"].app_context():
        db = get_db()
        signatory = store.user_by_email(db, SIGNATORY)
        return_service.submit(db, return_service.load_return(db, ret["id"]), partnership="Test", job_title="CEO",
                              signatory_name="Sam Signatory", now=NOW,
                              actor=store.Actor(signatory["id"], signatory["email"]))


def status(ret) -> str:
    with ret["app"].app_context():
        return store.return_row(get_db(), ret["id"])["status"]


def sign_in(page, base_url, email, password=PASSWORD):
    browser_sign_in(page, base_url, email, password)
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))


def test_check_answers_incomplete_and_complete(page, base_url, ret):
    fill(ret, leave_out=2)
    sign_in(page, base_url, SIGNATORY)
    assert page.goto(f"{base_url}/returns/{ret['id']}/check").status == 200
    assert page.get_by_text("Before this return can be signed").is_visible()
    assert page.get_by_role("button", name="Continue to sign").count() == 0
    check(page, "submission-check-incomplete")

    fill(ret)
    add_evidence_and_action(ret)
    page.goto(f"{base_url}/returns/{ret['id']}/check")
    assert page.get_by_text("Before this return can be signed").count() == 0
    narrative = page.locator(".govuk-summary-list__value .app-pre-line").first
    assert narrative.inner_text().startswith("<script>alert(1)</script> & our policy\nSecond line")
    check(page, "submission-check-complete")

    page.get_by_role("button", name="Continue to sign").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Sign the return"


def test_check_answers_for_the_editor(page, base_url, ret):
    fill(ret)
    sign_in(page, base_url, EDITOR)
    page.goto(f"{base_url}/returns/{ret['id']}/check")
    assert page.get_by_text("Sam Signatory").is_visible()
    assert page.get_by_role("link", name="Change").count() > 0
    check(page, "submission-check-editor")
    page.get_by_role("button", name="Tell your signatory it is ready to sign").click()
    page.wait_for_load_state()
    assert "We have emailed Sam Signatory" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "submission-check-editor-told")


def test_sign_empty_with_errors_then_submitted_and_the_signed_version(page, base_url, ret):
    sign_in(page, base_url, SIGNATORY)
    assert "is ready for you to sign" in page.locator("main").inner_text()
    check(page, "home-signatory-ready-to-sign")
    page.goto(f"{base_url}/returns/{ret['id']}/sign")
    assert page.get_by_label("Full name").input_value() == "Sam Signatory"
    assert page.get_by_label("Job title").input_value() == "Chief executive"
    check(page, "submission-sign")

    page.get_by_label("Full name").fill("Samira Signatory")
    page.get_by_label("Job title").fill("")
    page.get_by_role("button", name="Sign and submit the return").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Confirm the declaration to sign the return" in summary and "Enter your job title" in summary
    assert page.get_by_label("Full name").input_value() == "Samira Signatory"
    check(page, "submission-sign-errors")

    page.get_by_label("Job title").fill("Chief executive")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Sign and submit the return").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Return submitted"
    assert page.locator("#reference").inner_text().startswith(f"2030/31-{ret['id']:04d}-v1-")
    assert len(page.locator("#sha256").inner_text()) == 64
    assert status(ret) == "submitted"
    check(page, "submission-submitted")

    page.get_by_role("link", name="View the signed return (version 1)").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Signed return, version 1"
    text = page.locator("main").inner_text()
    assert "Samira Signatory" in text and "Domestic abuse policy <2030> & annex" in text and "Train every team" in text
    check(page, "submission-version")


def test_return_for_amendment_empty_with_errors_then_returned(page, base_url, ret):
    submitted(ret)
    sign_in(page, base_url, "coordinator@demo.example", DEMO_PASSWORD)
    page.goto(f"{base_url}/returns/{ret['id']}/return-for-amendment")
    comment_box = page.locator("textarea[name^='comment-']").first
    assert not comment_box.is_visible(), "a requirement's comment box shows only once it is ticked"
    check(page, "submission-amend")
    page.get_by_role("button", name="Return for amendment").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Say what needs to change overall" in page.locator(".govuk-error-summary").inner_text()
    check(page, "submission-amend-errors")

    first = page.locator("input[name='requirements']").first
    first.check()
    assert comment_box.is_visible()
    page.get_by_role("button", name="Return for amendment").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Say what needs to change in requirement 1" in summary.inner_text()
    assert page.locator("input[name='requirements']").first.is_checked(), "what was chosen is kept"
    check(page, "submission-amend-requirement-error")
    summary.get_by_role("link").first.click()
    comment_box.fill("Attach the signed policy.")
    page.get_by_label("What needs to change overall").fill("Attach the current policy.\nName your champions.")
    page.get_by_role("button", name="Return for amendment").click()
    page.wait_for_load_state()
    assert status(ret) == "returned"
    page.goto(f"{base_url}/returns/{ret['id']}/check")
    returned = page.locator(".govuk-notification-banner", has_text="Returned for amendment")
    assert "Attach the current policy.\nName your champions." in returned.inner_text()
    check(page, "submission-check-returned")
    page.goto(f"{base_url}/returns/{ret['id']}/versions/1")
    assert "Returned for amendment" in page.locator("main").inner_text()
    check(page, "submission-version-returned")

    sign_in(page, base_url, EDITOR)
    page.goto(f"{base_url}/returns/{ret['id']}")
    assert "Change needed: Attach the signed policy." in page.locator("main").inner_text()
    check(page, "submission-overview-change-needed")
    page.get_by_role("link", name=re.compile("^1\\. ")).first.click()
    page.wait_for_load_state()
    assert "Your coordinator asked for this answer to change" in page.locator("main").inner_text()
    check(page, "submission-answer-change-needed")
    page.get_by_label("Explain your rating").fill("Changed after the coordinator asked: the signed policy is attached.")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    page.goto(f"{base_url}/returns/{ret['id']}/changes")
    assert "Changed after the coordinator asked" in page.locator("table").inner_text()
    check(page, "submission-changes-since-version-1")


def test_accept_asks_first_with_a_comment(page, base_url, ret):
    submitted(ret)
    sign_in(page, base_url, "coordinator@demo.example", DEMO_PASSWORD)
    page.goto(f"{base_url}/returns/{ret['id']}")
    page.get_by_role("button", name="Accept this return").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Accept this return?" and status(ret) == "submitted"
    check(page, "submission-accept")
    page.get_by_label("Comment (optional)").fill("x" * 5001)
    submit_with_errors(page, "Accept this return", "submission-accept-errors")
    page.get_by_label("Comment (optional)").fill("Thorough evidence. Thank you.")
    page.get_by_role("button", name="Accept this return").click()
    page.wait_for_load_state()
    assert status(ret) == "accepted"
    sign_in(page, base_url, SIGNATORY)
    page.goto(f"{base_url}/returns/{ret['id']}")
    assert "Thorough evidence. Thank you." in page.locator(".govuk-notification-banner").inner_text()
    check(page, "submission-overview-accepted")


def test_check_a_signed_statement_empty_with_an_error_and_a_match(page, base_url, ret, tmp_path):
    with ret["app"].app_context():
        signed_versions = store.return_versions(get_db(), ret["id"])
        if not signed_versions:
            fill(ret)
            db = get_db()
            signatory = store.user_by_email(db, SIGNATORY)
            return_service.submit(db, return_service.load_return(db, ret["id"]), partnership="Test", job_title="CEO",
                                  signatory_name="Sam Signatory", now=NOW,
                                  actor=store.Actor(signatory["id"], signatory["email"]))
            signed_versions = store.return_versions(db, ret["id"])
        canonical = store.return_version(get_db(), ret["id"], signed_versions[-1]["version"])["canonical"]
    document = tmp_path / "signed.json"
    document.write_bytes(canonical.encode("utf-8"))
    sign_in(page, base_url, SIGNATORY)
    page.goto(f"{base_url}/check-a-statement")
    check(page, "check-statement")
    submit_with_errors(page, "Check the file", "check-statement-error")
    page.get_by_label("Signed document file").set_input_files(str(document))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "is exactly what was signed" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "check-statement-match")
