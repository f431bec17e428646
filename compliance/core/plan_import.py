"""Read a partnership's existing action plan and performance measures from a workbook (the template
render/plan_template.py writes), and say everything wrong with it by sheet, row and column.

Pure: the file's bytes and the strategy in, values or problems out; no Flask, no database, writes no file. The
workbook is read with core/workbook.read_workbook (the upload checks, sheets and columns as written, no formulas, row
limits), then every row with the plan's own rules (core/plan.py: parse_period, parse_number, parse_timescale,
validate), so a row the pages would refuse is refused here with the same words. Nothing is returned to load unless
every row is right: a partial plan is never loaded.

Sheets: Actions (one row an action), Measures (one row a measure), Targets (a measure's target for a year) and
Figures (a measure's figure for a year or a quarter); a measure is named on the other two by its name.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from compliance.core import limits
from compliance.core.plan import (
    ACTION_STATUSES,
    DIRECTIONS,
    PROGRESS_WORDS,
    RULES,
    TARGET,
    Measure,
    Period,
    PlanError,
    Rag,
    Rule,
    Strategy,
    Timescale,
    parse_number,
    parse_period,
    parse_timescale,
    period_of,
    shown,
    validate,
)
from compliance.core.text import plural
from compliance.core.workbook import Problem, Row, Sheet, SheetSpec, Value, as_date, read_workbook

ACTIONS = SheetSpec("Actions", ("Theme", "Action", "Outcome sought", "Lead organisation", "Lead person", "Timescale",
                                "Status", "Partners", "Resources", "Progress", "Progress note"), max_rows=500)
MEASURES = SheetSpec("Measures", ("Theme", "Measure", "Definition", "Unit", "Better when", "Rated", "Tolerance (%)",
                                  "Baseline year", "Baseline", "Lead"), max_rows=200)
TARGETS = SheetSpec("Targets", ("Measure", "Year", "Target"), max_rows=2000)
FIGURES = SheetSpec("Figures", ("Measure", "Period", "Figure"), max_rows=5000)
SHEETS = (ACTIONS, MEASURES, TARGETS, FIGURES)
OTHER_SHEETS = ("Help", "Lists")  # the template's help and its drop-downs' lists: not read
# What the template's drop-downs offer for a measure's unit (core/plan.UNITS says them as "a count").
UNIT_CHOICES = {"count": "Count", "percent": "Percentage", "rate-per-1000": "Rate per 1,000"}
# Besides the words the drop-downs offer, what people write in their own spreadsheets.
_ALSO = {
    "status": {"done": "complete", "completed": "complete", "on hold": "delayed", "started": "in-progress"},
    "unit": {"number": "count", "%": "percent", "per cent": "percent", "rate": "rate-per-1000"},
    "direction": {"reduce": "reduce", "lower": "reduce", "increase": "increase", "higher": "increase"},
    "rule": {"target": "target", "year on year": "year-on-year", "year-on-year": "year-on-year"},
    "progress": {"g": "green", "a": "amber", "r": "red"},
}

CHOOSE = {"status": "the status", "unit": "the measure's unit", "direction": "whether lower or higher is better",
          "rule": "how the measure is rated", "progress": "the progress"}


@dataclass(frozen=True)
class NewAction:
    """An action to add, with its first progress update when the sheet gave one."""

    row: int
    theme_id: int
    action: str
    outcome: str
    lead_organisation: str
    lead_person: str
    timescale: Timescale
    status: str  # a key of ACTION_STATUSES
    partners: str
    resources: str
    progress: Rag | None
    note: str


@dataclass(frozen=True)
class NewMeasure:
    """A measure to add (its targets inside `measure`), with the figures the workbook gave for it."""

    row: int
    theme_id: int | None
    measure: Measure
    definition: str
    lead: str
    actuals: tuple[tuple[Period, Decimal], ...]


@dataclass(frozen=True)
class PlanImport:
    """What to add, or the problems that stop anything being added (then `actions` and `measures` are empty)."""

    actions: tuple[NewAction, ...] = ()
    measures: tuple[NewMeasure, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def summary(self) -> str:
        """ "8 actions and 4 measures (with 9 targets and 12 figures)"; a count of none is left out of the brackets."""
        targets = sum(len(m.measure.targets) for m in self.measures)
        figures = sum(len(m.actuals) for m in self.measures)
        text = f"{plural(len(self.actions), 'action')} and {plural(len(self.measures), 'measure')}"
        with_ = [plural(count, what) for count, what in ((targets, "target"), (figures, "figure")) if count]
        return text + (f" (with {' and '.join(with_)})" if with_ else "")


def _choices(values: Iterable[str]) -> str:
    listed = list(values)
    return ", ".join(listed[:-1]) + " or " + listed[-1] if len(listed) > 1 else listed[0]


class _Checker:
    def __init__(self, strategy: Strategy, organisations: Sequence[str] | None, people: Sequence[str] | None,
                 existing_measures: Iterable[str]) -> None:
        self.strategy = strategy
        self.themes = {theme.name.casefold(): theme.id for theme in strategy.themes}
        self.organisations = {name.casefold(): name for name in organisations} if organisations is not None else None
        self.people = {name.casefold(): name for name in people} if people is not None else None
        self.existing = {name.casefold() for name in existing_measures}
        self.problems: list[Problem] = []

    def problem(self, sheet: Sheet, row: Row, column: str, message: str) -> None:
        self.problems.append(sheet.problem(row, column, message))

    def text(self, sheet: Sheet, row: Row, column: str, *, limit: int, required: str = "") -> str:
        value = row.text(column).strip()
        if not value and required:
            self.problem(sheet, row, column, required)
        elif len(value) > limit:
            self.problem(sheet, row, column, limits.too_long(column, limit))
        return value

    def chosen(self, sheet: Sheet, row: Row, column: str, kind: str, options: dict[str, str], *,
               required: bool = True) -> str | None:
        """A value from a drop-down, by its words or its code, in any case; None (with a problem) otherwise."""
        typed = row.text(column).strip()
        if not typed:
            if required:
                self.problem(sheet, row, column, f"Choose {CHOOSE[kind]} from the list: {_choices(options.values())}")
            return None
        found = {label.casefold(): code for code, label in options.items()}
        found.update({code.casefold(): code for code in options})
        found.update(_ALSO.get(kind, {}))
        code = found.get(typed.casefold())
        if code is None:
            self.problem(sheet, row, column, f"{typed!r} is not one of the choices: choose "
                                             f"{_choices(options.values())}")
        return code

    def theme(self, sheet: Sheet, row: Row, *, required: bool) -> tuple[bool, int | None]:
        typed = row.text("Theme").strip()
        if not typed and not required:
            return True, None
        theme_id = self.themes.get(typed.casefold())
        if theme_id is None:
            names = _choices(theme.name for theme in self.strategy.themes)
            self.problem(sheet, row, "Theme", f"{typed!r} is not a theme of this strategy: choose {names}"
                         if typed else f"Choose the theme from the list: {names}")
            return False, None
        return True, theme_id

    def named(self, sheet: Sheet, row: Row, column: str, known: dict[str, str] | None, what: str, *,
              limit: int) -> str:
        value = self.text(sheet, row, column, limit=limit, required=f"Enter the {column.lower()}")
        if value and known is not None:
            if value.casefold() not in known:
                self.problem(sheet, row, column, f"{value!r} is not {what} in this service: check the spelling, or "
                                                 f"add them first")
                return value
            return known[value.casefold()]
        return value

    def period(self, sheet: Sheet, row: Row, column: str, *, year_only: bool = False) -> Period | None:
        value = row.get(column)
        if value is None:
            self.problem(sheet, row, column, "Enter a financial year like 2025/26" if year_only
                         else "Enter a financial year like 2025/26, or a quarter like 2025/26 Q1")
            return None
        if isinstance(value, (date, datetime)):
            self.problem(sheet, row, column, "The spreadsheet has turned what was typed into a date: format the "
                                             "column as text and type the year again, like 2025/26")
            return None
        try:
            period = parse_period(row.text(column))
        except PlanError as error:
            self.problem(sheet, row, column, str(error))
            return None
        if year_only and period.quarter is not None:
            self.problem(sheet, row, column, f"Give a whole financial year, like {period.financial_year}, not a "
                                             "quarter")
            return None
        return period

    def number(self, sheet: Sheet, row: Row, column: str, unit: str | None) -> Decimal | None:
        if unit is None:  # the measure's unit is wrong or missing: said on its own row
            return None
        try:
            return parse_number(row.text(column), unit)
        except PlanError as error:
            self.problem(sheet, row, column, str(error))
            return None

    def timescale(self, sheet: Sheet, row: Row) -> Timescale | None:
        value: Value = row.get("Timescale")
        if value is None:
            self.problem(sheet, row, "Timescale", "Enter the timescale as a date, like 31/03/2021, or a financial "
                                                  "quarter, like 2020/21 Q3")
            return None
        if isinstance(value, (date, datetime)):
            day, problem = as_date(value)
            if problem or day is None:
                self.problem(sheet, row, "Timescale", problem or "Enter the timescale as a date")
                return None
            found = Timescale(day)
        else:
            try:
                found = parse_timescale(row.text("Timescale"))
            except PlanError as error:
                self.problem(sheet, row, "Timescale", str(error))
                return None
        period = found.period or period_of(found.due)
        if not self.strategy.period.holds(period):
            self.problem(sheet, row, "Timescale", f"{found.label} is outside the strategy's period "
                                                  f"({self.strategy.period}): enter a timescale from "
                                                  f"{self.strategy.period.first} to {self.strategy.period.last}")
            return None
        return found


def check_plan_workbook(data: bytes, filename: str, *, strategy: Strategy, organisations: Sequence[str] | None = None,
                        people: Sequence[str] | None = None, existing_measures: Iterable[str] = ()) -> PlanImport:
    """Every action and measure in the workbook to add to `strategy`, or every problem with it.

    organisations and people: the names a lead may be (each must be one of them, in any case; None accepts any
    name); existing_measures: the names of the strategy's measures already there, which a new one may not reuse."""
    book = read_workbook(data, filename, SHEETS, allow_other_sheets=OTHER_SHEETS)
    if book.problems:
        return PlanImport(problems=book.problems)
    check = _Checker(strategy, organisations, people, existing_measures)
    actions = [_action(check, book[ACTIONS.name], row) for row in book[ACTIONS.name].rows]
    measures = _measures(check, book[MEASURES.name], book[TARGETS.name], book[FIGURES.name])
    if check.problems:
        return PlanImport(problems=tuple(check.problems))
    if not actions and not measures:
        return PlanImport(problems=(Problem("The workbook has no actions or measures in it: fill in the Actions or "
                                            "the Measures sheet, from row 2, and upload it again"),))
    return PlanImport(actions=tuple(a for a in actions if a is not None), measures=tuple(measures))


