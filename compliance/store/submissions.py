"""SQL for signed versions of a return: submit, return for amendment, accept; and starting from last year."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, record
from compliance.store.returns import return_row, set_return_status

__all__ = ["submit_version", "return_versions", "return_version", "return_for_amendment", "accept_return",
           "copy_previous_answers", "amendment_requests", "version_by_sha256"]


def submit_version(db: Database, return_id: int, *, canonical: str, sha256: str, signatory_name: str,
                   signatory_job_title: str, actor: Actor, now: datetime) -> int:
    """Freeze the current version exactly as signed; the return becomes submitted."""
    current = return_row(db, return_id)
    with db.atomic():
        db["return_versions"].insert({
            "return_id": return_id, "version": current["version"], "submitted_at": iso(now),
            "submitted_by": actor.id, "signatory_name": signatory_name, "signatory_job_title": signatory_job_title,
            "canonical": canonical, "sha256": sha256})
        set_return_status(db, return_id, "submitted", actor=actor, now=now)
        record(db, actor, action="return-submitted", object_type="return", object_id=return_id,
               organisation_id=current["organisation_id"],
               new={"version": current["version"], "sha256": sha256, "signatory": signatory_name,
                    "job_title": signatory_job_title}, now=now)
    return current["version"]


def return_versions(db: Database, return_id: int) -> list[dict]:
    """Every signed version, newest first, without the canonical text."""
    return rows(db, """SELECT v.id, v.return_id, v.version, v.submitted_at, v.signatory_name, v.signatory_job_title,
                       v.sha256, v.outcome, v.outcome_comment, v.outcome_at, u.email AS submitted_by_email,
                       d.name AS outcome_by_name
                       FROM return_versions v JOIN users u ON u.id = v.submitted_by
                       LEFT JOIN users d ON d.id = v.outcome_by
                       WHERE v.return_id = ? ORDER BY v.version DESC""", [return_id])


def return_version(db: Database, return_id: int, version: int) -> dict | None:
    return row(db, "SELECT * FROM return_versions WHERE return_id = ? AND version = ?", [return_id, version])


def version_by_sha256(db: Database, sha256: str) -> dict | None:
    """The signed version with this fingerprint, with its organisation and cycle; None if there is none."""
    return row(db, """SELECT v.return_id, v.version, v.submitted_at, v.signatory_name, v.signatory_job_title,
                      v.sha256, r.organisation_id, o.name AS organisation_name, c.name AS cycle_name
                      FROM return_versions v JOIN returns r ON r.id = v.return_id
                      JOIN organisations o ON o.id = r.organisation_id JOIN cycles c ON c.id = r.cycle_id
                      WHERE v.sha256 = ?""", [sha256])


def _decide(db: Database, return_id: int, outcome: str, comment: str, *, actor: Actor, now: datetime) -> dict:
    current = return_row(db, return_id)
    db.execute("UPDATE return_versions SET outcome = ?, outcome_comment = ?, outcome_by = ?, outcome_at = ?"
               " WHERE return_id = ? AND version = ?", [outcome, comment, actor.id, iso(now), return_id,
                                                       current["version"]])
    return current


def return_for_amendment(db: Database, return_id: int, comment: str, *, actor: Actor, now: datetime,
                         requests: list[dict] | None = None) -> None:
    """Send a submitted return back with comments: its answers open again as a new version.

    requests: what needs to change, requirement by requirement ({framework_key, requirement_id, comment}), kept
    with the version that was returned.
    """
    with db.atomic():
        current = _decide(db, return_id, "returned", comment, actor=actor, now=now)
        for item in requests or []:
            db["amendment_requests"].insert({
                "return_id": return_id, "version": current["version"], "framework_key": item["framework_key"],
                "requirement_id": item["requirement_id"], "comment": item["comment"], "created_by": actor.id,
                "created_at": iso(now)})
        set_return_status(db, return_id, "returned", version=current["version"] + 1, actor=actor, now=now)
        record(db, actor, action="return-returned", object_type="return", object_id=return_id,
               organisation_id=current["organisation_id"],
               new={"version": current["version"], "comment": comment,
                    "asked": [f"{i.get('label') or i['requirement_id']}: {i['comment']}" for i in requests or []]},
               now=now)


def amendment_requests(db: Database, return_id: int, version: int) -> dict[tuple[str, str], dict]:
    """What the coordinator asked to change when returning this version, by (framework key, requirement id)."""
    found = rows(db, "SELECT * FROM amendment_requests WHERE return_id = ? AND version = ? ORDER BY id",
                 [return_id, version])
    return {(item["framework_key"], item["requirement_id"]): item for item in found}


def accept_return(db: Database, return_id: int, *, actor: Actor, now: datetime, comment: str = "") -> None:
    with db.atomic():
        current = _decide(db, return_id, "accepted", comment, actor=actor, now=now)
        set_return_status(db, return_id, "accepted", actor=actor, now=now)
        record(db, actor, action="return-accepted", object_type="return", object_id=return_id,
               organisation_id=current["organisation_id"],
               new={"version": current["version"], **({"comment": comment} if comment else {})}, now=now)


def copy_previous_answers(db: Database, return_id: int, previous_id: int, keys: dict[str, str], *, today: str,
                          actor: Actor, now: datetime) -> int:
    """Copy last year's answers, open actions and still-valid evidence into an untouched return.

    keys maps each framework id to this cycle's framework key, so that an answer follows its requirement id to
    the new version of its framework. Every copied answer is marked carried forward until it is checked.
    """
    copied = 0
    with db.atomic():
        for old in rows(db, "SELECT * FROM answers WHERE return_id = ?", [previous_id]):
            new_key = keys.get(old["framework_key"].split("@")[0])
            if new_key is None or not (old["rating"] or old["narrative"]):
                continue
            answer_id = db["answers"].insert({
                "return_id": return_id, "framework_key": new_key, "requirement_id": old["requirement_id"],
                "rating": old["rating"], "narrative": old["narrative"], "reason": old["reason"],
                "carried_forward": 1, "revision": 1, "updated_by": actor.id, "updated_at": iso(now)}).last_pk
            db.execute("""INSERT INTO actions (answer_id, what, owner, due_date, status, created_at, updated_at)
                          SELECT ?, what, owner, due_date, status, ?, ? FROM actions
                          WHERE answer_id = ? AND status != 'done'""", [answer_id, iso(now), iso(now), old["id"]])
            db.execute("""INSERT INTO answer_evidence (answer_id, evidence_id)
                          SELECT ?, e.id FROM answer_evidence ae JOIN evidence e ON e.id = ae.evidence_id
                          WHERE ae.answer_id = ? AND (e.valid_until IS NULL OR e.valid_until >= ?)""",
                       [answer_id, old["id"], today])
            copied += 1
        db["returns"].update(return_id, {"started_from_previous": 1})
        set_return_status(db, return_id, "in-progress", actor=actor, now=now)
        record(db, actor, action="return-started-from-last-year", object_type="return", object_id=return_id,
               organisation_id=return_row(db, return_id)["organisation_id"],
               new={"from_return": previous_id, "answers": copied}, now=now)
    return copied
