"""Server-rendered SVG charts of the matrix: a stacked bar per requirement and % met across cycles.

Pure: no Flask, no database. The same inputs give the same bytes. Every chart is role="img" named by its own
<title> and <desc>; the page shows the same figures as a table next to it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

# bandit B406: escape() writes SVG text; nothing is parsed
from xml.sax.saxutils import escape  # nosec B406

from compliance.core.figures import ColumnFigures
from compliance.core.matrix import Column
from compliance.core.scoring import percent

Counted = Column | ColumnFigures  # a requirement with its counts: from the matrix, or counted without it

# (Counts attribute, words, fill, stroke): the colours of the matrix key; words are always shown with them.
SEGMENTS = (
    ("green", "Green: met", "#0f7a52", None),
    ("amber", "Amber: partially met", "#ffdd00", None),
    ("red", "Red: not met", "#ca3535", None),
    ("na", "Not applicable", "#f3f3f3", "#858686"),
    ("missing", "Returned, not answered", "#ffffff", "#505a5f"),
    ("not_returned", "Not yet returned", "#ffffff", "#b1b4b6"),
)
BAR_WIDTH = 480  # the longest bar; the others are to the same scale
LABEL_WIDTH = 60  # at least; wider for longer labels
ROW_HEIGHT = 28
BAR_HEIGHT = 18
FONT = 'font-family="Arial, Helvetica, sans-serif"'


def _number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros, so output is stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _counts(column: Counted) -> dict[str, int]:
    return {name: int(getattr(column.counts, name)) for name, *_ in SEGMENTS}


def _label(column: Counted) -> str:
    framework = getattr(column, "framework", None)
    short = getattr(framework, "short_title", "")
    return f"{short} {column.requirement.ref}".strip()


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' class="app-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def stacked_bars_svg(columns: Sequence[Counted], *, chart_id: str = "bars",
                     title: str = "Ratings per requirement") -> str:
    """One horizontal bar per requirement, split into green, amber, red, not applicable and missing."""
    rows = [(_label(c), c.requirement.title, _counts(c)) for c in columns]
    largest = max((sum(counts.values()) for _, _, counts in rows), default=0) or 1
    unit = BAR_WIDTH / largest
    label_width = max(LABEL_WIDTH, 16 + 7 * max((len(label) for label, _, _ in rows), default=0))  # ~7px a letter
    legend_top = 10
    bars_top = legend_top + 2 * ROW_HEIGHT
    height = bars_top + ROW_HEIGHT * len(rows) + 10
    width = label_width + BAR_WIDTH + 60
    desc = (f"Stacked bars for {len(rows)} requirement{'s' if len(rows) != 1 else ''}: how many organisations "
            "were green, amber, red, not applicable, not answered or not yet returned. The same figures are in "
            "the table that follows.")
    out = _open(chart_id, width, height, title, desc)
    out += _legend(legend_top, width)
    for index, (label, requirement_title, counts) in enumerate(rows):
        y = bars_top + index * ROW_HEIGHT
        out.append(f'<g class="app-chart__bar"><text x="{label_width - 8}" y="{y + 14}" text-anchor="end"'
                   f' font-size="13" fill="#0b0c0c">{escape(label)}</text>')
        x = float(label_width)
        for name, words, fill, stroke in SEGMENTS:
            count = counts[name]
            if not count:
                continue
            segment = count * unit
            outline = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
            if name in ("missing", "not_returned"):
                outline += ' stroke-dasharray="4 2"'
            tip = f"{label} {requirement_title}: {words}, {count}"
            out.append(f'<rect data-segment="{name}" data-count="{count}" x="{_number(x)}" y="{y}"'
                       f' width="{_number(segment)}" height="{BAR_HEIGHT}" fill="{fill}"{outline}>'
                       f'<title>{escape(tip)}</title></rect>')
            x += segment
        out.append(f'<text x="{_number(x + 6)}" y="{y + 14}" font-size="13" fill="#0b0c0c">'
                   f'{sum(counts.values())}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _legend(top: int, width: int) -> list[str]:
    out = ['<g class="app-chart__legend">']
    x = 0
    for index, (name, words, fill, stroke) in enumerate(SEGMENTS):
        if index == 3:  # two lines, so the words are never squeezed
            x, top = 0, top + ROW_HEIGHT
        outline = f' stroke="{stroke or "#0b0c0c"}" stroke-width="1"'
        if name in ("missing", "not_returned"):
            outline += ' stroke-dasharray="4 2"'
        out.append(f'<rect x="{x}" y="{top}" width="16" height="16" fill="{fill}"{outline}/>')
        out.append(f'<text x="{x + 22}" y="{top + 13}" font-size="13" fill="#0b0c0c">{escape(words)}</text>')
        x += min(width // 3, 230)
    out.append("</g>")
    return out


def partnership_percent(columns: Iterable[Counted]) -> Decimal | None:
    """% met over every requirement and returned organisation: all met over all applicable answers (a blank answer
    in a signed return counts as not met; a return not yet in counts nowhere)."""
    met = applicable = 0
    for column in columns:
        met += column.counts.met
        applicable += column.counts.applicable
    return percent(met, applicable)


def trend_svg(points: Sequence[tuple[str, "Decimal | float | None"]], *, chart_id: str = "trend",
              title: str = "Partnership % met by cycle") -> str:
    """A column per cycle, as tall as its % met, each labelled with its value ("No figures" when there are none)."""
    column, gap, plot_height, top, bottom = 56, 24, 200, 24, 40
    width = 50 + len(points) * (column + gap) + gap
    height = top + plot_height + bottom
    base = top + plot_height
    desc = (f"% met across {len(points)} cycle{'s' if len(points) != 1 else ''}, from 0% to 100%. "
            "The same figures are in the table that follows.")
    out = _open(chart_id, width, height, title, desc)
    for mark in (0, 50, 100):
        y = base - plot_height * mark / 100
        out.append(f'<line x1="44" y1="{_number(y)}" x2="{width}" y2="{_number(y)}" stroke="#b1b4b6"'
                   f' stroke-width="1"/><text x="38" y="{_number(y + 4)}" text-anchor="end" font-size="12"'
                   f' fill="#0b0c0c">{mark}%</text>')
    for index, (name, value) in enumerate(points):
        x = 50 + gap + index * (column + gap)
        middle = _number(x + column / 2)
        shown = "No figures" if value is None else f"{_number(float(value))}%"
        out.append('<g class="app-chart__column">')
        if value is not None:
            bar = plot_height * float(value) / 100
            out.append(f'<rect x="{x}" y="{_number(base - bar)}" width="{column}" height="{_number(bar)}"'
                       f' fill="#1d70b8"><title>{escape(f"{name}: {shown}")}</title></rect>')
            label_y = base - bar - 6
        else:
            label_y = base - 6
        out.append(f'<text x="{middle}" y="{_number(label_y)}" text-anchor="middle" font-size="13"'
                   f' font-weight="bold" fill="#0b0c0c">{escape(shown)}</text>')
        out.append(f'<text x="{middle}" y="{base + 20}" text-anchor="middle" font-size="13"'
                   f' fill="#0b0c0c">{escape(name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)

