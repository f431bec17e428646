"""The partnership's plan as people read it, and what its leads do: the strategy and a page per theme (actions,
measures and risks), the risk register, its CSV and XLSX downloads, an action's and a measure's own pages; a lead's
progress update and figure.

The strategy's pages and downloads read services.plan.plan_values through core.plan_report, as the board pack does,
and show it with the board's partials (templates/plan/_theme.html). The board, auditors and the coordinator read the
whole plan. An action's or a measure's lead (any active person but an auditor; an organisation's editor or signatory
too) reads and updates only what they lead, from their home page: anyone else gets 404 there (403 for those who read
the plan), so ids cannot be probed. The coordinator's pages that change the plan are in plan_manage.py, and loading
it from a workbook in plan_imports.py.
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from compliance import store
from compliance.core.plan import (
    ACTION_STATUSES,
    FIGURE_SOURCES,
    PROGRESS_WORDS,
    UNITS,
    Strategy,
    rule_text,
    shown,
)
from compliance.core.plan_report import PlanValues, plan_report, risk_views
from compliance.render import plan_exports
from compliance.render.plan_page import measure_figures, plan_page, theme_page
from compliance.services import plan
from compliance.web.access import requires, signed_in
from compliance.web.forms.plan import FigureForm, ProgressForm
from compliance.web.requests import actor, get_db, now, today
from compliance.web.responses import attachment

bp = Blueprint("plan", __name__)
# What the plan's templates read: its words, and core.plan's rules for showing values and rules.
WORDS = {"statuses": ACTION_STATUSES, "progress": PROGRESS_WORDS, "units": UNITS, "sources": FIGURE_SOURCES,
         "shown": shown, "rule_text": rule_text, "decimal": Decimal,
         "first_upper": lambda text: text[:1].upper() + text[1:]}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What each download holds: the functions of render/plan_exports that write it, as CSV and as XLSX.
DOWNLOADS = {"actions": (plan_exports.actions_csv, plan_exports.actions_xlsx),
             "measures": (plan_exports.measures_csv, plan_exports.measures_xlsx),
             "risks": (plan_exports.risks_csv, plan_exports.risks_xlsx)}


def held(strategy_id: int) -> Strategy:
    return plan.strategy(get_db(), strategy_id) or abort(404)


def values(strategy_id: int) -> PlanValues:
    """The strategy's values, as every page and download of it reads them; 404 when there is no such strategy."""
    return plan.plan_values(get_db(), strategy_id) or abort(404)


def may_read(lead_user_id: int) -> None:
    """The plan's readers, and the lead of what the page is about; 404 for anyone else."""
    if not (current_user.can("view_partnership") or current_user.id == lead_user_id):
        abort(404)


def must_lead(lead_user_id: int) -> None:
    """Only the lead: 403 for the plan's other readers, who know it is there; 404 for anyone else."""
    if current_user.id != lead_user_id:
        abort(403 if current_user.can("view_partnership") else 404)


@bp.get("/plan")
@requires("view_partnership")
def current():
    """The current strategy, or every strategy when none is current."""
    found = plan.current_strategy_id(get_db())
    return redirect(url_for(".strategy", strategy_id=found) if found else url_for(".strategies"))


@bp.get("/plan/strategies")
@requires("view_partnership")
def strategies():
    return render_template("plan/strategies.html", strategies=store.plan_strategies(get_db()))


@bp.get("/plan/<int:strategy_id>")
@requires("view_partnership")
def strategy(strategy_id: int):
    found = values(strategy_id)
    return render_template("plan/strategy.html", strategy=found.strategy, page=plan_page(found, today=today()),
                           row=store.plan_strategy(get_db(), strategy_id))


@bp.get("/plan/<int:strategy_id>/themes/<int:theme_id>")
@requires("view_partnership")
def theme(strategy_id: int, theme_id: int):
    found = values(strategy_id)
    if theme_id not in {theme.id for theme in found.strategy.themes}:
        abort(404)
    return render_template("plan/theme.html", strategy=found.strategy,
                           page=theme_page(found, theme_id, today=today()))


