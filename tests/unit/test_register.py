"""The evidence register's pure parts: pages of a long list, the cycle it opens at, and its CSV."""
from __future__ import annotations

import csv
import io
import sys

import pytest

from compliance.core.paging import Page, page_number
from compliance.core.returns import current_cycle
from compliance.render.register import REGISTER_COLUMNS, register_csv


@pytest.mark.parametrize(("asked", "number"), [
    (None, 1), ("", 1), ("1", 1), ("2", 2), (" 7 ", 7), ("0", 1), ("-3", 1), ("abc", 1), ("2.5", 1), ("1e3", 1),
    ("٣", 1), ("9" * 5000, sys.maxsize), ("123456789012345678901234567890", 123456789012345678901234567890)])
def test_a_page_asked_for_that_is_not_a_whole_number_of_one_or_more_is_the_first(asked, number):
    assert page_number(asked) == number


def test_a_page_says_which_items_it_holds():
    assert Page(2, 50, 313).showing() == "Showing 51 to 100 of 313 items"
    assert (Page(1, 50, 313).first_item, Page(1, 50, 313).last_item, Page(1, 50, 313).offset) == (1, 50, 0)
    last = Page(7, 50, 313)
    assert (last.last, last.offset, last.showing()) == (7, 300, "Showing 301 to 313 of 313 items")
    assert Page(1, 50, 27).showing() == "27 items" and Page(1, 50, 1).showing() == "1 item"
    assert Page(3, 50, 2500).showing() == "Showing 101 to 150 of 2,500 items"
    assert Page(1, 50, 0).last == 1 and Page(1, 50, 50).last == 1 and Page(1, 50, 51).last == 2


def test_a_page_past_the_last_is_brought_back_to_the_last():
    beyond = Page(99, 50, 313)
    assert beyond.beyond_last and beyond.within() == Page(7, 50, 313) and not Page(7, 50, 313).beyond_last
    assert Page(5, 50, 0).within() == Page(1, 50, 0)


@pytest.mark.parametrize(("number", "last", "numbers"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 7, [1, 2, None, 7]),
    (3, 7, [1, 2, 3, 4, None, 7]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),  # a gap of one page shows the page, not "…"
    (5, 10, [1, None, 4, 5, 6, None, 10]),
    (10, 10, [1, None, 9, 10]),
])
def test_the_pagination_shows_the_first_the_last_this_page_and_its_neighbours(number, last, numbers):
    assert Page(number, 50, last * 50).numbers() == numbers


def _cycle(cycle_id, status, open_date):
    return {"id": cycle_id, "status": status, "open_date": open_date, "name": f"cycle {cycle_id}"}


def test_the_current_cycle_is_the_open_one_else_the_latest_to_have_opened():
    closed, open_, draft = _cycle(1, "closed", "2025-04-01"), _cycle(2, "open", "2026-04-01"), \
        _cycle(3, "draft", "2027-04-01")
    assert current_cycle([draft, open_, closed]) is open_
    assert current_cycle([closed, _cycle(4, "closed", "2026-04-01"), draft])["id"] == 4
    assert current_cycle([_cycle(5, "open", "2024-04-01"), _cycle(6, "open", "2025-04-01")])["id"] == 6
    assert current_cycle([draft]) is draft and current_cycle([]) is None


def _item(**changes):
    item = {"organisation_name": "Haven Lane Women's Aid", "title": "Safeguarding policy", "kind": "file",
            "kind_label": "PDF, 120 KB", "requirement_label": "WDVF protocol 2018 · Requirement 3",
            "requirement_title": "Named lead", "cycle_name": "2026/27", "effective_date": "2026-04-01",
            "valid_until": "2027-03-31", "expiry_label": "", "verification_label": "Verified", "sha256": "ab" * 32,
            "filename": "policy.pdf", "url": None, "created_at": "2026-06-30T13:07:00+00:00"}
    return {**item, **changes}


def test_the_csv_has_a_row_per_item_with_names_and_dates_as_people_read_them():
    text = register_csv([_item(), _item(kind="link", kind_label="Link", url="https://example.org/p", sha256=None,
                                        filename=None, requirement_label="", requirement_title="", cycle_name=None,
                                        effective_date=None, valid_until=None, verification_label="")])
    header, file_row, link_row = list(csv.reader(io.StringIO(text)))
    assert header == [name for name, _value in REGISTER_COLUMNS]
    assert dict(zip(header, file_row)) == {
        "Organisation": "Haven Lane Women's Aid", "Evidence": "Safeguarding policy", "Type": "PDF, 120 KB",
        "Requirement": "WDVF protocol 2018 · Requirement 3", "Requirement title": "Named lead", "Cycle": "2026/27",
        "Took effect": "1 April 2026", "Valid until": "31 March 2027", "Expiry": "", "Verification status": "Verified",
        "SHA-256": "ab" * 32, "File name": "policy.pdf", "Link": "", "Added": "30 June 2026 at 2:07pm"}
    assert dict(zip(header, link_row)) | {"Added": ""} == {
        "Organisation": "Haven Lane Women's Aid", "Evidence": "Safeguarding policy", "Type": "Link",
        "Requirement": "Not used in a return", "Requirement title": "", "Cycle": "", "Took effect": "Not given",
        "Valid until": "No end date", "Expiry": "", "Verification status": "", "SHA-256": "", "File name": "",
        "Link": "https://example.org/p", "Added": ""}
    assert register_csv([_item()]) == register_csv([_item()]), "the same rows give the same bytes"


def test_every_csv_cell_a_spreadsheet_would_run_as_a_formula_is_made_inert():
    hostile = _item(organisation_name="@org", title='=HYPERLINK("http://evil.example")', filename="+cmd.pdf",
                    requirement_title="-1+2", kind_label="\tTab")
    row = dict(zip(*list(csv.reader(io.StringIO(register_csv([hostile]))))))
    assert row["Evidence"] == '\'=HYPERLINK("http://evil.example")'
    assert (row["Organisation"], row["File name"], row["Requirement title"], row["Type"]) == (
        "'@org", "'+cmd.pdf", "'-1+2", "'\tTab")
