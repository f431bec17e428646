"""SQL for the partnership's action plan: the improvement actions in each signed version that stands."""
from __future__ import annotations

from sqlite_utils import Database

from compliance.store._common import rows
from compliance.store.matrix import _STANDING

__all__ = ["signed_actions"]


def signed_actions(db: Database, cycle_id: int) -> list[dict]:
    """Every improvement action in the signed version that stands of each return of a cycle (the matrix's own
    choice of version: submitted or accepted, never one sent back), withdrawn returns left out.

    SQLite's JSON functions pick the actions out of the canonical text, so narratives are never read.
    """
    # bandit B608: _STANDING is the store's own SQL; the cycle id is a bound parameter.
    return rows(db, f"""
        WITH standing AS ({_STANDING})
        SELECT s.organisation_id, s.organisation_name, s.return_id, s.version,
               json_extract(a.value, '$.framework') AS framework_key,
               json_extract(a.value, '$.requirement') AS requirement_id,
               json_extract(a.value, '$.ref') AS ref, json_extract(a.value, '$.title') AS title,
               json_extract(x.value, '$.what') AS what, json_extract(x.value, '$.owner') AS owner,
               json_extract(x.value, '$.due_date') AS due_date, json_extract(x.value, '$.status') AS status
        FROM standing s JOIN return_versions v ON v.id = s.version_id,
             json_each(v.canonical, '$.answers') a, json_each(a.value, '$.actions') x
        WHERE s.withdrawn_at IS NULL
        ORDER BY s.organisation_name COLLATE NOCASE, s.return_id, a.key, x.key""", [cycle_id])  # nosec B608
