"""A performance measure's chart: its figures over time against its baseline (a dashed reference line) and its
yearly targets (a step across each year), each figure's colour also given by its marker's shape and in the key's
words. One drawing, two outputs: SVG for the pages and a ReportLab drawing for the board pack, so the two cannot
differ.

Pure: a MeasureView (core/plan_report.py) in, a Chart of shapes out; the same measure gives the same bytes. The SVG
is role="img", named by its own <title> and <desc>, and every page shows the same figures in a table after it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# bandit B406: escape() writes SVG text; nothing is parsed
from xml.sax.saxutils import escape, quoteattr  # nosec B406

from compliance.core.plan import RAG_WORDS, Period
from compliance.core.plan_report import MeasureView

FONT = 'font-family="Arial, Helvetica, sans-serif"'
INK, GREY, GRID, BLUE = "#0b0c0c", "#505a5f", "#dddddd", "#1d70b8"
# Each colour's marker: its shape says the colour as well as its fill does, and the key names it in words.
MARKERS: dict[str, tuple[str, str]] = {"green": ("circle", "#00703c"), "amber": ("triangle", "#ffdd00"),
                                       "red": ("square", "#d4351c"), "none": ("ring", "#ffffff")}
NOT_RATED = "Not rated yet"
QUARTER_WIDTH, YEAR_WIDTH = 58, 150  # a quarter's (when the figures are quarterly) or a year's room across
LEFT, RIGHT, PLOT_HEIGHT = 70, 24, 220
CHAR = 7.4  # about how wide a character of the 14px key is, to lay the key out


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = INK
    width: float = 1
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 14
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    colour: str = INK


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    rag: str  # green, amber, red, or none (not rated)
    title: str = ""  # in words, for a pointer's tooltip
    size: float = 7


Shape = Line | Text | Marker


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    title: str
    desc: str
    shapes: tuple[Shape, ...]


def _number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros, so the output is stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def short(value: Decimal | float, unit: str) -> str:
    """A figure as a chart labels it: 19, 1,250, 40.5%, 3.2 (the unit is said once, over the axis)."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "percent" else text


def _scale(values: Sequence[Decimal], unit: str) -> tuple[float, float]:
    """The top of the value axis and its step: round numbers a little above the highest value."""
    highest = float(max(values, default=Decimal(0))) * 1.1 or 1.0
    raw = highest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if unit == "count":
        step = max(1.0, math.ceil(step))
    top = step * math.ceil(highest / step)
    if unit == "percent" and top > 100:
        top, step = 100.0, 25.0
    return top, step


def measure_chart(view: MeasureView) -> Chart:
    """The measure's figures, baseline and targets as shapes on a chart."""
    measure = view.record.measure
    unit, kind = measure.unit, measure.rule.kind
    rows = {row.period: row for row in view.rows}
    actuals = sorted(view.record.actuals)
    targets = sorted(measure.targets)
    years = {period.year for period, _ in actuals} | {period.year for period, _ in targets}
    first, last = (min(years), max(years)) if years else (measure.baseline_period.year + 1,) * 2
    quarterly = any(period.quarter for period, _ in actuals)
    band = 4 * QUARTER_WIDTH if quarterly else YEAR_WIDTH
    count = last - first + 1
    plot_width = band * count
    words = RAG_WORDS[kind]
    key: list[tuple[str, str]] = [(colour, words[colour]) for colour in ("green", "amber", "red")]
    if any(rows[p].rag is None for p, _ in actuals):
        key.append(("none", NOT_RATED))
    key.append(("baseline", f"Baseline ({measure.baseline_period}): {short(measure.baseline, unit)}"))
    if targets:
        key.append(("target", "Target for the year"))
    width = max(LEFT + plot_width + RIGHT, 560)
    shapes: list[Shape] = []
    key_bottom = _key(shapes, key, width)
    top = key_bottom + 52
    bottom = top + PLOT_HEIGHT
    high, step = _scale([measure.baseline, *(v for _, v in targets), *(v for _, v in actuals)], unit)

    def y(value: Decimal | float) -> float:
        return bottom - PLOT_HEIGHT * float(value) / high

    def x(period: Period) -> float:
        start = LEFT + band * (period.year - first)
        return start + (QUARTER_WIDTH * (period.quarter - 0.5) if period.quarter else band / 2)

    right = LEFT + plot_width
    axis_name = {"count": "Count", "percent": "Per cent", "rate-per-1000": "Rate per 1,000"}.get(unit, unit)
    shapes.append(Text(4, top - 32, axis_name, size=13, bold=True))
    tick = 0.0
    while tick <= high + 1e-9:
        shapes.append(Line(LEFT, y(tick), right, y(tick), colour=GRID if tick else INK, width=1))
        shapes.append(Text(LEFT - 6, y(tick) + 4, short(tick, unit), size=13, anchor="end"))
        tick += step
    for index in range(count):
        year = first + index
        start = LEFT + band * index
        if index:
            shapes.append(Line(start, top, start, bottom + 4, colour=GRID))
        below = bottom + (40 if quarterly else 20)
        shapes.append(Text(start + band / 2, below, str(Period(year)), size=14, anchor="middle", bold=True))
        if quarterly:
            for quarter in (1, 2, 3, 4):
                shapes.append(Text(x(Period(year, quarter)), bottom + 18, f"Q{quarter}", size=13, anchor="middle",
                                   colour=GREY))
    shapes.append(Line(LEFT, y(measure.baseline), right, y(measure.baseline), colour=GREY, width=2, dash=(6, 4)))
    for period, value in targets:
        start = LEFT + band * (period.year - first)
        shapes.append(Line(start + 6, y(value), start + band - 6, y(value), colour=BLUE, width=3))
        # labelled in a row of its own above the plot, where no figure's label can fall on it
        shapes.append(Text(start + band / 2, top - 8, f"Target {short(value, unit)}", size=13, anchor="middle",
                           bold=True, colour=BLUE))
    for series in ([p for p in actuals if p[0].quarter], [p for p in actuals if not p[0].quarter]):
        for (before, then), (after, now) in zip(series, series[1:]):
            shapes.append(Line(x(before), y(then), x(after), y(now), colour=INK, width=2))
    for period, value in actuals:
        row = rows[period]
        rag = row.rag or "none"
        title = f"{row.label}: {row.actual}. {row.rag_text} (compared with {row.compared_with})"
        shapes.append(Marker(x(period), y(value), rag, title))
        shapes.append(Text(x(period), y(value) - 12, short(value, unit), anchor="middle", bold=True))
    height = bottom + (50 if quarterly else 30)
    span = str(Period(first)) if first == last else f"{Period(first)} to {Period(last)}"
    desc = (f"{view.name}, {span}: {len(actuals)} figure{'s' if len(actuals) != 1 else ''}"
            f"{' by quarter' if quarterly else ''} as a line of points, against the baseline ({view.baseline}) as a "
            f"dashed line{' and each year’s target as a blue step' if targets else ''}. Each point’s shape gives "
            "its colour: a circle is green, a triangle amber, a square red. The same figures are in the table that "
            "follows.")
    return Chart(width, height, f"{view.name}: figures against the baseline and targets", desc, tuple(shapes))


