"""The whole journey of a return in a real browser, through the real forms only, with zero axe-core violations on
every page of it, error states included:

an editor signs in, starts from last year's answers, answers every requirement (one partially met with an
improvement action, one not applicable, one with an uploaded PDF, one with an explanation over the limit); the
signatory signs and submits; the coordinator returns it for amendment; the editor amends it; the signatory signs
version 2; the coordinator accepts it. The database is only read, at the end, to check what was kept.

It uses Haven Lane Women's Aid's return in the demo's open cycle, which no other browser test touches.
"""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from playwright.sync_api import expect

from compliance import store
from compliance.core.returns import digest
from compliance.web.requests import get_db
from tests.browser.conftest import check
from tests.browser.conftest import sign_in as browser_sign_in
from tests.builders import minimal_pdf

pytestmark = pytest.mark.browser
PASSWORD = "demo-partnership-2026"
EDITOR = "editor.womensaid@demo.example"
SIGNATORY = "signatory.womensaid@demo.example"
COORDINATOR = "coordinator@demo.example"
ORGANISATION = "Haven Lane Women's Aid"
HOSTILE = "<script>alert(1)</script> & <b>"
ORIGINAL = f"Zoë’s team — £0 cost. Our policy is reviewed every year.\n{HOSTILE} stays text"
AMENDED = "Zoë’s team — £0 cost. Amended after the coordinator’s comment: the policy was approved in May."
COMMENT = "Please say when the board approved the policy — Zoë’s note on “approval” is missing."
NOT_APPLICABLE_REASON = "We are a refuge: we do not run a public-facing front desk."
# Each requirement page as "Save and continue" opened it: (address, how far down it was scrolled).
OPENED: list[tuple[str, int]] = []
ACTION = "Train every refuge worker in the DASH risk checklist — including Zoë’s night team"




# What a person does, as helpers -----------------------------------------------------------------


def sign_in(page, base_url, email):
    browser_sign_in(page, base_url, email, PASSWORD)


def sign_out(page, base_url):
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    page.wait_for_url(base_url + "/sign-in")
    assert "You have signed out." in page.locator(".govuk-notification-banner").inner_text()


def open_own_return(page, cycle):
    """From Home: the link to this year's return under "Your organisation's returns"."""
    returns = page.locator("h2:has-text(\"Your organisation's returns\") + ul")
    returns.get_by_role("link", name=cycle, exact=True).click()
    page.wait_for_url(re.compile(r"/returns/\d+$"))


def open_as_coordinator(page, base_url, cycle, overview):
    """Cycles in the header, this year's cycle, then the organisation in the table of returns."""
    page.get_by_role("link", name="Cycles", exact=True).click()
    page.wait_for_url(base_url + "/cycles")
    page.get_by_role("link", name=cycle, exact=True).click()
    page.wait_for_url(re.compile(r"/cycles/\d+$"))
    page.get_by_role("link", name=ORGANISATION, exact=True).click()
    page.wait_for_url(overview)


def here_of(url: str) -> str:
    return url.split("#")[0]


def here(page) -> str:
    """The page's address without its fragment (see test_save_and_continue_opens_the_next_requirement_at_its_top)."""
    return here_of(page.url)


def error_summary(page) -> str:
    """The error summary of a page that came back with errors (its title starts "Error: ")."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    return page.locator(".govuk-error-summary").inner_text()


def banner(page) -> str:
    """The first notification banner's message, without its title."""
    return page.locator(".govuk-notification-banner__content").first.inner_text().strip()


def heading(page) -> str:
    return page.locator("h1").inner_text()


def status(page) -> str:
    """The return's status on its overview: the tag after "Status:"."""
    return page.locator("main p", has_text="Status:").locator(".govuk-tag").first.inner_text()


def task_status(page, position: int) -> str:
    return page.locator(".govuk-task-list__item").nth(position).locator(".govuk-task-list__status").inner_text()


