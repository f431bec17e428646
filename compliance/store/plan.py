"""SQL for the partnership's own plan: strategies and their themes, actions and their progress updates, and who may
lead them (measures and risks are in plan_measures.py).

Each change is recorded in the audit log in the same transaction, with the values before and after (people,
organisations and themes by name). Progress updates are only ever added: the database refuses to change or remove
one.
"""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.core.text import shorten
from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record

__all__ = ["plan_strategies", "plan_strategy", "add_plan_strategy", "update_plan_strategy", "plan_themes",
           "plan_theme", "add_plan_theme", "rename_plan_theme", "swap_plan_themes", "remove_plan_theme",
           "plan_theme_in_use", "plan_actions", "plan_action", "add_plan_action", "update_plan_action",
           "plan_action_updates", "add_plan_action_update", "plan_people"]

_ACTION = """SELECT a.*, t.name AS theme_name, o.name AS lead_organisation_name, u.name AS lead_name,
                    u.email AS lead_email
             FROM plan_actions a JOIN plan_themes t ON t.id = a.theme_id
             LEFT JOIN organisations o ON o.id = a.lead_organisation_id JOIN users u ON u.id = a.lead_user_id"""
_STRATEGY_FIELDS = ("title", "first_year", "last_year", "active")
_ACTION_FIELDS = ("theme_id", "action", "outcome", "lead_organisation_id", "lead_partner", "lead_user_id", "partners",
                  "resources", "due_date", "due_period", "status")


def _pick(fields: dict, names: tuple[str, ...]) -> dict:
    return {name: fields[name] for name in names if name in fields}


# Ids kept in the audit log by what they name: people, organisations, themes, measures and frameworks are read by
# name there.
_NAMES = {"lead_user_id": ("lead", "SELECT name FROM users WHERE id = ?"),
          "owner_user_id": ("owner", "SELECT name FROM users WHERE id = ?"),
          "lead_organisation_id": ("lead_organisation", "SELECT name FROM organisations WHERE id = ?"),
          "theme_id": ("theme", "SELECT name FROM plan_themes WHERE id = ?"),
          "raised_from_measure_id": ("raised_from", "SELECT name FROM plan_measures WHERE id = ?"),
          "source_framework": ("source_framework", "SELECT title FROM frameworks WHERE id = ? ORDER BY loaded_at DESC"
                                                   " LIMIT 1")}


def _audited(db: Database, values: dict) -> dict:
    """Values as the audit log keeps them: names rather than ids, and mitigating actions by their words."""
    out = dict(values)
    for key, (label, sql) in _NAMES.items():
        if key in out:
            value = out.pop(key)
            found = db.execute(sql, [value]).fetchone() if value is not None else None
            out[label] = found[0] if found else value
    if "actions" in out:
        out["actions"] = [_title(found[0]) if (found := db.execute("SELECT action FROM plan_actions WHERE id = ?",
                                                                   [action_id]).fetchone()) else str(action_id)
                          for action_id in out["actions"]]
    return out


def _title(text: str) -> str:
    """A long text named in the audit log's sentence, shortened (the whole text is among the values)."""
    return shorten(text or "", 80)


# Strategies and themes -------------------------------------------------------------------------------------------

def plan_strategies(db: Database) -> list[dict]:
    """Every strategy, the current one first, then the latest years first."""
    return rows(db, "SELECT * FROM plan_strategies ORDER BY active DESC, first_year DESC, id DESC")


def plan_strategy(db: Database, strategy_id: int) -> dict | None:
    return row(db, "SELECT * FROM plan_strategies WHERE id = ?", [strategy_id])


def _make_current(db: Database, strategy_id: int, *, actor: Actor, now: datetime) -> None:
    """Only one strategy is current: the one before stops being so, and says so in the audit log."""
    for before in rows(db, "SELECT id, title FROM plan_strategies WHERE active = 1 AND id != ?", [strategy_id]):
        db.execute("UPDATE plan_strategies SET active = 0, updated_at = ? WHERE id = ?", [iso(now), before["id"]])
        record(db, actor, action="plan-strategy-changed", object_type="strategy", object_id=before["id"],
               old={"active": 1, "title": before["title"]}, new={"active": 0, "title": before["title"]}, now=now)


