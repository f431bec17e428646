"""The workbook a coordinator downloads to load an existing action plan or measures list: a Help sheet, then the
Actions, Measures, Targets and Figures sheets core/plan_import.py reads back, with drop-downs for the theme, status,
progress, unit, which way is better and how a measure is rated (and for the leads, when the service's names are
given), the headings locked so they cannot be renamed, and the cells to fill in pale yellow.

Pure: the strategy in, bytes out (the same strategy gives the same bytes).
"""
from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.core.plan import ACTION_STATUSES, DIRECTIONS, PROGRESS_WORDS, RULES, Strategy
from compliance.core.plan_import import ACTIONS, FIGURES, MEASURES, SHEETS, TARGETS, UNIT_CHOICES
from compliance.core.workbook import SheetSpec, column_place
from compliance.render.workbooks import OPEN_FILL, data_sheet, drop_down, help_sheet, lock_all_but, saved

WIDTHS = {ACTIONS.name: (20, 45, 35, 28, 22, 20, 14, 28, 28, 22, 45),
          MEASURES.name: (20, 35, 45, 16, 18, 30, 12, 14, 12, 22),
          TARGETS.name: (35, 12, 12), FIGURES.name: (35, 16, 12)}
# Columns typed as text, so a spreadsheet never turns 2025/26 into a date or 40% into 0.4.
AS_TEXT = {ACTIONS.name: ("Timescale",), MEASURES.name: ("Tolerance (%)", "Baseline year", "Baseline"),
           TARGETS.name: ("Year", "Target"), FIGURES.name: ("Period", "Figure")}
WHAT_TO_PUT = (
    ("Actions", "Theme", "The strategy's theme the action is under: choose from the list."),
    ("Actions", "Action", "What will be done. Required."),
    ("Actions", "Outcome sought", "What the action should achieve."),
    ("Actions", "Lead organisation", "The organisation that leads the action. Required."),
    ("Actions", "Lead person", "The person who will update the action's progress. Required."),
    ("Actions", "Timescale", "When it is due: a date, like 31/03/2027, or a financial quarter, like 2026/27 Q3 (due "
                             "at the quarter's end). It must be within the strategy's years. Required."),
    ("Actions", "Status", "Choose from the list; left empty, the action is Not started."),
    ("Actions", "Partners", "Who else works on it."),
    ("Actions", "Resources", "Money, people or time committed to it."),
    ("Actions", "Progress", "How it is going, if your plan says so: On track, Some risk to delivery or Off track. "
                            "It becomes the action's first update, with the note."),
    ("Actions", "Progress note", "Required with a progress: a line on how the action is going."),
    ("Measures", "Theme", "The theme the measure is under, or empty for the whole strategy."),
    ("Measures", "Measure", "The measure's name, for example Repeat perpetrators discussed at MARAC. Each measure's "
                            "name is its own: the Targets and Figures sheets use it. Required."),
    ("Measures", "Definition", "Exactly what is counted, and over what time."),
    ("Measures", "Unit", "Count, Percentage or Rate per 1,000. Required."),
    ("Measures", "Better when", "Lower is better (reduce) or Higher is better (increase). Required."),
    ("Measures", "Rated", "Against its target for the year (then give a target on the Targets sheet), or against the "
                          "year before (year on year). Required."),
    ("Measures", "Tolerance (%)", "For a measure rated against its target: how far below (or above) the target, as a "
                                  "percentage of the target, still counts as amber. Empty is 0."),
    ("Measures", "Baseline year", "The financial year the baseline is from, like 2023/24. Required."),
    ("Measures", "Baseline", "The baseline's value, like 23 or 41%. Required."),
    ("Measures", "Lead", "The person who will enter the measure's figures. Required."),
    ("Targets", "Measure", "The measure's name, exactly as on the Measures sheet."),
    ("Targets", "Year", "The financial year the target is for, like 2026/27: after the baseline year, within the "
                        "strategy's years."),
    ("Targets", "Target", "The target's value, in the measure's unit."),
    ("Figures", "Measure", "The measure's name, exactly as on the Measures sheet."),
    ("Figures", "Period", "The financial year, like 2025/26, or quarter, like 2025/26 Q3, the figure is for."),
    ("Figures", "Figure", "The figure, in the measure's unit: 19, 40.5% or 3.2."),
)


def plan_template(strategy: Strategy, *, organisations: Sequence[str] = (), people: Sequence[str] = ()) -> bytes:
    """The workbook to fill in for `strategy`; organisations and people, when given, are offered as the leads."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # a new workbook always has its first sheet
    help_sheet(book, f"Loading an action plan or measures into {strategy.title}", [
        "Copy your existing action plan into the Actions sheet, a row for each action, and your performance "
        "measures into the Measures sheet, a row for each measure. Give each measure's yearly targets on the "
        "Targets sheet and any figures you already have on the Figures sheet, naming the measure as on the Measures "
        "sheet. Fill in the pale yellow cells; leave a sheet empty if you have nothing for it.",
        f"The strategy's years are {strategy.period}. Periods are financial years, written 2025/26, or quarters, "
        "written 2025/26 Q1 (April to June) to 2025/26 Q4 (January to March).",
        "Do not rename, move or add sheets or columns, and do not use formulas: type (or paste as values only) the "
        "values themselves. Then upload the workbook. Nothing is added until every row is right: you will see "
        "every problem by sheet, row and column, or a preview of what will be added before you add it.",
    ], WHAT_TO_PUT)
    themes = [theme.name for theme in strategy.themes]
    choices: dict[str, dict[str, Sequence[str]]] = {
        ACTIONS.name: {"Theme": themes, "Status": list(ACTION_STATUSES.values()),
                       "Progress": list(PROGRESS_WORDS.values())},
        MEASURES.name: {"Theme": themes, "Unit": list(UNIT_CHOICES.values()), "Better when": list(DIRECTIONS.values()),
                        "Rated": list(RULES.values())},
        TARGETS.name: {}, FIGURES.name: {}}
    if organisations:
        choices[ACTIONS.name]["Lead organisation"] = list(organisations)
    if people:
        choices[ACTIONS.name]["Lead person"] = list(people)
        choices[MEASURES.name]["Lead"] = list(people)
    sheets = [(spec, _sheet(book, spec)) for spec in SHEETS]
    for spec, sheet in sheets:  # after every sheet, so the drop-downs' hidden list sheet comes last
        first, last = spec.header_row + 1, spec.header_row + spec.max_rows
        for heading, options in choices[spec.name].items():
            letter = column_place(spec, heading).split(" ")[0]
            drop_down(sheet, f"{letter}{first}:{letter}{last}", options, prompt=f"Choose the {heading.lower()}")
    return saved(book)


def _sheet(book: Workbook, spec: SheetSpec) -> Worksheet:
    """A sheet whose every column is open below its locked headings. The columns carry the open style (unlocked,
    pale yellow, text where AS_TEXT says) rather than each of their cells: a template of 7,700 styled rows took
    3.5 seconds to write and a spreadsheet program applies a column's style to every cell typed into it."""
    sheet = data_sheet(book, spec, [], widths=WIDTHS[spec.name])
    for index, heading in enumerate(spec.columns, 1):
        column = sheet.column_dimensions[get_column_letter(index)]
        column.protection = Protection(locked=False)
        column.fill = PatternFill("solid", start_color=OPEN_FILL, end_color=OPEN_FILL)
        if heading in AS_TEXT[spec.name]:
            column.number_format = "@"
    lock_all_but(sheet, [])  # the headings (each cell written) stay locked; the columns below are open
    return sheet