def _key(shapes: list[Shape], entries: list[tuple[str, str]], width: float) -> float:
    """The key along the top, wrapping to the width; returns where it ends."""
    x, y = 0.0, 16.0
    for what, words in entries:
        room = 30 + CHAR * len(words) + 20
        if x and x + room > width:
            x, y = 0.0, y + 26
        if what == "baseline":
            shapes.append(Line(x + 2, y - 4, x + 24, y - 4, colour=GREY, width=2, dash=(6, 4)))
        elif what == "target":
            shapes.append(Line(x + 2, y - 4, x + 24, y - 4, colour=BLUE, width=3))
        else:
            shapes.append(Marker(x + 13, y - 4, what))
        shapes.append(Text(x + 30, y, words))
        x += room
    return y + 6


def svg(chart: Chart, *, chart_id: str, zoom: float = 1.25) -> str:
    """The chart as an SVG element, named for screen readers by its title and description; drawn `zoom` times its
    own size, so its words read at about the size of the page's small print (a narrow screen shrinks it to fit)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
           f' class="app-chart" width="{_number(chart.width * zoom)}" height="{_number(chart.height * zoom)}"'
           f' viewBox="0 0 {_number(chart.width)} {_number(chart.height)}" {FONT}>',
           f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
           f'<desc id="{chart_id}-desc">{escape(chart.desc)}</desc>']
    for shape in chart.shapes:
        if isinstance(shape, Line):
            dash = f' stroke-dasharray="{" ".join(_number(d) for d in shape.dash)}"' if shape.dash else ""
            out.append(f'<line x1="{_number(shape.x1)}" y1="{_number(shape.y1)}" x2="{_number(shape.x2)}"'
                       f' y2="{_number(shape.y2)}" stroke="{shape.colour}" stroke-width="{_number(shape.width)}"'
                       f'{dash}/>')
        elif isinstance(shape, Text):
            bold = ' font-weight="bold"' if shape.bold else ""
            out.append(f'<text x="{_number(shape.x)}" y="{_number(shape.y)}" font-size="{_number(shape.size)}"'
                       f' text-anchor="{shape.anchor}" fill="{shape.colour}"{bold}>{escape(shape.text)}</text>')
        else:
            out.append(_svg_marker(shape))
    out.append("</svg>")
    return "\n".join(out)


def _svg_marker(marker: Marker) -> str:
    shape, fill = MARKERS[marker.rag]
    x, y, r = marker.x, marker.y, marker.size
    title = f"<title>{escape(marker.title)}</title>" if marker.title else ""
    data = f' data-rag={quoteattr(marker.rag)}'
    if shape == "square":
        side = r * 1.7
        return (f'<rect{data} x="{_number(x - side / 2)}" y="{_number(y - side / 2)}" width="{_number(side)}"'
                f' height="{_number(side)}" fill="{fill}" stroke="{INK}" stroke-width="1">{title}</rect>')
    if shape == "triangle":
        points = " ".join(f"{_number(px)},{_number(py)}" for px, py in triangle(x, y, r))
        return f'<polygon{data} points="{points}" fill="{fill}" stroke="{INK}" stroke-width="1.5">{title}</polygon>'
    stroke = 2 if shape == "ring" else 1
    return (f'<circle{data} cx="{_number(x)}" cy="{_number(y)}" r="{_number(r)}" fill="{fill}" stroke="{INK}"'
            f' stroke-width="{stroke}">{title}</circle>')


def triangle(x: float, y: float, r: float) -> list[tuple[float, float]]:
    """An upward triangle about (x, y), in SVG's coordinates (y down)."""
    r *= 1.25
    return [(x, y - r), (x + r * 0.95, y + r * 0.7), (x - r * 0.95, y + r * 0.7)]
