"""Opening the SQLite database (WAL, foreign keys, busy timeout) and its named migrations."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 15_000

migrations = Migrations("compliance")


def connect(path: str | Path) -> Database:
    """A connection with the pragmas every connection needs."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # FULL: a save that was acknowledged survives a crash of the machine, not only of the process.
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn)


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.pending(db)]


def applied_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE frameworks (
            key TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('published', 'draft')),
            requirement_count INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source_toml TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            UNIQUE (id, version)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sector TEXT NOT NULL,
            contact_name TEXT NOT NULL DEFAULT '',
            contact_email TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
            created_at TEXT NOT NULL
        )
        """
    )
