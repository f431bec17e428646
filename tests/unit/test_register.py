"""The evidence register's pure parts: pages of a long list and the cycle it opens at."""
from __future__ import annotations

import sys

import pytest

from compliance.core.paging import Page, page_number
from compliance.core.returns import current_cycle


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
