"""Migrations and connection settings, on a real SQLite file."""
from __future__ import annotations

from compliance import db


def test_migrations_apply_to_an_empty_database_then_are_a_no_op(tmp_path):
    database = db.connect(tmp_path / "fresh.sqlite")
    assert db.pending_migrations(database) == ["0001_initial"]
    assert db.migrate(database) == ["0001_initial"]
    assert {"frameworks", "organisations"} <= set(database.table_names())
    schema = database.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0]
    assert db.migrate(database) == []
    assert database.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()[0] == schema
    assert db.applied_migrations(database) == ["0001_initial"]


def test_every_migration_has_an_explicit_unique_name():
    names = [m.name for m in db.migrations._migrations]
    assert len(names) == len(set(names))
    assert all(name[:4].isdigit() and name[4] == "_" for name in names)


def test_connection_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    database = db.connect(tmp_path / "settings.sqlite")
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
