"""Loading an existing action plan or measures list from a workbook: the template (render/plan_template.py) filled in
comes back as the values to add (core/plan_import.py), and every kind of bad row is refused at its sheet, row and
column with how to fix it, by the plan's own rules; formulas, extra sheets and 10,000 rows are refused whole."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from compliance.core.plan import Period, Timescale, parse_period
from compliance.core.plan_import import check_plan_workbook, preview
from compliance.render.plan_template import plan_template
from compliance.render.workbooks import saved
from tests.builders import plan_values

STRATEGY = plan_values(hostile=False).strategy  # 2024/25 to 2026/27; Prevention, Provision, Protection & Justice...
ORGANISATIONS = ["Brackenford Police", "Haven Lane Women's Aid"]
PEOPLE = ["Dana Hollis", "Rosa Martínez"]
ACTION = ["Prevention", "Run healthy relationships sessions", "Young people know where to get help",
          "Haven Lane Women's Aid", "Rosa Martínez", "2026/27 Q3", "In progress", "Brackenford College",
          "£18,000", "On track", "Six schools booked"]
MEASURE = ["Protection & Justice", "Repeat perpetrators at MARAC", "Discussed again within 12 months", "Count",
           "Lower is better", "Against the year before (year on year)", None, "2023/24", "23", "Dana Hollis"]
CAMDEN = ["", "Sanction detection rate", "", "Percentage", "Higher is better", "Against its target for the year",
          "5", "2023/24", "31%", "Dana Hollis"]


def _filled(actions=(ACTION,), measures=(MEASURE, CAMDEN), targets=(("Sanction detection rate", "2025/26", "40"),),
            figures=(("Repeat perpetrators at MARAC", "2024/25", "19"), ("Repeat perpetrators at MARAC", "2025/26", 21),
                     ("Sanction detection rate", "2025/26 Q1", "38.5%")), change=None) -> bytes:
    book = load_workbook(io.BytesIO(plan_template(STRATEGY, organisations=ORGANISATIONS, people=PEOPLE)))
    for name, rows in (("Actions", actions), ("Measures", measures), ("Targets", targets), ("Figures", figures)):
        for number, row in enumerate(rows, 2):
            for column, value in enumerate(row, 1):
                book[name].cell(number, column, value)
    if change:
        change(book)
    return saved(book)


def _check(data: bytes, **options):
    return check_plan_workbook(data, "plan.xlsx", strategy=STRATEGY, organisations=ORGANISATIONS, people=PEOPLE,
                               **options)


def _problems(data: bytes, **options) -> list[str]:
    result = _check(data, **options)
    assert not result.actions and not result.measures, "nothing is added while anything is wrong"
    return [str(problem) for problem in result.problems]


def test_a_filled_template_comes_back_as_the_actions_and_measures_to_add():
    result = _check(_filled())
    assert result.problems == ()
    (action,) = result.actions
    assert (action.row, action.theme_id, action.action, action.lead_organisation, action.lead_person) == (
        2, 1, "Run healthy relationships sessions", "Haven Lane Women's Aid", "Rosa Martínez")
    assert action.timescale == Timescale(date(2026, 12, 31), Period(2026, 3))
    assert (action.status, action.progress, action.note) == ("in-progress", "green", "Six schools booked")
    stockton, camden = result.measures
    assert (stockton.theme_id, stockton.measure.unit, stockton.measure.direction, stockton.measure.rule.kind) == (
        3, "count", "reduce", "year-on-year")
    assert stockton.actuals == ((parse_period("2024/25"), Decimal(19)), (parse_period("2025/26"), Decimal(21)))
    assert (camden.theme_id, camden.measure.baseline, camden.measure.rule.tolerance) == (None, Decimal(31), 5)
    assert camden.measure.targets == ((parse_period("2025/26"), Decimal(40)),)
    assert camden.actuals == ((parse_period("2025/26 Q1"), Decimal("38.5")),)
    assert result.summary == "1 action and 2 measures (with 1 target and 3 figures)"


def test_the_template_offers_its_choices_and_keeps_its_headings():
    book = load_workbook(io.BytesIO(plan_template(STRATEGY, organisations=ORGANISATIONS, people=PEOPLE)))
    assert book.sheetnames == ["Help", "Actions", "Measures", "Targets", "Figures", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    lists = [[cell.value for cell in column if cell.value] for column in book["Lists"].iter_cols()]
    assert ["Prevention", "Provision", "Protection & Justice", "Performance"] in lists
    assert ["Count", "Percentage", "Rate per 1,000"] in lists and ["Lower is better", "Higher is better"] in lists
    assert ["Against its target for the year", "Against the year before (year on year)"] in lists
    assert ["On track", "Some risk to delivery", "Off track"] in lists and ORGANISATIONS in lists and PEOPLE in lists
    actions = book["Actions"]
    assert actions.protection.sheet and actions["F1"].value == "Timescale" and actions["F1"].protection.locked
    assert not actions.column_dimensions["F"].protection.locked and actions.column_dimensions["F"].number_format == "@"
    ranges = {str(rule.sqref) for rule in actions.data_validations.dataValidation}
    assert {"A2:A501", "G2:G501", "J2:J501", "D2:D501", "E2:E501"} == ranges
    assert plan_template(STRATEGY) == plan_template(STRATEGY)  # the same strategy, the same bytes


@pytest.mark.parametrize(("sheet", "row", "message"), [
    ("Actions", [*ACTION[:5], "soon", *ACTION[6:]],
     "Sheet Actions, row 2, column F (Timescale): Enter the timescale as a date, like 31/03/2021, or a financial "
     "quarter, like 2020/21 Q3"),
    ("Actions", [*ACTION[:5], "2027/28 Q1", *ACTION[6:]],
     "Sheet Actions, row 2, column F (Timescale): 2027/28 Q1 (April to June 2027) is outside the strategy's period "
     "(2024/25 to 2026/27): enter a timescale from 2024/25 to 2026/27"),
    ("Actions", [*ACTION[:5], "31/02/2027", *ACTION[6:]],
     "Sheet Actions, row 2, column F (Timescale): '31/02/2027' is not a real date: check the day and month"),
    ("Actions", ["Prevent", *ACTION[1:]],
     "Sheet Actions, row 2, column A (Theme): 'Prevent' is not a theme of this strategy: choose Prevention, "
     "Provision, Protection & Justice or Performance"),
    ("Actions", [ACTION[0], None, *ACTION[2:]],
     "Sheet Actions, row 2, column B (Action): Enter the action: what will be done"),
    ("Actions", [*ACTION[:3], "Brackenford Fire", *ACTION[4:]],
     "Sheet Actions, row 2, column D (Lead organisation): 'Brackenford Fire' is not a member organisation in this "
     "service: check the spelling, or add them first"),
    ("Actions", [*ACTION[:6], "Paused", *ACTION[7:]],
     "Sheet Actions, row 2, column G (Status): 'Paused' is not one of the choices: choose Not started, In progress, "
     "Complete, Delayed or Stopped"),
    ("Actions", [*ACTION[:10], None],
     "Sheet Actions, row 2, column K (Progress note): Enter a progress note saying how the action is going, or leave "
     "the progress empty too"),
    ("Actions", [ACTION[0], "x" * 1001, *ACTION[2:]],
     "Sheet Actions, row 2, column B (Action): Action must be 1,000 characters or fewer"),
    ("Measures", [*MEASURE[:3], "Pounds", *MEASURE[4:]],
     "Sheet Measures, row 2, column D (Unit): 'Pounds' is not one of the choices: choose Count, Percentage or Rate "
     "per 1,000"),
    ("Measures", [*MEASURE[:5], None, *MEASURE[6:]],
     "Sheet Measures, row 2, column F (Rated): Choose how the measure is rated from the list: Against its target "
     "for the year or Against the year before (year on year)"),
    ("Measures", [*MEASURE[:7], "2023/24 Q2", *MEASURE[8:]],
     "Sheet Measures, row 2, column H (Baseline year): Give a whole financial year, like 2023/24, not a quarter"),
    ("Measures", [*MEASURE[:8], "23%", *MEASURE[9:]],
     "Sheet Measures, row 2, column I (Baseline): This measure is a count, not a percentage: enter it without the % "
     "sign"),
    ("Measures", [*MEASURE[:9], "Someone Else"],
     "Sheet Measures, row 2, column J (Lead): 'Someone Else' is not someone who can sign in in this service: check "
     "the spelling, or add them first"),
])
def test_each_kind_of_bad_row_is_refused_at_its_place_with_how_to_fix_it(sheet, row, message):
    data = _filled(actions=[row] if sheet == "Actions" else [ACTION],
                   measures=[row, CAMDEN] if sheet == "Measures" else [MEASURE, CAMDEN])
    problems = _problems(data)
    assert message in problems, problems


def test_targets_and_figures_are_checked_against_their_measure():
    problems = _problems(_filled(
        targets=[("Sanction detection rate", "2025/26", "40"), ("Sanction detection", "2025/26", "40"),
                 ("Sanction detection rate", "2022/23", "30"), ("Sanction detection rate", "2026/27 Q1", "45"),
                 ("Sanction detection rate", "2025/26", "41")],
        figures=[("Repeat perpetrators at MARAC", "2027/28", "3"), ("Repeat perpetrators at MARAC", "2024/25", "2.5"),
                 ("Sanction detection rate", "2025/26 Q1", "140"), ("Repeat perpetrators at MARAC", None, "4")]))
    assert problems == [
        "Sheet Targets, row 3, column A (Measure): 'Sanction detection' is not a measure on the Measures sheet: use "
        "the measure's name exactly as it is there",
        "Sheet Targets, row 4, column B (Year): A target is for a year after the baseline (2023/24): check the year, "
        "or the measure's baseline year",
        "Sheet Targets, row 5, column B (Year): Give a whole financial year, like 2026/27, not a quarter",
        "Sheet Targets, row 6, column B (Year): Sanction detection rate already has a target for 2025/26, on row 2: "
        "keep one of them",
        "Sheet Figures, row 2, column B (Period): 2027/28 is outside the strategy's period (2024/25 to 2026/27): "
        "enter a period from 2024/25 to 2026/27",
        "Sheet Figures, row 3, column C (Figure): This measure is a count: enter a whole number, not '2.5'",
        "Sheet Figures, row 4, column C (Figure): A percentage must be between 0 and 100",
        "Sheet Figures, row 5, column B (Period): Enter a financial year like 2025/26, or a quarter like 2025/26 Q1"]


def test_a_measure_rated_against_a_target_needs_one_and_names_are_its_own():
    problems = _problems(_filled(measures=[MEASURE, CAMDEN, [*MEASURE[:2], *MEASURE[2:]]], targets=[]),
                         existing_measures=["sanction detection RATE"])
    assert problems == [
        "Sheet Measures, row 3, column B (Measure): The strategy already has a measure called 'Sanction detection "
        "rate': give this one another name, or leave it out",
        "Sheet Measures, row 4, column B (Measure): There is already a measure called 'Repeat perpetrators at MARAC' "
        "on row 2: give each measure its own name"]
    problems = _problems(_filled(targets=[]))
    assert problems == ["Sheet Measures, row 3, column F (Rated): A measure rated against its target needs at least "
                        "one year's target: add one, or rate it year on year"]


def test_dates_typed_where_a_year_belongs_and_real_dates_for_a_timescale():
    def dates(book):
        book["Actions"]["F2"] = datetime(2027, 3, 31)
        book["Measures"]["H2"] = datetime(2023, 11, 1)  # what a spreadsheet makes of 2023/11

    problems = _problems(_filled(change=dates))
    assert problems == ["Sheet Measures, row 2, column H (Baseline year): The spreadsheet has turned what was typed "
                        "into a date: format the column as text and type the year again, like 2025/26"]
    result = _check(_filled(change=lambda book: book["Actions"].__setitem__("F2", datetime(2027, 3, 31))))
    assert result.actions[0].timescale == Timescale(date(2027, 3, 31))


def test_an_empty_workbook_says_what_to_fill_in():
    assert _problems(_filled(actions=[], measures=[], targets=[], figures=[])) == [
        "The file: The workbook has no actions or measures in it: fill in the Actions or the Measures sheet, from "
        "row 2, and upload it again"]


def test_formulas_extra_sheets_and_ten_thousand_rows_are_refused_whole():
    formula = _problems(_filled(change=lambda book: book["Actions"].__setitem__("B2", "=A1&\"x\"")))
    assert formula == ['Sheet Actions, row 2, column B (Action): has a formula (=A1&"x") where a value is expected: '
                       "type the value itself, or copy the cell and paste it as values only"]
    extra = _problems(_filled(change=lambda book: book.create_sheet("Notes")))
    assert extra[0].startswith("Sheet Notes: there is a sheet called 'Notes' that this workbook should not have")
    many = _problems(_filled(actions=[ACTION] * 10_000))
    assert many == ["Sheet Actions: the sheet has more than 500 rows: it can hold at most 500. Delete the rows that "
                    "should not be there"]
    renamed = _problems(_filled(change=lambda book: book["Actions"].__setitem__("F1", "Due")))
    assert renamed == ["Sheet Actions, row 1, column F: the heading should be 'Timescale' but is 'Due': columns must "
                       "not be renamed, moved or inserted. Put it back as it was"]
    csv = check_plan_workbook(b"Theme,Action\nPrevention,Train staff\n", "plan.csv", strategy=STRATEGY)
    assert "not an Excel workbook: upload the .xlsx file" in str(csv.problems[0])


def test_text_that_would_run_as_a_formula_comes_back_as_typed():
    hostile = '=cmd|" /C calc"!A0 <script>alert(1)</script> & Sons'

    def as_text(book):  # as a spreadsheet keeps it when typed after a ', or pasted from our own downloads
        book["Actions"]["B2"] = hostile
        book["Actions"]["B2"].data_type = "s"
        book["Actions"]["C2"] = "'" + hostile

    result = _check(_filled(change=as_text))
    assert (result.actions[0].action, result.actions[0].outcome) == (hostile, hostile)


def test_the_preview_says_what_will_be_added_in_words():
    actions, measures = preview(_check(_filled()), STRATEGY)
    assert actions == [{"Row": "2", "Theme": "Prevention", "Action": "Run healthy relationships sessions",
                        "Lead": "Rosa Martínez, Haven Lane Women's Aid",
                        "Timescale": "2026/27 Q3 (October to December 2026)", "Status": "In progress",
                        "First update": "On track: Six schools booked"}]
    assert measures[1] == {"Row": "3", "Theme": "The whole strategy", "Measure": "Sanction detection rate",
                           "Unit": "Percentage", "Better when": "Higher is better",
                           "Rated": "Against its target for the year", "Baseline": "31% in 2023/24",
                           "Targets": "2025/26: 40%", "Figures": "2025/26 Q1: 38.5%", "Lead": "Dana Hollis"}
