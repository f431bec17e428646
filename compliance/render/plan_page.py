"""What the strategy's pages render (templates/plan/_theme.html): a theme's report, or the whole plan's, with each
measure's chart as SVG ready to place before its table; and one measure's figures, for its own page.

Pure: the plan's values and the day in, values out; the routes that show them only load the values and call these.
The SVG is built here from escaped text (render/plan_charts.py), so it is handed to the template as Markup.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from compliance.core.plan import MeasureRecord
from compliance.core.plan_report import (
    MeasureView,
    PlanReport,
    PlanValues,
    ThemeReport,
    measure_view,
    plan_report,
    theme_report,
)
from compliance.render.plan_charts import measure_chart, svg


@dataclass(frozen=True)
class ThemePage:
    report: ThemeReport
    charts: dict[int, Markup]  # each measure's chart, by the measure's id


@dataclass(frozen=True)
class PlanPage:
    report: PlanReport
    charts: dict[int, Markup]


@dataclass(frozen=True)
class MeasureFigures:
    view: MeasureView
    chart: Markup


def charts(measures: Iterable[MeasureView]) -> dict[int, Markup]:
    """Each measure's chart as SVG, its ids (measure-<id>-title, -desc) unique on the page."""
    return {view.id: Markup(svg(measure_chart(view), chart_id=f"measure-{view.id}"))  # nosec B704 - escaped SVG
            for view in measures}


def theme_page(values: PlanValues, theme_id: int, *, today: date) -> ThemePage:
    """A theme's page as at `today` (a London day): KeyError when the strategy has no such theme."""
    report = theme_report(values, theme_id, today=today)
    return ThemePage(report, charts(report.measures))


def plan_page(values: PlanValues, *, today: date) -> PlanPage:
    """Every theme, then the risk register: the board pack's section as a web page."""
    report = plan_report(values, today=today)
    return PlanPage(report, charts(view for theme in report.themes for view in theme.measures))


def measure_figures(record: MeasureRecord, theme: str) -> MeasureFigures:
    """One measure's chart and the rows of its table (a measure's own page)."""
    view = measure_view(record, theme)
    return MeasureFigures(view, charts([view])[view.id])
