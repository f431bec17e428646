"""SQL for an organisation's evidence library and the answers each item backs."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, keyed_lists, nocase, row, rows
from compliance.store.audit import Actor, record

__all__ = [
    "add_evidence", "evidence_item", "organisation_evidence", "evidence_for_return", "evidence_for_answer",
    "link_evidence", "unlink_evidence", "evidence_register", "count_evidence_register", "evidence_digests",
]

_SHOWN = ("kind", "title", "url", "filename", "content_type", "size", "sha256", "effective_date", "valid_until")


def add_evidence(db: Database, organisation_id: int, values: dict, *, answer_id: int | None = None, actor: Actor,
                 now: datetime) -> int:
    """Add a file or link to the organisation's library, backing an answer when one is given."""
    item = {key: values.get(key) for key in _SHOWN}
    with db.atomic():
        evidence_id = db["evidence"].insert({**item, "organisation_id": organisation_id, "created_by": actor.id,
                                             "created_at": iso(now)}).last_pk
        record(db, actor, action="evidence-added", object_type="evidence", object_id=evidence_id,
               organisation_id=organisation_id, new=item, now=now)
        if answer_id is not None:
            link_evidence(db, answer_id, evidence_id, actor=actor, now=now)
    return evidence_id


def evidence_item(db: Database, evidence_id: int) -> dict | None:
    return row(db, "SELECT * FROM evidence WHERE id = ?", [evidence_id])


