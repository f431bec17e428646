"""SQL for the outbox: every message the service writes, queued with the change that decided it, then sent."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows

__all__ = ["queue_mail", "claim_mail", "mail_attempted", "due_mail", "outbox_messages", "outbox_count"]


def queue_mail(db: Database, *, recipient: str, subject: str, body: str, now: datetime) -> int:
    """A message waiting to be sent; written inside the transaction of the change it is about."""
    return db["outbox"].insert({"created_at": iso(now), "recipient": recipient, "subject": subject, "body": body,
                                "status": "queued", "next_attempt_at": iso(now)}).last_pk


def claim_mail(db: Database, message_id: int, *, now: datetime, stale_before: datetime) -> dict | None:
    """Mark a queued message as being sent, so that no other worker sends it too; None if it is not to be sent.

    A message left 'sending' since before stale_before (its sender stopped mid-way) may be claimed again.
    """
    with db.atomic():
        found = row(db, "SELECT * FROM outbox WHERE id = ? AND (status = 'queued' OR"
                        " (status = 'sending' AND last_attempt_at < ?))", [message_id, iso(stale_before)])
        if found is None:
            return None
        db.execute("UPDATE outbox SET status = 'sending', last_attempt_at = ?, attempts = attempts + 1"
                   " WHERE id = ?", [iso(now), message_id])
    return {**found, "attempts": found["attempts"] + 1}


def mail_attempted(db: Database, message_id: int, *, status: str, error: str, now: datetime,
                   retry_at: datetime | None = None) -> None:
    """What the attempt came to: sent (its text, which may hold a one-time link, is then dropped), logged,
    queued again for retry_at, or failed for good."""
    with db.atomic():
        db.execute("""UPDATE outbox SET status = ?, error = ?, next_attempt_at = ?,
                      sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
                      body = CASE WHEN ? = 'sent' THEN '' ELSE body END WHERE id = ?""",
                   [status, error, iso(retry_at) if retry_at else None, status, iso(now), status, message_id])


def due_mail(db: Database, *, now: datetime, stale_before: datetime) -> list[int]:
    """Messages whose (next) attempt is due, oldest first, and any left half-sent."""
    return [r["id"] for r in rows(db, "SELECT id FROM outbox WHERE (status = 'queued' AND next_attempt_at <= ?)"
                                      " OR (status = 'sending' AND last_attempt_at < ?) ORDER BY id",
                                  [iso(now), iso(stale_before)])]


def outbox_messages(db: Database, *, limit: int = 100) -> list[dict]:
    return rows(db, "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", [limit])


def outbox_count(db: Database, status: str) -> int:
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status = ?", [status]).fetchone()[0]
