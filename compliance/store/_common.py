"""Small helpers shared by the store modules."""
from __future__ import annotations

import json
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


_COLUMNS: dict[str, tuple[str, ...]] = {}


def rows_in_one_step(db: Database, sql: str, params=()) -> list[dict]:
    """The rows of a query as dicts, as rows() gives them, in no particular order, fetched from SQLite as one JSON
    value. Python's sqlite3 lets go of the interpreter's lock for every row it steps to; with several server
    threads busy, each row then costs a hand-over of that lock (a pair of system calls, and a wait): for a return's
    forty answers, read on every page and every save, that was most of the cost. Only for queries whose columns
    hold text, integers or NULL (JSON has no bytes)."""
    # bandit B608: `sql` is one of the store's own constant queries, never text from a request, and the column names
    # are the ones SQLite reports for it, refused unless they are plain words.
    columns = _COLUMNS.get(sql)
    if columns is None:
        description = db.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description  # nosec B608
        columns = tuple(column[0] for column in description)
        if not all(name.replace("_", "").isalnum() for name in columns):
            raise ValueError(f"rows_in_one_step needs plain column names, not {columns}")
        _COLUMNS[sql] = columns
    pairs = ", ".join(f"'{name}', \"{name}\"" for name in columns)
    found = db.execute(f"SELECT json_group_array(json_object({pairs})) FROM ({sql})", params).fetchone()[0]  # nosec B608
    return json.loads(found)
