"""SQL for the coordinator's view of a cycle: its returns table in one query, what decides whether each answer is
complete in another, and the open cycles' returns, expiring evidence and latest board packs for the work queue."""
from __future__ import annotations

from sqlite_utils import Database

from compliance.store._common import rows

Keyed = dict[tuple[str, str], dict]  # (framework key, requirement id) -> an answer's columns
Counts = dict[tuple[str, str], int]  # (framework key, requirement id) -> its number of actions

__all__ = ["returns_table", "answer_marks", "open_cycles_with_board_pack", "open_cycle_returns", "expiring_evidence"]

# The latest signed version of a return, whatever became of it (accepted, returned or waiting): when it was
# submitted and who signed it.
_LATEST_VERSION = """
    LEFT JOIN return_versions v ON v.return_id = r.id
         AND v.version = (SELECT MAX(w.version) FROM return_versions w WHERE w.return_id = r.id)"""


def returns_table(db: Database, cycle_id: int) -> list[dict]:
    """Each return of a cycle with its organisation, the cycle's due date, its last activity, and its latest signed
    version's submission time and signatory (None when nothing has been signed).

    Last activity is the latest of: the return's own change (status, or a save that touched it), an answer
    saved or confirmed, an action added or changed, and evidence added to one of its answers.
    """
    return rows(db, f"""
        SELECT r.id, r.organisation_id, r.sector, r.status, r.version, r.withdrawn_at,
               o.name AS organisation_name, c.due_date,
               NULLIF(MAX(COALESCE(r.updated_at, ''),
                          COALESCE((SELECT MAX(n.updated_at) FROM answers n WHERE n.return_id = r.id), ''),
                          COALESCE((SELECT MAX(x.updated_at) FROM actions x JOIN answers n ON n.id = x.answer_id
                                    WHERE n.return_id = r.id), ''),
                          COALESCE((SELECT MAX(e.created_at) FROM answers n
                                    JOIN answer_evidence ae ON ae.answer_id = n.id
                                    JOIN evidence e ON e.id = ae.evidence_id WHERE n.return_id = r.id), '')),
                      '') AS last_activity,
               v.submitted_at, v.signatory_name, v.signatory_job_title
        FROM returns r JOIN organisations o ON o.id = r.organisation_id JOIN cycles c ON c.id = r.cycle_id
        {_LATEST_VERSION}
        WHERE r.cycle_id = ? ORDER BY o.name COLLATE NOCASE""", [cycle_id])  # nosec B608: this module's own SQL


def answer_marks(db: Database, cycle_id: int) -> dict[int, tuple[Keyed, Counts]]:
    """return id -> (answers that may be complete, keyed by (framework key, requirement id), their action counts)
    for a whole cycle.

    Only a rated answer that is not waiting to be checked after being carried forward can be complete, so only
    those are read, with what decides the rest (the reason; the number of actions): a cycle of hundreds of
    returns is read in one query, and never their narratives.
    """
    found: dict[int, tuple[Keyed, Counts]] = {}
    cursor = db.execute("""
        SELECT n.return_id, n.framework_key, n.requirement_id, n.rating, n.reason,
               (SELECT COUNT(*) FROM actions x WHERE x.answer_id = n.id),
               (SELECT COUNT(*) FROM answer_evidence ae WHERE ae.answer_id = n.id)
        FROM returns r JOIN answers n ON n.return_id = r.id
        WHERE r.cycle_id = ? AND n.rating IS NOT NULL AND n.carried_forward = 0""", [cycle_id])
    for return_id, framework_key, requirement_id, rating, reason, actions, evidence in cursor:
        answers, counts = found.setdefault(return_id, ({}, {}))
        key = (framework_key, requirement_id)
        answers[key] = {"rating": rating, "reason": reason, "carried_forward": 0, "evidence": evidence}
        counts[key] = actions
    return found


def open_cycles_with_board_pack(db: Database, *, kind: str) -> list[dict]:
    """Each open cycle, latest opened first, with its latest job of this kind (job_id None when there is none)."""
    return rows(db, """
        SELECT c.id, c.name, c.due_date, j.id AS job_id, j.status AS job_status, j.created_at AS job_created_at,
               j.finished_at AS job_finished_at, j.total AS job_total
        FROM cycles c LEFT JOIN jobs j ON j.id = (SELECT MAX(k.id) FROM jobs k WHERE k.cycle_id = c.id AND k.kind = ?)
        WHERE c.status = 'open' ORDER BY c.open_date DESC, c.id DESC""", [kind])


def open_cycle_returns(db: Database) -> list[dict]:
    """Every return of an open cycle, by organisation name, with its cycle's name and due date and its latest
    signed version's submission time and the time of the coordinator's decision on it."""
    return rows(db, f"""
        SELECT r.id, r.status, r.withdrawn_at, o.name AS organisation_name, c.id AS cycle_id, c.name AS cycle_name,
               c.due_date, v.submitted_at, v.outcome_at
        FROM returns r JOIN organisations o ON o.id = r.organisation_id JOIN cycles c ON c.id = r.cycle_id
        {_LATEST_VERSION}
        WHERE c.status = 'open' ORDER BY o.name COLLATE NOCASE, c.open_date DESC""")  # nosec B608: own SQL


def expiring_evidence(db: Database, *, until: str) -> list[dict]:
    """Evidence items valid until `until` or earlier that back an answer of a return in an open cycle: one row per
    item and return, soonest to expire first."""
    return rows(db, """
        SELECT DISTINCT e.id, e.title, e.valid_until, r.id AS return_id, r.withdrawn_at,
               o.name AS organisation_name, c.name AS cycle_name
        FROM evidence e JOIN answer_evidence ae ON ae.evidence_id = e.id JOIN answers n ON n.id = ae.answer_id
        JOIN returns r ON r.id = n.return_id JOIN cycles c ON c.id = r.cycle_id
        JOIN organisations o ON o.id = r.organisation_id
        WHERE c.status = 'open' AND e.valid_until IS NOT NULL AND e.valid_until <> '' AND e.valid_until <= ?
        ORDER BY e.valid_until, o.name COLLATE NOCASE, e.title COLLATE NOCASE, e.id""", [until])