@bp.get("/plan/<int:strategy_id>/risks")
@requires("view_partnership")
def risks(strategy_id: int):
    found = values(strategy_id)
    closed = risk_views(found, plan.closed_risks(get_db(), strategy_id), today=today())
    return render_template("plan/risks.html", strategy=found.strategy, report=plan_report(found, today=today()),
                           closed=closed)


@bp.get("/plan/<int:strategy_id>/actions.csv", defaults={"what": "actions", "extension": "csv"})
@bp.get("/plan/<int:strategy_id>/actions.xlsx", defaults={"what": "actions", "extension": "xlsx"})
@bp.get("/plan/<int:strategy_id>/measures.csv", defaults={"what": "measures", "extension": "csv"})
@bp.get("/plan/<int:strategy_id>/measures.xlsx", defaults={"what": "measures", "extension": "xlsx"})
@bp.get("/plan/<int:strategy_id>/risks.csv", defaults={"what": "risks", "extension": "csv"})
@bp.get("/plan/<int:strategy_id>/risks.xlsx", defaults={"what": "risks", "extension": "xlsx"})
@requires("view_partnership")
def download(strategy_id: int, what: str, extension: str):
    """The action plan, the measures' figures or the risk register, as CSV or XLSX: the same report as the pages."""
    report = plan_report(values(strategy_id), today=today())
    as_csv, as_xlsx = DOWNLOADS[what]
    body = as_csv(report) if extension == "csv" else as_xlsx(report)
    return attachment(body, mimetype="text/csv" if extension == "csv" else XLSX,
                      filename=plan_exports.export_name(report, what, extension))


@bp.get("/plan/actions/<int:plan_action_id>")
@signed_in
def action(plan_action_id: int):
    row, found = plan.action_record(get_db(), plan_action_id) or abort(404)
    may_read(row["lead_user_id"])
    return render_template("plan/action.html", row=row, action=found, strategy=held(row["strategy_id"]),
                           today=today(), **WORDS)


@bp.route("/plan/actions/<int:plan_action_id>/progress", methods=["GET", "POST"])
@signed_in
def add_progress(plan_action_id: int):
    row, found = plan.action_record(get_db(), plan_action_id) or abort(404)
    must_lead(row["lead_user_id"])
    form = ProgressForm(data={"status": row["status"]})
    if form.validate_on_submit():
        plan.add_progress(get_db(), row, note=form.note.data, rag=form.rag.data, status=form.status.data,
                          actor=actor(), now=now())
        flash("Your progress update is saved. The board sees it on the strategy's pages")
        return redirect(url_for(".action", plan_action_id=plan_action_id))
    return render_template("plan/progress_form.html", form=form, row=row, action=found,
                           strategy=held(row["strategy_id"]), **WORDS)


@bp.get("/plan/measures/<int:measure_id>")
@signed_in
def measure(measure_id: int):
    row, found, strategy_found = plan.measure_record(get_db(), measure_id) or abort(404)
    may_read(row["lead_user_id"])
    entered = store.plan_measure_actuals(get_db(), [measure_id])
    return render_template("plan/measure.html", row=row, record=found, strategy=strategy_found, entered=entered,
                           figures=measure_figures(found, row["theme_name"] or ""), **WORDS)


@bp.route("/plan/measures/<int:measure_id>/figures", methods=["GET", "POST"])
@signed_in
def enter_figure(measure_id: int):
    row, found, strategy_found = plan.measure_record(get_db(), measure_id) or abort(404)
    must_lead(row["lead_user_id"])
    if row["source"]:
        flash("This measure's figures come from signed returns: nobody types them", "important")
        return redirect(url_for(".measure", measure_id=measure_id))
    form = FigureForm()
    if form.validate_on_submit():
        problems = plan.enter_figure(get_db(), row, strategy_found, period=form.period.data or "",
                                     value=form.value.data or "", actor=actor(), now=now())
        if not problems:
            flash(f"Your figure for {found.measure.name} is saved")
            return redirect(url_for(".measure", measure_id=measure_id))
        form.take_problems(problems)
    return render_template("plan/figure_form.html", form=form, row=row, record=found, strategy=strategy_found,
                           **WORDS)


from compliance.web.views import plan_imports, plan_manage  # noqa: E402,F401 (registers their routes on bp)
