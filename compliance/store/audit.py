"""SQL for the append-only audit log: who, when, what, which object, old and new value."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

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


# Who acted (by id, or by the email typed at a sign-in), and the names of what each entry is about: a person, an
# action's or an answer's requirement, a return's or a cycle's name, an evidence item's title. object_id is text:
# compared with an integer id, SQLite reads it as a number.
_NAMED = """
    FROM audit_log a
    LEFT JOIN users ua ON ua.id = a.actor_id
    LEFT JOIN users ue ON a.actor_id IS NULL AND ue.email = a.actor
    LEFT JOIN organisations o ON o.id = a.organisation_id"""
_ABOUT = """
    LEFT JOIN users us ON a.object_type = 'person' AND us.id = a.object_id
    LEFT JOIN actions ac ON a.object_type = 'action' AND ac.id = a.object_id
    LEFT JOIN answers n ON n.id = CASE a.object_type WHEN 'answer' THEN a.object_id WHEN 'action' THEN ac.answer_id END
    LEFT JOIN returns r ON r.id = CASE a.object_type WHEN 'return' THEN a.object_id ELSE n.return_id END
    LEFT JOIN cycles c ON c.id = CASE a.object_type WHEN 'cycle' THEN a.object_id ELSE r.cycle_id END
    LEFT JOIN evidence e ON a.object_type = 'evidence' AND e.id = a.object_id"""


def search_audit(db: Database, *, organisation_id: int | None = None, person: str | None = None,
                 action: str | None = None, since: datetime | None = None, before: datetime | None = None,
                 limit: int = 200, offset: int = 0) -> tuple[list[dict], int]:
    """Matching entries newest first, with the names they need to be read, and how many match in all.

    person: part of the name or email address of who acted; since and before: moments (any time zone), the
    first included and the second not. Each entry has actor_name, organisation_name, person_name, person_email,
    cycle_name, framework_key, requirement_id and evidence_title, each None where it does not apply.
    """
    where, params = [], []
    if organisation_id is not None:
        where.append("a.organisation_id = ?")
        params.append(organisation_id)
    if person:
        # instr on lower() rather than LIKE, so % and _ typed by a person are not wildcards.
        where.append("(instr(lower(a.actor), lower(?)) > 0"
                     " OR instr(lower(COALESCE(ua.name, ue.name, '')), lower(?)) > 0)")
        params += [person, person]
    if action:
        where.append("a.action = ?")
        params.append(action)
    if since is not None:
        where.append("a.at >= ?")
        params.append(iso(since.astimezone(timezone.utc)))
    if before is not None:
        where.append("a.at < ?")
        params.append(iso(before.astimezone(timezone.utc)))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # bandit B608: the clause joins fixed conditions from above; every value is a bound parameter.
    total = db.execute(f"SELECT count(*) {_NAMED} {clause}", params).fetchone()[0]  # nosec B608
    found = rows(db, "SELECT a.*, COALESCE(ua.name, ue.name) AS actor_name, o.name AS organisation_name,"  # nosec B608
                     " us.name AS person_name, us.email AS person_email, c.name AS cycle_name, n.framework_key,"
                     f" n.requirement_id, e.title AS evidence_title {_NAMED} {_ABOUT} {clause}"
                     " ORDER BY a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return found, total


def audit_actions(db: Database) -> list[str]:
    """Every kind of change the log holds, alphabetically."""
    return [r[0] for r in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The old and new values of only the fields that differ."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