def add_plan_strategy(db: Database, fields: dict, themes: list[str], *, actor: Actor, now: datetime) -> int:
    """A new strategy with its themes in the order given; the strategy's id."""
    with db.atomic():
        if fields.get("active"):
            _make_current(db, -1, actor=actor, now=now)
        strategy_id = db["plan_strategies"].insert({**_pick(fields, _STRATEGY_FIELDS), "created_at": iso(now),
                                                    "updated_at": iso(now)}).last_pk
        record(db, actor, action="plan-strategy-added", object_type="strategy", object_id=strategy_id,
               new={**_pick(fields, _STRATEGY_FIELDS), "themes": themes}, now=now)
        for name in themes:
            add_plan_theme(db, strategy_id, name, actor=actor, now=now)
    return int(strategy_id)


def update_plan_strategy(db: Database, strategy_id: int, fields: dict, *, actor: Actor, now: datetime) -> None:
    with db.atomic():
        before = plan_strategy(db, strategy_id) or {}
        old, new = changed_fields(before, _pick(fields, _STRATEGY_FIELDS))
        if not new:
            return
        if new.get("active"):
            _make_current(db, strategy_id, actor=actor, now=now)
        _set_columns(db, "plan_strategies", strategy_id, new, now=now)
        record(db, actor, action="plan-strategy-changed", object_type="strategy", object_id=strategy_id,
               old={**old, "title": before.get("title")}, new={**new, "title": fields.get("title")}, now=now)


def plan_themes(db: Database, strategy_id: int) -> list[dict]:
    return rows(db, "SELECT * FROM plan_themes WHERE strategy_id = ? ORDER BY position, id", [strategy_id])


def plan_theme(db: Database, theme_id: int) -> dict | None:
    return row(db, "SELECT * FROM plan_themes WHERE id = ?", [theme_id])


def add_plan_theme(db: Database, strategy_id: int, name: str, *, actor: Actor, now: datetime) -> int:
    """A theme after the strategy's others."""
    with db.atomic():
        position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM plan_themes WHERE strategy_id = ?",
                              [strategy_id]).fetchone()[0]
        theme_id = db["plan_themes"].insert({"strategy_id": strategy_id, "name": name, "position": position,
                                             "created_at": iso(now)}).last_pk
        record(db, actor, action="plan-theme-added", object_type="plan-theme", object_id=theme_id,
               new={"title": name, "strategy": strategy_id, "position": position}, now=now)
    return int(theme_id)


def rename_plan_theme(db: Database, theme_id: int, name: str, *, actor: Actor, now: datetime) -> None:
    with db.atomic():
        before = plan_theme(db, theme_id) or {}
        if before.get("name") == name:
            return
        db.execute("UPDATE plan_themes SET name = ? WHERE id = ?", [name, theme_id])
        record(db, actor, action="plan-theme-changed", object_type="plan-theme", object_id=theme_id,
               old={"title": before.get("name")}, new={"title": name}, now=now)


def swap_plan_themes(db: Database, first: dict, second: dict, *, actor: Actor, now: datetime) -> None:
    """Two themes change places in their strategy's order."""
    with db.atomic():
        db.execute("UPDATE plan_themes SET position = ? WHERE id = ?", [second["position"], first["id"]])
        db.execute("UPDATE plan_themes SET position = ? WHERE id = ?", [first["position"], second["id"]])
        for theme, old, new in ((first, first["position"], second["position"]),
                                (second, second["position"], first["position"])):
            record(db, actor, action="plan-theme-changed", object_type="plan-theme", object_id=theme["id"],
                   old={"title": theme["name"], "position": old}, new={"title": theme["name"], "position": new},
                   now=now)


def plan_theme_in_use(db: Database, theme_id: int) -> bool:
    """Whether any action or measure belongs to the theme."""
    return bool(db.execute("SELECT EXISTS (SELECT 1 FROM plan_actions WHERE theme_id = ?)"
                           " OR EXISTS (SELECT 1 FROM plan_measures WHERE theme_id = ?)",
                           [theme_id, theme_id]).fetchone()[0])


def remove_plan_theme(db: Database, theme_id: int, *, actor: Actor, now: datetime) -> bool:
    """Remove a theme nothing belongs to; False (and nothing changed) when an action or measure does."""
    with db.atomic():
        before = plan_theme(db, theme_id)
        if before is None or plan_theme_in_use(db, theme_id):
            return False
        db.execute("DELETE FROM plan_themes WHERE id = ?", [theme_id])
        record(db, actor, action="plan-theme-removed", object_type="plan-theme", object_id=theme_id,
               old={"title": before["name"], "position": before["position"]}, now=now)
    return True


# Actions and their progress ------------------------------------------------------------------------------------

def plan_actions(db: Database, *, strategy_id: int | None = None, lead_user_id: int | None = None) -> list[dict]:
    """A strategy's actions (or one person's, in any strategy), by theme then as added, with the names to show."""
    clause, params = _strategy_or_lead("a", strategy_id, lead_user_id)
    # bandit B608: the clause joins fixed conditions; values are parameters
    return rows(db, f"{_ACTION} {clause} ORDER BY t.position, t.id, a.id", params)  # nosec B608


