"""The partnership's own plan: its strategy and themes, the action plan and its leads' progress updates, the
performance measures and their figures, and the risk register.

No Flask: the database, the time and the person acting come in as arguments. What the pages and the board's
outputs read is built here as one core.plan_report.PlanValues (`plan_values`), which core.plan_report groups by
theme for every page, the board pack and the downloads. A measure of a framework's % met takes its yearly figures
from signed returns by the matrix's own rule (core.scoring.framework_percent over services.matrix.figures), never
typed.

Who may do what (the views check it; the use cases below check the lead again): the coordinator manages the
strategy, its themes, actions, measures, risks and risk bands; an action's or a measure's lead (any active person
but an auditor) adds its progress updates or figures; the board, auditors and the coordinator read everything.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlite_utils import Database

from compliance import store
from compliance.core.frameworks import newest_versions
from compliance.core.plan import (
    DEFAULT_BANDS,
    FIGURE_SOURCES,
    ActionUpdate,
    Band,
    Measure,
    MeasureRecord,
    Period,
    PlanError,
    Risk,
    Rule,
    Strategy,
    StrategyAction,
    Theme,
    Timescale,
    check_bands,
    cycle_period,
    parse_period,
    read_figure,
    strategy_period,
    validate,
)
from compliance.core.plan_report import PlanValues
from compliance.services import matrix as matrix_service


class NotLead(PermissionError):
    """Only an action's or a measure's lead may add its progress or its figures."""


# Reading the plan as core types -----------------------------------------------------------------------------------

def current_strategy_id(db: Database) -> int | None:
    """The partnership's current strategy, or None when none is marked current."""
    found = [row for row in store.plan_strategies(db) if row["active"]]
    return found[0]["id"] if found else None


def strategy(db: Database, strategy_id: int) -> Strategy | None:
    """A strategy with its years and its themes in the coordinator's order."""
    found = store.plan_strategy(db, strategy_id)
    if found is None:
        return None
    return Strategy(found["id"], found["title"], strategy_period(found["first_year"], found["last_year"]),
                    tuple(Theme(t["id"], t["name"]) for t in store.plan_themes(db, strategy_id)))


def bands(db: Database) -> tuple[Band, ...]:
    """The partnership's risk bands, or the defaults when it has set none."""
    found = store.plan_risk_bands(db)
    return tuple(Band(b["lowest"], b["name"], b["rag"]) for b in found) if found else DEFAULT_BANDS


def _actions(db: Database, found: list[dict]) -> list[StrategyAction]:
    updates: dict[int, list[ActionUpdate]] = {}
    for update in store.plan_action_updates(db, [a["id"] for a in found]):
        updates.setdefault(update["action_id"], []).append(
            ActionUpdate(update["created_at"], update["by_name"], update["note"], update["rag"]))
    return [StrategyAction(a["id"], a["theme_id"], a["action"], a["outcome"],
                           a["lead_organisation_name"] or a["lead_partner"] or "", a["lead_name"], a["partners"],
                           a["resources"], timescale_of(a), a["status"], tuple(updates.get(a["id"], ())))
            for a in found]


def timescale_of(action: dict) -> Timescale:
    """An action's timescale as stored: its due date, and the quarter or year it was given as, if it was."""
    period = parse_period(action["due_period"]) if action["due_period"] else None
    return Timescale(date.fromisoformat(action["due_date"]), period)


def measure_of(row: dict, targets: dict[int, str]) -> Measure:
    """A stored measure as core.plan rates it."""
    return Measure(row["name"], row["unit"], row["direction"], parse_period(row["baseline_period"]),
                   Decimal(row["baseline_value"]), Rule(row["rule_kind"], Decimal(row["tolerance"])),
                   tuple((Period(year), Decimal(value)) for year, value in sorted(targets.items())))


