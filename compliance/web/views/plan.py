"""The partnership's plan as people read it, and what its leads do: the strategy and a page per theme (actions,
measures and risks), the risk register, an action's and a measure's own pages; a lead's progress update and figure.

The board, auditors and the coordinator read the whole plan. An action's or a measure's lead (any active person
but an auditor; an organisation's editor or signatory too) reads and updates only what they lead, from their home
page: anyone else gets 404 there (403 for those who read the plan), so ids cannot be probed. The coordinator's
pages that change the plan are in plan_manage.py.
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
    review_overdue,
    rule_text,
    shown,
)
from compliance.services import plan
from compliance.web.access import requires, signed_in
from compliance.web.forms.plan import FigureForm, ProgressForm
from compliance.web.requests import actor, get_db, now, today

bp = Blueprint("plan", __name__)
# What the plan's templates read: its words, and core.plan's rules for showing values and rules.
WORDS = {"statuses": ACTION_STATUSES, "progress": PROGRESS_WORDS, "units": UNITS, "sources": FIGURE_SOURCES,
         "shown": shown, "rule_text": rule_text, "review_overdue": review_overdue, "decimal": Decimal,
         "first_upper": lambda text: text[:1].upper() + text[1:]}


def held(strategy_id: int) -> Strategy:
    return plan.strategy(get_db(), strategy_id) or abort(404)


def may_read(lead_user_id: int) -> None:
    """The plan's readers, and the lead of what the page is about; 404 for anyone else."""
    if not (current_user.can("view_partnership") or current_user.id == lead_user_id):
        abort(404)


def must_lead(lead_user_id: int) -> None:
    """Only the lead: 403 for the plan's other readers, who know it is there; 404 for anyone else."""
    if current_user.id != lead_user_id:
        abort(403 if current_user.can("view_partnership") else 404)


def framework_titles() -> dict[str, str]:
    """Framework id -> its title (the latest version's), for measures of a framework's % met."""
    titles: dict[str, str] = {}
    for row in store.framework_rows(get_db()):
        titles[row["id"]] = row["title"]
    return titles


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
    found = plan.plan_view(get_db(), strategy_id, today=today()) or abort(404)
    return render_template("plan/strategy.html", view=found, row=store.plan_strategy(get_db(), strategy_id),
                           **WORDS)


@bp.get("/plan/<int:strategy_id>/themes/<int:theme_id>")
@requires("view_partnership")
def theme(strategy_id: int, theme_id: int):
    found = plan.theme_view(get_db(), strategy_id, theme_id, today=today()) or abort(404)
    return render_template("plan/theme.html", view=found, frameworks=framework_titles(), **WORDS)


@bp.get("/plan/<int:strategy_id>/risks")
@requires("view_partnership")
def risks(strategy_id: int):
    found = plan.plan_view(get_db(), strategy_id, today=today()) or abort(404)
    actions = {action.id: action for theme in found.themes for action in theme.actions}
    measures = {measure.id: measure for theme in found.themes for measure in theme.measures}
    return render_template("plan/risks.html", view=found, actions=actions, measures=measures,
                           closed=plan.closed_risks(get_db(), strategy_id), **WORDS)


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
                           frameworks=framework_titles(), **WORDS)


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


from compliance.web.views import plan_manage  # noqa: E402,F401 (registers its routes on bp)
