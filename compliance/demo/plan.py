"""The demo partnership's own plan (compliance/demo/plan.toml) as the plan's values: a strategy with four themes,
eight actions with a year of updates, four measures with baselines, targets and a year of figures, and five risks.

`demo_plan(today)` is pure: it reads the file and returns core values, moved to the financial year `today` is in
(the file is written for one year, `written_for`), leaving out an update dated after `today` and a figure for a
period not over by then. Ids are given in the file's order, from 1; a risk's mitigating actions and the measure it
was raised from are given by those ids. `load_demo_plan` hands the values to whatever stores them.
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

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