def _action(check: _Checker, sheet: Sheet, row: Row) -> NewAction | None:
    before = len(check.problems)
    _ok, theme_id = check.theme(sheet, row, required=True)
    action = check.text(sheet, row, "Action", limit=limits.ACTION, required="Enter the action: what will be done")
    outcome = check.text(sheet, row, "Outcome sought", limit=limits.ACTION)
    organisation = check.named(sheet, row, "Lead organisation", check.organisations, "a member organisation",
                               limit=limits.NAME)
    person = check.named(sheet, row, "Lead person", check.people, "someone who can sign in", limit=limits.NAME)
    timescale = check.timescale(sheet, row)
    status = check.chosen(sheet, row, "Status", "status", ACTION_STATUSES, required=False) or "not-started"
    partners = check.text(sheet, row, "Partners", limit=limits.ACTION)
    resources = check.text(sheet, row, "Resources", limit=limits.ACTION)
    progress = check.chosen(sheet, row, "Progress", "progress", PROGRESS_WORDS, required=False)
    note = check.text(sheet, row, "Progress note", limit=limits.COMMENT)
    if row.text("Progress").strip() and not note:
        check.problem(sheet, row, "Progress note", "Enter a progress note saying how the action is going, or leave "
                                                   "the progress empty too")
    if note and not row.text("Progress").strip():
        check.problem(sheet, row, "Progress", f"Choose the progress that goes with the note: "
                                              f"{_choices(PROGRESS_WORDS.values())}")
    if len(check.problems) > before or theme_id is None or timescale is None:
        return None
    rag: Rag | None = progress if progress in ("green", "amber", "red") else None  # type: ignore[assignment]
    return NewAction(row.number, theme_id, action, outcome, organisation, person, timescale, status, partners,
                     resources, rag, note)


