"""One answer for mapped requirements, and printable questionnaires, in a real browser: zero axe-core violations and
HTML_CodeSniffer errors on the requirement page answered through another framework's, on one offering a suggestion
and once started from it, on the task list, check answers, the statement and the matrix that say where an answer came
from, and on the questionnaire page in each state; the suggestion reached and used with the keyboard alone."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core import return_workbook as layout
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in
from tests.builders import MAPPED_PROTOCOL, MAPPED_STANDARDS, NOW, PASSWORD, mapped_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ids(mapped_live_app):
    found = mapped_world(mapped_live_app)
    with mapped_live_app.app_context():
        database = get_db()
        for framework, requirement, rating, narrative in [
                (MAPPED_PROTOCOL, "lead", "met", "Sam Okafor is our named lead."),
                (MAPPED_PROTOCOL, "training", "partially-met", "Two thirds of staff are trained.")]:
            store.save_answer(database, found["return"], found["keys"][framework], requirement,
                              {"rating": rating, "narrative": narrative, "reason": ""}, revision=0,
                              actor=store.SYSTEM, now=NOW)
        lead = store.answer(database, found["return"], found["keys"][MAPPED_PROTOCOL], "lead")
        store.add_evidence(database, found["organisation"], {
            "kind": "link", "title": "Sam's job description", "url": "https://intranet.example/lead",
            "effective_date": "2030-04-01"}, answer_id=lead["id"], actor=store.SYSTEM, now=NOW)
        training = store.answer(database, found["return"], found["keys"][MAPPED_PROTOCOL], "training")
        store.save_action(database, training["id"], {"what": "Train the rest", "owner": "Sam", "due_date": "2099-01-31",
                                                      "status": "in-progress"}, actor=store.SYSTEM, now=NOW)
    return found


def requirement_url(base, ids, framework, requirement):
    return f"{base}/returns/{ids['return']}/{framework}/{requirement}"


def test_the_answered_through_requirement_page_and_the_task_list(page, mapped_url, ids):
    browser_sign_in(page, mapped_url, "editor@mapped.example", PASSWORD)
    page.goto(f"{mapped_url}/returns/{ids['return']}")
    assert page.get_by_text("Answered through Mapped fixture protocol, requirement 1").is_visible()
    check(page, "mapped-task-list")
    with page.expect_navigation():
        page.get_by_role("link", name="Standard 1. Leadership").click()
    assert page.locator("form#answer-form").count() == 0
    assert page.get_by_role("region", name="Answered once for both").is_visible()
    assert page.get_by_text("(given as “Met” in Mapped protocol)").is_visible()
    check(page, "mapped-answered-through")
    with page.expect_navigation():
        page.get_by_role("link", name="go to Mapped fixture protocol, requirement 1").click()
    assert page.url == requirement_url(mapped_url, ids, MAPPED_PROTOCOL, "lead")


def test_the_suggestion_is_offered_and_started_from_with_the_keyboard(page, mapped_url, ids):
    browser_sign_in(page, mapped_url, "editor@mapped.example", PASSWORD)
    page.goto(requirement_url(mapped_url, ids, MAPPED_STANDARDS, "induction"))
    assert "asks all of this requirement and more" in page.locator("#suggestion-1").inner_text()
    check(page, "mapped-suggestion")
    page.get_by_role("link", name="Start from Mapped protocol, requirement 2’s answer").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("region", name="Not saved yet").is_visible()
    assert page.get_by_label("Explain your rating").input_value() == "Two thirds of staff are trained."
    assert page.get_by_label("Partly met").is_checked()
    check(page, "mapped-suggestion-started")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and come back later").click()
    assert page.url == f"{mapped_url}/returns/{ids['return']}"


def test_the_answering_page_the_offline_pages_and_the_questionnaire_say_what_is_answered_once(page, mapped_url, ids,
                                                                                                tmp_path):
    """Before the return is signed (the next test signs it): the requirement the answer is given at names the one
    answered through it; the offline page counts it, a change to its row is refused by row and column, and the check
    page says what else a changed answer counts for; the questionnaire names what is mapped to each question."""
    browser_sign_in(page, mapped_url, "editor@mapped.example", PASSWORD)
    page.goto(requirement_url(mapped_url, ids, MAPPED_PROTOCOL, "lead"))
    assert page.locator("#also-answers").inner_text().startswith(
        "Your answer here also counts for Mapped fixture standards, Standard 1")
    check(page, "mapped-answering")
    page.goto(f"{mapped_url}/returns/{ids['return']}/offline")
    assert "1 of them is answered through" in page.locator("#answered-through").inner_text()
    check(page, "mapped-offline")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return as a spreadsheet (XLSX)").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    first = layout.ANSWERS.header_row + 1
    for name, cells in (("wrong-row.xlsx", {f"G{first + 3}": "Typed in the answered-through row"}),
                        ("right-row.xlsx", {f"G{first + 3}": "Sam Okafor is our named lead.",
                                            f"G{first}": "Sam Okafor and a deputy lead it."})):
        for place, value in cells.items():
            book["Answers"][place] = value
        book.save(tmp_path / name)
        page.get_by_label("Upload your filled-in spreadsheet").set_input_files(str(tmp_path / name))
        if name == "wrong-row.xlsx":
            submit_with_errors(page, "Check the file", "mapped-offline-refused")
            problems = page.locator("#problems").inner_text()
            assert "is answered through Mapped fixture protocol, requirement 1" in problems
        else:
            with page.expect_navigation():
                page.get_by_role("button", name="Check the file").click()
            assert page.locator("#also-mapped-protocol-lead").inner_text() == (
                "This answer also counts for Mapped fixture standards, Standard 1, which asks the same.")
            check(page, "mapped-offline-check")
    page.goto(f"{mapped_url}/frameworks/{MAPPED_STANDARDS}/1/questionnaire")
    assert page.get_by_text("Mapped fixture protocol, requirement 1 asks the same as this requirement").is_visible()
    check(page, "mapped-questionnaire")


def test_check_answers_statement_and_matrix_say_where_the_answer_came_from(page, mapped_url, mapped_live_app, ids):
    browser_sign_in(page, mapped_url, "editor@mapped.example", PASSWORD)
    page.goto(f"{mapped_url}/returns/{ids['return']}/check")
    assert page.get_by_role("link", name="Mapped fixture protocol, requirement 1").first.is_visible()
    check(page, "mapped-check-answers")
    with mapped_live_app.app_context():
        database = get_db()
        for framework, requirement in [(MAPPED_PROTOCOL, "policy"), (MAPPED_STANDARDS, "policies")]:
            store.save_answer(database, ids["return"], ids["keys"][framework], requirement,
                              {"rating": "not-applicable", "narrative": "", "reason": "We have no such policy"},
                              revision=0, actor=store.SYSTEM, now=NOW)
        induction = store.answer(database, ids["return"], ids["keys"][MAPPED_STANDARDS], "induction")
        store.save_action(database, induction["id"], {"what": "Cover it at induction", "owner": "Sam",
                                                       "due_date": "2099-01-31", "status": "in-progress"},
                          actor=store.SYSTEM, now=NOW)
        context = return_service.load_return(database, ids["return"])
        assert context.problems() == []
        signatory = store.user_by_email(database, "signatory@mapped.example")
        return_service.submit(database, context, partnership="P", signatory_name="Pat Signatory", job_title="Chief",
                              actor=store.Actor(signatory["id"], signatory["email"]), now=NOW)
    page.goto(f"{mapped_url}/returns/{ids['return']}/statement")
    assert page.locator("#answer-mapped-standards-leadership-through").is_visible()
    check(page, "mapped-statement")

    page.context.clear_cookies()  # signed out: now the board's view
    browser_sign_in(page, mapped_url, "board@mapped.example", PASSWORD)
    page.goto(f"{mapped_url}/cycles/{ids['cycle']}/matrix")
    assert page.locator("#key-answered-through").is_visible()
    cell = page.get_by_role("link", name="Wrenfield Police, requirement Standard 1: Green, fully met; answered "
                                         "through Mapped protocol, requirement 1")
    assert cell.locator("[aria-hidden=true]").inner_text() == "G *"
    check(page, "mapped-matrix")
    cell.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The organisation answered once for both.").first.is_visible()
    check(page, "mapped-signed-version")


@pytest.mark.parametrize("query, shot", [("", "all-sectors"), ("?sector=police", "police")])
def test_the_questionnaire_page(page, base_url, query, shot):
    page.goto(f"{base_url}/frameworks/wdvf-overarching-protocol-2018/2/questionnaire{query}")
    assert page.get_by_role("heading", name="How to use this questionnaire").is_visible()
    check(page, f"questionnaire-{shot}")


def test_the_questionnaire_page_for_a_sector_asked_nothing_and_its_sector_chosen_with_the_keyboard(page, base_url):
    page.goto(f"{base_url}/frameworks/bvpi-225/1/questionnaire")
    page.get_by_label("Show the questions asked of").select_option("police")
    page.get_by_role("button", name="Show the questions").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/frameworks/bvpi-225/1/questionnaire?sector=police")
    assert page.get_by_text("None of this framework's requirements is asked of this sector.").is_visible()
    check(page, "questionnaire-none-asked")
