"""CSV and XLSX exports of the matrix: round trips, fills, frozen headers, filters and neutralised formulas."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from compliance.core.matrix import OrgRow, build_matrix
from compliance.render.exports import CSV_COLUMNS, FILLS, matrix_csv, matrix_xlsx, neutralise
from tests.builders import FW, PREVIOUS, ROWS, SECTORS, ratings

HOSTILE = [
    OrgRow(7, '=HYPERLINK("http://evil.example","x")', "police", 21, "submitted",
           ratings(r1="met", r2="met", r3="met"), 1),
    OrgRow(8, "@SUM(A1:A2)", "police", 22, "accepted", ratings(r1="not-met", r2="met", r3="met"), 1),
    OrgRow(9, "-2+3", "health", 23, "submitted", ratings(r1="partially-met", r2="met", r3="n-a"), 1),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Police", "Police"), ("", ""), (3, 3), (None, None),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_csv_has_one_row_per_organisation_and_requirement_and_round_trips():
    matrix = build_matrix([FW], ROWS + HOSTILE, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    rows = list(csv.reader(io.StringIO(matrix_csv(matrix), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 7 * 3
    alpha = [r for r in rows if r[1] == "Alpha Police"]
    assert alpha[0] == ["2025/26", "Alpha Police", "Police", "Accepted", "proto", "r1", "Title r1", "Met", "Green",
                        "Partially met", "better", "Not checked", "no"]
    assert alpha[2][7:9] == ["Not applicable", "Not applicable"]
    delta = [r for r in rows if r[1] == "Delta Health"][0]
    assert delta[3] == "In progress" and delta[7:] == ["", "Not submitted", "", "", "", "no"]
    names = {r[1] for r in rows[1:]}
    assert {'\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1:A2)", "'-2+3"} <= names


def test_xlsx_opens_with_fills_frozen_headers_filters_and_neutralised_text():
    matrix = build_matrix([FW], ROWS + HOSTILE, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix)))
    assert book.sheetnames == ["Matrix", "Summary", "Legend"]
    sheet = book["Matrix"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:H{len(matrix.rows) + 1}"  # H: disagreements
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Organisation", "Sector", "Return status", "proto r1: Title r1", "proto r2: Title r2"]
    by_name = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    alpha = by_name["Alpha Police"]
    assert sheet.cell(row=alpha, column=4).value == "G"
    assert sheet.cell(row=alpha, column=4).fill.fgColor.rgb == FILLS["green"]
    assert sheet.cell(row=alpha, column=5).value == "A"
    assert sheet.cell(row=alpha, column=5).fill.fgColor.rgb == FILLS["amber"]
    assert sheet.cell(row=alpha, column=6).value == "N/A"
    assert sheet.cell(row=alpha, column=6).fill.fgColor.rgb == FILLS["grey"]
    assert sheet.cell(row=by_name["Bravo Police"], column=6).fill.fgColor.rgb == FILLS["red"]
    assert sheet.cell(row=by_name["Delta Health"], column=4).value == "Not submitted"
    assert sheet.cell(row=alpha, column=7).value == "Partially met"
    for hostile in ('\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1:A2)", "'-2+3"):
        assert hostile in by_name
        cell = sheet.cell(row=by_name[hostile], column=1)
        assert cell.data_type == "s", "text, never a formula"
    summary = book["Summary"]
    assert [c.value for c in summary[1]][:11] == ["Framework", "Ref", "Requirement", "Green", "Amber", "Red", "N/A",
                                                    "Not answered", "Met", "Applicable", "% met"]
    r1 = [c.value for c in summary[2]]
    # r1 over the 6 organisations returned: G Alpha Bravo HYPERLINK, A -2+3, R Charlie @SUM -> 3 of 6;
    # Delta has not returned, so it is in no denominator
    assert r1[3:14] == [3, 1, 2, 0, 0, 3, 6, "50%", 6, 1, "Provisional"]
    legend = [row for row in book["Legend"].iter_rows(values_only=True)]
    assert ("G", "Green", "Green: met") in legend
    assert book["Legend"]["A2"].fill.fgColor.rgb == FILLS["green"]


def test_the_same_matrix_gives_the_same_bytes():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    assert matrix_xlsx(matrix) == matrix_xlsx(matrix)
