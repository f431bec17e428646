"""SQL for auditors' queries on a requirement of a signed return: the question, replies, files added, resolution.

Each change is recorded in the audit log in the same transaction. The signed version is never touched.
"""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, record

__all__ = ["raise_query", "add_query_message", "resolve_query", "query_by_id", "queries_for_return",
           "open_queries_for_organisation", "open_queries_everywhere", "query_messages", "query_files",
           "query_file"]

_SELECT = """SELECT q.*, r.organisation_id, o.name AS organisation_name, c.name AS cycle_name,
                    ur.name AS raised_by_name, ur.role AS raised_by_role, uv.name AS resolved_by_name,
                    uv.role AS resolved_by_role,
                    (SELECT count(*) FROM query_messages m WHERE m.query_id = q.id) AS replies
             FROM queries q JOIN returns r ON r.id = q.return_id JOIN organisations o ON o.id = r.organisation_id
             JOIN cycles c ON c.id = r.cycle_id JOIN users ur ON ur.id = q.raised_by
             LEFT JOIN users uv ON uv.id = q.resolved_by"""


def _about(found: dict) -> dict:
    return {"framework": found["framework_key"], "requirement": found["requirement_id"], "query": found["id"]}


def raise_query(db: Database, return_id: int, framework_key: str, requirement_id: str, *, version: int,
                question: str, actor: Actor, now: datetime) -> dict:
    """Record a question about one requirement of signed version `version`; the query as stored."""
    with db.atomic():
        query_id = db["queries"].insert({"return_id": return_id, "version": version, "framework_key": framework_key,
                                         "requirement_id": requirement_id, "question": question, "status": "open",
                                         "raised_by": actor.id, "raised_at": iso(now)}).last_pk
        found = query_by_id(db, query_id)
        assert found is not None  # nosec B101: inserted just above, in this transaction
        record(db, actor, action="query-raised", object_type="return", object_id=return_id,
               organisation_id=found["organisation_id"],
               new={**_about(found), "question": question, "version": version}, now=now)
    return found


def add_query_message(db: Database, query: dict, *, body: str, file: dict | None, actor: Actor,
                      now: datetime) -> int:
    """A reply to an open query, with a file already stored (filename, content_type, size, sha256) or none."""
    with db.atomic():
        message_id = db["query_messages"].insert({"query_id": query["id"], "body": body, "created_by": actor.id,
                                                  "created_at": iso(now)}).last_pk
        if file is not None:
            db["query_evidence"].insert({"query_id": query["id"], "message_id": message_id,
                                         **{key: file[key] for key in ("filename", "content_type", "size", "sha256")},
                                         "created_by": actor.id, "created_at": iso(now)})
        added = {"file": file["filename"], "sha256": file["sha256"]} if file else {}
        record(db, actor, action="query-replied", object_type="return", object_id=query["return_id"],
               organisation_id=query["organisation_id"], new={**_about(query), "reply": body, **added}, now=now)
    return message_id


def resolve_query(db: Database, query: dict, *, note: str, actor: Actor, now: datetime) -> bool:
    """Mark an open query resolved with an optional closing note; False when it was already resolved."""
    with db.atomic():
        changed = db.execute("UPDATE queries SET status = 'resolved', resolved_by = ?, resolved_at = ?,"
                             " closing_note = ? WHERE id = ? AND status = 'open'",
                             [actor.id, iso(now), note, query["id"]]).rowcount
        if changed:
            record(db, actor, action="query-resolved", object_type="return", object_id=query["return_id"],
                   organisation_id=query["organisation_id"], new={**_about(query), "note": note}, now=now)
    return bool(changed)


def query_by_id(db: Database, query_id: int) -> dict | None:
    return row(db, f"{_SELECT} WHERE q.id = ?", [query_id])  # nosec B608: fixed statement


def queries_for_return(db: Database, return_id: int) -> list[dict]:
    """Every query on a return, open ones first, then oldest first."""
    return rows(db, f"{_SELECT} WHERE q.return_id = ? ORDER BY q.status = 'resolved', q.id",  # nosec B608
                [return_id])


def open_queries_for_organisation(db: Database, organisation_id: int) -> list[dict]:
    """An organisation's open queries, across its returns, oldest first."""
    return rows(db, f"{_SELECT} WHERE r.organisation_id = ? AND q.status = 'open' ORDER BY q.id",  # nosec B608
                [organisation_id])


def open_queries_everywhere(db: Database) -> list[dict]:
    """Every open query in the partnership, oldest first (for auditors and the coordinator)."""
    return rows(db, f"{_SELECT} WHERE q.status = 'open' ORDER BY q.id")  # nosec B608


def query_messages(db: Database, query_id: int) -> list[dict]:
    """The replies to a query in order, each with who wrote it (name and role) and its files."""
    found = rows(db, """SELECT m.*, u.name AS author_name, u.role AS author_role FROM query_messages m
                        JOIN users u ON u.id = m.created_by WHERE m.query_id = ? ORDER BY m.id""", [query_id])
    files: dict[int, list[dict]] = {}
    for item in query_files(db, query_id):
        files.setdefault(item["message_id"], []).append(item)
    return [{**message, "files": files.get(message["id"], [])} for message in found]


def query_files(db: Database, query_id: int) -> list[dict]:
    return rows(db, "SELECT * FROM query_evidence WHERE query_id = ? ORDER BY id", [query_id])


def query_file(db: Database, query_id: int, file_id: int) -> dict | None:
    return row(db, "SELECT * FROM query_evidence WHERE query_id = ? AND id = ?", [query_id, file_id])
