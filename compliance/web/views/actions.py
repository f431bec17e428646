"""The partnership's action plan (board, coordinator, auditors): every improvement action of a cycle's signed
returns, filtered, with overdue ones flagged, and the same rows as CSV."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from compliance import store
from compliance.core.actions import ActionFilters
from compliance.core.returns import ACTION_STATUSES, current_cycle
from compliance.core.text import slug
from compliance.render.actions import actions_csv
from compliance.services.actions import partnership_actions
from compliance.services.returns import cycle_frameworks
from compliance.web.access import requires
from compliance.web.requests import get_db, today
from compliance.web.responses import attachment

bp = Blueprint("actions", __name__)


def _filters(args, frameworks) -> ActionFilters:
    """The filters from the query string; a value not on offer is ignored. requirement is a framework id, or a
    framework id and a requirement id joined by "/"."""
    framework, _, requirement = args.get("requirement", "").partition("/")
    chosen = next((f for f in frameworks if f.id == framework), None)
    if chosen is None or (requirement and requirement not in {r.id for r in chosen.requirements}):
        framework, requirement = "", ""
    organisation = args.get("organisation", "")
    status = args.get("status", "")
    return ActionFilters(framework=framework or None, requirement=requirement or None,
                         organisation=int(organisation) if organisation.isdigit() else None,
                         status=status if status in ACTION_STATUSES else None, overdue=args.get("overdue") == "yes")


def _plan(cycle_id: int):
    database = get_db()
    cycle = store.cycle(database, cycle_id) or abort(404)
    filters = _filters(request.args, cycle_frameworks(database, cycle_id))
    return cycle, partnership_actions(database, cycle, today=today(), filters=filters)


def _query(filters: ActionFilters) -> dict:
    """The filters as the form sends them, for the CSV link."""
    requirement = "/".join(filter(None, [filters.framework, filters.requirement]))
    return {name: value for name, value in {"requirement": requirement, "organisation": filters.organisation,
                                            "status": filters.status,
                                            "overdue": "yes" if filters.overdue else None}.items() if value}


@bp.get("/actions")
@requires("view_partnership")
def current():
    """The action plan of the cycle people mean by "this year's"."""
    cycle = current_cycle(store.cycles(get_db()))
    if cycle is None:
        return render_template("actions/no_cycle.html")
    return redirect(url_for(".plan", cycle_id=cycle["id"]))


@bp.get("/cycles/<int:cycle_id>/actions")
@requires("view_partnership")
def plan(cycle_id: int):
    cycle, found = _plan(cycle_id)
    return render_template("actions/plan.html", cycle=cycle, plan=found, statuses=ACTION_STATUSES,
                           cycles=[c for c in store.cycles(get_db()) if c["status"] != "draft"],
                           csv_url=url_for(".plan_csv", cycle_id=cycle_id, **_query(found.filters)))


@bp.get("/cycles/<int:cycle_id>/actions.csv")
@requires("view_partnership")
def plan_csv(cycle_id: int):
    cycle, found = _plan(cycle_id)
    name = "-".join(["improvement-actions", slug(cycle["name"]), *(["filtered"] if found.filters.any else [])])
    return attachment(actions_csv(cycle["name"], found.actions), mimetype="text/csv", filename=f"{name}.csv")
