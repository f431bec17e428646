"""SQL for reminders: a cycle's reminder cadence, and the scheduled reminders sent (one a return and day)."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlite_utils import Database

from compliance.store._common import iso, rows
from compliance.store.audit import Actor, record

__all__ = ["set_reminder_schedule", "add_scheduled_reminder", "scheduled_reminders"]


def set_reminder_schedule(db: Database, cycle_id: int, *, days: str, overdue_every: int, actor: Actor,
                          now: datetime) -> bool:
    """Change when a cycle's reminders go out; False when nothing changed."""
    with db.atomic():
        before = rows(db, "SELECT reminder_days, overdue_every_days FROM cycles WHERE id = ?", [cycle_id])[0]
        after = {"reminder_days": days, "overdue_every_days": overdue_every}
        if before == after:
            return False
        db.execute("UPDATE cycles SET reminder_days = ?, overdue_every_days = ? WHERE id = ?",
                   [days, overdue_every, cycle_id])
        record(db, actor, action="reminder-schedule-changed", object_type="cycle", object_id=cycle_id, old=before,
               new=after, now=now)
    return True


def add_scheduled_reminder(db: Database, return_id: int, *, on_date: date, days_to_due: int, recipients: list[dict],
                           now: datetime) -> bool:
    """Note that today's scheduled reminder for this return is going out; False if it already went today."""
    cursor = db.execute("INSERT OR IGNORE INTO scheduled_reminders (return_id, on_date, days_to_due, recipients,"
                        " created_at) VALUES (?, ?, ?, ?, ?)",
                        [return_id, on_date.isoformat(), days_to_due, json.dumps(recipients), iso(now)])
    return cursor.rowcount == 1


def scheduled_reminders(db: Database, cycle_id: int) -> list[dict]:
    """The scheduled reminders a cycle's returns were sent, newest first, with whom each reached."""
    found = rows(db, """SELECT s.*, o.name AS organisation_name FROM scheduled_reminders s
                        JOIN returns r ON r.id = s.return_id JOIN organisations o ON o.id = r.organisation_id
                        WHERE r.cycle_id = ? ORDER BY s.on_date DESC, o.name COLLATE NOCASE""", [cycle_id])
    return [{**found_row, "recipients": json.loads(found_row["recipients"])} for found_row in found]
