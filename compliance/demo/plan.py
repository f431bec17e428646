"""The demo partnership's own plan (compliance/demo/plan.toml) as the plan's values: a strategy with four themes,
eight actions with a year of updates, four measures with baselines, targets and a year of figures, and five risks.

`demo_plan(today)` is pure: it reads the file and returns core values, moved to the financial year `today` is in
(the file is written for one year, `written_for`), leaving out an update dated after `today` and a figure for a
period not over by then. Ids are given in the file's order, from 1; a risk's mitigating actions and the measure it
was raised from are given by those ids. `load_demo_plan` hands the values to whatever stores them; `save_plan` is the
store's writer `flask --app wsgi demo` hands them to, once.
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from compliance import store
from compliance.core.plan import (
    ACTION_STATUSES,
    DEFAULT_BANDS,
    ActionUpdate,
    Measure,
    MeasureRecord,
    Period,
    Risk,
    Rule,
    Strategy,
    StrategyAction,
    Theme,
    Timescale,
    parse_number,
    parse_period,
    parse_timescale,
    period_of,
    strategy_period,
    validate,
)
from compliance.core.plan_report import PlanValues
from compliance.core.text import slug
from compliance.services import plan as plan_service

PLAN_FILE = Path(__file__).with_name("plan.toml")


def _moved(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


class _Mover:
    """Moves the file's years, quarters and dates by whole years."""

    def __init__(self, years: int) -> None:
        self.years = years

    def period(self, text: str) -> Period:
        period = parse_period(text)
        return Period(period.year + self.years, period.quarter)

    def timescale(self, text: str) -> Timescale:
        written = parse_timescale(text)
        if written.period is not None:
            period = Period(written.period.year + self.years, written.period.quarter)
            return Timescale(period.ends, period)
        return Timescale(_moved(written.due, self.years))

    def moment(self, text: str) -> datetime:
        at = datetime.fromisoformat(text)
        day = _moved(at.date(), self.years)
        return at.replace(year=day.year, month=day.month, day=day.day)


