"""Frameworks from spreadsheets: check an uploaded workbook as a framework file is checked, then load the checked
version, stored as its canonical TOML.

Checking and loading are two steps with a person between them (who reads the preview): what was checked comes back
as the canonical TOML, and is checked again in full before anything is stored, since the catalogue may have changed
in between (another version loaded, the sectors changed).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core import frameworks as fw
from compliance.core.framework_toml import canonical_toml
from compliance.core.framework_workbook import Checked, about_problem, read_framework
from compliance.core.sectors import Sectors
from compliance.core.text import file_size
from compliance.core.workbook import Problem
from compliance.services import catalogue

MAX_TOML_BYTES = catalogue.MAX_UPLOAD_BYTES  # a framework from a spreadsheet may be as large as a framework file


@dataclass(frozen=True)
class Loaded:
    """What loading a checked version did: the version stored, or every problem (nothing stored)."""

    framework: fw.Framework | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Changes:
    """A version beside the newest stored version of the same framework: which requirements it adds and removes
    (by id), how many it keeps and how many of those are worded differently."""

    previous: fw.Framework | None
    added: tuple[fw.Requirement, ...] = ()
    removed: tuple[fw.Requirement, ...] = ()
    kept: int = 0
    reworded: int = 0


def check_workbook(db: Database, name: str, data: bytes, *, sectors: Sectors) -> Checked:
    """The framework in an uploaded workbook, checked as a framework file would be, or every problem with it."""
    checked = read_framework(data, name, sectors=sectors, known=store.stored_frameworks(db))
    if checked.framework is None:
        return checked
    refusal = _refusal(db, checked.framework, checked.toml)
    if refusal:
        return dataclasses.replace(checked, framework=None, toml="",
                                   problems=(about_problem(checked, "version", refusal),))
    return checked


def load_checked(db: Database, text: str, name: str, *, sectors: Sectors, actor: store.Actor,
                 now: datetime) -> Loaded:
    """Store a version checked from a workbook, after checking its TOML again in full."""
    try:
        framework = fw.parse(text, name=name, sectors=sectors)
        errors = fw.unresolved_mappings(framework, store.stored_frameworks(db))
    except fw.FrameworkError as error:
        errors = error.errors
    if errors:
        return Loaded(None, tuple(Problem(error.removeprefix(f"{name}: ")) for error in errors))
    refusal = _refusal(db, framework, text)
    if refusal:
        return Loaded(None, (Problem(refusal),))
    added, errors = catalogue.store_version(db, framework, text, actor=actor, now=now)
    if errors or not added:
        return Loaded(None, tuple(Problem(error.removeprefix(f"{name}: ")) for error in errors))
    return Loaded(framework)


def _refusal(db: Database, framework: fw.Framework, text: str) -> str | None:
    """Why this version cannot be loaded: too large, or its id and version already loaded (a version is never
    edited in place); None when it can be."""
    if len(text.encode("utf-8")) > MAX_TOML_BYTES:
        return (f"the framework is larger than a framework may be ({file_size(MAX_TOML_BYTES)} as a framework "
                "file): shorten its text, or split it into two frameworks")
    row = next((row for row in store.framework_rows(db) if row["key"] == framework.key), None)
    if row is None:
        return None
    what = f"version {framework.version} of {framework.title}"
    if canonical_toml(catalogue.framework(db, row["key"], row["sha256"])) == canonical_toml(framework):
        return (f"{what} is already loaded with exactly this content, so there is nothing to load; to make a new "
                "version, change the Version")
    return (f"{what} is already loaded with different content; a loaded version is never changed, so give this "
            "workbook a new Version")


def changes(db: Database, framework: fw.Framework) -> Changes:
    """The version beside the newest stored version of the same framework (if there is one)."""
    rows = fw.newest_versions(row for row in store.framework_rows(db) if row["id"] == framework.id
                              and row["key"] != framework.key)
    if not rows:
        return Changes(None)
    previous = catalogue.framework(db, rows[0]["key"], rows[0]["sha256"])
    before = {item.id: item for item in previous.requirements}
    now_ids = {item.id for item in framework.requirements}
    kept = [item for item in framework.requirements if item.id in before]
    return Changes(previous, added=tuple(item for item in framework.requirements if item.id not in before),
                   removed=tuple(item for item in previous.requirements if item.id not in now_ids), kept=len(kept),
                   reworded=sum(1 for item in kept if item.text != before[item.id].text))
