"""CSV and XLSX exports of the matrix: round trips, fills, frozen headers, filters and neutralised formulas."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from compliance.core.frameworks import OverallRule
from compliance.core.matrix import OrgRow, build_matrix
from compliance.render.exports import CSV_COLUMNS, FILLS, HEADER_ROW, matrix_csv, matrix_xlsx
from compliance.render.workbooks import neutralise
from tests.builders import (
    FOUR_LEVELS,
    FW,
    OTHER,
    PREVIOUS,
    ROWS,
    SECTORS,
    framework,
    mapped_frameworks,
    ratings,
    requirement,
)

# 1 July 2026 at 1:05pm UTC is 2:05pm in London (BST)
PREPARED = datetime(2026, 7, 1, 13, 5, tzinfo=timezone.utc)

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
                        "Partially met", "better", "Not checked", "no", ""]
    assert alpha[2][7:9] == ["Not applicable", "Not applicable"]
    delta = [r for r in rows if r[1] == "Delta Health"][0]
    assert delta[3] == "In progress" and delta[7:] == ["", "Not submitted", "", "", "", "no", ""]
    names = {r[1] for r in rows[1:]}
    assert {'\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1:A2)", "'-2+3"} <= names


def test_xlsx_opens_with_fills_frozen_headers_filters_and_neutralised_text():
    matrix = build_matrix([FW], ROWS + HOSTILE, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix, partnership="WDVF", prepared=PREPARED)))
    assert book.sheetnames == ["Matrix", "Summary", "Legend"]
    sheet = book["Matrix"]
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + len(matrix.rows)}"  # H: disagreements
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:5] == ["Organisation", "Sector", "Return status", "proto r1: Title r1", "proto r2: Title r2"]
    by_name = {sheet.cell(row=r, column=1).value: r for r in range(HEADER_ROW + 1, sheet.max_row + 1)}
    assert len(by_name) == len(matrix.rows) == sheet.max_row - HEADER_ROW
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
    assert r1[3:14] == [3, 1, 2, 0, 0, 3, 6, 0.5, 6, 1, "Provisional"]
    assert summary.cell(row=2, column=11).number_format == "0%"
    legend = [row for row in book["Legend"].iter_rows(values_only=True)]
    assert ("G", "Green", "Green: met") in legend
    assert book["Legend"]["A2"].fill.fgColor.rgb == FILLS["green"]


def test_the_same_matrix_gives_the_same_bytes():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    data = matrix_xlsx(matrix, matrix, partnership="WDVF", prepared=PREPARED)
    assert data == matrix_xlsx(matrix, matrix, partnership="WDVF", prepared=PREPARED)
    # nothing in the file says when it was written, so a second later gives the same bytes too
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {entry.date_time for entry in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert b"2000-01-01T00:00:00Z</dcterms:modified>" in archive.read("docProps/core.xml")


@pytest.mark.parametrize(("final", "standing"), [(False, "Provisional"), (True, "Final")])
def test_each_matrix_sheet_opens_with_its_title_standing_coverage_and_when_it_was_prepared(final, standing):
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26", final=final)
    validated = build_matrix([FW], ROWS, None, sectors=SECTORS, cycle="2025/26", view="validated", final=final)
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix, validated, partnership="Wolverhampton DVF",
                                                prepared=PREPARED)))
    for name, view, short in (("Matrix", "self-assessed", "self-assessed"),
                              ("Validated", "validated by the auditors", "validated")):
        titles = [book[name].cell(row=r, column=1).value for r in range(1, HEADER_ROW)]
        assert titles[0] == "Wolverhampton DVF: partnership matrix, 2025/26"
        assert titles[1] == f"{standing} figures ({view} ratings): 3 of 4 organisations returned."
        assert titles[2].startswith("Prepared 1 July 2026 at 2:05pm (London time).")
        assert book[name].cell(row=1, column=1).font.bold and titles[3] is None
        header = book[name].oddHeader.center.text
        assert header == f"Wolverhampton DVF: partnership matrix, 2025/26, {short} ratings ({standing.lower()})"


def test_the_matrix_sheets_print_on_a4_landscape_fitted_to_the_width_with_the_header_row_on_every_page():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix, matrix, partnership="WDVF", prepared=PREPARED)))
    for name in ("Matrix", "Validated"):
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9, "A4"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), "one page wide, any pages tall"
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.oddFooter.center.text == "Page &P of &N"


def test_percentages_are_numbers_formatted_to_the_frameworks_decimals_and_not_applicable_says_so():
    one_decimal = framework("dec", FOUR_LEVELS, [requirement("d1"), requirement("d2")],
                            OverallRule("percentage-met", decimals=1))
    rows = [OrgRow(n, f"Org {n}", "police", 10 + n, "submitted",
                   {(one_decimal.key, "d1"): code, (one_decimal.key, "d2"): "n-a"}, 1)
            for n, code in enumerate(("met", "met", "not-met"), start=1)]
    matrix = build_matrix([one_decimal], rows, None, sectors=SECTORS, cycle="2025/26")
    summary = load_workbook(io.BytesIO(matrix_xlsx(matrix, partnership="WDVF", prepared=PREPARED)))["Summary"]
    headers = [c.value for c in summary[1]]
    d1, d2 = (dict(zip(headers, summary[row])) for row in (2, 3))
    assert d1["% met"].value == pytest.approx(0.667) and d1["% met"].data_type == "n"
    assert d1["% met"].number_format == "0.0%"
    assert d2["% met"].value == "Not applicable", "every answer was not applicable: words, not a number"


def test_previous_and_like_for_like_percentages_are_numbers_too():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    summary = load_workbook(io.BytesIO(matrix_xlsx(matrix, partnership="WDVF", prepared=PREPARED)))["Summary"]
    headers = [c.value for c in summary[1]]
    r1 = dict(zip(headers, summary[2]))
    column = matrix.columns[0]
    assert column.compared == 2
    assert r1["% met last year (like for like)"].value == float(column.previous_percent) / 100
    assert r1["% met now (like for like)"].value == float(column.now.percent_met) / 100
    assert r1["% met now (like for like)"].number_format == "0%"


@pytest.mark.parametrize("order", [(FW, OTHER), (OTHER, FW)])
def test_frameworks_come_in_the_cycles_order(order):
    police = [OrgRow(1, "Alpha Police", "police", 11, "submitted", ratings(r1="met", r2="met", r3="met"), 1)]
    matrix = build_matrix(list(order), police, None, sectors=SECTORS, cycle="2025/26")
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix, partnership="WDVF", prepared=PREPARED)))
    header = [c.value for c in book["Matrix"][HEADER_ROW]][3:-1]
    assert [h.split(" ")[0].rstrip(":") for h in header] == [f.id for f in order for _ in
                                                             range(len(f.requirements) + 1)]
    assert [row[0] for row in book["Summary"].iter_rows(min_row=2, values_only=True)] == [
        f.title for f in order for _ in f.requirements]


def test_an_answer_given_through_another_frameworks_requirement_says_where_in_the_csv_and_the_xlsx():
    """The fixture frameworks, protocol first: the standards' Leadership is answered through the protocol's Named
    lead. The page marks its cell * and says "answered through Mapped protocol, requirement 1"; so do the exports."""
    protocol, standards = mapped_frameworks()
    signed = {(protocol.key, "lead"): "met", (protocol.key, "training"): "met", (protocol.key, "policy"): "met",
              (standards.key, "leadership"): "met", (standards.key, "induction"): "not-met",
              (standards.key, "policies"): "met"}
    rows = [OrgRow(1, "Wrenfield Police", "police", 11, "submitted", signed, 1)]
    matrix = build_matrix([protocol, standards], rows, None, sectors=SECTORS, cycle="2030/31")
    found = list(csv.DictReader(io.StringIO(matrix_csv(matrix), newline="")))
    assert {(row["framework"].split()[-1], row["ref"]): row["answered through"] for row in found} == {
        ("protocol", "1"): "", ("protocol", "2"): "", ("protocol", "3"): "",
        ("standards", "Standard 1"): "Mapped protocol, requirement 1", ("standards", "Standard 2"): "",
        ("standards", "Standard 3"): ""}
    book = load_workbook(io.BytesIO(matrix_xlsx(matrix, matrix, partnership="WDVF", prepared=PREPARED)))
    for name in ("Matrix", "Validated"):
        sheet = book[name]
        header = [cell.value for cell in sheet[HEADER_ROW]]
        lead = sheet.cell(HEADER_ROW + 1, header.index("Mapped protocol 1: Named lead") + 1)
        leadership = sheet.cell(HEADER_ROW + 1, header.index("Mapped standards Standard 1: Leadership") + 1)
        assert lead.value in ("G", "Not checked") and lead.comment is None
        assert leadership.value.endswith(" *") and leadership.comment.text == (
            "Answered through Mapped protocol, requirement 1")
    legend = {row[0].value: row[2].value for row in book["Legend"].iter_rows()}
    assert legend["*"].startswith("Answered through another framework's requirement that asks the same: the "
                                  "organisation answered once for both")
    plain = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS, cycle="2025/26")
    legend = load_workbook(io.BytesIO(matrix_xlsx(plain, partnership="WDVF", prepared=PREPARED)))["Legend"]
    assert "*" not in [row[0].value for row in legend.iter_rows()], "no mark to explain"
