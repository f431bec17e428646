"""The board's figures on the demo's open cycle: over the returns that are in, with their coverage, provisional,
like for like against last year; and the page, charts, CSV, XLSX and board pack all say the same."""
from __future__ import annotations

import csv
import io
import re
import subprocess

from openpyxl import load_workbook

from compliance import store
from compliance.render.boardpack import render_board_pack
from compliance.services import matrix as matrix_service
from compliance.services.boardpack_jobs import cycle_statements
from compliance.web.requests import get_db
from tests.builders import SECTORS, signed_in


def _cycles(app):
    with app.app_context():
        found = store.cycles(get_db())
    return next(c for c in found if c["status"] == "open"), next(c for c in found if c["status"] == "closed")


def _matrix(app, cycle):
    with app.app_context():
        return matrix_service.cycle_matrix(get_db(), cycle, sectors=SECTORS)


def _text(html: str) -> str:
    """The page's words: inline tags dropped, block tags as spaces."""
    inline = re.sub(r"</?(strong|span|a|b|em)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", inline).split())


def test_the_open_cycle_counts_only_returns_that_are_in_and_says_how_many(demo_app):
    this_year, _ = _cycles(demo_app)
    matrix = _matrix(demo_app, this_year)
    with demo_app.app_context():
        returns = [r for r in store.returns_for_cycle(get_db(), this_year["id"]) if not r["withdrawn_at"]]
    signed = sum(1 for r in returns if r["status"] in ("submitted", "accepted"))
    assert 0 < signed < len(returns), "the demo's open cycle has some returns in and some still to come"
    assert matrix.standing == "Provisional"
    assert matrix.coverage_text == f"{signed} of {len(returns)} organisations returned"
    for column in matrix.columns:
        counts = column.counts
        assert counts.not_returned > 0 and counts.met <= counts.applicable <= counts.returned
        assert counts.returned + counts.not_returned == counts.asked


def test_nothing_reads_worse_that_is_not_worse_like_for_like(demo_app):
    this_year, last_year = _cycles(demo_app)
    matrix = _matrix(demo_app, this_year)
    assert matrix.has_previous
    for column in matrix.columns:
        if column.trend == "worse":
            assert column.worse > column.better, column.requirement.ref
        if column.trend == "better":
            assert column.better > column.worse, column.requirement.ref
    for group in matrix.groups:
        assert group.trend != "worse" or group.worse > group.better
    closed = _matrix(demo_app, last_year)
    assert closed.standing == "Final"


def test_the_page_charts_csv_xlsx_and_board_pack_agree(demo_app, tmp_path):
    this_year, _ = _cycles(demo_app)
    matrix = _matrix(demo_app, this_year)
    board = signed_in(demo_app, "board@demo.example")
    page = _text(board.get(f"/cycles/{this_year['id']}/matrix").get_data(as_text=True))
    charts = _text(board.get(f"/cycles/{this_year['id']}/charts").get_data(as_text=True))
    assert "Provisional The cycle is open" in page and f"{matrix.coverage_text}." in page
    assert f"Provisional {matrix.coverage_text}." in charts
    for group in matrix.groups:
        sentence = f"{group.framework.short_title}: {group.percent_text} met (provisional), {group.coverage_text}."
        assert sentence in page
        assert group.comparison_text in page

    book = load_workbook(io.BytesIO(board.get(f"/cycles/{this_year['id']}/matrix.xlsx").data))
    assert book["Matrix"]["A2"].value.startswith(f"Provisional figures (self-assessed ratings): {matrix.coverage_text}")
    summary = list(book["Summary"].iter_rows(values_only=True))
    headers = summary[0]
    by_ref = {(row[0], row[1]): dict(zip(headers, row)) for row in summary[1:]}
    for column in matrix.columns:
        row = by_ref[(column.framework.title, column.requirement.ref)]
        met = column.counts.percent_met
        assert (row["% met"], row["Returned"], row["Not yet returned"], row["Figures"]) == (
            "Not applicable" if met is None else float(met) / 100, column.counts.returned,
            column.counts.not_returned, "Provisional")
        assert row["Trend"] == (column.trend or "")
        assert f"{column.percent_text} {column.counts.returned} of {column.counts.asked}" in page

    rows = list(csv.DictReader(io.StringIO(board.get(f"/cycles/{this_year['id']}/matrix.csv").get_data(as_text=True))))
    for column in matrix.columns:
        ratings = [r["RAG"] for r in rows if r["framework"] == column.framework.title
                   and r["ref"] == column.requirement.ref]
        assert ratings.count("Not submitted") == column.counts.not_returned
        assert ratings.count("Green") == column.counts.green and ratings.count("Red") == column.counts.red

    with demo_app.app_context():
        statements = cycle_statements(get_db(), this_year, matrix)
    path = tmp_path / "pack.pdf"
    path.write_bytes(render_board_pack(matrix, statements, partnership="Demo partnership",
                                       cycle_name=this_year["name"]))
    pack = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Provisional figures." in pack and matrix.coverage_text in pack
    for group in matrix.groups:
        assert f"Overall: {group.percent_text} met (provisional), {group.coverage_text}." in pack
