"""SQL for auditors' verifications of answers: one row per answer of a return, changed in place and logged."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.core.returns import SIGNED, sql_list
from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record

__all__ = ["verifications_for_return", "verifications_for_cycle", "save_verification", "standing_version"]

_FIELDS = ("status", "validated_rating", "comment")
_SELECT = """SELECT v.*, u.name AS verified_by_name, u.email AS verified_by_email FROM verifications v
             JOIN users u ON u.id = v.verified_by"""


def verifications_for_return(db: Database, return_id: int) -> dict[tuple[str, str], dict]:
    """Each verified answer of a return, keyed by (framework key, requirement id)."""
    found = rows(db, f"{_SELECT} WHERE v.return_id = ?", [return_id])
    return {(v["framework_key"], v["requirement_id"]): v for v in found}


def verifications_for_cycle(db: Database, cycle_id: int) -> dict[int, dict[tuple[str, str], dict]]:
    """Every verification of a cycle's returns: return id -> (framework key, requirement id) -> row."""
    keyed: dict[int, dict[tuple[str, str], dict]] = {}
    for found in rows(db, """SELECT v.return_id, v.framework_key, v.requirement_id, v.status, v.validated_rating,
                                    v.comment, v.version
                             FROM verifications v JOIN returns r ON r.id = v.return_id WHERE r.cycle_id = ?""",
                      [cycle_id]):
        keyed.setdefault(found["return_id"], {})[(found["framework_key"], found["requirement_id"])] = found
    return keyed


def save_verification(db: Database, return_id: int, framework_key: str, requirement_id: str, values: dict, *,
                      version: int, self_rating: str | None, revision: int, actor: Actor,
                      now: datetime) -> tuple[bool, dict | None]:
    """Record or change an auditor's check, unless someone else changed it since `revision` was read (0: none yet).

    Returns (saved, the verification as it now stands). The answer itself is not touched.
    """
    values = {key: values[key] for key in _FIELDS}
    where = [return_id, framework_key, requirement_id]
    with db.atomic():
        current = row(db, "SELECT * FROM verifications"
                          " WHERE return_id = ? AND framework_key = ? AND requirement_id = ?", where)
        if (current["revision"] if current else 0) != revision:
            return False, current
        stamp = {"version": version, "self_rating": self_rating, "verified_by": actor.id, "verified_at": iso(now)}
        if current is None:
            db["verifications"].insert({"return_id": return_id, "framework_key": framework_key,
                                        "requirement_id": requirement_id, **values, **stamp, "revision": 1})
            old, new = None, values
        else:
            old, new = changed_fields({key: current[key] for key in _FIELDS}, values)
            db.execute("""UPDATE verifications SET status = ?, validated_rating = ?, comment = ?, version = ?,
                          self_rating = ?, verified_by = ?, verified_at = ?, revision = revision + 1 WHERE id = ?""",
                       [values["status"], values["validated_rating"], values["comment"], version, self_rating,
                        actor.id, iso(now), current["id"]])
        organisation_id = db.execute("SELECT organisation_id FROM returns WHERE id = ?", [return_id]).fetchone()[0]
        record(db, actor, action="answer-verified", object_type="return", object_id=return_id,
               organisation_id=organisation_id, old=old,
               new={**(new or {}), "framework": framework_key, "requirement": requirement_id, "version": version,
                    "self_rating": self_rating}, now=now)
    return True, verifications_for_return(db, return_id)[(framework_key, requirement_id)]


def standing_version(db: Database, return_id: int) -> dict | None:
    """The signed version that stands: the latest not sent back, while the return is submitted or accepted."""
    return row(db, f"""SELECT v.* FROM return_versions v JOIN returns r ON r.id = v.return_id
                      WHERE v.return_id = ? AND r.status IN {sql_list(SIGNED)}
                        AND (v.outcome IS NULL OR v.outcome = 'accepted')
                      ORDER BY v.version DESC LIMIT 1""", [return_id])  # nosec B608: fixed statuses
