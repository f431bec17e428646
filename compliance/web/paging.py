"""The GOV.UK pagination component's parameters for a page of a list (core.paging.Page)."""
from __future__ import annotations

from collections.abc import Callable

from compliance.core.paging import Page


def pagination(page: Page, link: Callable[[int], str], *, label: str) -> dict | None:
    """Previous, numbered and next links, each made by link(number); None when the whole list fits on one page."""
    if page.last == 1:
        return None
    items = [{"ellipsis": True} if number is None else
             {"number": number, "href": link(number), "current": number == page.number}
             for number in page.numbers()]
    return {"items": items, "landmarkLabel": label,
            "previous": {"href": link(page.number - 1)} if page.number > 1 else None,
            "next": {"href": link(page.number + 1)} if page.number < page.last else None}
