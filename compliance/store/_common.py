"""Small helpers shared by the store modules."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
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
_STATEMENTS: dict[tuple, str] = {}  # each set of queries' one statement, written once


def rows_in_one_step(db: Database, sql: str, params=(), *, order: Callable[[dict], Any] | None = None) -> list[dict]:
    """The rows of a query as dicts, as rows() gives them, fetched from SQLite as one JSON value.

    Python's sqlite3 lets go of the interpreter's lock for every row it steps to; with several server threads busy,
    each row then costs a hand-over of that lock (a pair of system calls, and a wait). `sql` has no ORDER BY:
    `order` is a sort key on the rows, which must order them fully (None for any order). Only for queries whose
    columns hold text, integers or NULL: JSON has no bytes, and SQLite writes a REAL to it with 15 digits (a test
    checks the tables read this way have no such columns)."""
    return several_in_one_step(db, (sql, params, order))[0]


def several_in_one_step(db: Database, *queries: tuple[str, list, Callable[[dict], Any] | None]) -> list[list[dict]]:
    """The rows of several queries (each `(sql, params, order)` as rows_in_one_step takes them), read by one
    statement in one step: a request's reads that would each hand the interpreter's lock over, row by row.

    The rows are put in order here, not by SQLite: JSON's aggregate keeps no order SQLite promises, and numbering
    the rows with a window function to keep it took a third of a return's statement."""
    shape = tuple(sql for sql, _, _ in queries)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        parts = ", ".join(f"({_as_json_array(db, sql, params)})" for sql, params, _ in queries)
        statement = _STATEMENTS[shape] = f"SELECT {parts}"  # nosec B608
    values = db.execute(statement, [value for _, params, _ in queries for value in params]).fetchone()
    found = [orjson.loads(value) for value in values]
    for rows_found, (_, _, order) in zip(found, queries):
        if order is not None:
            rows_found.sort(key=order)
    return found


_ASCII_CAPITALS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(text: str) -> tuple[str, int]:
    """A sort key that orders text as SQLite's NOCASE collation does. SQLite folds the 26 ASCII capitals to small
    letters and nothing else, compares the UTF-8 bytes up to the first NUL (Python compares code points in the same
    order), and on a tie the shorter text, by its bytes, comes first. Text all in ASCII (most titles) is folded by
    str.lower, which then folds the same 26 letters and nothing else, and much faster than translate's table."""
    compared = text.partition("\0")[0]
    if text.isascii():
        return compared.lower(), len(text)
    return compared.translate(_ASCII_CAPITALS), len(text.encode("utf-8"))


def forget_columns() -> None:
    """Forget the columns rows_in_one_step has read for each query (after a migration changes a table)."""
    _COLUMNS.clear()
    _STATEMENTS.clear()


def keyed_lists(found: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """Rows grouped by (framework key, requirement id), each group in the order the rows came."""
    keyed: dict[tuple[str, str], list[dict]] = {}
    for item in found:
        keyed.setdefault((item["framework_key"], item["requirement_id"]), []).append(item)
    return keyed


def _as_json_array(db: Database, sql: str, params) -> str:
    """A scalar subquery giving the rows of `sql` as one JSON array of objects."""
    # bandit B608: `sql` is the store's own constant text, never a request's, and the column names
    # are the ones SQLite reports for the query, refused unless they are plain words.
    columns = _COLUMNS.get(sql)
    if columns is None:
        description = db.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description  # nosec B608
        columns = tuple(column[0] for column in description)
        if not all(name.replace("_", "").isalnum() for name in columns) or len(set(columns)) < len(columns):
            raise ValueError(f"rows_in_one_step needs plain, distinct column names, not {columns}")
        _COLUMNS[sql] = columns
    pairs = ", ".join(f"'{name}', \"{name}\"" for name in columns)
    return f"SELECT json_group_array(json_object({pairs})) FROM ({sql})"  # nosec B608