def percent_met_by_year(db: Database, framework_id: str) -> tuple[dict[Period, Decimal], set[Period]]:
    """A framework's % met in each financial year that a cycle asked it, over the signed returns that stand: the
    figure the matrix shows for the framework (one rule), with the years whose cycle is still open (provisional).
    A year with two cycles takes the later one's."""
    figures: dict[Period, Decimal] = {}
    provisional: set[Period] = set()
    cycles = sorted((c for c in store.cycles(db) if c["status"] != "draft"), key=lambda c: (c["open_date"], c["id"]))
    for cycle in cycles:
        if framework_id not in {key.split("@")[0] for key in store.cycle_framework_keys(db, cycle["id"])}:
            continue
        value = matrix_service.figures(db, cycle).framework_percent(framework_id)
        if value is None:
            continue
        period = cycle_period(cycle["name"], date.fromisoformat(cycle["open_date"]))
        figures[period] = value
        provisional.discard(period)
        if cycle["status"] != "closed":
            provisional.add(period)
    return figures, provisional


def _measures(db: Database, found: list[dict], periods: dict[int, Strategy]) -> list[MeasureRecord]:
    """Records of these measures: typed figures (the latest entered for each period stands), or for a measure of
    signed returns, the years after its baseline within its strategy."""
    ids = [m["id"] for m in found]
    targets = store.plan_measure_targets(db, ids)
    typed: dict[int, dict[Period, Decimal]] = {}
    for figure in store.plan_measure_actuals(db, ids):
        typed.setdefault(figure["measure_id"], {})[parse_period(figure["period"])] = Decimal(figure["value"])
    from_returns: dict[str, tuple[dict[Period, Decimal], set[Period]]] = {}
    titles = ({row["id"]: row["title"] for row in newest_versions(store.framework_rows(db))}
              if any(row["source"] for row in found) else {})
    records = []
    for row in found:
        measure = measure_of(row, targets.get(row["id"], {}))
        actuals, provisional = typed.get(row["id"], {}), set()
        if row["source"]:
            if row["source_framework"] not in from_returns:
                from_returns[row["source_framework"]] = percent_met_by_year(db, row["source_framework"])
            every, provisional = from_returns[row["source_framework"]]
            held = periods[row["strategy_id"]].period
            actuals = {p: v for p, v in every.items() if held.holds(p) and p.year > measure.baseline_period.year}
        records.append(MeasureRecord(row["id"], row["theme_id"], measure, row["definition"], row["lead_name"],
                                     tuple(sorted(actuals.items())), row["source"], row["source_framework"],
                                     tuple(sorted(p for p in provisional if p in actuals)),
                                     titles.get(row["source_framework"] or "", "")))
    return records


def _risks(db: Database, strategy_id: int, *, closed: bool = False) -> list[Risk]:
    found = store.plan_risks(db, strategy_id, closed=closed)
    links = store.plan_risk_actions(db, [r["id"] for r in found])
    return [Risk(r["id"], r["description"], r["cause"], r["consequence"], r["likelihood"], r["impact"],
                 r["owner_name"], date.fromisoformat(r["review_by"]) if r["review_by"] else None,
                 tuple(links.get(r["id"], ())), r["raised_from_measure_id"]) for r in found]


def plan_values(db: Database, strategy_id: int) -> PlanValues | None:
    """The strategy as every output of it reads it (core.plan_report: its pages, the board pack, the downloads):
    its themes, every action with its updates, every measure with its figures (those of signed returns filled in),
    its open risks and the partnership's risk bands; None when there is no such strategy."""
    found = strategy(db, strategy_id)
    if found is None:
        return None
    return PlanValues(found, tuple(_actions(db, store.plan_actions(db, strategy_id=strategy_id))),
                      tuple(_measures(db, store.plan_measures(db, strategy_id=strategy_id), {strategy_id: found})),
                      tuple(_risks(db, strategy_id)), bands(db))


def current_plan(db: Database) -> PlanValues | None:
    """The current strategy's values (for the board pack), or None when no strategy is current."""
    current = current_strategy_id(db)
    return plan_values(db, current) if current is not None else None


def closed_risks(db: Database, strategy_id: int) -> list[Risk]:
    return _risks(db, strategy_id, closed=True)


def lead_work(db: Database, user_id: int) -> tuple[Strategy, list[StrategyAction], list[MeasureRecord]] | None:
    """What a person leads in the current strategy (for their home page); None when they lead nothing there."""
    current = current_strategy_id(db)
    found = strategy(db, current) if current else None
    if found is None:
        return None
    actions = [a for a in store.plan_actions(db, lead_user_id=user_id) if a["strategy_id"] == found.id]
    measures = [m for m in store.plan_measures(db, lead_user_id=user_id) if m["strategy_id"] == found.id]
    if not actions and not measures:
        return None
    return found, _actions(db, actions), _measures(db, measures, {found.id: found})


