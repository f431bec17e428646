"""Test helpers: parse a page and read what a person would read from it."""
from __future__ import annotations

from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1 = ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag in {"title", "h1"}:
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


def page_text(response) -> _Page:
    """The page's title and main heading, whitespace folded."""
    page = _Page()
    page.feed(response.get_data(as_text=True))
    page.title = " ".join(page.title.split())
    page.h1 = " ".join(page.h1.split())
    return page
