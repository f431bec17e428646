"""Organisations joining and leaving while a cycle is open.

An organisation added (one at a time or imported) or made active again gets its return in each open cycle; one
archived has its return there withdrawn; each in the same transaction as the change to the organisation, and
logged. The coordinator can also give active organisations without a return theirs, from the cycle's page.
No Flask: the database, time and the acting person come in as arguments.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.membership import Joined, Left, Outcome, joining_hint, leaving_hint, takes_part
from compliance.services.returns import cycle_frameworks
from compliance.store import Actor

NOT_ASKED = "not-asked"  # what _join_cycle says when the cycle's frameworks ask the organisation's sector nothing


def add_organisation(db: Database, values: dict, *, actor: Actor, now: datetime) -> tuple[int, Outcome]:
    """Add one organisation; an active one gets its return in each open cycle. Returns its id and what it got."""
    with db.atomic():
        organisation_id = store.add_organisation(db, values, actor=actor, now=now)
        organisation = store.organisation(db, organisation_id)
        outcome = _join(db, organisation, actor=actor, now=now) if organisation["active"] else Outcome()
    return organisation_id, outcome


def import_organisations(db: Database, organisations: list[dict], *, actor: Actor,
                         now: datetime) -> tuple[list[int], list[Joined]]:
    """Import organisations (all or none); each gets its return in each open cycle. Their ids, and the returns."""
    joined: list[Joined] = []
    with db.atomic():
        ids = store.import_organisations(db, organisations, actor=actor, now=now)
        for organisation_id in ids:
            organisation = store.organisation(db, organisation_id)
            if organisation["active"]:
                joined += _join(db, organisation, actor=actor, now=now).joined
    return ids, joined


def change_organisation(db: Database, organisation_id: int, values: dict, *, actor: Actor,
                        now: datetime) -> tuple[bool, Outcome]:
    """Change an organisation's details. Archived: its returns in open cycles are withdrawn; made active again:
    they come back, or it gets new ones. (False, nothing) when nothing changed."""
    with db.atomic():
        before = store.organisation(db, organisation_id)
        if not store.change_organisation(db, organisation_id, values, actor=actor, now=now):
            return False, Outcome()
        after = store.organisation(db, organisation_id)
        if before["active"] and not after["active"]:
            return True, _leave(db, after, actor=actor, now=now)
        if after["active"] and not before["active"]:
            return True, _join(db, after, actor=actor, now=now)
    return True, Outcome()


def add_to_cycle(db: Database, cycle_id: int, organisation_ids: Iterable[int], *, actor: Actor,
                 now: datetime) -> list[Joined]:
    """Give these active organisations their return in an open cycle, if they have none that counts there."""
    joined: list[Joined] = []
    with db.atomic():
        cycle = store.cycle(db, cycle_id)
        if cycle is None or cycle["status"] != "open":
            return []
        frameworks = cycle_frameworks(db, cycle_id)
        for organisation_id in organisation_ids:
            organisation = store.organisation(db, organisation_id)
            if organisation is not None and organisation["active"]:
                found = _join_cycle(db, cycle, frameworks, organisation, actor=actor, now=now)
                joined += [found] if isinstance(found, Joined) else []
    return joined


def joiners(db: Database, cycle_id: int) -> tuple[list[dict], list[dict]]:
    """Active organisations with no return that counts in the cycle: those it would ask something, and those
    of a sector its frameworks ask nothing (who cannot be given one)."""
    frameworks = cycle_frameworks(db, cycle_id)
    found = store.organisations_without_return(db, cycle_id)
    return ([o for o in found if takes_part(frameworks, o["sector"])],
            [o for o in found if not takes_part(frameworks, o["sector"])])


def status_hints(db: Database, organisation: dict | None) -> dict[str, str]:
    """What the organisation form says under "Active" and "Archived": what choosing it would do to open cycles."""
    cycles = store.open_cycles(db)
    if organisation is None:
        return {"active": joining_hint(cycles, []), "archived": ""}
    returns = [(cycle, store.return_in_cycle(db, cycle["id"], organisation["id"])) for cycle in cycles]
    if organisation["active"]:
        return {"active": "", "archived": leaving_hint([c["name"] for c, r in returns if r and not r["withdrawn_at"]])}
    new = [c for c, r in returns if r is None and takes_part(cycle_frameworks(db, c["id"]), organisation["sector"])]
    return {"active": joining_hint(new, [c for c, r in returns if r and r["withdrawn_at"]]), "archived": ""}


def _join(db: Database, organisation: dict, *, actor: Actor, now: datetime) -> Outcome:
    joined, not_asked = [], []
    for cycle in store.open_cycles(db):
        found = _join_cycle(db, cycle, cycle_frameworks(db, cycle["id"]), organisation, actor=actor, now=now)
        if isinstance(found, Joined):
            joined.append(found)
        elif found == NOT_ASKED:
            not_asked.append(cycle["name"])
    return Outcome(joined=tuple(joined), not_asked=tuple(not_asked))


def _join_cycle(db: Database, cycle: dict, frameworks, organisation: dict, *, actor: Actor,
                now: datetime) -> Joined | str | None:
    """Its return in one open cycle: made, or brought back if withdrawn; NOT_ASKED when its sector is asked
    nothing there; None when it already has one."""
    ret = store.return_in_cycle(db, cycle["id"], organisation["id"])
    if ret is not None and ret["withdrawn_at"]:
        store.reinstate_return(db, ret, actor=actor, now=now)
        return Joined(organisation["name"], cycle["name"], cycle["due_date"], reinstated=True)
    if ret is not None:
        return None
    if not takes_part(frameworks, organisation["sector"]):
        return NOT_ASKED
    store.add_return(db, cycle, organisation, actor=actor, now=now)
    return Joined(organisation["name"], cycle["name"], cycle["due_date"])


def _leave(db: Database, organisation: dict, *, actor: Actor, now: datetime) -> Outcome:
    left = []
    for cycle in store.open_cycles(db):
        ret = store.return_in_cycle(db, cycle["id"], organisation["id"])
        if ret is not None and not ret["withdrawn_at"]:
            store.withdraw_return(db, ret, actor=actor, now=now)
            left.append(Left(organisation["name"], cycle["name"]))
    return Outcome(left=tuple(left))
