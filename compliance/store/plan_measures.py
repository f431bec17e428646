"""SQL for the partnership's plan's measures (their targets and figures) and its risk register (risks, their
mitigating actions and the partnership's risk bands).

Each change is recorded in the audit log in the same transaction, with the values before and after, people and
themes by name. Figures are only ever added (the database refuses to change or remove one): a correction is a new
row for the same period, and the latest stands.
"""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record
from compliance.store.plan import _audited, _pick, _set_columns, _strategy_or_lead, _title

__all__ = ["plan_measures", "plan_measure", "add_plan_measure", "update_plan_measure", "plan_measure_targets",
           "plan_measure_actuals", "add_plan_measure_actual", "plan_years_in_use", "plan_risk_bands",
           "replace_plan_risk_bands", "plan_risks", "plan_risk", "add_plan_risk", "update_plan_risk",
           "close_plan_risk", "plan_risk_actions"]

_MEASURE = """SELECT m.*, t.name AS theme_name, u.name AS lead_name, u.email AS lead_email
              FROM plan_measures m LEFT JOIN plan_themes t ON t.id = m.theme_id JOIN users u ON u.id = m.lead_user_id"""
_RISK = """SELECT r.*, u.name AS owner_name, u.email AS owner_email, m.name AS measure_name
           FROM plan_risks r JOIN users u ON u.id = r.owner_user_id
           LEFT JOIN plan_measures m ON m.id = r.raised_from_measure_id"""
_MEASURE_FIELDS = ("theme_id", "name", "definition", "unit", "direction", "baseline_period", "baseline_value",
                   "rule_kind", "tolerance", "lead_user_id", "source", "source_framework")
_RISK_FIELDS = ("description", "cause", "consequence", "likelihood", "impact", "owner_user_id", "review_by",
                "raised_from_measure_id")


# Measures, their targets and figures ------------------------------------------------------------------------------

def plan_measures(db: Database, *, strategy_id: int | None = None, lead_user_id: int | None = None) -> list[dict]:
    """A strategy's measures (or one person's, in any strategy), by theme then as added."""
    clause, params = _strategy_or_lead("m", strategy_id, lead_user_id)
    # bandit B608: the clause joins fixed conditions; values are parameters
    return rows(db, f"{_MEASURE} {clause} ORDER BY t.position, t.id, m.id", params)  # nosec B608


def plan_measure(db: Database, measure_id: int) -> dict | None:
    return row(db, f"{_MEASURE} WHERE m.id = ?", [measure_id])  # nosec B608: the store's own SQL


def plan_measure_targets(db: Database, measure_ids: list[int]) -> dict[int, dict[int, str]]:
    """measure id -> the year a target's financial year starts in -> the target, as stored."""
    found: dict[int, dict[int, str]] = {}
    if not measure_ids:
        return found
    marks = ", ".join("?" for _ in measure_ids)
    # bandit B608: one placeholder per id; the ids are parameters
    for target in rows(db, f"SELECT * FROM plan_measure_targets WHERE measure_id IN ({marks})",  # nosec B608
                       measure_ids):
        found.setdefault(target["measure_id"], {})[target["year"]] = target["value"]
    return found


def _replace_targets(db: Database, measure_id: int, targets: dict[int, str]) -> None:
    db.execute("DELETE FROM plan_measure_targets WHERE measure_id = ?", [measure_id])
    for year, value in sorted(targets.items()):
        db.execute("INSERT INTO plan_measure_targets (measure_id, year, value) VALUES (?, ?, ?)",
                   [measure_id, year, value])


def _targets_text(targets: dict[int, str]) -> list[str]:
    """Targets as the audit log keeps them: "2019/20: 40"."""
    return [f"{year}/{(year + 1) % 100:02d}: {value}" for year, value in sorted(targets.items())]