def organisation_evidence(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's library, newest first, with how many answers each item backs."""
    return rows(db, """SELECT e.*, COUNT(ae.answer_id) AS uses FROM evidence e
                       LEFT JOIN answer_evidence ae ON ae.evidence_id = e.id
                       WHERE e.organisation_id = ? GROUP BY e.id ORDER BY e.created_at DESC, e.id DESC""",
                [organisation_id])


# A return's evidence, each item with the answer it backs; put in evidence_order.
EVIDENCE_OF_RETURN = """SELECT e.*, n.framework_key, n.requirement_id, n.id AS answer_id FROM evidence e
                        JOIN answer_evidence ae ON ae.evidence_id = e.id JOIN answers n ON n.id = ae.answer_id
                        WHERE n.return_id = ?"""


def evidence_order(item: dict) -> tuple[tuple[str, int], int]:
    """A return's evidence in order of title (as ORDER BY title COLLATE NOCASE, id puts it)."""
    return nocase(item["title"]), item["id"]


def evidence_for_return(db: Database, return_id: int) -> dict[tuple[str, str], list[dict]]:
    """Each answer's evidence, keyed by (framework key, requirement id)."""
    return keyed_lists(sorted(rows(db, EVIDENCE_OF_RETURN, [return_id]), key=evidence_order))


def evidence_for_answer(db: Database, answer_id: int) -> list[dict]:
    return rows(db, """SELECT e.* FROM evidence e JOIN answer_evidence ae ON ae.evidence_id = e.id
                       WHERE ae.answer_id = ? ORDER BY e.title COLLATE NOCASE, e.id""", [answer_id])


# Each row is an evidence item and an answer it backs; an item backing no answer has NULL answer columns.
_REGISTER_FROM = """
    FROM evidence e JOIN organisations o ON o.id = e.organisation_id
    LEFT JOIN answer_evidence ae ON ae.evidence_id = e.id
    LEFT JOIN answers n ON n.id = ae.answer_id
    LEFT JOIN returns r ON r.id = n.return_id
    LEFT JOIN cycles c ON c.id = r.cycle_id
    LEFT JOIN verifications v ON v.return_id = n.return_id AND v.framework_key = n.framework_key
         AND v.requirement_id = n.requirement_id"""


def _register_where(*, cycle_id: int | None = None, organisation_id: int | None = None,
                    framework_id: str | None = None, requirement_id: str | None = None,
                    expired_on: str | None = None, verification: str | None = None) -> tuple[str, list]:
    """The register's WHERE clause and its parameters; any answer filter leaves out items backing no answer.

    An answer in a withdrawn return is never a row (its organisation left while the cycle was open), so an item
    backing only such answers is not listed; one backing others too is listed for those.
    """
    where, params = ["r.withdrawn_at IS NULL"], []
    for clause, value in (("r.cycle_id = ?", cycle_id), ("e.organisation_id = ?", organisation_id),
                          ("substr(n.framework_key, 1, instr(n.framework_key, '@') - 1) = ?", framework_id),
                          ("n.requirement_id = ?", requirement_id),
                          ("e.valid_until IS NOT NULL AND e.valid_until <> '' AND e.valid_until < ?", expired_on),
                          ("n.id IS NOT NULL AND COALESCE(v.status, 'not-checked') = ?", verification)):
        if value is not None:
            where.append(clause)
            params.append(value)
    return ("WHERE " + " AND ".join(where) if where else ""), params


def evidence_register(db: Database, *, limit: int | None = None, offset: int = 0, **filters) -> list[dict]:
    """One row per (evidence item, answer it backs) across every organisation; unused items once, unfiltered.

    filters: cycle_id, organisation_id, framework_id, requirement_id, expired_on (items whose valid-until date
    is before it) and verification (the auditor's check of the answer; "not-checked" also finds answers never
    checked). limit and offset take one page of the rows, in an order that never changes between pages.
    """
    where, params = _register_where(**filters)
    # bandit B608: the WHERE joins fixed conditions from _register_where; every value is a bound parameter.
    return rows(db, f"""SELECT e.id, e.organisation_id, e.kind, e.title, e.url, e.filename, e.content_type, e.size,
                               e.sha256, e.effective_date, e.valid_until, e.created_at, o.name AS organisation_name,
                               n.id AS answer_id, n.framework_key, n.requirement_id, r.id AS return_id,
                               r.status AS return_status, c.id AS cycle_id, c.name AS cycle_name,
                               COALESCE(v.status, CASE WHEN n.id IS NULL THEN NULL ELSE 'not-checked' END)
                                   AS verification_status
                        {_REGISTER_FROM} {where}
                        ORDER BY o.name COLLATE NOCASE, e.title COLLATE NOCASE, e.id, c.open_date DESC,
                                 n.framework_key, n.requirement_id, n.id
                        LIMIT ? OFFSET ?""", [*params, -1 if limit is None else limit, offset])  # nosec B608


def count_evidence_register(db: Database, **filters) -> int:
    """How many rows evidence_register gives for these filters, on every page together."""
    where, params = _register_where(**filters)
    return db.execute(f"SELECT COUNT(*) {_REGISTER_FROM} {where}", params).fetchone()[0]  # nosec B608


def link_evidence(db: Database, answer_id: int, evidence_id: int, *, actor: Actor, now: datetime) -> bool:
    """Let an existing item back an answer too; False when it already does."""
    exists = db.execute("SELECT 1 FROM answer_evidence WHERE answer_id = ? AND evidence_id = ?",
                        [answer_id, evidence_id]).fetchone()
    if exists:
        return False
    db.execute("INSERT INTO answer_evidence (answer_id, evidence_id) VALUES (?, ?)", [answer_id, evidence_id])
    _touch_return_of(db, answer_id, now=now)
    _log_link(db, answer_id, evidence_id, "evidence-linked", actor=actor, now=now)
    return True


def unlink_evidence(db: Database, answer_id: int, evidence_id: int, *, actor: Actor, now: datetime) -> None:
    """The item no longer backs this answer; it stays in the library and keeps backing others."""
    with db.atomic():
        db.execute("DELETE FROM answer_evidence WHERE answer_id = ? AND evidence_id = ?", [answer_id, evidence_id])
        _touch_return_of(db, answer_id, now=now)
        _log_link(db, answer_id, evidence_id, "evidence-unlinked", actor=actor, now=now)


def _touch_return_of(db: Database, answer_id: int, *, now: datetime) -> None:
    """The return's last change is now: the coordinator's returns table reads its last activity from it."""
    db.execute("UPDATE returns SET updated_at = ? WHERE id = (SELECT return_id FROM answers WHERE id = ?)",
               [iso(now), answer_id])


def _log_link(db: Database, answer_id: int, evidence_id: int, verb: str, *, actor: Actor, now: datetime) -> None:
    found = row(db, """SELECT n.requirement_id, n.framework_key, r.organisation_id, e.title FROM answers n
                       JOIN returns r ON r.id = n.return_id, evidence e WHERE n.id = ? AND e.id = ?""",
                [answer_id, evidence_id])
    link = {"answer": answer_id, "evidence": evidence_id, "title": found["title"],
            "requirement": found["requirement_id"], "framework": found["framework_key"]}
    record(db, actor, action=verb, object_type="answer", object_id=answer_id,
           organisation_id=found["organisation_id"], old=link if verb.endswith("unlinked") else None,
           new=None if verb.endswith("unlinked") else link, now=now)


def evidence_digests(db: Database) -> set[str]:
    """The SHA-256 of every file an evidence row (or a query's reply) refers to: what the evidence folder must keep."""
    return {sha for (sha,) in db.execute("SELECT sha256 FROM evidence WHERE sha256 IS NOT NULL"
                                         " UNION SELECT sha256 FROM query_evidence")}
