"""Migrations and connection settings, on a real SQLite file."""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compliance.store import db, migrations


def test_migrations_apply_to_an_empty_database_then_are_a_no_op(tmp_path):
    database = db.connect(tmp_path / "fresh.sqlite")
    every = [m.name for m in migrations.migrations._migrations]
    assert every[:3] == ["0001_initial", "0002_accounts_and_audit_log", "0003_organisation_names_unique_ignoring_case"]
    assert migrations.pending_migrations(database) == every
    assert migrations.migrate(database) == every
    assert {"frameworks", "organisations", "users", "tokens", "audit_log", "outbox"} <= set(database.table_names())
    schema = database.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0]
    assert migrations.migrate(database) == []
    assert database.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0] == schema
    assert migrations.applied_migrations(database) == every


def test_the_audit_log_refuses_update_and_delete(tmp_path):
    import sqlite3

    import pytest

    database = db.connect(tmp_path / "audit.sqlite")
    migrations.migrate(database)
    database.execute("INSERT INTO audit_log (at, actor, action, object_type)"
                     " VALUES ('2026-01-01', 'x', 'test', 'thing')")
    database.conn.commit()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("UPDATE audit_log SET action = 'rewritten'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("DELETE FROM audit_log")
    assert database.execute("SELECT action FROM audit_log").fetchall() == [("test",)]


def test_every_migration_has_an_explicit_unique_name():
    names = [m.name for m in migrations.migrations._migrations]
    assert len(names) == len(set(names))
    assert all(name[:4].isdigit() and name[4] == "_" for name in names)


def test_connection_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    database = db.connect(tmp_path / "settings.sqlite")
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_organisation_names_are_unique_ignoring_case_in_the_database_itself(tmp_path):
    import sqlite3

    import pytest

    database = db.connect(tmp_path / "names.sqlite")
    migrations.migrate(database)
    insert = "INSERT INTO organisations (name, sector, created_at) VALUES (?, 'police', '2026-01-01')"
    database.execute(insert, ["Brackenford Police"])
    with pytest.raises(sqlite3.IntegrityError):
        database.execute(insert, ["BRACKENFORD POLICE"])


def test_rows_read_in_one_step_are_the_rows_as_read_one_by_one(tmp_path):
    """store._common.rows_in_one_step (a return's answers, read on every page and save) gives exactly what rows()
    gives: the same columns, integers, NULLs and text, control characters and all, in any order."""
    from compliance.store._common import rows, rows_in_one_step

    database = db.connect(tmp_path / "rows.sqlite")
    database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, maybe TEXT)")
    values = [(1, 0, "", None), (2, -5, "Line one\r\nline two\t\x00 \"quoted\" \\ é \U0001f4a9 <b>", "x"),
              (3, 2**62, "x" * 5000, None)]
    database.conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", values)
    query = "SELECT *, n + 1 AS next FROM t WHERE id > ?"
    one_by_one = rows(database, query, [0])
    assert len(one_by_one) == 3 and one_by_one[1]["s"] == values[1][2]
    assert sorted(rows_in_one_step(database, query, [0]), key=lambda r: r["id"]) == one_by_one
    assert rows_in_one_step(database, query, [3]) == [] == rows(database, query, [3])
    with pytest.raises(ValueError, match="plain, distinct column names"):
        rows_in_one_step(database, "SELECT id AS \"it's\" FROM t")
    with pytest.raises(ValueError, match="plain, distinct column names"):
        rows_in_one_step(database, "SELECT id, id FROM t")


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), max_size=4),
       numbers=st.lists(st.integers(min_value=-2**63, max_value=2**63 - 1), max_size=4))
def test_any_text_and_integer_read_in_one_step_is_as_stored(texts, numbers):
    """Any text (but lone surrogates, which SQLite cannot store) and any 64-bit integer comes back from
    rows_in_one_step, through SQLite's JSON and its decoder, exactly as rows() reads it."""
    from sqlite_utils import Database

    from compliance.store._common import rows, rows_in_one_step

    database = Database(memory=True)
    database.execute("CREATE TABLE stored (id INTEGER PRIMARY KEY, s TEXT, n INTEGER)")
    database.conn.executemany("INSERT INTO stored (s, n) VALUES (?, ?)", [
        (text, number) for text, number in zip(texts + [""] * len(numbers), numbers + [None] * len(texts))])
    assert rows_in_one_step(database, "SELECT * FROM stored", order=lambda row: row["id"]) == \
        rows(database, "SELECT * FROM stored ORDER BY id")


