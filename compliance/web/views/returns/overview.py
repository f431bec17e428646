"""A return's overview: the task list, progress, due date, and starting from last year's answers."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import store
from compliance.core.returns import action_overdue
from compliance.core.text import plural
from compliance.services import queries
from compliance.services import returns as return_service
from compliance.web.access import requires, signed_in
from compliance.web.forms import ConfirmForm
from compliance.web.requests import actor, get_db, now, today
from compliance.web.views.returns import bp, editable_return, frozen_page, visible_return
from compliance.web.views.returns.assignments import assigned_tasks


@bp.get("/returns/<int:return_id>")
@signed_in
def overview(return_id: int):
    context = visible_return(return_id)
    database = get_db()
    versions = store.return_versions(database, return_id)
    previous = return_service.previous_return(database, context)
    can_start = (current_user.can("edit_return") and context.editable and previous is not None
                 and context.ret.status == "not-started" and not context.answers)
    audit = (return_service.audit_summary(database, context) if context.signed
             else None)
    assigned = assigned_tasks(database, context, mine=request.args.get("assigned") == "me")
    return render_template("returns/overview.html", context=context, versions=versions, previous=previous, audit=audit,
                           can_start=can_start, confirm=ConfirmForm(),
                           open_queries=queries.open_queries(database, context=context),
                           requests=return_service.open_amendment_requests(database, context),
                           changed_since={(item["framework"].key, item["requirement"].id)
                                          for item in return_service.asked_to_change(database, context)
                                          if item["changed"]},
                           has_editor=any(p["role"] == "editor" and p["active"] for p in
                                          store.users(database, organisation_id=context.ret.organisation_id)),
                           carried=carried_forward(context),
                           can_edit=current_user.can("edit_return") and context.editable, **assigned)


def carried_forward(context) -> list[tuple]:
    """The requirements whose own answer was carried forward from last year and is not yet confirmed (one answered
    through another framework's is confirmed there)."""
    return [(f, r) for f, r in context.requirements() if context.source(f, r) is None
            and (context.answers.get((f.key, r.id)) or {}).get("carried_forward")]


@bp.post("/returns/<int:return_id>/start-from-last-year")
@requires("edit_return")
def start_from_last_year(return_id: int):
    context = editable_return(return_id)
    if context is None:
        return frozen_page(return_service.load_return(get_db(), return_id))
    copied = return_service.start_from_last_year(get_db(), context, today=today(), actor=actor(), now=now())
    if copied:
        flash(f"{copied} answers copied from last year. Check each one marked “Carried forward - check” and confirm it")
    else:
        flash("There were no answers from last year to copy")
    return redirect(url_for(".overview", return_id=return_id))


@bp.route("/returns/<int:return_id>/confirm-carried-forward", methods=["GET", "POST"])
@requires("edit_return")
def confirm_carried_forward(return_id: int):
    """Every answer carried forward from last year on one page, to confirm those still right in one go."""
    context = editable_return(return_id)
    if context is None:
        return frozen_page(return_service.load_return(get_db(), return_id))
    day = today()
    carried, to_open = [], []
    for f, r in carried_forward(context):
        answer = context.answers[(f.key, r.id)]
        actions, evidence = context.actions.get((f.key, r.id), []), context.evidence.get((f.key, r.id), [])
        late = [a for a in actions if action_overdue(a, day)]
        expired = [e for e in evidence if e.get("valid_until") and e["valid_until"] < day.isoformat()]
        # An answer with a late action or expired evidence is not still right as it is: it is opened, not ticked.
        (to_open if late or expired else carried).append(
            {"framework": f, "requirement": r, "answer": answer, "actions": actions, "evidence": evidence,
             "late": late, "expired": expired})
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        chosen = set(request.form.getlist("answers"))
        keys = [(c["framework"].key, c["requirement"].id) for c in carried
                if f"{c['framework'].id}/{c['requirement'].id}" in chosen]
        if not keys:
            problem = "Select the answers that are still right, or go back to the task list"
        else:
            confirmed = return_service.confirm_carried_forward(get_db(), context, keys, actor=actor(), now=now())
            flash(f"{plural(confirmed, 'answer')} confirmed as still right")
            return redirect(url_for(".overview", return_id=return_id))
    return render_template("returns/confirm_carried_forward.html", context=context, carried=carried, form=form,
                           to_open=to_open,
                           problem=problem, more_errors=[{"text": problem, "href": "#answers"}] if problem else [])
