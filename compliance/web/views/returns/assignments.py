"""Assigning requirements of a return to the organisation's editors."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from compliance.core.assignments import assignee_text, groups_assigned_to
from compliance.core.text import plural
from compliance.services import assignments as assignment_service
from compliance.services.returns import requirement_name
from compliance.web.access import requires
from compliance.web.forms.assignments import NOBODY, AssignForm
from compliance.web.requests import actor, get_db, notifier, now
from compliance.web.views.returns import bp, frozen_page, own_return


@bp.route("/returns/<int:return_id>/assign", methods=["GET", "POST"])
@requires("view_own_organisation")
def assign(return_id: int):
    context = own_return(return_id)
    if not context.editable:
        return frozen_page(context)
    database = get_db()
    form = AssignForm()
    form.set_people(assignment_service.editors(database, context.ret.organisation_id))
    items = [{"framework": f, "requirement": r, "value": f"{f.id}/{r.id}", "key": (f.key, r.id),
              "slug": f"{f.id}-{r.id}", "name": requirement_name(r)} for f, r in context.requirements()]
    chosen = set(form.requirements.data or [])
    if form.validate_on_submit():
        keys = [item["key"] for item in items if item["value"] in chosen]
        if not keys:
            form.requirements.errors = ["Select the requirements to assign"]
        if not form.person.data:
            form.person.errors = ["Select who to assign them to, or Nobody to remove the assignment"]
        elif keys:
            person_id = None if form.person.data == NOBODY else _number(form.person.data)
            outcome = assignment_service.assign(database, context, keys, person_id, actor=actor(), now=now(),
                                                notify=notifier())
            if outcome.problem is None:
                flash(_said(outcome))
                return redirect(url_for(".overview", return_id=return_id))
            form.person.errors = [outcome.problem]
    assigned = assigned_tasks(database, context, mine=False)["assigned"]
    return render_template("returns/assign.html", context=context, form=form, items=items, chosen=chosen,
                           assigned=assigned)


def assigned_tasks(database, context, *, mine: bool) -> dict:
    """For the task list: who each requirement is assigned to, and its groups (only this person's when mine)."""
    assigned = {key: {**value, "text": assignee_text(value)} for key, value in
                assignment_service.assignments(database, context.ret.id).items()}
    own = current_user.organisation_id == context.ret.organisation_id
    groups = context.task_groups()
    shown = groups_assigned_to(groups, assigned, current_user.id) if mine and own else groups
    return {"assigned": assigned, "mine": mine and own, "task_groups": shown,
            "mine_count": sum(value["user_id"] == current_user.id for value in assigned.values()),
            "can_assign": own and context.editable and current_user.can("view_own_organisation")}


def _number(value: str) -> int:
    return int(value) if value.isdigit() else -1  # no such person: refused as one of another organisation


def _said(outcome: assignment_service.Outcome) -> str:
    if not outcome.changed:
        return "Nothing changed: those requirements were already assigned that way"
    count = plural(len(outcome.changed), "requirement")
    if outcome.assignee is None:
        return f"{count} no longer assigned to anyone"
    if outcome.assignee["id"] == current_user.id:
        return f"{count} assigned to you"
    return f"{count} assigned to {outcome.assignee['name']}" + (
        ". We have emailed them to say so" if outcome.emailed else "")