def demo_plan(today: date, *, path: Path = PLAN_FILE) -> PlanValues:
    """The demo plan as it stands on `today`; ValueError naming the entry when the file is wrong."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    move = _Mover(period_of(today).year - parse_period(data["written_for"]).year)
    written = data["strategy"]
    first, last = written["first_year"] + move.years, written["last_year"] + move.years
    themes = tuple(Theme(number, name) for number, name in enumerate(written["themes"], 1))
    theme_ids = {theme.name: theme.id for theme in themes}
    strategy = Strategy(1, f"{written['title']} {first}-{last}", strategy_period(first, last), themes)
    action_ids = {entry["key"]: number for number, entry in enumerate(data["actions"], 1)}
    measure_ids = {entry["key"]: number for number, entry in enumerate(data["measures"], 1)}
    actions = tuple(_action(number, entry, theme_ids, move, today) for number, entry in enumerate(data["actions"], 1))
    measures = tuple(_measure(number, entry, theme_ids, move, today, strategy)
                     for number, entry in enumerate(data["measures"], 1))
    risks = tuple(Risk(number, entry["description"], entry["cause"], entry["consequence"], entry["likelihood"],
                       entry["impact"], entry["owner"], _moved(date.fromisoformat(entry["review_by"]), move.years),
                       tuple(action_ids[key] for key in entry.get("mitigated_by", ())),
                       measure_ids[entry["raised_from"]] if "raised_from" in entry else None)
                  for number, entry in enumerate(data["risks"], 1))
    for risk in risks:
        _ = risk.score  # checks likelihood and impact
    return PlanValues(strategy, actions, measures, risks, DEFAULT_BANDS)


def _action(number: int, entry: dict[str, Any], themes: dict[str, int], move: _Mover, today: date
            ) -> StrategyAction:
    if entry["status"] not in ACTION_STATUSES:
        raise ValueError(f"{PLAN_FILE.name}: action {entry['key']!r} has an unknown status {entry['status']!r}")
    updates = []
    for update in entry.get("updates", ()):
        at = move.moment(update["at"])
        if at.date() < today:
            updates.append(ActionUpdate(at.isoformat(), update["by"], update["note"], update["rag"]))
    return StrategyAction(number, themes[entry["theme"]], entry["action"], entry["outcome"],
                          entry["lead_organisation"], entry["lead_person"], entry["partners"], entry["resources"],
                          move.timescale(entry["timescale"]), entry["status"], tuple(updates))


def _measure(number: int, entry: dict[str, Any], themes: dict[str, int], move: _Mover, today: date,
             strategy: Strategy) -> MeasureRecord:
    unit = entry["unit"]
    targets = tuple((move.period(year), parse_number(value, unit)) for year, value in entry.get("targets", {}).items())
    measure = Measure(entry["name"], unit, entry["direction"], move.period(entry["baseline"]["period"]),
                      parse_number(entry["baseline"]["value"], unit), Rule(entry["rule"],
                                                                           Decimal(entry.get("tolerance", "0"))),
                      targets)
    validate(measure, strategy.period)
    actuals = tuple((period, parse_number(value, unit)) for period, value in
                    ((move.period(text), value) for text, value in entry.get("actuals", {}).items())
                    if period.ends < today)
    return MeasureRecord(number, themes[entry["theme"]], measure, entry["definition"], entry["lead"], actuals,
                         entry.get("source"), entry.get("source_framework"))


def load_demo_plan(save: Callable[[PlanValues], object], *, today: date) -> PlanValues:
    """Hand the demo plan as it stands on `today` to `save` (the store's writer); returns what was handed over."""
    values = demo_plan(today)
    save(values)
    return values


def save_plan(db: Database, values: PlanValues, *, contacts: dict[str, str], password_hash: str,
              now: datetime) -> bool:
    """Write the demo plan through the plan's store, as the coordinator, and make it the current strategy; False
    (and nothing written) when a strategy of its title is there already, so loading the demo twice adds nothing.

    People are matched by name. A lead, owner or author with no account yet gets one (an editor of the organisation
    whose contact they are, in `contacts`: name -> organisation name), `<name>@demo.example`, with the demo's
    password. The strategy, its actions, measures and risks are dated the strategy's first day; each update as the
    file dates it, each figure a fortnight after its period ends (never after `now`), in that order."""
    base = values.strategy.title.rsplit(" ", 1)[0]
    if any(row["title"].startswith(base) for row in store.plan_strategies(db)):
        return False
    coordinator = store.user_by_email(db, "coordinator@demo.example")
    actor = store.Actor(coordinator["id"], coordinator["email"]) if coordinator else store.SYSTEM
    organisations = {row["name"]: row["id"] for row in store.organisations(db)}
    people = {row["name"]: row for row in store.users(db)}

    def person(name: str) -> dict:
        if name not in people:
            if name not in contacts:
                raise ValueError(f"{PLAN_FILE.name}: {name!r} has no demo account and is no organisation's contact")
            user_id = store.create_user(db, email=f"{slug(name).replace('-', '.')}@demo.example", name=name,
                                        role="editor", organisation_id=organisations[contacts[name]],
                                        password_hash=password_hash, demo=True, actor=store.SYSTEM, now=now)
            people[name] = store.user_by_id(db, user_id) or {}
        return people[name]

    strategy = values.strategy
    created = min(now, datetime.combine(strategy.period.first.starts, time(9), tzinfo=timezone.utc))
    strategy_id = plan_service.create_strategy(
        db, title=strategy.title, first_year=strategy.period.first.year, last_year=strategy.period.last.year + 1,
        themes=[theme.name for theme in strategy.themes], current=True, actor=actor, now=created)
    stored = plan_service.strategy(db, strategy_id)
    if stored is None:  # just written in this transaction: only a broken database could lose it
        raise RuntimeError(f"the demo strategy {strategy_id} was written but cannot be read back")
    themes = {theme.id: held.id for theme, held in zip(strategy.themes, stored.themes)}
    actions: dict[int, dict] = {}
    for action in values.actions:
        timescale = action.timescale
        lead_organisation = organisations.get(action.lead_organisation)
        action_id = plan_service.save_action(db, strategy_id, None, {
            "theme_id": themes[action.theme_id], "action": action.action, "outcome": action.outcome,
            "lead_organisation_id": lead_organisation,
            "lead_partner": None if lead_organisation else action.lead_organisation,
            "lead_user_id": person(action.lead_person)["id"], "partners": action.partners,
            "resources": action.resources, "due_date": timescale.due.isoformat(),
            "due_period": str(timescale.period) if timescale.period else None, "status": action.status},
            actor=actor, now=created)
        actions[action.id] = {"id": action_id, "action": action.action, "status": action.status}
    measures: dict[int, dict] = {}
    for record in values.measures:
        measure_id = plan_service.save_measure(db, strategy_id, None, record.measure, {
            "theme_id": themes.get(record.theme_id or 0), "definition": record.definition,
            "lead_user_id": person(record.lead)["id"], "source": record.source,
            "source_framework": record.source_framework}, actor=actor, now=created)
        measures[record.id] = {"id": measure_id, "name": record.measure.name}
    for risk in values.risks:
        plan_service.save_risk(db, strategy_id, None, {
            "description": risk.description, "cause": risk.cause, "consequence": risk.consequence,
            "likelihood": risk.likelihood, "impact": risk.impact, "owner_user_id": person(risk.owner)["id"],
            "review_by": risk.review_by.isoformat() if risk.review_by else None,
            "raised_from_measure_id": measures[risk.raised_from_measure_id]["id"]
            if risk.raised_from_measure_id is not None else None},
            [actions[i]["id"] for i in risk.mitigating_action_ids], actor=actor, now=created)
    # the leads' updates and figures, oldest first, each in its author's name
    later: list[tuple[datetime, Callable[[], object]]] = []
    for action in values.actions:
        for update in action.updates:
            author = person(update.by)
            later.append((datetime.fromisoformat(update.at), lambda a=actions[action.id], u=update, by=author: (
                store.add_plan_action_update(db, a, note=u.note, rag=u.rag, status=a["status"],
                                             actor=store.Actor(by["id"], by["email"]),
                                             now=datetime.fromisoformat(u.at)))))
    for record in values.measures:
        if record.source:
            continue  # filled from signed returns, never typed
        lead = person(record.lead)
        for period, value in record.actuals:
            at = min(now, datetime.combine(period.ends + timedelta(days=14), time(10), tzinfo=timezone.utc))
            later.append((at, lambda m=measures[record.id], p=period, v=value, by=lead, when=at: (
                store.add_plan_measure_actual(db, m, period=str(p), value=str(v), replaces=None,
                                              actor=store.Actor(by["id"], by["email"]), now=when))))
    for _at, write in sorted(later, key=lambda item: item[0]):
        write()
    return True
