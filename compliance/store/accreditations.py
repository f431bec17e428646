"""SQL for the accreditations an organisation holds; every add, change and removal is in the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record

__all__ = ["add_accreditation", "change_accreditation", "remove_accreditation", "accreditation",
           "organisation_accreditations"]

FIELDS = ("scheme", "scheme_name", "level", "awarded_on", "expires_on", "reference", "evidence_id")
_SELECT = """SELECT a.*, e.kind AS evidence_kind, e.title AS evidence_title, e.url AS evidence_url,
                    e.filename AS evidence_filename, e.sha256 AS evidence_sha256,
                    e.content_type AS evidence_content_type, e.size AS evidence_size
             FROM accreditations a LEFT JOIN evidence e ON e.id = a.evidence_id"""


def _audited(db: Database, values: dict) -> dict:
    """What the audit log keeps of an accreditation: the scheme's name, level, dates, reference, evidence's title."""
    evidence = row(db, "SELECT title FROM evidence WHERE id = ?", [values["evidence_id"]]) \
        if values.get("evidence_id") else None
    return {"scheme": values["scheme_name"], "level": values.get("level") or "", "awarded_on": values["awarded_on"],
            "expires_on": values.get("expires_on"), "reference": values.get("reference") or "",
            "evidence": evidence["title"] if evidence else ""}


def add_accreditation(db: Database, organisation_id: int, values: dict, *, actor: Actor, now: datetime) -> int:
    """Record an accreditation the organisation holds; its id."""
    with db.atomic():
        accreditation_id = db["accreditations"].insert({
            **{key: values.get(key) for key in FIELDS}, "level": values.get("level") or "",
            "reference": values.get("reference") or "", "organisation_id": organisation_id, "revision": 1,
            "created_by": actor.id, "created_at": iso(now), "updated_by": actor.id, "updated_at": iso(now)}).last_pk
        record(db, actor, action="accreditation-added", object_type="accreditation", object_id=accreditation_id,
               organisation_id=organisation_id, new=_audited(db, values), now=now)
    return accreditation_id


def change_accreditation(db: Database, accreditation_id: int, values: dict, *, revision: int, actor: Actor,
                         now: datetime) -> bool:
    """Save a change made from the accreditation as it was at `revision`; False (nothing saved) when someone else
    changed or removed it since."""
    with db.atomic():
        current = accreditation(db, accreditation_id)
        if current is None or current["revision"] != revision:
            return False
        new = {key: values.get(key) for key in FIELDS}
        db.execute(f"""UPDATE accreditations SET {', '.join(f'{key} = ?' for key in FIELDS)}, revision = revision + 1,
                       updated_by = ?, updated_at = ? WHERE id = ? AND revision = ?""",  # nosec B608
                   [*new.values(), actor.id, iso(now), accreditation_id, revision])
        old, changed = changed_fields(_audited(db, current), _audited(db, new))
        if changed:
            record(db, actor, action="accreditation-changed", object_type="accreditation", object_id=accreditation_id,
                   organisation_id=current["organisation_id"], old=old,
                   new={**changed, "accreditation": new["scheme_name"]}, now=now)
    return True


def remove_accreditation(db: Database, accreditation_id: int, *, actor: Actor, now: datetime) -> bool:
    """Remove the record (its evidence stays in the organisation's library); False when it was already gone."""
    with db.atomic():
        current = accreditation(db, accreditation_id)
        if current is None:
            return False
        db.execute("DELETE FROM accreditations WHERE id = ?", [accreditation_id])
        record(db, actor, action="accreditation-removed", object_type="accreditation", object_id=accreditation_id,
               organisation_id=current["organisation_id"], old=_audited(db, current), now=now)
    return True


def accreditation(db: Database, accreditation_id: int) -> dict | None:
    """One accreditation with its evidence's columns (evidence_kind, evidence_title, ...)."""
    return row(db, f"{_SELECT} WHERE a.id = ?", [accreditation_id])  # nosec B608


def organisation_accreditations(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's accreditations with their evidence's columns, by scheme name, newest award first."""
    return rows(db, f"""{_SELECT} WHERE a.organisation_id = ?
                        ORDER BY a.scheme_name COLLATE NOCASE, a.awarded_on DESC, a.id""",  # nosec B608
                [organisation_id])
