"""A measure's chart (render/plan_charts.py): well-formed SVG named by its title and description, each figure's
colour given by its marker's shape and the key's words as well as its fill, the baseline and targets where their
values are, hostile text escaped, the same bytes every time, and the same shapes drawn for the PDF."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal

from reportlab.graphics import renderPDF

from compliance.core.plan import INCREASE, TARGET, Measure, MeasureRecord, Rule, parse_period
from compliance.core.plan_report import measure_view, plan_report
from compliance.render.plan import drawing
from compliance.render.plan_charts import MARKERS, Line, Marker, Text, measure_chart, svg
from tests.builders import PLAN_TODAY, plan_values

SVG = "{http://www.w3.org/2000/svg}"
Y = parse_period


def _measures():
    report = plan_report(plan_values(), today=PLAN_TODAY)
    return {view.id: view for theme in report.themes for view in theme.measures}


def test_the_chart_is_well_formed_and_named_by_its_title_and_description():
    root = ET.fromstring(svg(measure_chart(_measures()[3]), chart_id="measure-3"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "measure-3-title measure-3-desc"
    assert root.find(f"{SVG}title").text == "Repeat perpetrators discussed at MARAC: figures against the baseline " \
                                            "and targets"
    desc = root.find(f"{SVG}desc").text
    assert "2024/25 to 2025/26: 2 figures as a line of points" in desc and "table that follows" in desc
    assert "a circle is green, a triangle amber, a square red" in desc
    assert "style=" not in svg(measure_chart(_measures()[3]), chart_id="x"), "the CSP forbids inline styles"


def test_each_figures_colour_is_its_markers_shape_and_the_key_says_each_in_words():
    root = ET.fromstring(svg(measure_chart(_measures()[1]), chart_id="m"))
    marked = [(element.tag.removeprefix(SVG), element.get("data-rag")) for element in root.iter()
              if element.get("data-rag") and element.find(f"{SVG}title") is not None]
    # 2025/26 Q3 red, Q4 amber, 2026/27 Q1 red, Q2 amber
    assert marked == [("rect", "red"), ("polygon", "amber"), ("rect", "red"), ("polygon", "amber")]
    titles = [element.find(f"{SVG}title").text for element in root.iter() if element.get("data-rag")
              and element.find(f"{SVG}title") is not None]
    assert titles[1] == "2025/26 Q4 (January to March 2026): 58%. Within tolerance (compared with 60%, the target " \
                        "for 2025/26)"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for words in ("On target", "Within tolerance", "Off target", "Baseline (2023/24): 41%", "Target for the year",
                  "Target 60%", "Target 75%", "52%", "72%", "2025/26", "2026/27", "Q1", "Q4", "Per cent"):
        assert words in texts, words
    assert {shape for shape, _fill in MARKERS.values()} == {"circle", "triangle", "square", "ring"}


def test_points_baseline_and_targets_are_drawn_where_their_values_are():
    chart = measure_chart(_measures()[3])  # a count, year on year: 19 then 21 against a baseline of 23
    ticks = {t.text: t.y - 4 for t in chart.shapes if isinstance(t, Text) and t.anchor == "end"}
    zero, thirty = ticks["0"], ticks["30"]

    def at(value):
        return zero + (thirty - zero) * value / 30

    points = [m for m in chart.shapes if isinstance(m, Marker) and m.title]
    assert [(m.rag, round(m.y, 2)) for m in points] == [("green", round(at(19), 2)), ("red", round(at(21), 2))]
    assert points[0].x < points[1].x
    baseline = [s for s in chart.shapes if isinstance(s, Line) and s.dash and s.x2 - s.x1 > 100]
    assert [round(s.y1, 2) for s in baseline] == [round(at(23), 2)]


def test_a_figure_not_yet_rated_is_a_ring_and_the_key_says_so():
    measure = Measure("Sanction detections", "percent", INCREASE, Y("2020/21"), Decimal(31), Rule(TARGET),
                      targets=((Y("2021/22"), Decimal(40)),))
    record = MeasureRecord(5, None, measure, "", "", ((Y("2021/22"), Decimal(41)), (Y("2022/23"), Decimal(44))))
    chart = measure_chart(measure_view(record, "Protection"))
    assert [m.rag for m in chart.shapes if isinstance(m, Marker) and m.title] == ["green", "none"]
    assert "Not rated yet" in [t.text for t in chart.shapes if isinstance(t, Text)]
    root = ET.fromstring(svg(chart, chart_id="c"))
    assert [c.get("data-rag") for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None] == [
        "green", "none"]


def test_a_measure_with_no_figures_still_draws_its_baseline_and_targets():
    chart = measure_chart(_measures()[4])
    assert not [m for m in chart.shapes if isinstance(m, Marker) and m.title]
    assert {"Target 70%", "Target 75%", "Target 80%"} <= {t.text for t in chart.shapes if isinstance(t, Text)}
    assert "0 figures" in chart.desc


def test_hostile_text_is_escaped_and_the_same_measure_gives_the_same_bytes():
    view = _measures()[1]
    hostile = replace(view, name='<script>alert("x")</script> & =cmd')
    out = svg(measure_chart(hostile), chart_id="h")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; =cmd" in out
    assert ET.fromstring(out).find(f"{SVG}title").text.startswith('<script>alert("x")</script> & =cmd')
    assert out == svg(measure_chart(replace(view, name='<script>alert("x")</script> & =cmd')), chart_id="h")


def test_the_pdf_draws_the_same_shapes_within_the_width_it_is_given(tmp_path):
    chart = measure_chart(_measures()[1])
    drawn = drawing(chart, width=300)
    assert drawn.width <= 300 and abs(drawn.width / drawn.height - chart.width / chart.height) < 0.01
    assert len(drawn.contents[0].contents) == len(chart.shapes)
    path = tmp_path / "chart.pdf"
    renderPDF.drawToFile(drawn, str(path))
    assert path.read_bytes().startswith(b"%PDF")
