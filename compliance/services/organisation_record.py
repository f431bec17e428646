"""One organisation's record across the years: its returns with their signed versions, and its ratings cycle by
cycle. No Flask: the database comes in as an argument; who may see it is the caller's rule."""
from __future__ import annotations

import json

from sqlite_utils import Database

from compliance import store
from compliance.core.history import CycleRatings, FrameworkHistory, rating_history
from compliance.core.membership import shown, withdrawn
from compliance.services.returns import cycle_frameworks


def organisation_returns(db: Database, organisation_id: int) -> list[dict]:
    """Each of its returns, newest cycle first (a withdrawn one's status reading "withdrawn"), with `versions`:
    every signed version, newest first."""
    return [{**shown(ret), "versions": store.return_versions(db, ret["id"])}
            for ret in store.returns_for_organisation(db, organisation_id)]


def organisation_history(db: Database, organisation_id: int) -> list[FrameworkHistory]:
    """Its ratings year on year, per framework: what the signed version that stands (submitted or accepted) of
    each cycle's return says, compared by framework id and requirement id."""
    cycles = []
    for ret in reversed(store.returns_for_organisation(db, organisation_id)):  # oldest first
        version = None if withdrawn(ret) else store.standing_version(db, ret["id"])
        ratings = None if version is None else {(a["framework"], a["requirement"]): a.get("rating")
                                                for a in json.loads(version["canonical"])["answers"]}
        cycles.append(CycleRatings(ret["cycle_name"], ret["sector"], cycle_frameworks(db, ret["cycle_id"]), ratings,
                                   withdrawn=withdrawn(ret)))
    return rating_history(cycles)
