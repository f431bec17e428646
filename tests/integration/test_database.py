"""Migrations and connection settings, on a real SQLite file."""
from __future__ import annotations

import pytest

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
    with pytest.raises(ValueError, match="plain column names"):
        rows_in_one_step(database, "SELECT id AS \"it's\" FROM t")
