"""Printable questionnaires: which framework version to print, and whether it shipped with the service.

No Flask: the database and the questionnaires folder come in as arguments.
"""
from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core import frameworks as fw
from compliance.services import catalogue


def framework_version(db: Database, framework_id: str, version: str) -> fw.Framework | None:
    """A loaded framework version, or None when there is no such version."""
    found = next((row for row in store.framework_rows(db) if row["id"] == framework_id and row["version"] == version),
                 None)
    return None if found is None else catalogue.framework(db, found["key"], found["sha256"])


def other_frameworks(db: Database, framework: fw.Framework) -> list[fw.Framework]:
    """The newest loaded version of every other framework: what a questionnaire names as mapped to its requirements."""
    return [other for other in catalogue.latest_frameworks(db) if other.id != framework.id]


def shipped_keys(folder: str | Path) -> frozenset[str]:
    """The id@version of each framework whose file ships in the service's questionnaires folder: their wording is
    public already (a version the coordinator loaded, such as the West Midlands Standards' wording, may not be). A
    version is never changed in place, so the same id and version in a shipped file is the same content."""
    keys = set()
    for path in fw.framework_files(folder):
        try:
            # sectors=None: only the id and version are read; the folder's files were checked at start-up
            keys.add(fw.parse(path.read_bytes(), name=str(path), sectors=None).key)
        except (OSError, fw.FrameworkError):
            continue
    return frozenset(keys)