def action_record(db: Database, action_id: int) -> tuple[dict, StrategyAction] | None:
    """An action as stored (its lead's id among it) and as the pages read it."""
    found = store.plan_action(db, action_id)
    return (found, _actions(db, [found])[0]) if found else None


def measure_record(db: Database, measure_id: int) -> tuple[dict, MeasureRecord, Strategy] | None:
    """A measure as stored (its lead's id among it), as the pages read it, and its strategy."""
    found = store.plan_measure(db, measure_id)
    held = strategy(db, found["strategy_id"]) if found else None
    if found is None or held is None:
        return None
    return found, _measures(db, [found], {held.id: held})[0], held


# Changing the plan ---------------------------------------------------------------------------------------------

def create_strategy(db: Database, *, title: str, first_year: int, last_year: int, themes: list[str], current: bool,
                    actor: store.Actor, now: datetime) -> int:
    """A new strategy over these years with its themes (each once); PlanError for years that cannot be."""
    strategy_period(first_year, last_year)
    names = _unique_names(themes)
    return store.add_plan_strategy(db, {"title": title, "first_year": first_year, "last_year": last_year,
                                        "active": int(current)}, names, actor=actor, now=now)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name.lower() in seen:
            raise PlanError(f"The theme “{name}” is listed twice: list each theme once", "themes")
        seen[name.lower()] = name
    return list(seen.values())


def change_strategy(db: Database, strategy_id: int, *, title: str, first_year: int, last_year: int, current: bool,
                    actor: store.Actor, now: datetime) -> None:
    """New title, years or standing; PlanError when targets or figures already fall outside the new years."""
    years = strategy_period(first_year, last_year)
    outside = [year for year in store.plan_years_in_use(db, strategy_id) if not years.holds(Period(year))]
    if outside:
        shown = ", ".join(str(Period(year)) for year in outside)
        raise PlanError(f"Measures have targets or figures for {shown}, outside {years}: choose years that include "
                        "them, or change those measures first", "first_year" if outside[0] < first_year
                        else "last_year")
    with db.atomic():
        store.update_plan_strategy(db, strategy_id, {"title": title, "first_year": first_year,
                                                     "last_year": last_year, "active": int(current)},
                                   actor=actor, now=now)


def add_theme(db: Database, strategy_id: int, name: str, *, actor: store.Actor, now: datetime) -> int:
    with db.atomic():
        _check_theme_name(db, strategy_id, name, None)
        return store.add_plan_theme(db, strategy_id, name, actor=actor, now=now)


def rename_theme(db: Database, theme: dict, name: str, *, actor: store.Actor, now: datetime) -> None:
    with db.atomic():
        _check_theme_name(db, theme["strategy_id"], name, theme["id"])
        store.rename_plan_theme(db, theme["id"], name, actor=actor, now=now)


def _check_theme_name(db: Database, strategy_id: int, name: str, theme_id: int | None) -> None:
    if any(t["name"].lower() == name.lower() and t["id"] != theme_id for t in store.plan_themes(db, strategy_id)):
        raise PlanError(f"This strategy already has a theme called “{name}”: give this one another name", "name")


def move_theme(db: Database, theme: dict, *, up: bool, actor: store.Actor, now: datetime) -> bool:
    """The theme swaps places with the one before (up) or after it; False when it is already first or last."""
    with db.atomic():
        themes = store.plan_themes(db, theme["strategy_id"])
        index = next(i for i, t in enumerate(themes) if t["id"] == theme["id"])
        other = index - 1 if up else index + 1
        if not 0 <= other < len(themes):
            return False
        store.swap_plan_themes(db, themes[index], themes[other], actor=actor, now=now)
    return True


def remove_theme(db: Database, theme: dict, *, actor: store.Actor, now: datetime) -> bool:
    """Remove a theme no action or measure belongs to; False (and nothing changed) when one does."""
    return store.remove_plan_theme(db, theme["id"], actor=actor, now=now)


