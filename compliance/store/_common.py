"""Small helpers shared by the store modules."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database


def iso(now: datetime) -> str:
    """Times are stored as ISO 8601 text in UTC, to the second."""
    return now.isoformat(timespec="seconds")


def rows(db: Database, sql: str, params=()) -> list[dict]:
    """The rows of a query as dicts."""
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def row(db: Database, sql: str, params=()) -> dict | None:
    found = rows(db, sql, params)
    return found[0] if found else None