@dataclass
class _Draft:
    row: Row
    theme_id: int | None
    name: str
    definition: str
    lead: str
    unit: str | None
    direction: str | None
    rule: str | None
    tolerance: Decimal
    baseline_period: Period | None
    baseline: Decimal | None
    ok: bool
    targets: dict[Period, Decimal]
    actuals: dict[Period, Decimal]


def _measures(check: _Checker, sheet: Sheet, targets: Sheet, figures: Sheet) -> list[NewMeasure]:
    drafts: dict[str, _Draft] = {}
    for row in sheet.rows:
        before = len(check.problems)
        theme_ok, theme_id = check.theme(sheet, row, required=False)
        name = check.text(sheet, row, "Measure", limit=limits.TITLE, required="Enter the measure's name")
        if name.casefold() in drafts:
            first = drafts[name.casefold()].row.number
            check.problem(sheet, row, "Measure", f"There is already a measure called {name!r} on row {first}: give "
                                                 "each measure its own name")
        elif name.casefold() in check.existing:
            check.problem(sheet, row, "Measure", f"The strategy already has a measure called {name!r}: give this one "
                                                 "another name, or leave it out")
        definition = check.text(sheet, row, "Definition", limit=limits.ACTION)
        unit = check.chosen(sheet, row, "Unit", "unit", UNIT_CHOICES)
        direction = check.chosen(sheet, row, "Better when", "direction", DIRECTIONS)
        rule = check.chosen(sheet, row, "Rated", "rule", RULES)
        tolerance = Decimal(0)
        if row.text("Tolerance (%)").strip() and rule == TARGET:
            tolerance = check.number(sheet, row, "Tolerance (%)", "percent") or Decimal(0)
        baseline_period = check.period(sheet, row, "Baseline year", year_only=True)
        baseline = check.number(sheet, row, "Baseline", unit)
        lead = check.named(sheet, row, "Lead", check.people, "someone who can sign in", limit=limits.NAME)
        if name and name.casefold() not in drafts:
            drafts[name.casefold()] = _Draft(row, theme_id, name, definition, lead, unit, direction, rule, tolerance,
                                             baseline_period, baseline, theme_ok and len(check.problems) == before,
                                             {}, {})
    _values(check, targets, drafts, "Year", "Target", "target")
    _values(check, figures, drafts, "Period", "Figure", "figure")
    found = []
    for draft in drafts.values():
        if not draft.ok or None in (draft.unit, draft.direction, draft.rule, draft.baseline_period, draft.baseline):
            continue
        measure = Measure(draft.name, draft.unit or "", draft.direction or "", draft.baseline_period or Period(0),
                          draft.baseline or Decimal(0), Rule(draft.rule or "", draft.tolerance),
                          tuple(sorted(draft.targets.items())))
        try:
            validate(measure, check.strategy.period)
        except PlanError as error:
            check.problem(sheet, draft.row, "Rated" if "target" in str(error) else "Measure", str(error))
            continue
        found.append(NewMeasure(draft.row.number, draft.theme_id, measure, draft.definition, draft.lead,
                                tuple(sorted(draft.actuals.items()))))
    return found


