"""The plan's CSV and XLSX downloads (render/plan_exports.py): actions with their latest update, a row per figure of
each measure with its colour and rule in words, the risk register by score; names and London times as people read
them, numbers as numbers in the workbook, and nothing a spreadsheet would run as a formula."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from compliance.core.plan_report import plan_report
from compliance.render.plan_exports import (
    actions_csv,
    actions_xlsx,
    export_name,
    measures_csv,
    measures_xlsx,
    risks_csv,
    risks_xlsx,
)
from tests.builders import PLAN_HOSTILE, PLAN_TODAY, plan_values


@pytest.fixture(scope="module")
def report():
    return plan_report(plan_values(), today=PLAN_TODAY)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _sheet(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, rows[2], [dict(zip(rows[2], row)) for row in rows[3:]]


def test_the_actions_csv_has_each_action_with_its_latest_update(report):
    rows = _rows(actions_csv(report))
    assert len(rows) == 8 and [r["Theme"] for r in rows[:3]] == ["Prevention", "Prevention", "Provision"]
    training = rows[1]
    assert (training["Due"], training["Status"], training["Overdue"], training["Progress colour"],
            training["Progress"]) == ("30 September 2026", "Delayed", "Overdue", "Red", "Off track")
    assert training["Updated"] == "29 September 2026 at 11:30am" and training["Updates kept"] == "3"
    assert training["Latest update"].startswith("Will miss the September deadline")


def test_the_measures_csv_has_every_figure_with_its_colour_and_rule_in_words(report):
    rows = _rows(measures_csv(report))
    stockton = [r for r in rows if r["Measure"] == "Repeat perpetrators discussed at MARAC"]
    assert [(r["Period"], r["Figure"], r["Compared with"], r["Colour"], r["Colour in words"]) for r in stockton] == [
        ("2024/25", "19", "23, the baseline (2023/24)", "Green", "Better than the year before"),
        ("2025/26", "21", "19, 2024/25's figure", "Red", "Worse than the year before")]
    assert stockton[0]["How it is rated"].startswith("Green when a year's figure is below the year before's")
    assert stockton[0]["Baseline"] == "23 in 2023/24" and stockton[0]["Figures from"] == "Typed by the lead"
    protocol = [r for r in rows if r["Measure"] == "Requirements of the partnership protocol met"]
    assert len(protocol) == 1 and protocol[0]["Figure"] == "No figures yet"
    assert protocol[0]["Figures from"].startswith("% met of a framework's requirements")
    assert len(rows) == 4 + 4 + 2 + 1


def test_the_risks_csv_is_the_register_by_score(report):
    rows = _rows(risks_csv(report))
    assert [(r["Score"], r["Band"]) for r in rows] == [("20", "Very high"), ("12", "High"), ("9", "Medium"),
                                                        ("6", "Medium"), ("4", "Low")]
    assert rows[1]["Review overdue"] == "Overdue" and rows[1]["Review by"] == "30 November 2026"
    assert rows[1]["Raised from the measure"] == "Repeat perpetrators discussed at MARAC"


def test_text_a_spreadsheet_would_run_is_neutralised_in_every_csv(report):
    actions, measures, risks = _rows(actions_csv(report)), _rows(measures_csv(report)), _rows(risks_csv(report))
    assert actions[0]["Action"] == "'" + PLAN_HOSTILE and actions[0]["Latest update"] == "'" + PLAN_HOSTILE
    assert actions[0]["Updated by"] == "'=SUM(A1)" and actions[0]["Lead person"] == "Zoë <i>Ünal</i> & co"
    assert measures[0]["Definition"] == "'" + PLAN_HOSTILE and measures[0]["Measure"] == "Staff trained <b>&</b> =ready"
    assert risks[0]["Risk"] == "'" + PLAN_HOSTILE and risks[0]["Owner"] == "'@owner"
    for text in (actions_csv(report), measures_csv(report), risks_csv(report)):
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_the_workbooks_hold_the_same_rows_inert_with_figures_as_numbers(report):
    sheet, header, rows = _sheet(actions_xlsx(report))
    assert sheet.title == "Actions" and sheet.freeze_panes == "A4" and header[0] == "Theme"
    assert rows[0]["Action"] == "'" + PLAN_HOSTILE and rows[0]["Updated by"] == "'=SUM(A1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.cell(5, 12).value == "Red" and sheet.cell(5, 12).fill.start_color.rgb == "FFD4351C"
    sheet, _header, rows = _sheet(measures_xlsx(report))
    training = [r for r in rows if r["Measure"] == "Staff trained <b>&</b> =ready"]
    assert [r["Figure"] for r in training] == [52, 58, 63, 72]
    figure = next(c for c in sheet[4] if c.value == 52)
    assert figure.number_format == '0.##"%"'
    _sheet_, _header, rows = _sheet(risks_xlsx(report))
    assert [r["Score"] for r in rows] == [20, 12, 9, 6, 4] and rows[0]["Owner"] == "'@owner"


def test_the_same_report_gives_the_same_bytes_and_a_name_for_its_file(report):
    assert actions_xlsx(report) == actions_xlsx(plan_report(plan_values(), today=PLAN_TODAY))
    assert measures_xlsx(report) == measures_xlsx(report) and risks_xlsx(report) == risks_xlsx(report)
    assert export_name(report, "risks", "xlsx") == "plan-risks-brackenford-domestic-abuse-strategy-2024-2027.xlsx"