def add_plan_measure(db: Database, strategy_id: int, fields: dict, targets: dict[int, str], *, actor: Actor,
                     now: datetime) -> int:
    with db.atomic():
        values = _pick(fields, _MEASURE_FIELDS)
        measure_id = db["plan_measures"].insert({"strategy_id": strategy_id, **values, "created_at": iso(now),
                                                 "updated_at": iso(now)}).last_pk
        _replace_targets(db, measure_id, targets)
        record(db, actor, action="plan-measure-added", object_type="measure", object_id=measure_id,
               new={**_audited(db, values), "targets": _targets_text(targets)}, now=now)
    return int(measure_id)


def update_plan_measure(db: Database, measure_id: int, fields: dict, targets: dict[int, str], *, actor: Actor,
                        now: datetime) -> None:
    with db.atomic():
        before = plan_measure(db, measure_id) or {}
        before_targets = plan_measure_targets(db, [measure_id]).get(measure_id, {})
        old, new = changed_fields(before, _pick(fields, _MEASURE_FIELDS))
        if before_targets != targets:
            old["targets"], new["targets"] = _targets_text(before_targets), _targets_text(targets)
            _replace_targets(db, measure_id, targets)
        if not new:
            return
        _set_columns(db, "plan_measures", measure_id,
                     {name: value for name, value in new.items() if name != "targets"}, now=now)
        record(db, actor, action="plan-measure-changed", object_type="measure", object_id=measure_id,
               old=_audited(db, old), new={**_audited(db, new), "name": fields.get("name", before.get("name"))},
               now=now)


def plan_measure_actuals(db: Database, measure_ids: list[int]) -> list[dict]:
    """Every figure entered for these measures, corrections included, oldest first, with who entered each."""
    if not measure_ids:
        return []
    marks = ", ".join("?" for _ in measure_ids)
    # bandit B608: one placeholder per id; the ids are parameters
    return rows(db, f"""SELECT f.*, u.name AS by_name FROM plan_measure_actuals f JOIN users u ON u.id = f.entered_by
                        WHERE f.measure_id IN ({marks}) ORDER BY f.measure_id, f.id""", measure_ids)  # nosec B608


def add_plan_measure_actual(db: Database, measure: dict, *, period: str, value: str, replaces: str | None,
                            actor: Actor, now: datetime) -> int:
    """A figure for a period; `replaces` is the figure it corrects (kept, as every figure is)."""
    with db.atomic():
        figure_id = db["plan_measure_actuals"].insert({"measure_id": measure["id"], "period": period, "value": value,
                                                       "entered_by": actor.id, "entered_at": iso(now)}).last_pk
        record(db, actor, action="plan-figure-entered", object_type="measure", object_id=measure["id"],
               old=None if replaces is None else {"period": period, "value": replaces},
               new={"name": measure["name"], "period": period, "value": value}, now=now)
    return int(figure_id)


def plan_years_in_use(db: Database, strategy_id: int) -> list[int]:
    """The years of a strategy's targets, figures and action due dates (as periods are written), for changing its
    years: the first year each financial year starts in, from targets, and the periods of figures."""
    targets = [r[0] for r in db.execute(
        "SELECT DISTINCT t.year FROM plan_measure_targets t JOIN plan_measures m ON m.id = t.measure_id"
        " WHERE m.strategy_id = ?", [strategy_id]).fetchall()]
    figures = [int(r[0][:4]) for r in db.execute(
        "SELECT DISTINCT f.period FROM plan_measure_actuals f JOIN plan_measures m ON m.id = f.measure_id"
        " WHERE m.strategy_id = ?", [strategy_id]).fetchall()]
    return sorted(set(targets) | set(figures))


# Risks ----------------------------------------------------------------------------------------------------------

def plan_risk_bands(db: Database) -> list[dict]:
    """The partnership's bands, lowest first; empty when it uses the defaults."""
    return rows(db, "SELECT * FROM plan_risk_bands ORDER BY lowest")


def replace_plan_risk_bands(db: Database, bands: list[dict], *, actor: Actor, now: datetime) -> None:
    with db.atomic():
        before = plan_risk_bands(db)
        db.execute("DELETE FROM plan_risk_bands")
        for band in bands:
            db.execute("INSERT INTO plan_risk_bands (lowest, name, rag) VALUES (?, ?, ?)",
                       [band["lowest"], band["name"], band["rag"]])
        record(db, actor, action="plan-risk-bands-changed", object_type="risk-bands",
               old={"bands": [_band_text(b) for b in before]}, new={"bands": [_band_text(b) for b in bands]},
               now=now)