_CHANGEABLE_TABLES = {"plan_strategies", "plan_actions", "plan_measures", "plan_risks"}


def _set_columns(db: Database, table: str, row_id: int, values: dict, *, now: datetime) -> None:
    """Set these columns (names from each table's own field list, never from a request) and updated_at."""
    if table not in _CHANGEABLE_TABLES:
        raise ValueError(f"not a plan table: {table}")
    assignments = "".join(f"{name} = ?, " for name in values)
    # bandit B608: the table and column names are the store's own; values are parameters
    db.execute(f"UPDATE {table} SET {assignments}updated_at = ? WHERE id = ?",  # nosec B608
               [*values.values(), iso(now), row_id])


def _strategy_or_lead(alias: str, strategy_id: int | None, lead_user_id: int | None) -> tuple[str, list[int]]:
    """The WHERE clause (and its values) choosing a table's rows of a strategy, of a lead, or of both."""
    where, params = [], []
    for column, value in (("strategy_id", strategy_id), ("lead_user_id", lead_user_id)):
        if value is not None:
            where.append(f"{alias}.{column} = ?")
            params.append(value)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


def plan_action(db: Database, action_id: int) -> dict | None:
    return row(db, f"{_ACTION} WHERE a.id = ?", [action_id])  # nosec B608: the store's own SQL


def add_plan_action(db: Database, strategy_id: int, fields: dict, *, actor: Actor, now: datetime) -> int:
    with db.atomic():
        values = _pick(fields, _ACTION_FIELDS)
        action_id = db["plan_actions"].insert({"strategy_id": strategy_id, **values, "created_at": iso(now),
                                               "updated_at": iso(now)}).last_pk
        record(db, actor, action="plan-action-added", object_type="plan-action", object_id=action_id,
               new={**_audited(db, values), "title": _title(fields["action"])}, now=now)
    return int(action_id)


def update_plan_action(db: Database, action_id: int, fields: dict, *, actor: Actor, now: datetime) -> None:
    with db.atomic():
        before = plan_action(db, action_id) or {}
        old, new = changed_fields(before, _pick(fields, _ACTION_FIELDS))
        if not new:
            return
        _set_columns(db, "plan_actions", action_id, new, now=now)
        record(db, actor, action="plan-action-changed", object_type="plan-action", object_id=action_id,
               old=_audited(db, old), new={**_audited(db, new), "title": _title(fields.get("action",
                                                                                        before.get("action")))},
               now=now)


def plan_action_updates(db: Database, action_ids: list[int]) -> list[dict]:
    """The progress updates of these actions, oldest first, with who wrote each."""
    if not action_ids:
        return []
    marks = ", ".join("?" for _ in action_ids)
    # bandit B608: one placeholder per id; the ids are parameters
    return rows(db, f"""SELECT p.*, u.name AS by_name FROM plan_action_updates p JOIN users u ON u.id = p.created_by
                        WHERE p.action_id IN ({marks}) ORDER BY p.action_id, p.id""", action_ids)  # nosec B608


def add_plan_action_update(db: Database, action: dict, *, note: str, rag: str, status: str, actor: Actor,
                           now: datetime) -> int:
    """A progress update (kept for ever), and the action's new status when it changed."""
    with db.atomic():
        update_id = db["plan_action_updates"].insert({"action_id": action["id"], "note": note, "rag": rag,
                                                      "created_by": actor.id, "created_at": iso(now)}).last_pk
        changed = {"status": status} if status != action["status"] else {}
        if changed:
            db.execute("UPDATE plan_actions SET status = ?, updated_at = ? WHERE id = ?", [status, iso(now),
                                                                                           action["id"]])
        record(db, actor, action="plan-action-updated", object_type="plan-action", object_id=action["id"],
               old={"status": action["status"]} if changed else None,
               new={"title": _title(action["action"]), "note": note, "rag": rag, **changed}, now=now)
    return int(update_id)


# People ----------------------------------------------------------------------------------------------------------

def plan_people(db: Database) -> list[dict]:
    """Who may lead an action or measure, or own a risk: every active person except auditors (who check the
    partnership's work rather than deliver it), by name, with their organisation."""
    return rows(db, """SELECT u.id, u.name, u.email, u.role, o.name AS organisation_name
                       FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
                       WHERE u.active = 1 AND u.role != 'auditor'
                       ORDER BY u.name COLLATE NOCASE, u.id""")
