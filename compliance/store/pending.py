"""SQL for uploads kept between their check and their person's confirmation (a return completed offline): one per
person, purpose and object, for a day at most."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from compliance.store._common import iso, row

__all__ = ["keep_upload", "kept_upload", "drop_upload", "PENDING_FOR"]

PENDING_FOR = timedelta(days=1)


def keep_upload(db: Database, purpose: str, user_id: int, subject_id: int, *, filename: str, sha256: str,
                data: bytes, now: datetime) -> None:
    """Keep a checked file for this person and object, in place of any kept before; drop every kept file older
    than a day, whoever's it is."""
    with db.atomic():
        db.execute("DELETE FROM pending_uploads WHERE created_at < ?", [iso(now - PENDING_FOR)])
        db.execute("INSERT OR REPLACE INTO pending_uploads (purpose, user_id, subject_id, filename, sha256, data,"
                   " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [purpose, user_id, subject_id, filename, sha256, data, iso(now)])


def kept_upload(db: Database, purpose: str, user_id: int, subject_id: int, *, now: datetime) -> dict | None:
    """The file this person kept for this object, if it is less than a day old: filename, sha256, data,
    created_at."""
    return row(db, "SELECT filename, sha256, data, created_at FROM pending_uploads WHERE purpose = ? AND user_id = ?"
                   " AND subject_id = ? AND created_at >= ?", [purpose, user_id, subject_id, iso(now - PENDING_FOR)])


def drop_upload(db: Database, purpose: str, user_id: int, subject_id: int) -> None:
    """Forget the kept file (it has been saved, or replaced)."""
    db.execute("DELETE FROM pending_uploads WHERE purpose = ? AND user_id = ? AND subject_id = ?",
               [purpose, user_id, subject_id])
