"""The coordinator loads an existing action plan or measures list into a strategy from a workbook: download the
template, upload it filled in, see every problem by sheet, row and column (nothing added, the file not kept) or a
preview of what would be added, then "Add these".

A clean workbook is kept for its person as the offline return keeps its workbook (services/plan_imports over
store.pending), and checked again, whole, when the preview is shown and when it is added: if what it would add is no
longer what the preview showed (a theme renamed, a measure of the same name added meanwhile), nothing is added and
the page says so.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance.core.plan import Strategy
from compliance.core.plan_import import ACTIONS, FIGURES, MEASURES, TARGETS
from compliance.core.text import file_size, plural, slug
from compliance.core.workbook import MAX_BYTES, Problem
from compliance.services import plan_imports
from compliance.web.access import can, requires
from compliance.web.forms.plan import AddCheckedForm, PlanWorkbookForm
from compliance.web.requests import actor, get_db, now
from compliance.web.responses import attachment
from compliance.web.views.plan import XLSX, bp, held

PAGE = "/plan/<int:strategy_id>/import"
MANAGE = "manage_partnership"
SHEETS = (ACTIONS, MEASURES, TARGETS, FIGURES)


@bp.get(PAGE + "/template.xlsx")
@requires(MANAGE)
def import_template(strategy_id: int):
    found = held(strategy_id)
    return attachment(plan_imports.template(get_db(), found), mimetype=XLSX,
                      filename=f"plan-template-{slug(found.title)[:80].strip('-') or 'strategy'}.xlsx")


@bp.route(PAGE, methods=["GET", "POST"])
@requires(MANAGE)
def import_plan(strategy_id: int):
    found = held(strategy_id)
    form = PlanWorkbookForm()
    if not form.validate_on_submit():
        return _upload_page(found, form)
    if form.file.data is None or not form.file.data.filename:
        form.file.errors.append("Select the workbook you filled in")
        return _upload_page(found, form)
    checked = plan_imports.check(get_db(), found, form.file.data.stream.read(MAX_BYTES + 1),
                                 form.file.data.filename, user_id=current_user.id, now=now())
    if checked.result.problems:
        return _upload_page(found, form, checked.result.problems)
    return redirect(url_for(".import_check", strategy_id=strategy_id))


def _upload_page(found: Strategy, form: PlanWorkbookForm, problems: tuple[Problem, ...] = (), status: int = 200):
    if len(problems) == 1 and problems[0].sheet is None:  # the file as a whole: say it on the field
        message = problems[0].message.rstrip(".")
        form.file.errors = [*form.file.errors, f"{message[:1].upper()}{message[1:]}. Nothing has been added"]
        problems = ()
    elif problems:
        count = plural(len(problems), "problem")
        form.file.errors = [*form.file.errors, f"The workbook has {count}, each listed by sheet, row and column under "
                            f"“{count} to fix in the workbook”. Nothing has been added: fix each one, save the "
                            "workbook and upload it again"]
    return render_template("plan/import.html", strategy=found, form=form, problems=problems, sheets=SHEETS), status


@bp.route(PAGE + "/check", methods=["GET", "POST"])
@requires(MANAGE)
def import_check(strategy_id: int):
    found = held(strategy_id)
    database = get_db()
    checked = plan_imports.kept(database, found, user_id=current_user.id, now=now())
    if checked is None:
        flash("Upload your workbook: nothing from it is waiting to be added (a checked workbook is kept for a day)",
              "important")
        return redirect(url_for(".import_plan", strategy_id=strategy_id))
    if checked.result.problems:  # the strategy changed under the file: its problems now
        return _upload_page(found, PlanWorkbookForm(formdata=None), checked.result.problems, 409)
    form = AddCheckedForm()
    if not form.validate_on_submit():
        form.seen.data = checked.digest
        return _preview_page(found, checked, form)
    added = plan_imports.add(database, found, checked, seen=form.seen.data or "", actor=actor(), now=now())
    if added is None:
        form.seen.data = checked.digest
        return _preview_page(found, checked, form, changed=True), 409
    flash(f"{added.summary[:1].upper()}{added.summary[1:]} added to {found.title} from {checked.filename}")
    return redirect(url_for(".strategy", strategy_id=strategy_id))


def _preview_page(found: Strategy, checked: plan_imports.Checked, form: AddCheckedForm, *, changed: bool = False):
    return render_template("plan/import_preview.html", strategy=found, checked=checked, form=form, changed=changed)


@bp.errorhandler(413)
def workbook_too_large(error):
    """A request over the service's upload limit never reaches the view: say so on the upload page, if this person
    may use it."""
    strategy_id = (request.view_args or {}).get("strategy_id")
    if request.endpoint != "plan.import_plan" or not can(current_user, MANAGE) or strategy_id is None:
        return render_template("errors/generic.html", error=error), 413
    form = PlanWorkbookForm(formdata=None)
    limit = min(MAX_BYTES, int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    form.file.errors = [f"The selected file must be smaller than {file_size(limit)}. Nothing has been added"]
    return _upload_page(held(strategy_id), form, status=413)
