"""Every SQL statement the application runs lives here."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from . import frameworks as fw


def _iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


# Frameworks -------------------------------------------------------------------------------------


def stored_frameworks(db: Database) -> list[fw.Framework]:
    """Every framework version in the database, parsed from the file content it was loaded from."""
    rows = db.execute("SELECT source_name, source_toml FROM frameworks ORDER BY id, version").fetchall()
    return [fw.parse(text, name=name) for name, text in rows]


def framework_rows(db: Database) -> list[dict]:
    """id, version, title, status and requirement count of each stored framework version."""
    cursor = db.execute(
        "SELECT key, id, version, title, status, requirement_count, sha256, source_name, loaded_at"
        " FROM frameworks ORDER BY id, version"
    )
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def store_frameworks(db: Database, loaded: Iterable[fw.Framework], sources: dict[str, str], *, now: datetime) -> tuple[list[str], list[str]]:
    """Store new framework versions; refuse a changed version (ids are forever). Returns (added, errors)."""
    added, errors = [], []
    existing = {row["key"]: row for row in framework_rows(db)}
    with db.atomic():
        for framework in loaded:
            row = existing.get(framework.key)
            if row is None:
                db["frameworks"].insert(_framework_record(framework, sources[framework.path], now))
                added.append(framework.key)
            elif row["sha256"] != framework.sha256:
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
        "loaded_at": _iso(now),
    }


# Organisations ----------------------------------------------------------------------------------


def upsert_organisation(db: Database, *, name: str, sector: str, contact_name: str = "",
                        contact_email: str = "", demo: bool = False, now: datetime) -> int:
    """Create the organisation, or update it in place when one of that name exists; returns its id."""
    row = db.execute("SELECT id FROM organisations WHERE name = ?", [name]).fetchone()
    values = {"sector": sector, "contact_name": contact_name, "contact_email": contact_email, "demo": int(demo)}
    if row:
        db["organisations"].update(row[0], values)
        return row[0]
    return db["organisations"].insert({"name": name, "created_at": _iso(now), **values}).last_pk


def organisations(db: Database) -> list[dict]:
    return list(db["organisations"].rows_where(order_by="name"))


def demo_loaded(db: Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM organisations WHERE demo = 1)").fetchone()[0] == 1


def database_ok(db: Database) -> bool:
    """True when SQLite answers a query and reports no corruption in a quick check."""
    return db.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def framework_source(db: Database, key: str) -> tuple[str, str]:
    """The name and TOML text a framework version was loaded from."""
    row = db.execute("SELECT source_name, source_toml FROM frameworks WHERE key = ?", [key]).fetchone()
    if row is None:
        raise KeyError(key)
    return row[0], row[1]
