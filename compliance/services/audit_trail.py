"""The audit trail as people read it: the log searched, a page at a time or whole, each entry described."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core import audit_events
from compliance.core.audit_events import Described
from compliance.services import catalogue


@dataclass(frozen=True)
class Search:
    """What to look for: every field optional. since and before are moments; since is included, before is not."""

    organisation_id: int | None = None
    person: str | None = None  # part of a name or email address
    action: str | None = None
    since: datetime | None = None
    before: datetime | None = None


@dataclass(frozen=True)
class Page:
    """One page of matching events, newest first: events number `first` to `last` of `total`."""

    events: list[Described]
    total: int
    number: int
    pages: int
    first: int
    last: int


def names(db: Database, sectors: Mapping[str, str]) -> audit_events.Lookup:
    """What the log's ids and codes stand for: every stored framework version, organisation and sector."""
    frameworks = [catalogue.framework(db, row["key"], row["sha256"]) for row in store.framework_rows(db)]
    return audit_events.lookup(frameworks, {row["id"]: row["name"] for row in store.organisations(db)}, sectors)


def kinds(db: Database) -> list[tuple[str, str]]:
    """(action code, its name) of every kind of event the log holds, by name."""
    return sorted(((code, audit_events.kind_label(code)) for code in store.audit_actions(db)),
                  key=lambda pair: pair[1].casefold())


def page(db: Database, search: Search, *, number: int, size: int, sectors: Mapping[str, str]) -> Page:
    """Page `number` (from 1; past the last page, the last) of the matching events."""
    number = max(number, 1)
    found, total = store.search_audit(db, **asdict(search), limit=size, offset=(number - 1) * size)
    pages = max(1, -(-total // size))
    if number > pages:
        number = pages
        found, total = store.search_audit(db, **asdict(search), limit=size, offset=(number - 1) * size)
    lookup = names(db, sectors)
    events = [audit_events.describe(entry, lookup) for entry in found]
    first = (number - 1) * size + 1 if events else 0
    return Page(events, total, number, pages, first, first + len(events) - 1 if events else 0)


def everything(db: Database, search: Search, *, cap: int, sectors: Mapping[str, str]) -> list[Described]:
    """Up to `cap` matching events, newest first."""
    found, _total = store.search_audit(db, **asdict(search), limit=cap)
    lookup = names(db, sectors)
    return [audit_events.describe(entry, lookup) for entry in found]