def confirm_if_carried_forward(page):
    box = page.get_by_label("I have checked this answer and it is still right")
    if box.count():
        box.check()


POLICY = "Domestic abuse policy – Zoë’s team"  # the file uploaded at the first requirement


def back_with_evidence(page):
    """Met and Partially met need evidence (the protocol's version 2): an answer with none carried forward uses
    the policy uploaded at the first requirement, through "Use evidence you have already added"."""
    if page.locator('button[name="then"][value^="unlink-"]').count():
        return
    requirement = here(page)
    page.get_by_role("button", name="Use evidence you have already added").click()  # saves the answer first
    page.wait_for_url(lambda url: here_of(url) == requirement + "/evidence/attach")
    page.get_by_label(POLICY).check()
    page.get_by_role("button", name="Use this evidence").click()
    page.wait_for_url(requirement + "#evidence")
    assert page.locator('button[name="then"][value^="unlink-"]').count() >= 1


# The journey ------------------------------------------------------------------------------------


def test_the_whole_journey_of_a_return(page, base_url, live_app, tmp_path):
    dialogs: list[str] = []

    def no_dialogs(dialog):  # a script in someone's narrative would show up here
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", no_dialogs)
    pdf = minimal_pdf()
    shots = iter(range(1, 100))

    def shot(name):
        check(page, f"journey-{next(shots):02d}-{name}")

    # 1. The editor signs in and starts from last year's answers ---------------------------------
    sign_in(page, base_url, EDITOR)
    assert heading(page) == "Hello, Rosa Martínez"
    own = page.locator("h2:has-text(\"Your organisation's returns\") + ul li").first.inner_text()
    cycle = own.split(":")[0]
    assert re.fullmatch(r"\d{4}/\d{2}", cycle) and "not started" in own
    open_own_return(page, cycle)
    overview = page.url
    return_id = int(overview.rsplit("/", 1)[1])
    assert heading(page) == f"Return for {cycle}"
    assert status(page) == "Not started"
    total = page.locator(".govuk-task-list__item").count()
    assert total == 16, "a specialist organisation answers the 16 WDVF protocol requirements"
    assert page.get_by_text("You have completed 0 of 16 requirements").is_visible()
    shot("overview-not-started")

    page.get_by_role("button", name="Start from last year's answers").click()
    page.wait_for_url(overview)
    copied = re.match(r"(\d+) answers copied from last year\. Check each one marked “Carried forward - check”",
                      banner(page))
    assert copied, banner(page)
    assert int(copied.group(1)) == total
    assert [task_status(page, i) for i in range(total)] == ["Carried forward - check"] * total
    assert page.get_by_role("button", name="Start from last year's answers").count() == 0
    shot("overview-carried-forward")

    # 2. Every requirement, through its page ------------------------------------------------------
    page.locator(".govuk-task-list__link").first.click()
    page.wait_for_url(re.compile(rf"/returns/{return_id}/[^/]+/[^/]+$"))
    first_requirement = here(page)
    visited: list[str] = []
    titles: list[str] = []
    not_applicable_url = None
    while here(page) != overview + "/check":
        assert len(visited) < total, "Save and continue should reach check answers after the last requirement"
        position = len(visited)
        visited.append(here(page))
        OPENED.append((page.url, page.evaluate("window.scrollY")))
        titles.append(heading(page))
        assert page.locator("#carried-forward-title").inner_text() == "Check this answer"
        if position in (0, 1, 2, 3, 4):  # one screenshot per kind of requirement page below; others checked too
            shot(f"requirement-{position + 1}")
        else:
            check(page, f"journey-requirement-{position + 1:02d}")

        if position == 0:
            # Met, with the narrative that must stay text, and a real PDF uploaded through the upload page.
            page.get_by_label("Met", exact=True).check()
            page.get_by_label("Explain your rating").fill(ORIGINAL)
            confirm_if_carried_forward(page)
            page.get_by_role("button", name="Upload a file").click()  # saves the answer first
            page.wait_for_url(first_requirement + "/evidence/upload")
            assert heading(page) == "Upload a file"
            shot("upload-empty")

            program = tmp_path / "policy.pdf"
            program.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
            page.get_by_label("File", exact=True).set_input_files(str(program))
            page.get_by_label("Title").fill(POLICY)
            page.get_by_role("button", name="Upload file").click()
            summary = error_summary(page)
            assert "The selected file is a program, not a PDF: choose the right file" in summary
            assert "Enter the date it took effect" in summary
            assert page.get_by_label("Title").input_value() == POLICY
            shot("upload-error")

            real = tmp_path / "domestic-abuse-policy.pdf"
            real.write_bytes(pdf)
            page.get_by_label("File", exact=True).set_input_files(str(real))
            page.locator("#effective_date-day").fill("1")
            page.locator("#effective_date-month").fill("4")
            page.locator("#effective_date-year").fill(cycle[:4])
            page.get_by_role("button", name="Upload file").click()
            page.wait_for_url(first_requirement + "#evidence")
            assert banner(page).endswith("(domestic-abuse-policy.pdf) has been uploaded")
            card = page.locator(".govuk-summary-card", has_text=POLICY)
            assert "PDF, 1 KB" in card.inner_text() and f"1 April {cycle[:4]}" in card.inner_text()
            download_link = card.get_by_role("link", name="domestic-abuse-policy.pdf (download)")
            assert re.fullmatch(r"/evidence/\d+/download", download_link.get_attribute("href"))
            with page.expect_download() as download:
                download_link.click()
            assert download.value.suggested_filename == "domestic-abuse-policy.pdf"
            assert open(download.value.path(), "rb").read() == pdf
            # The answer was saved before the upload: it is still there, and no longer carried forward.
            assert page.get_by_label("Met", exact=True).is_checked()
            assert page.get_by_label("Explain your rating").input_value() == ORIGINAL
            assert page.locator("#carried-forward-title").count() == 0
            shot("requirement-with-pdf")

        elif position == 1:
            # Partially met, with an improvement action added through the action page.
            page.get_by_label("Partially met").check()
            page.get_by_label("Explain your rating").fill("Zoë’s team — £0 cost: most staff are trained, "
                                                          "the night team is not yet.")
            confirm_if_carried_forward(page)
            page.get_by_role("button", name=re.compile(r"^Add (an|another) improvement action$")).click()
            page.wait_for_url(lambda url: here_of(url) == visited[-1] + "/actions/new")
            assert heading(page) == "Add an improvement action"
            shot("action-empty")
            page.get_by_role("button", name="Save action").click()
            summary = error_summary(page)
            for message in ("Enter what you will do", "Enter who owns this action: a role or a person's name",
                            "Enter the date the action is due", "Select the action's status"):
                assert message in summary
            shot("action-errors")
            page.get_by_label("What will you do?").fill(ACTION)
            page.get_by_label("Who owns it?").fill("Refuge manager")
            page.get_by_label("Day").fill("31")
            page.get_by_label("Month").fill("3")
            page.get_by_label("Year").fill(str(int(cycle[:4]) + 1))
            page.get_by_label("In progress").check()
            page.get_by_role("button", name="Save action").click()
            page.wait_for_url(visited[-1] + "#actions")
            assert banner(page).endswith("Improvement action added")
            cards = page.locator("#actions ~ .govuk-summary-card", has_text=ACTION)
            assert cards.count() == 1 and "Refuge manager" in cards.inner_text()
            assert page.get_by_label("Partially met").is_checked()
            back_with_evidence(page)
            shot("requirement-with-action")

        elif position == 2:
            # Not applicable, first without the reason it asks for.
            not_applicable_url = here(page)
            page.get_by_label("Not applicable").check()
            page.get_by_label("Reason").fill("")  # last year's answer may have had one
            page.get_by_label("Explain your rating").fill("Zoë’s team — £0 cost.")
            confirm_if_carried_forward(page)

        elif position == 3:
            # An explanation over the 5,000-character limit: refused, with what was typed kept.
            page.get_by_label("Met", exact=True).check()
            too_long = ("Zoë’s team — £0 cost. " * 230)[:5001]
            page.get_by_label("Explain your rating").fill(too_long)
            confirm_if_carried_forward(page)
            page.get_by_role("button", name="Save and continue").click()
            summary = error_summary(page)
            assert "Your explanation must be 5,000 characters or fewer" in summary
            assert page.get_by_label("Explain your rating").input_value() == too_long
            assert page.get_by_label("Met", exact=True).is_checked()
            assert page.get_by_label("I have checked this answer and it is still right").is_checked()
            shot("requirement-narrative-too-long")
            page.get_by_label("Explain your rating").fill(too_long[:4990])
            back_with_evidence(page)

        elif position == 4:
            # With the keyboard alone: Space chooses "Met" and ticks the box, Enter on the button saves.
            page.get_by_label("Met", exact=True).focus()
            page.keyboard.press("Space")
            page.get_by_label("Explain your rating").focus()
            page.keyboard.press("Control+A")
            page.keyboard.type("Zoë’s team — £0 cost, typed with the keyboard.")
            page.get_by_label("I have checked this answer and it is still right").focus()
            page.keyboard.press("Space")
            back_with_evidence(page)
            page.get_by_role("button", name="Save and continue").focus()
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: here_of(url) != visited[-1])
            continue

        else:
            page.get_by_label("Met", exact=True).check()
            page.get_by_label("Explain your rating").fill(f"Zoë’s team — £0 cost. Requirement {position + 1} "
                                                          "is in place and audited every year.")
            confirm_if_carried_forward(page)
            back_with_evidence(page)

        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(lambda url: here_of(url) != visited[-1])
        if position == 2:  # a missing reason does not stop the save: it says what is still to do
            assert page.locator(".govuk-error-summary").count() == 0
            assert "is saved, but it is not complete yet" in banner(page)
    assert len(visited) == total and visited[0] == first_requirement
    page.goto(overview)
    assert [f"{n}. {title}" for n, title in enumerate(titles, 1)] == \
        page.locator(".govuk-task-list__link").all_inner_texts()

    # The overview: one requirement is still in progress, and the check page says why.
    assert page.get_by_text(f"You have completed {total - 1} of {total} requirements").is_visible()
    assert task_status(page, 2) == "In progress"
    assert [task_status(page, i) for i in range(total) if i != 2] == ["Completed"] * (total - 1)
    page.get_by_role("link", name="Check your answers", exact=True).click()
    page.wait_for_url(overview + "/check")
    problems = page.locator(".govuk-notification-banner", has_text="Before this return can be signed").inner_text()
    assert "1 thing needs doing first" in problems and "Give the reason for “Not applicable”" in problems
    assert "When every answer is complete, your organisation's signatory signs the return." in page.inner_text("main")
    shot("check-incomplete")
    page.locator(".govuk-notification-banner__link").first.click()
    page.wait_for_url(not_applicable_url)
    assert "Give the reason for “Not applicable”" in page.locator("#still-needed").inner_text()
    assert page.get_by_label("Not applicable").is_checked() and page.get_by_label("Reason").is_visible()
    shot("requirement-reason-missing")
    page.get_by_label("Reason").fill(NOT_APPLICABLE_REASON)
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url(overview)
    assert banner(page).endswith("Your answers have been saved")

    # 3. Every requirement completed; the editor sees that the signatory signs -----------------
    assert [task_status(page, i) for i in range(total)] == ["Completed"] * total
    assert page.get_by_text("You have completed every requirement").is_visible()
    assert status(page) == "In progress"
    shot("overview-completed")
    page.get_by_role("link", name="Check your answers", exact=True).click()
    page.wait_for_url(overview + "/check")
    main = page.inner_text("main")
    assert "Before this return can be signed" not in main
    assert "Every answer is complete. Your organisation's signatory now checks and signs the return." in main
    assert "Ünal Demir, Chief executive" in main
    assert page.get_by_role("button", name="Continue to sign").count() == 0
    assert HOSTILE in main and NOT_APPLICABLE_REASON in main
    shot("check-complete-editor")
    sign_out(page, base_url)

    # 4. The signatory signs and submits version 1 ------------------------------------------------
    sign_in(page, base_url, SIGNATORY)
    open_own_return(page, cycle)
    page.get_by_role("link", name="Check your answers and sign the statement").click()
    page.wait_for_url(overview + "/check")
    page.get_by_role("button", name="Continue to sign").click()
    page.wait_for_url(overview + "/sign")
    assert heading(page) == "Sign the return"
    assert page.get_by_label("Full name").input_value() == "Ünal Demir"
    assert page.get_by_label("Job title").input_value() == "Chief executive"
    assert re.search(r"Requirements in all\s+16\b", page.inner_text("main"))
    shot("sign")
    page.get_by_role("button", name="Sign and submit the return").click()
    assert "Confirm the declaration to sign the return" in error_summary(page)
    assert page.get_by_label("Full name").input_value() == "Ünal Demir"
    shot("sign-errors")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Sign and submit the return").click()
    page.wait_for_url(overview + "/submitted")
    assert page.locator(".govuk-panel__title").inner_text() == "Return submitted"
    first_reference = page.locator("#reference").inner_text()
    assert re.fullmatch(rf"{re.escape(cycle)}-{return_id:04d}-v1-[0-9a-f]{{8}}", first_reference), first_reference
    assert first_reference.endswith(page.locator("#sha256").inner_text()[:8])
    assert "signed by Ünal Demir, Chief executive" in page.inner_text("main")
    shot("submitted-v1")
    sign_out(page, base_url)

    # 5. The coordinator returns it for amendment ---------------------------------------------------
    sign_in(page, base_url, COORDINATOR)
    open_as_coordinator(page, base_url, cycle, overview)
    assert status(page) == "Submitted"
    page.get_by_role("link", name="Return it for amendment").click()
    page.wait_for_url(overview + "/return-for-amendment")
    shot("amend")
    page.get_by_role("button", name="Return for amendment").click()
    assert "Say what needs to change overall" in error_summary(page)
    shot("amend-errors")
    page.get_by_label("What needs to change overall").fill(COMMENT)
    page.get_by_role("button", name="Return for amendment").click()
    page.wait_for_url(overview)
    assert f"Returned to {ORGANISATION} for amendment. Its editors and signatories have been emailed" in banner(page)
    assert status(page) == "Returned for amendment"
    shot("overview-returned-coordinator")
    sign_out(page, base_url)

    # 6. The editor sees the comment and amends one answer ---------------------------------------
    sign_in(page, base_url, EDITOR)
    assert f"{cycle}: returned for amendment" in page.locator("main").inner_text()
    open_own_return(page, cycle)
    assert COMMENT in page.locator(".govuk-notification-banner", has_text="Changes needed").inner_text()
    shot("overview-returned-editor")
    page.get_by_role("link", name="Check your answers", exact=True).click()
    page.wait_for_url(overview + "/check")
    assert COMMENT in page.locator(".govuk-notification-banner", has_text="Returned for amendment").inner_text()
    shot("check-returned")
    page.get_by_role("link", name=re.compile(r"^Change the answer to ")).first.click()
    page.wait_for_url(first_requirement)
    assert page.get_by_label("Explain your rating").input_value() == ORIGINAL
    page.get_by_label("Explain your rating").fill(AMENDED)
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url(overview)
    assert banner(page).endswith("Your answers have been saved")
    sign_out(page, base_url)

    # 7. The signatory signs version 2; version 1 still shows what was signed -------------------
    sign_in(page, base_url, SIGNATORY)
    open_own_return(page, cycle)
    page.get_by_role("link", name="Check your answers and sign the statement").click()
    page.wait_for_url(overview + "/check")
    assert AMENDED in page.inner_text("main")
    page.get_by_role("button", name="Continue to sign").click()
    page.wait_for_url(overview + "/sign")
    page.get_by_label("I confirm the declaration above").check()
    page.get_by_role("button", name="Sign and submit the return").click()
    page.wait_for_url(overview + "/submitted")
    second_reference = page.locator("#reference").inner_text()
    assert re.fullmatch(rf"{re.escape(cycle)}-{return_id:04d}-v2-[0-9a-f]{{8}}", second_reference), second_reference
    assert second_reference[-8:] != first_reference[-8:]
    shot("submitted-v2")
    page.get_by_role("link", name="Go to your home page").click()
    page.wait_for_url(base_url + "/home")
    open_own_return(page, cycle)
    versions = page.locator("h2:has-text('Signed versions') + ul").inner_text()
    assert "Version 2, signed by Ünal Demir" in versions
    assert "Version 1, signed by Ünal Demir: returned for amendment" in versions
    page.get_by_role("link", name="Check your answers and sign the statement").click()
    page.wait_for_url(overview + "/check")
    checked_versions = page.locator("h2:has-text('Signed versions') + ul").inner_text()
    assert "Version 2, signed by Ünal Demir" in checked_versions and "Version 1, signed by" in checked_versions
    page.get_by_role("link", name="Version 1", exact=True).click()
    page.wait_for_url(overview + "/versions/1")
    assert heading(page) == "Signed return, version 1"
    main = page.inner_text("main")
    assert first_reference in main and COMMENT in main and "Returned for amendment" in main
    assert "Our policy is reviewed every year." in main and "Amended after the coordinator’s comment" not in main
    assert page.locator("main").get_by_text("<script>alert(1)</script> & <b> stays text").count() == 1
    assert page.locator("main b").count() == 0 and page.locator("main script").count() == 0
    assert ACTION in main and POLICY in main
    assert f"SHA-256 {hashlib.sha256(pdf).hexdigest()[:12]}" in main
    assert dialogs == []
    shot("version-1")
    page.get_by_role("link", name="Back to the answers").click()
    page.get_by_role("link", name="Version 2", exact=True).click()
    page.wait_for_url(overview + "/versions/2")
    main = page.inner_text("main")
    assert AMENDED in main and "Waiting for the partnership coordinator's review" in main
    shot("version-2")
    sign_out(page, base_url)

    # 8. The coordinator accepts it -------------------------------------------------------------
    sign_in(page, base_url, COORDINATOR)
    open_as_coordinator(page, base_url, cycle, overview)
    page.get_by_role("button", name="Accept this return").click()  # a link to the page that asks first
    page.wait_for_url(overview + "/accept")
    assert page.locator("h1").inner_text() == "Accept this return?"
    shot("accept")
    page.get_by_role("button", name="Accept this return").click()
    page.wait_for_url(overview)
    assert f"Accepted {ORGANISATION}'s return for {cycle}" in banner(page)
    assert status(page) == "Accepted"
    assert page.get_by_role("button", name="Accept this return").count() == 0
    versions = page.locator("h2:has-text('Signed versions') + ul").inner_text()
    assert "Version 2, signed by Ünal Demir: accepted" in versions
    shot("overview-accepted")
    assert dialogs == []

    # 9. What the database kept -----------------------------------------------------------------
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    with live_app.app_context():
        db = get_db()
        ret = store.return_row(db, return_id)
        assert (ret["organisation_name"], ret["status"], ret["version"]) == (ORGANISATION, "accepted", 2)
        versions = list(db.query("SELECT version, canonical, sha256, outcome, outcome_comment FROM return_versions"
                                 " WHERE return_id = ? ORDER BY version", [return_id]))
        assert [(v["version"], v["outcome"]) for v in versions] == [(1, "returned"), (2, "accepted")]
        assert versions[0]["outcome_comment"] == COMMENT
        for version in versions:
            assert version["sha256"] == digest(version["canonical"])
        assert first_reference.endswith(versions[0]["sha256"][:8])
        assert second_reference.endswith(versions[1]["sha256"][:8])
        first, second = (json.loads(v["canonical"]) for v in versions)
        assert pdf_sha256 in versions[0]["canonical"]
        assert len(first["answers"]) == total and all(answer["rating"] for answer in first["answers"])
        assert first["answers"][0]["narrative"] == ORIGINAL and second["answers"][0]["narrative"] == AMENDED
        assert pdf_sha256 in [item["sha256"] for item in first["answers"][0]["evidence"]]
        assert {"what": ACTION, "owner": "Refuge manager", "due_date": f"{int(cycle[:4]) + 1}-03-31",
                "status": "in-progress"} in first["answers"][1]["actions"]
        assert first["answers"][2]["rating"] == "not-applicable"
        assert first["answers"][2]["reason"] == NOT_APPLICABLE_REASON
        assert first["answers"][3]["narrative"] == ("Zoë’s team — £0 cost. " * 230)[:4990].strip()
        assert (first["answers"][4]["rating"], first["answers"][4]["narrative"]) == (
            "met", "Zoë’s team — £0 cost, typed with the keyboard.")
        assert (first["attestation"]["name"], first["attestation"]["job_title"]) == ("Ünal Demir", "Chief executive")

        def logged(where: str, *params) -> list[tuple[str, str]]:
            return [(entry["action"], entry["actor"]) for entry in db.query(
                f"SELECT action, actor FROM audit_log WHERE organisation_id = ? AND {where} ORDER BY id",
                [ret["organisation_id"], *params])]

        # Reminders may go to this return from other tests on the same app (the scheduled ones run as a command).
        on_return = logged("object_type = 'return' AND object_id = ? AND action NOT IN ('return-status-changed',"
                           " 'scheduled-reminder-sent', 'reminder-sent')", str(return_id))
        # Each step that tells people is followed by its notification, audited with the same person acting.
        assert on_return == [("return-started-from-last-year", EDITOR),
                             ("return-submitted", SIGNATORY), ("notification-sent", SIGNATORY),
                             ("return-returned", COORDINATOR), ("notification-sent", COORDINATOR),
                             ("return-submitted", SIGNATORY), ("notification-sent", SIGNATORY),
                             ("return-accepted", COORDINATOR), ("notification-sent", COORDINATOR)]
        answers = logged("object_type = 'answer' AND object_id IN (SELECT CAST(id AS TEXT) FROM answers"
                         " WHERE return_id = ?)", return_id)
        assert answers.count(("answer-changed", EDITOR)) >= total + 2  # each one, the reason, the amendment
        evidence = logged("object_type = 'evidence' AND object_id IN (SELECT CAST(id AS TEXT) FROM evidence"
                          " WHERE sha256 = ?)", pdf_sha256)
        assert evidence == [("evidence-added", EDITOR)]
        actions = logged("object_type = 'action' AND object_id IN (SELECT CAST(a.id AS TEXT) FROM actions a"
                         " JOIN answers n ON n.id = a.answer_id WHERE n.return_id = ? AND a.what = ?)",
                         return_id, ACTION)
        assert actions == [("action-added", EDITOR)]


def test_save_and_continue_opens_the_next_requirement_at_its_top():
    """Seen in the journey above: each requirement page opened by "Save and continue" should start at its top."""
    if len(OPENED) < 3:
        pytest.skip("the journey did not get past the upload and the improvement action")
    assert [(url, scrolled) for url, scrolled in OPENED if "#" in url or scrolled] == []
