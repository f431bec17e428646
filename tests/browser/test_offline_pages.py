"""A return completed offline, in a real browser: the page linked from the return, the spreadsheet downloaded,
filled in and uploaded back, refused with its problems, then checked and saved, with an answer changed on the website
meanwhile listed and not overwritten; zero axe-core and HTML_CodeSniffer findings in every state.

It runs on a copy of the demo of its own (own_app), as Brackenford Police's editor."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core import return_workbook as layout
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.browser.conftest import check, submit_with_errors
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
NOW = datetime.now(timezone.utc)
EDITOR = "editor.police@demo.example"
FIRST = layout.ANSWERS.header_row + 1


@pytest.fixture(scope="module")
def police(own_app):
    """Brackenford Police's open return, and what the tests need to change it as someone else would."""
    with own_app.app_context():
        db = get_db()
        editor = store.user_by_email(db, EDITOR)
        signatory = store.user_by_email(db, "signatory.police@demo.example")
        found = next(r for c in store.cycles(db) if c["status"] == "open" for r in store.returns_for_cycle(db, c["id"])
                     if r["organisation_id"] == editor["organisation_id"])
    return {"id": found["id"], "someone": store.Actor(signatory["id"], signatory["email"])}


def _context(app, police):
    with app.app_context():
        return return_service.load_return(get_db(), police["id"])


def _saved_elsewhere(app, police, index: int, narrative: str) -> None:
    """Someone else saves an answer on the website."""
    context = _context(app, police)
    framework, requirement = context.requirements()[index]
    current = context.answers.get((framework.key, requirement.id)) or {}
    with app.app_context():
        saved, _ = store.save_answer(get_db(), police["id"], framework.key, requirement.id,
                                     {"rating": current.get("rating"), "narrative": narrative,
                                      "reason": current.get("reason") or ""},
                                     revision=current.get("revision") or 0, actor=police["someone"], now=NOW)
    assert saved


def _filled(path, tmp_path, name: str, **cells) -> str:
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))  # a download's path has no extension
    for place, value in cells.items():
        book["Answers"][place] = value
    out = tmp_path / name
    book.save(out)
    return str(out)


def _upload(page, path: str) -> None:
    page.get_by_label("Upload your filled-in spreadsheet").set_input_files(path)


def test_offline_round_trip_with_errors_and_a_conflict(page, own_url, own_app, police, tmp_path):
    browser_sign_in(page, own_url, EDITOR)
    page.goto(f"{own_url}/returns/{police['id']}")
    page.get_by_role("link", name="Work on this return offline").click()
    page.wait_for_load_state()
    assert page.title().startswith("Work on this return offline")
    check(page, "offline-empty")
    submit_with_errors(page, "Check the file", "offline-no-file")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return as a spreadsheet (XLSX)").click()
    downloaded = download.value.path()
    assert download.value.suggested_filename == "brackenford-police-return-" + \
        _context(own_app, police).ret.cycle_name.replace("/", "-") + ".xlsx"
    assert load_workbook(io.BytesIO(downloaded.read_bytes()))["Answers"][f"A{FIRST}"].value

    _upload(page, _filled(downloaded, tmp_path, "bad.xlsx", **{f"F{FIRST}": "Mostly", f"F{FIRST + 1}": "Not applicable",
                                                                f"G{FIRST + 2}": "x" * 5001}))
    submit_with_errors(page, "Check the file", "offline-errors")
    problems = page.locator("#problems").inner_text()
    assert "“Mostly” is not one of" in problems and "Give the reason" in problems and "5,001" in problems

    _saved_elsewhere(own_app, police, 0, "Changed on the website meanwhile")
    _upload(page, _filled(downloaded, tmp_path, "good.xlsx", **{
        f"G{FIRST}": "Typed offline <script>alert(1)</script>", f"F{FIRST + 1}": "Partially met",
        f"G{FIRST + 1}": "'=cmd|' /C calc'!A0 is only text here"}))  # typed as text, as a spreadsheet needs
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Check the answers from your spreadsheet")
    text = page.locator("main").inner_text()
    assert "1 answer will change" in text and "Changed on the website since your file was downloaded" in text
    assert "Typed offline <script>alert(1)</script>" in text and "Changed on the website meanwhile" in text
    check(page, "offline-check-conflict")

    page.get_by_role("button", name="Save these answers").click()
    page.wait_for_load_state()
    assert page.title().startswith("Brackenford Police: return for")
    banner = page.locator(".govuk-notification-banner").first.inner_text()
    assert "1 answer saved from your spreadsheet" in banner and "1 answer was not saved" in banner
    check(page, "offline-saved")
    context = _context(own_app, police)
    (first_framework, first), (second_framework, second) = context.requirements()[:2]
    assert context.answers[(first_framework.key, first.id)]["narrative"] == "Changed on the website meanwhile"
    assert context.answers[(second_framework.key, second.id)]["narrative"].startswith("=cmd")


def test_the_check_page_when_the_website_changes_before_saving(page, own_url, own_app, police, tmp_path):
    browser_sign_in(page, own_url, EDITOR)
    page.goto(f"{own_url}/returns/{police['id']}/offline")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return as a spreadsheet (XLSX)").click()
    _upload(page, _filled(download.value.path(), tmp_path, "later.xlsx", **{f"G{FIRST + 3}": "Typed offline"}))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    check(page, "offline-check")
    _saved_elsewhere(own_app, police, 3, "Saved on the website while the page was open")
    page.get_by_role("button", name="Save these answers").click()
    page.wait_for_load_state()
    assert "Your answers have not been saved" in page.locator("#changed").inner_text()
    check(page, "offline-check-changed")
    page.get_by_label("Replace the website's answer with the one from my spreadsheet").check()
    page.get_by_role("button", name="Save these answers").click()
    page.wait_for_load_state()
    context = _context(own_app, police)
    framework, requirement = context.requirements()[3]
    assert context.answers[(framework.key, requirement.id)]["narrative"] == "Typed offline"
