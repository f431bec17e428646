"""SQL for assignments: who in an organisation is answering each requirement of its return."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, rows
from compliance.store.audit import Actor, record

__all__ = ["assignments_for_return", "assign_requirements"]

Key = tuple[str, str]  # (framework key, requirement id)


def assignments_for_return(db: Database, return_id: int) -> dict[Key, dict]:
    """Each assigned requirement's assignment, with the assignee's name, role, organisation and whether active."""
    found = rows(db, """
        SELECT a.framework_key, a.requirement_id, a.user_id, a.assigned_at, u.name, u.email, u.role, u.active,
               u.organisation_id, b.name AS assigned_by_name
        FROM assignments a JOIN users u ON u.id = a.user_id LEFT JOIN users b ON b.id = a.assigned_by
        WHERE a.return_id = ?""", [return_id])
    return {(item["framework_key"], item["requirement_id"]): item for item in found}


def assign_requirements(db: Database, return_id: int, keys: Iterable[Key], user_id: int | None, *,
                        labels: dict[Key, str], assignee: str, organisation_id: int, actor: Actor,
                        now: datetime) -> list[Key]:
    """Assign these requirements to one person (None: to nobody) and log it; the keys whose assignment changed.

    Call it inside the caller's transaction: the email about it is queued in the same one.
    """
    current = assignments_for_return(db, return_id)
    changed = [key for key in keys if (current[key]["user_id"] if key in current else None) != user_id]
    for framework_key, requirement_id in changed:
        if user_id is None:
            db.execute("DELETE FROM assignments WHERE return_id = ? AND framework_key = ? AND requirement_id = ?",
                       [return_id, framework_key, requirement_id])
        else:
            db.execute(
                "INSERT INTO assignments (return_id, framework_key, requirement_id, user_id, assigned_by, assigned_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (return_id, framework_key, requirement_id)"
                " DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by,"
                " assigned_at = excluded.assigned_at",
                [return_id, framework_key, requirement_id, user_id, actor.id, iso(now)])
    if changed:
        before = sorted({current[key]["name"] for key in changed if key in current})
        record(db, actor, action="requirements-assigned" if user_id else "requirements-unassigned",
               object_type="return", object_id=return_id, organisation_id=organisation_id,
               old={"assigned_before": before} if before else None,
               new={"assignee": assignee, "requirements": [labels.get(key, key[1]) for key in changed]}
               if user_id else {"requirements": [labels.get(key, key[1]) for key in changed]}, now=now)
    return changed
