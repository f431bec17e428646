"""A framework from a spreadsheet in a real browser: the workbook downloaded from the framework's page, filled in,
uploaded with problems (listed), then clean (previewed) and loaded; the help page. Every state is checked by axe-core
and HTML_CodeSniffer. The module has its own copy of the demo, since it loads a version the other tests must not
see."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser
WM = "/frameworks/west-midlands-dv-standards-2014"


def _about(book, field, value):
    row = next(row for row in book["About"].iter_rows(min_row=2) if row[0].value == field)
    row[1].value = value


def _filled(path, *, broken: bool) -> None:
    """The workbook filled in as the coordinator would (test wording), or with mistakes in it."""
    book = load_workbook(path)
    _about(book, "Version", "2")
    _about(book, "Status", "published")
    _about(book, "Notice", None)
    for n, row in enumerate(book["Requirements"].iter_rows(min_row=2), 1):
        row[2].value = f"Test standard {n}"
        row[3].value = f"TEST DATA ONLY: the wording of standard {n}."
        row[4].value = None if broken and n == 2 else f"TEST DATA ONLY: what good looks like for standard {n}."
        row[5].value = f"TEST DATA ONLY: how standard {n} is evidenced."
    if broken:
        _about(book, "Date published", "1 June 2014")
        book["Scale"]["D3"] = "blue"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def test_upload_preview_and_load_a_framework_spreadsheet(page, own_url, tmp_path):
    sign_in(page, own_url, "coordinator@demo.example")
    assert page.goto(own_url + WM + "/1").status == 200
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    assert download.value.suggested_filename == "west-midlands-dv-standards-2014--1.xlsx"
    broken, filled = tmp_path / "broken.xlsx", tmp_path / "filled.xlsx"
    download.value.save_as(broken)
    download.value.save_as(filled)
    _filled(broken, broken=True)
    _filled(filled, broken=False)

    page.goto(own_url + "/frameworks")
    page.get_by_role("button", name="Upload a framework spreadsheet").click()
    page.wait_for_url(own_url + "/frameworks/upload-spreadsheet")
    check(page, "framework-spreadsheet-upload")

    page.get_by_role("button", name="Check the spreadsheet").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "Select a framework spreadsheet" in page.locator(".govuk-error-summary").inner_text()
    check(page, "framework-spreadsheet-upload-no-file")

    page.get_by_label("Framework spreadsheet").set_input_files(str(broken))
    page.get_by_role("button", name="Check the spreadsheet").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert "The spreadsheet has 3 problems" in page.locator(".govuk-error-summary").inner_text()
    listed = page.locator("#problems").inner_text()
    for place in ("Sheet About, row 6, column B (Value)", "Sheet Scale, row 3, column D (Colour)",
                  "Sheet Requirements, row 3, column E (What good looks like)"):
        assert place in listed
    check(page, "framework-spreadsheet-upload-errors")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "file"

    page.get_by_label("Framework spreadsheet").set_input_files(str(filled))
    page.get_by_role("button", name="Check the spreadsheet").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "West Midlands Domestic Violence Standards (2014), version 2"
    assert "TEST DATA ONLY: what good looks like for standard 11." in page.locator("main").inner_text()
    check(page, "framework-spreadsheet-preview")

    load = page.get_by_role("button", name="Load this version")
    load.focus()
    page.keyboard.press("Enter")  # reached and pressed from the keyboard
    page.wait_for_url(own_url + WM + "/2")
    assert "Version 2 of West Midlands Domestic Violence Standards (2014) loaded" in page.locator(
        ".govuk-notification-banner").inner_text()
    check(page, "framework-spreadsheet-loaded")


def test_the_help_page(page, own_url):
    sign_in(page, own_url, "coordinator@demo.example")
    page.goto(own_url + "/frameworks")
    page.get_by_role("link", name="How to fill in a framework spreadsheet").click()
    page.wait_for_url(own_url + "/frameworks/spreadsheets")
    assert page.locator("h1").inner_text() == "How to fill in a framework spreadsheet"
    check(page, "framework-spreadsheet-help")
