"""The matrix of a cycle, read from the database: what each organisation signed, this cycle and the one before.

No Flask: the database comes in as an argument.
"""
from __future__ import annotations

from sqlite_utils import Database

from . import store
from .matrix import Matrix, OrgRow, build_matrix, ratings_from_signed
from .return_service import cycle_frameworks


def org_rows(found: list[dict]) -> list[OrgRow]:
    """Store rows to matrix rows: ratings from the signed canonical JSON, None when nothing stands."""
    return [OrgRow(r["organisation_id"], r["organisation_name"], r["sector"], r["return_id"], r["status"],
                   None if r["canonical"] is None else ratings_from_signed(r["canonical"]), r["version"])
            for r in found]


def cycle_matrix(db: Database, cycle: dict, *, sector: str | None = None, framework_id: str | None = None,
                 status: str | None = None) -> Matrix:
    """The matrix of a cycle against the previous cycle, filtered as asked."""
    rows = org_rows(store.matrix_returns(db, cycle["id"]))
    before = store.previous_cycle(db, cycle["id"])
    previous = None
    if before is not None:
        previous = {row.organisation_id: row.ratings for row in org_rows(store.matrix_returns(db, before["id"]))}
    return build_matrix(cycle_frameworks(db, cycle["id"]), rows, previous, sector=sector,
                        framework_id=framework_id, status=status, cycle=cycle["name"])