def save_action(db: Database, strategy_id: int, action_id: int | None, fields: dict, *, actor: store.Actor,
                now: datetime) -> int:
    """Add an action to the strategy, or change one; fields as the store keeps them. The action's id."""
    if action_id is None:
        return store.add_plan_action(db, strategy_id, fields, actor=actor, now=now)
    store.update_plan_action(db, action_id, fields, actor=actor, now=now)
    return action_id


def add_progress(db: Database, action: dict, *, note: str, rag: str, status: str, actor: store.Actor,
                 now: datetime) -> int:
    """The lead's dated note on the action's progress, with its colour and status; kept for ever."""
    if action["lead_user_id"] != actor.id:
        raise NotLead("Only the action's lead can add a progress update")
    return store.add_plan_action_update(db, action, note=note, rag=rag, status=status, actor=actor, now=now)


def save_measure(db: Database, strategy_id: int, measure_id: int | None, measure: Measure, fields: dict, *,
                 actor: store.Actor, now: datetime) -> int:
    """Add or change a measure with its targets (checked with core.plan.validate against the strategy's years);
    fields: the rest as the store keeps them (theme, definition, lead, source). The measure's id."""
    held = strategy(db, strategy_id)
    if held is None:
        raise PlanError("This strategy no longer exists")
    validate(measure, held.period)
    if fields.get("source") is not None and fields["source"] not in FIGURE_SOURCES:
        raise PlanError("Select where the measure's figures come from", "source")
    values = {**fields, "name": measure.name, "unit": measure.unit, "direction": measure.direction,
              "baseline_period": str(measure.baseline_period), "baseline_value": str(measure.baseline),
              "rule_kind": measure.rule.kind, "tolerance": str(measure.rule.tolerance)}
    targets = {period.year: str(value) for period, value in measure.targets}
    if measure_id is None:
        return store.add_plan_measure(db, strategy_id, values, targets, actor=actor, now=now)
    store.update_plan_measure(db, measure_id, values, targets, actor=actor, now=now)
    return measure_id


def enter_figure(db: Database, measure: dict, held: Strategy, *, period: str, value: str, actor: store.Actor,
                 now: datetime) -> dict[str, str]:
    """The lead's figure for a year or a quarter, checked against the measure's unit and the strategy's years:
    the problems by field ("period", "value"), or none when it is saved. A figure for a period that has one is a
    correction: both are kept, the new one stands."""
    if measure["lead_user_id"] != actor.id:
        raise NotLead("Only the measure's lead can enter its figures")
    if measure["source"]:
        return {"value": f"This measure's figures come from signed returns ({FIGURE_SOURCES[measure['source']]}): "
                         "they cannot be typed"}
    found, problems = read_figure(period, value, unit=measure["unit"], strategy=held.period)
    if found is None:
        return problems
    at, figure = found
    with db.atomic():
        before = [f["value"] for f in store.plan_measure_actuals(db, [measure["id"]]) if f["period"] == str(at)]
        store.add_plan_measure_actual(db, measure, period=str(at), value=str(figure),
                                      replaces=before[-1] if before else None, actor=actor, now=now)
    return {}


def save_risk(db: Database, strategy_id: int, risk_id: int | None, fields: dict, action_ids: list[int], *,
              actor: store.Actor, now: datetime) -> int:
    """Add or change a risk with its mitigating actions (which must be the strategy's). The risk's id."""
    own = {a["id"] for a in store.plan_actions(db, strategy_id=strategy_id)}
    if set(action_ids) - own:
        raise PlanError("Select mitigating actions from this strategy's action plan", "actions")
    if risk_id is None:
        return store.add_plan_risk(db, strategy_id, fields, action_ids, actor=actor, now=now)
    store.update_plan_risk(db, risk_id, fields, action_ids, actor=actor, now=now)
    return risk_id


def close_risk(db: Database, risk: dict, *, actor: store.Actor, now: datetime) -> None:
    store.close_plan_risk(db, risk, actor=actor, now=now)


def save_bands(db: Database, new: tuple[Band, ...], *, actor: store.Actor, now: datetime) -> None:
    """The partnership's own risk bands (core.plan.check_bands: starting at 1, rising, at most 25)."""
    check_bands(new)
    store.replace_plan_risk_bands(db, [{"lowest": b.lowest, "name": b.name, "rag": b.rag} for b in new],
                                  actor=actor, now=now)
