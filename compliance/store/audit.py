"""SQL for the append-only audit log: who, when, what, which object, old and new value."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, rows

__all__ = ["Actor", "SYSTEM", "record", "audit_entries", "search_audit", "audit_actions", "changed_fields"]


@dataclass(frozen=True)
class Actor:
    """Who made a change: a person (id and email) or the system, and from which address."""

    id: int | None
    label: str
    address: str = ""


SYSTEM = Actor(None, "system")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def record(db: Database, actor: Actor, *, action: str, object_type: str, object_id: object = "",
           organisation_id: int | None = None, old=None, new=None, now: datetime) -> None:
    """Append one entry; the database refuses any later update or delete of it."""
    db.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, organisation_id,"
        " old_value, new_value, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [iso(now), actor.id, actor.label, action, object_type, str(object_id), organisation_id,
         _json(old), _json(new), actor.address],
    )


def audit_entries(db: Database, *, action: str | None = None, object_type: str | None = None,
                  limit: int = 200) -> list[dict]:
    """The newest entries first, optionally of one action or object type."""
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if object_type:
        where.append("object_type = ?")
        params.append(object_type)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # bandit B608: clause joins fixed conditions; values are parameters
    return rows(db, f"SELECT * FROM audit_log {clause} ORDER BY id DESC LIMIT ?", [*params, limit])  # nosec B608


def search_audit(db: Database, *, organisation_id: int | None = None, actor: str | None = None,
                 action: str | None = None, date_from: str | None = None, date_to: str | None = None,
                 limit: int = 200, offset: int = 0) -> tuple[list[dict], int]:
    """Matching entries newest first, with their organisation's name, and how many match in all."""
    where, params = [], []
    if organisation_id is not None:
        where.append("a.organisation_id = ?")
        params.append(organisation_id)
    if actor:
        # instr on lower() rather than LIKE, so % and _ typed by a person are not wildcards.
        where.append("instr(lower(a.actor), lower(?)) > 0")
        params.append(actor)
    if action:
        where.append("a.action = ?")
        params.append(action)
    if date_from:
        where.append("substr(a.at, 1, 10) >= ?")
        params.append(date_from)
    if date_to:
        where.append("substr(a.at, 1, 10) <= ?")
        params.append(date_to)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # bandit B608: the clause joins fixed conditions from above; every value is a bound parameter.
    total = db.execute(f"SELECT count(*) FROM audit_log a {clause}", params).fetchone()[0]  # nosec B608
    found = rows(db, "SELECT a.*, o.name AS organisation_name FROM audit_log a"  # nosec B608
                     f" LEFT JOIN organisations o ON o.id = a.organisation_id {clause}"
                     " ORDER BY a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return found, total


def audit_actions(db: Database) -> list[str]:
    """Every kind of change the log holds, alphabetically."""
    return [r[0] for r in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The old and new values of only the fields that differ."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
