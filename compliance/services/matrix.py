"""The matrix of a cycle, read from the database: what each organisation signed, this cycle and the one before.

No Flask: the database comes in as an argument.
"""
from __future__ import annotations

from sqlite_utils import Database

from compliance import store
from compliance.core.figures import CycleFigures, cycle_figures
from compliance.core.matrix import SELF_ASSESSED, Matrix, OrgRow, build_matrix, previous_ratings
from compliance.core.sectors import Sectors
from compliance.core.verification import validated_code
from compliance.services.returns import cycle_frameworks


def org_rows(found: list[dict], ratings: dict[int, dict], checks: dict[int, dict] | None = None) -> list[OrgRow]:
    """Store rows to matrix rows: ratings as signed (None when nothing stands); checks maps return id -> the
    auditors' verifications, whose validated ratings come along."""
    return [OrgRow(r["organisation_id"], r["organisation_name"], r["sector"], r["return_id"], r["status"],
                   None if r["version"] is None else ratings.get(r["return_id"], {}), r["version"],
                   _validated((checks or {}).get(r["return_id"], {})), withdrawn=bool(r["withdrawn_at"]))
            for r in found]


def _validated(found: dict) -> dict:
    return {key: code for key, check in found.items() if (code := validated_code(check)) is not None}


def cycle_matrix(db: Database, cycle: dict, *, sectors: Sectors, sector: str | None = None,
                 framework_id: str | None = None, status: str | None = None, view: str = SELF_ASSESSED) -> Matrix:
    """The matrix of a cycle against the previous cycle, filtered as asked, self-assessed or validated; rows by
    the partnership's sectors."""
    rows = org_rows(store.matrix_returns(db, cycle["id"]), store.matrix_ratings(db, cycle["id"]),
                    store.verifications_for_cycle(db, cycle["id"]))
    before = store.previous_cycle(db, cycle["id"])
    previous = None
    if before is not None and view == SELF_ASSESSED:
        previous = previous_ratings(org_rows(store.matrix_returns(db, before["id"]),
                                             store.matrix_ratings(db, before["id"])))
    return build_matrix(cycle_frameworks(db, cycle["id"]), rows, previous, sectors=sectors, sector=sector,
                        framework_id=framework_id, status=status, cycle=cycle["name"], view=view,
                        final=cycle["status"] == "closed")


def figures(db: Database, cycle: dict) -> CycleFigures:
    """A cycle's counts per requirement, self-assessed and unfiltered, as the matrix counts them: read with the
    matrix's two queries and counted without building the matrix (what the charts need)."""
    rows = org_rows(store.matrix_returns(db, cycle["id"]), store.matrix_ratings(db, cycle["id"]))
    return cycle_figures(cycle_frameworks(db, cycle["id"]), rows, final=cycle["status"] == "closed")
