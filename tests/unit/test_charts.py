"""The SVG charts: well-formed, to scale, escaped, named for screen readers, and the same bytes every time."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

from compliance.render.charts import partnership_percent, stacked_bars_svg, trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def column(ref, title, green=0, amber=0, red=0, na=0, missing=0, met=None, applicable=None, not_returned=0):
    counts = SimpleNamespace(green=green, amber=amber, red=red, na=na, missing=missing, not_returned=not_returned,
                             met=green if met is None else met,
                             applicable=green + amber + red + missing if applicable is None else applicable)
    return SimpleNamespace(requirement=SimpleNamespace(ref=ref, title=title),
                           framework=SimpleNamespace(short_title="WDVF"), counts=counts)


COLUMNS = [column("1", "Policy", green=6, amber=2, red=1, na=1, missing=2, not_returned=1),
           column("2", "Training", green=3, red=3, missing=6)]


def segments(svg):
    root = ET.fromstring(svg)
    return [(r.get("data-segment"), int(r.get("data-count")), float(r.get("width")))
            for r in root.iter(f"{SVG}rect") if r.get("data-segment")]


def test_the_bars_are_well_formed_and_named_by_their_title_and_description():
    root = ET.fromstring(stacked_bars_svg(COLUMNS, chart_id="bars"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "bars-title bars-desc"
    assert root.find(f"{SVG}title").get("id") == "bars-title"
    assert "table that follows" in root.find(f"{SVG}desc").text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "WDVF 1" in texts and "WDVF 2" in texts
    for words in ("Green: met", "Amber: partially met", "Red: not met", "Not applicable", "Returned, not answered",
                  "Not yet returned"):
        assert words in texts, "the legend says each colour in words"
    assert "style=" not in stacked_bars_svg(COLUMNS), "the CSP forbids inline styles"


def test_segment_widths_are_proportional_to_the_counts_on_one_scale():
    found = segments(stacked_bars_svg(COLUMNS))
    assert [(name, count) for name, count, _ in found] == [
        ("green", 6), ("amber", 2), ("red", 1), ("na", 1), ("missing", 2), ("not_returned", 1),
        ("green", 3), ("red", 3), ("missing", 6)]
    per_organisation = {round(width / count, 2) for _, count, width in found}
    assert len(per_organisation) == 1


def test_every_segment_has_a_title_in_words():
    root = ET.fromstring(stacked_bars_svg(COLUMNS))
    titles = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect") if r.get("data-segment")]
    assert "WDVF 1 Policy: Amber: partially met, 2" in titles


def test_hostile_text_is_escaped():
    hostile = [column("<b>1</b>", 'Policy & "procedures" <script>alert(1)</script>', green=1)]
    svg = stacked_bars_svg(hostile)
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)
    titles = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect") if r.get("data-segment")]
    assert titles == ['WDVF <b>1</b> Policy & "procedures" <script>alert(1)</script>: Green: met, 1']
    trend = trend_svg([("<i>2025/26</i>", Decimal(50))])
    assert "<i>" not in trend and ET.fromstring(trend) is not None


def test_the_same_inputs_give_the_same_bytes():
    assert stacked_bars_svg(COLUMNS) == stacked_bars_svg(list(COLUMNS))
    points = [("2024/25", Decimal(40)), ("2025/26", None), ("2026/27", Decimal("62.5"))]
    assert trend_svg(points) == trend_svg(list(points))


def test_the_trend_labels_each_cycle_and_value():
    root = ET.fromstring(trend_svg([("2024/25", Decimal(40)), ("2025/26", None), ("2026/27", Decimal(80))]))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "trend-title trend-desc"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"2024/25", "2025/26", "2026/27", "40%", "No figures", "80%"} <= set(texts)
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert heights == [80.0, 160.0], "columns are as tall as their % met, on one scale"


def test_empty_charts_are_still_well_formed():
    assert ET.fromstring(stacked_bars_svg([])).get("role") == "img"
    assert ET.fromstring(trend_svg([])).get("role") == "img"


def test_partnership_percent_is_all_met_over_all_applicable():
    assert partnership_percent(COLUMNS) == 39  # 9 met of 23 applicable, rounded once
    assert partnership_percent([column("1", "A", green=1, missing=1), column("2", "B", green=2, red=0)]) == 75
    assert partnership_percent([column("1", "A", na=3, applicable=0)]) is None