def test_several_queries_in_one_step_keep_each_ones_order_and_rows(tmp_path):
    from operator import itemgetter

    from compliance.store._common import nocase, rows, several_in_one_step

    database = db.connect(tmp_path / "order.sqlite")
    database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT)")
    titles = ["banana", "Apple", "cherry", "apple", "Éclair", "Zebra", "éclair", "b"]
    database.conn.executemany("INSERT INTO t (title) VALUES (?)", [(title,) for title in titles])
    by_title = rows(database, "SELECT * FROM t ORDER BY title COLLATE NOCASE, id")
    newest = rows(database, "SELECT * FROM t WHERE id > ? ORDER BY id DESC", [2])
    first, second, third = several_in_one_step(
        database, ("SELECT * FROM t", [], lambda row: (nocase(row["title"]), row["id"])),
        ("SELECT * FROM t WHERE id > ?", [2], lambda row: -row["id"]),
        ("SELECT * FROM t WHERE id > ?", [99], itemgetter("id")))
    assert first == by_title and second == newest and third == []
    assert [row["title"] for row in first][:4] == ["Apple", "apple", "b", "banana"]


@settings(max_examples=500, deadline=None)
@given(titles=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), max_size=12))
@example(titles=["\0b", "\0a", "a\0", "a", "A\0z", "ab\0c", "ab", "abd", "x\0", "xy", "x\0z", "É", "é", "Z", "_"])
@example(titles=["Zebra", "zebra", "ZEBRA\0x", "Äpfel", "apple", "APPLE", "Apple é", "apple É", "[", "`"])
def test_nocase_orders_text_as_sqlites_nocase_collation_does(titles):
    """store._common.nocase, the sort key of a return's evidence by title, puts any text (but lone surrogates,
    which SQLite cannot store) in the order SQLite's ORDER BY title COLLATE NOCASE does, NUL characters included
    (SQLite compares up to the first, then by length)."""
    from sqlite_utils import Database

    from compliance.store._common import nocase, rows

    database = Database(memory=True)
    database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT)")
    database.conn.executemany("INSERT INTO t (title) VALUES (?)", [(title,) for title in titles])
    ours = sorted(rows(database, "SELECT * FROM t"), key=lambda row: (nocase(row["title"]), row["id"]))
    assert ours == rows(database, "SELECT * FROM t ORDER BY title COLLATE NOCASE, id")


def test_the_tables_read_in_one_step_hold_no_reals_or_bytes(tmp_path):
    """rows_in_one_step reads through JSON, which has no bytes and where SQLite writes a REAL with 15 digits: the
    tables a return's pages read that way (store.return_and_contents, and store.person_and_return with the person
    signed in) must have neither."""
    database = db.connect(tmp_path / "types.sqlite")
    migrations.migrate(database)
    for table in ("returns", "organisations", "cycles", "cycle_frameworks", "frameworks", "answers", "actions",
                  "evidence", "answer_evidence", "users", "sessions"):
        kinds = {column[1]: column[2].upper() for column in database.execute(f"PRAGMA table_info({table})")}
        assert kinds and not [name for name, kind in kinds.items() if kind in {"REAL", "FLOAT", "DOUBLE", "BLOB", ""}
                              or "REAL" in kind or "FLOA" in kind or "DOUB" in kind], (table, kinds)


def test_a_threads_kept_connection_is_given_up_when_its_file_is_replaced(tmp_path):
    """A restore moves a new file into place: the connection a server thread keeps must not go on reading the old."""
    import os
    import shutil

    from compliance.web.requests import _thread_connection

    path = tmp_path / "kept.sqlite"
    migrations.migrate(db.connect(path))
    first = _thread_connection(str(path))
    assert _thread_connection(str(path)) is first, "kept from one request to the next"
    shutil.copyfile(path, tmp_path / "restored.sqlite")
    os.replace(tmp_path / "restored.sqlite", path)
    again = _thread_connection(str(path))
    assert again is not first and _thread_connection(str(path)) is again