def _band_text(band: dict) -> str:
    return f"{band['name']} ({band['rag']}) from {band['lowest']}"


def plan_risks(db: Database, strategy_id: int, *, closed: bool = False) -> list[dict]:
    """A strategy's open risks (or, with closed, its closed ones), as added."""
    state = "IS NOT NULL" if closed else "IS NULL"
    # bandit B608: state is one of two fixed words; the id is a parameter
    return rows(db, f"{_RISK} WHERE r.strategy_id = ? AND r.closed_at {state} ORDER BY r.id",  # nosec B608
                [strategy_id])


def plan_risk(db: Database, risk_id: int) -> dict | None:
    return row(db, f"{_RISK} WHERE r.id = ?", [risk_id])  # nosec B608: the store's own SQL


def plan_risk_actions(db: Database, risk_ids: list[int]) -> dict[int, list[int]]:
    """risk id -> its mitigating actions' ids."""
    found: dict[int, list[int]] = {}
    if not risk_ids:
        return found
    marks = ", ".join("?" for _ in risk_ids)
    # bandit B608: one placeholder per id; the ids are parameters
    for link in rows(db, f"SELECT * FROM plan_risk_actions WHERE risk_id IN ({marks})"  # nosec B608
                         " ORDER BY risk_id, action_id", risk_ids):
        found.setdefault(link["risk_id"], []).append(link["action_id"])
    return found


def _replace_links(db: Database, risk_id: int, action_ids: list[int]) -> None:
    db.execute("DELETE FROM plan_risk_actions WHERE risk_id = ?", [risk_id])
    for action_id in sorted(set(action_ids)):
        db.execute("INSERT INTO plan_risk_actions (risk_id, action_id) VALUES (?, ?)", [risk_id, action_id])


def add_plan_risk(db: Database, strategy_id: int, fields: dict, action_ids: list[int], *, actor: Actor,
                  now: datetime) -> int:
    with db.atomic():
        values = _pick(fields, _RISK_FIELDS)
        risk_id = db["plan_risks"].insert({"strategy_id": strategy_id, **values, "created_at": iso(now),
                                           "updated_at": iso(now)}).last_pk
        _replace_links(db, risk_id, action_ids)
        record(db, actor, action="plan-risk-added", object_type="risk", object_id=risk_id,
               new={**_audited(db, {**values, "actions": sorted(set(action_ids))}),
                    "title": _title(fields["description"])}, now=now)
    return int(risk_id)


def update_plan_risk(db: Database, risk_id: int, fields: dict, action_ids: list[int], *, actor: Actor,
                     now: datetime) -> None:
    with db.atomic():
        before = plan_risk(db, risk_id) or {}
        before_links = plan_risk_actions(db, [risk_id]).get(risk_id, [])
        old, new = changed_fields(before, _pick(fields, _RISK_FIELDS))
        if sorted(set(action_ids)) != before_links:
            old["actions"], new["actions"] = before_links, sorted(set(action_ids))
            _replace_links(db, risk_id, action_ids)
        if not new:
            return
        _set_columns(db, "plan_risks", risk_id,
                     {name: value for name, value in new.items() if name != "actions"}, now=now)
        record(db, actor, action="plan-risk-changed", object_type="risk", object_id=risk_id,
               old=_audited(db, old), new={**_audited(db, new), "title": _title(fields.get(
                   "description", before.get("description")))}, now=now)


def close_plan_risk(db: Database, risk: dict, *, actor: Actor, now: datetime) -> None:
    """A risk leaves the register; it is kept, with its history in the audit log."""
    with db.atomic():
        db.execute("UPDATE plan_risks SET closed_at = ?, updated_at = ? WHERE id = ? AND closed_at IS NULL",
                   [iso(now), iso(now), risk["id"]])
        record(db, actor, action="plan-risk-closed", object_type="risk", object_id=risk["id"],
               new={"title": _title(risk["description"])}, now=now)
