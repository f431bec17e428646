"""SQL for organisations joining and leaving open cycles: a return made late, withdrawn, or brought back."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, record
from compliance.store.returns import insert_return

__all__ = ["open_cycles", "return_in_cycle", "add_return", "withdraw_return", "reinstate_return",
           "organisations_without_return"]


def open_cycles(db: Database) -> list[dict]:
    """Every open cycle, the earliest to open first."""
    return rows(db, "SELECT * FROM cycles WHERE status = 'open' ORDER BY open_date, id")


def return_in_cycle(db: Database, cycle_id: int, organisation_id: int) -> dict | None:
    """The organisation's return in a cycle (withdrawn or not), if it has one."""
    return row(db, "SELECT * FROM returns WHERE cycle_id = ? AND organisation_id = ?", [cycle_id, organisation_id])


def add_return(db: Database, cycle: dict, organisation: dict, *, actor: Actor, now: datetime) -> int:
    """Give an organisation that joined while the cycle is open its return; logged. Returns its id."""
    with db.atomic():
        return_id = insert_return(db, cycle["id"], organisation, now=now)
        record(db, actor, action="return-added-late", object_type="return", object_id=return_id,
               organisation_id=organisation["id"],
               new={"status": "not-started", "sector": organisation["sector"], "due_date": cycle["due_date"]},
               now=now)
    return return_id


def withdraw_return(db: Database, ret: dict, *, actor: Actor, now: datetime) -> None:
    """Withdraw a return whose organisation left: nothing in it is changed or deleted; logged."""
    with db.atomic():
        db.execute("UPDATE returns SET withdrawn_at = ? WHERE id = ?", [iso(now), ret["id"]])
        record(db, actor, action="return-withdrawn", object_type="return", object_id=ret["id"],
               organisation_id=ret["organisation_id"], old={"withdrawn_at": None},
               new={"withdrawn_at": iso(now), "status": ret["status"]}, now=now)


def reinstate_return(db: Database, ret: dict, *, actor: Actor, now: datetime) -> None:
    """Bring a withdrawn return back, as it was left; logged."""
    with db.atomic():
        db.execute("UPDATE returns SET withdrawn_at = NULL WHERE id = ?", [ret["id"]])
        record(db, actor, action="return-reinstated", object_type="return", object_id=ret["id"],
               organisation_id=ret["organisation_id"], old={"withdrawn_at": ret["withdrawn_at"]},
               new={"withdrawn_at": None, "status": ret["status"]}, now=now)


def organisations_without_return(db: Database, cycle_id: int) -> list[dict]:
    """Active organisations, by name, with no return that counts in a cycle (none, or only a withdrawn one)."""
    return rows(db, """SELECT o.* FROM organisations o WHERE o.active = 1 AND NOT EXISTS (
                           SELECT 1 FROM returns r WHERE r.cycle_id = ? AND r.organisation_id = o.id
                           AND r.withdrawn_at IS NULL)
                       ORDER BY o.name COLLATE NOCASE""", [cycle_id])
