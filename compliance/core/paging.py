"""A long list split into numbered pages: which items a page holds, and which page numbers its pagination shows.

Pure: the page asked for comes in as the text of a query string; the count comes from the store.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from compliance.core.text import plural


def page_number(asked: str | None) -> int:
    """The page asked for: a whole number of 1 or more; anything else (missing, "abc", "0", "-2") is page 1."""
    text = (asked or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    try:
        return max(int(text), 1)
    except ValueError:  # more digits than Python will read as a number: past any last page
        return sys.maxsize


@dataclass(frozen=True)
class Page:
    """Page `number` of a list of `total` items shown `size` at a time."""

    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        """The last page's number; an empty list still has page 1."""
        return max(1, -(-self.total // self.size))

    @property
    def beyond_last(self) -> bool:
        return self.number > self.last

    def within(self) -> Page:
        """The same list at the nearest page that exists."""
        return replace(self, number=min(max(self.number, 1), self.last))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_item(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_item(self) -> int:
        return min(self.offset + self.size, self.total)

    def showing(self, noun: str = "item") -> str:
        """What the page holds, as people read it: "Showing 51 to 100 of 313 items", or "27 items" on one page."""
        if self.last == 1:
            return plural(self.total, noun)
        return f"Showing {self.first_item:,} to {self.last_item:,} of {plural(self.total, noun)}"

    def numbers(self) -> list[int | None]:
        """The page numbers to link to: the first, the last, this one and its neighbours; None marks a gap (…).

        A gap of a single page shows that page instead, since "…" would take as much room.
        """
        shown = sorted({1, self.last, *range(max(self.number - 1, 1), min(self.number + 1, self.last) + 1)})
        numbers: list[int | None] = []
        previous = 0
        for number in shown:
            if number - previous == 2:
                numbers.append(previous + 1)
            elif number - previous > 2:
                numbers.append(None)
            numbers.append(number)
            previous = number
        return numbers
