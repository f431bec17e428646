"""SQL for the partnership matrix: a cycle's returns with the signed version that counts."""
from __future__ import annotations

from sqlite_utils import Database

from ._common import rows

__all__ = ["matrix_returns"]


def matrix_returns(db: Database, cycle_id: int) -> list[dict]:
    """Each return of a cycle with its organisation, and the canonical text of its latest signed version that
    stands (submitted and waiting, or accepted); canonical is None when nothing submitted stands."""
    return rows(db, """
        SELECT r.id AS return_id, r.organisation_id, o.name AS organisation_name, r.sector, r.status,
               v.version, v.canonical
        FROM returns r JOIN organisations o ON o.id = r.organisation_id
        LEFT JOIN return_versions v ON v.return_id = r.id AND r.status IN ('submitted', 'accepted')
             AND v.version = (SELECT MAX(version) FROM return_versions w WHERE w.return_id = r.id
                              AND (w.outcome IS NULL OR w.outcome = 'accepted'))
        WHERE r.cycle_id = ? ORDER BY o.name COLLATE NOCASE""", [cycle_id])