def _values(check: _Checker, sheet: Sheet, drafts: dict[str, _Draft], when: str, column: str, what: str) -> None:
    """A sheet of one value a row for a measure named on the Measures sheet: Targets (by year) or Figures."""
    seen: dict[tuple[str, Period], int] = {}
    for row in sheet.rows:
        name = row.text("Measure").strip()
        draft = drafts.get(name.casefold())
        if draft is None:
            check.problem(sheet, row, "Measure", f"{name!r} is not a measure on the Measures sheet: use the measure's "
                                                 "name exactly as it is there" if name else
                                                 "Enter the name of the measure, as it is on the Measures sheet")
            continue
        period = check.period(sheet, row, when, year_only=what == "target")
        value = check.number(sheet, row, column, draft.unit)
        if period is None:
            continue
        if (name.casefold(), period) in seen:
            check.problem(sheet, row, when, f"{draft.name} already has a {what} for {period}, on row "
                                            f"{seen[(name.casefold(), period)]}: keep one of them")
            continue
        seen[(name.casefold(), period)] = row.number
        baseline = draft.baseline_period
        if baseline is not None and period.year <= baseline.year:
            check.problem(sheet, row, when, f"A {what} is for a year after the baseline ({baseline}): check the "
                                            f"{when.lower()}, or the measure's baseline year")
            continue
        if not check.strategy.period.holds(period):
            check.problem(sheet, row, when, f"{period} is outside the strategy's period ({check.strategy.period}): "
                                            f"enter a {when.lower()} from {check.strategy.period.first} to "
                                            f"{check.strategy.period.last}")
            continue
        if value is not None:
            (draft.targets if what == "target" else draft.actuals)[period] = value


def preview(result: PlanImport, strategy: Strategy) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """What will be added, as the preview before loading shows it: a row of words by column for each action, and
    for each measure."""
    themes = {theme.id: theme.name for theme in strategy.themes}
    actions = []
    for a in result.actions:
        update = f"{PROGRESS_WORDS[a.progress]}: {a.note}" if a.progress else "No update given"
        actions.append({"Row": str(a.row), "Theme": themes.get(a.theme_id, ""), "Action": a.action,
                        "Lead": f"{a.lead_person}, {a.lead_organisation}", "Timescale": a.timescale.label,
                        "Status": ACTION_STATUSES[a.status], "First update": update})
    measures = []
    for m in result.measures:
        unit = m.measure.unit
        measures.append({
            "Row": str(m.row), "Theme": themes.get(m.theme_id, "") if m.theme_id else "The whole strategy",
            "Measure": m.measure.name, "Unit": UNIT_CHOICES[unit], "Better when": DIRECTIONS[m.measure.direction],
            "Rated": RULES[m.measure.rule.kind],
            "Baseline": f"{shown(m.measure.baseline, unit)} in {m.measure.baseline_period}",
            "Targets": "; ".join(f"{p}: {shown(v, unit)}" for p, v in m.measure.targets) or "No targets",
            "Figures": "; ".join(f"{p}: {shown(v, unit)}" for p, v in m.actuals) or "No figures yet", "Lead": m.lead})
    return actions, measures
