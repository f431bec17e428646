"""SQL for framework versions."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from compliance.core import frameworks as fw
from compliance.store._common import iso, rows

__all__ = ["stored_frameworks", "framework_rows", "store_frameworks", "framework_source"]


def stored_frameworks(db: Database) -> list[fw.Framework]:
    """Every framework version in the database, parsed from the file content it was loaded from."""
    found = db.execute("SELECT source_name, source_toml FROM frameworks ORDER BY id, version").fetchall()
    # sectors=None: each was checked against the partnership's sectors when loaded, and stays readable after.
    return [fw.parse(text, name=name, sectors=None) for name, text in found]


def framework_rows(db: Database) -> list[dict]:
    """id, version, title, status and requirement count of each stored framework version."""
    return rows(
        db,
        "SELECT key, id, version, title, status, requirement_count, sha256, source_name, loaded_at"
        " FROM frameworks ORDER BY id, version",
    )


def store_frameworks(db: Database, loaded: Iterable[fw.Framework], sources: dict[str, str], *,
                     now: datetime) -> tuple[list[str], list[str]]:
    """Store new framework versions; refuse a changed version (ids are forever). Returns (added, errors)."""
    added, errors = [], []
    existing = {row["key"]: row for row in framework_rows(db)}
    with db.atomic():
        for framework in loaded:
            stored = existing.get(framework.key)
            if stored is None:
                db["frameworks"].insert(_framework_record(framework, sources[framework.path], now))
                added.append(framework.key)
            elif stored["sha256"] != framework.sha256:
                errors.append(
                    f"{framework.path}: (file): version {framework.version!r} of {framework.id!r} is already "
                    f"loaded with different content; a framework version is never edited in place, so give "
                    f"the changed file a new version"
                )
    return added, errors


def _framework_record(framework: fw.Framework, text: str, now: datetime) -> dict:
    return {
        "key": framework.key,
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "status": framework.status,
        "requirement_count": len(framework.requirements),
        "sha256": framework.sha256,
        "source_name": framework.path,
        "source_toml": text,
        "loaded_at": iso(now),
    }


def framework_source(db: Database, key: str) -> tuple[str, str]:
    """The name and TOML text a framework version was loaded from."""
    row = db.execute("SELECT source_name, source_toml FROM frameworks WHERE key = ?", [key]).fetchone()
    if row is None:
        raise KeyError(key)
    return row[0], row[1]
