"""SQL for the partnership matrix: a cycle's returns with the signed version that counts, and its ratings."""
from __future__ import annotations

from sqlite_utils import Database

from compliance.core.returns import SIGNED, sql_list
from compliance.store._common import rows

__all__ = ["matrix_returns", "matrix_ratings"]

# Each return of a cycle with its organisation, and its latest signed version that stands (submitted and
# waiting, or accepted); version is NULL when nothing submitted stands. Withdrawn returns come too, marked by
# withdrawn_at: the core's matrix leaves them out of every figure and names them.
_STANDING = f"""
    SELECT r.id AS return_id, r.organisation_id, o.name AS organisation_name, r.sector, r.status, r.withdrawn_at,
           v.version, v.id AS version_id
    FROM returns r JOIN organisations o ON o.id = r.organisation_id
    LEFT JOIN return_versions v ON v.return_id = r.id AND r.status IN {sql_list(SIGNED)}
         AND v.version = (SELECT MAX(version) FROM return_versions w WHERE w.return_id = r.id
                          AND (w.outcome IS NULL OR w.outcome = 'accepted'))
    WHERE r.cycle_id = ?"""  # nosec B608: a fixed list of statuses


def matrix_returns(db: Database, cycle_id: int) -> list[dict]:
    """Each return of a cycle, by organisation name, with the version that stands (None: nothing submitted)."""
    return rows(db, f"{_STANDING} ORDER BY o.name COLLATE NOCASE", [cycle_id])


def matrix_ratings(db: Database, cycle_id: int) -> dict[int, dict[tuple[str, str], str | None]]:
    """return id -> (framework key, requirement id) -> rating, read from each standing signed version.

    SQLite's JSON functions pick the three fields out of the canonical text, so a matrix of 1,000 organisations
    never holds their signed documents (narratives and all) in Python's memory at once.
    """
    found: dict[int, dict[tuple[str, str], str | None]] = {}
    # bandit B608: _STANDING is this module's own SQL; the cycle id is a bound parameter.
    cursor = db.execute(f"""
        WITH standing AS ({_STANDING})
        SELECT s.return_id, json_extract(a.value, '$.framework'), json_extract(a.value, '$.requirement'),
               json_extract(a.value, '$.rating')
        FROM standing s JOIN return_versions v ON v.id = s.version_id, json_each(v.canonical, '$.answers') a""",  # nosec B608
        [cycle_id])
    for return_id, framework_key, requirement_id, rating in cursor:
        found.setdefault(return_id, {})[(framework_key, requirement_id)] = rating
    return found
