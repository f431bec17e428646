"""SQL for organisations: the list with people counts, one organisation, and audited changes."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record

__all__ = [
    "upsert_organisation", "organisations", "organisation", "organisation_named", "organisation_names",
    "add_organisation", "change_organisation", "import_organisations", "demo_loaded", "database_ok",
]

# What an admin may set on an organisation, and so what the audit log shows of it.
_EDITABLE = ("name", "sector", "contact_name", "contact_email", "active")
# People whose account is not deactivated (invited or active) count as the organisation's people.
_WITH_PEOPLE = (
    "SELECT o.*, (SELECT COUNT(*) FROM users u WHERE u.organisation_id = o.id AND u.active = 1) AS people"
    " FROM organisations o"
)


def upsert_organisation(db: Database, *, name: str, sector: str, contact_name: str = "",
                        contact_email: str = "", demo: bool = False, now: datetime) -> int:
    """Create the organisation, or update it in place when one of that name exists; returns its id."""
    row = db.execute("SELECT id FROM organisations WHERE name = ?", [name]).fetchone()
    values = {"sector": sector, "contact_name": contact_name, "contact_email": contact_email, "demo": int(demo)}
    if row:
        db["organisations"].update(row[0], values)
        return row[0]
    return db["organisations"].insert({"name": name, "created_at": iso(now), **values}).last_pk


def organisations(db: Database, *, active: bool | None = None) -> list[dict]:
    """Organisations by name with their number of people; only active or archived ones when asked."""
    if active is None:
        return rows(db, f"{_WITH_PEOPLE} ORDER BY o.name COLLATE NOCASE")
    return rows(db, f"{_WITH_PEOPLE} WHERE o.active = ? ORDER BY o.name COLLATE NOCASE", [int(active)])


def organisation(db: Database, organisation_id: int) -> dict | None:
    return row(db, f"{_WITH_PEOPLE} WHERE o.id = ?", [organisation_id])


def organisation_named(db: Database, name: str) -> dict | None:
    """The organisation with this name, ignoring case and surrounding spaces."""
    return row(db, "SELECT * FROM organisations WHERE name = ? COLLATE NOCASE", [name.strip()])


def organisation_names(db: Database) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM organisations").fetchall()}


def _insert(db: Database, values: dict, *, actor: Actor, now: datetime) -> int:
    values = {key: values[key] for key in _EDITABLE if key in values}
    values.setdefault("active", 1)
    organisation_id = db["organisations"].insert({**values, "created_at": iso(now)}).last_pk
    record(db, actor, action="organisation-added", object_type="organisation", object_id=organisation_id,
           organisation_id=organisation_id, new=values, now=now)
    return organisation_id


def add_organisation(db: Database, values: dict, *, actor: Actor, now: datetime) -> int:
    """Add one organisation (name, sector, contact_name, contact_email, active) and log it; returns its id."""
    with db.atomic():
        return _insert(db, values, actor=actor, now=now)


def change_organisation(db: Database, organisation_id: int, values: dict, *, actor: Actor, now: datetime) -> bool:
    """Change an organisation's details; log old and new values of what changed. False when nothing changed."""
    with db.atomic():
        before = organisation(db, organisation_id)
        old, new = changed_fields({key: before[key] for key in _EDITABLE},
                                  {key: value for key, value in values.items() if key in _EDITABLE})
        if not new:
            return False
        db["organisations"].update(organisation_id, new)
        record(db, actor, action="organisation-changed", object_type="organisation", object_id=organisation_id,
               organisation_id=organisation_id, old=old, new=new, now=now)
    return True


def import_organisations(db: Database, organisations_to_add: list[dict], *, actor: Actor, now: datetime) -> list[int]:
    """Add every organisation in one transaction (all or none), logging each and the import as a whole."""
    with db.atomic():
        ids = [_insert(db, values, actor=actor, now=now) for values in organisations_to_add]
        record(db, actor, action="organisations-imported", object_type="organisation",
               new={"count": len(ids), "names": [values["name"] for values in organisations_to_add]}, now=now)
    return ids


def demo_loaded(db: Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM organisations WHERE demo = 1)").fetchone()[0] == 1


def database_ok(db: Database) -> bool:
    """True when SQLite answers a query and reports no corruption in a quick check."""
    return db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
