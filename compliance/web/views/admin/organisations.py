"""Organisations: the list, one organisation, adding and changing one, and importing many from CSV."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import store
from compliance.core import csv_import
from compliance.core.membership import Outcome, joined_text
from compliance.services import accreditations, membership
from compliance.services import organisation_record as record
from compliance.web.access import can, check_organisation, requires, signed_in
from compliance.web.forms import ImportForm, OrganisationForm
from compliance.web.requests import accreditation_schemes, actor, get_db, now, sectors, today
from compliance.web.views.admin import bp, valid_submission
from compliance.web.views.returns.submission import RAG_TAGS

# The list's filter: what ?status= may be, and the `active` value each one asks the store for.
STATUSES = {"active": True, "archived": False, "all": None}


@bp.get("/organisations")
@requires("view_partnership")
def organisations():
    status = request.args.get("status", "active")
    status = status if status in STATUSES else "active"
    found = store.organisations(get_db(), active=STATUSES[status])
    return render_template("admin/organisations.html", organisations=found, status=status)


@bp.get("/organisations/<int:organisation_id>")
@signed_in
def organisation(organisation_id: int):
    check_organisation(organisation_id)
    database = get_db()
    found = store.organisation(database, organisation_id) or abort(404)
    people = store.users(database, organisation_id=organisation_id)
    return render_template("admin/organisation.html", organisation=found, people=people,
                           returns=record.organisation_returns(database, organisation_id),
                           history=record.organisation_history(database, organisation_id), RAG_TAGS=RAG_TAGS,
                           accreditations=accreditations.listed(database, organisation_id, accreditation_schemes(),
                                                                today=today()))


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires("manage_partnership")
def new_organisation():
    form = OrganisationForm()
    if valid_submission(form, _name_is_free):
        organisation_id, outcome = membership.add_organisation(get_db(), _values(form), actor=actor(), now=now())
        flash(_said(f"{form.name.data} has been added", outcome))
        return redirect(url_for(".organisation", organisation_id=organisation_id))
    return render_template("admin/organisation_form.html", form=form, organisation=None,
                           status_items=_status_items(None))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires("manage_partnership")
def edit_organisation(organisation_id: int):
    database = get_db()
    found = store.organisation(database, organisation_id) or abort(404)
    form = OrganisationForm(data={**found, "status": "active" if found["active"] else "archived"})
    if valid_submission(form, lambda f: _name_is_free(f, organisation_id)):
        changed, outcome = membership.change_organisation(database, organisation_id, _values(form), actor=actor(),
                                                          now=now())
        flash(_said(f"Changes to {form.name.data} saved", outcome) if changed else "You did not change anything")
        return redirect(url_for(".organisation", organisation_id=organisation_id))
    return render_template("admin/organisation_form.html", form=form, organisation=found,
                           status_items=_status_items(found))


def _said(done: str, outcome: Outcome) -> str:
    """The flash after adding or changing an organisation, with what that did to its returns in open cycles."""
    return ". ".join(filter(None, [done, outcome.text(today())]))


def _status_items(organisation: dict | None) -> list[dict]:
    """Hints under the Active and Archived choices (in that order), saying what each would do to open cycles."""
    hints = membership.status_hints(get_db(), organisation)
    return [{"hint": {"text": hints[code]}} if hints[code] else {} for code in ("active", "archived")]


def _name_is_free(form: OrganisationForm, organisation_id: int | None = None) -> bool:
    """Names are unique ignoring case; says so on the form when the name is taken."""
    existing = store.organisation_named(get_db(), form.name.data) if form.name.data else None
    if existing is None or existing["id"] == organisation_id:
        return True
    form.name.errors.append(f"An organisation called {existing['name']} already exists")
    return False


def _values(form: OrganisationForm) -> dict:
    return {"name": form.name.data, "sector": form.sector.data, "contact_name": form.contact_name.data or "",
            "contact_email": form.contact_email.data or "", "active": int(form.status.data == "active")}


@bp.route("/organisations/import", methods=["GET", "POST"])
@requires("manage_partnership")
def import_organisations():
    form = ImportForm()
    check = _check_upload(form) if form.validate_on_submit() else None
    if check and not check.problems:
        ids, joined = membership.import_organisations(get_db(), check.organisations, actor=actor(), now=now())
        flash(". ".join(filter(None, [f"{len(ids)} organisation{'' if len(ids) == 1 else 's'} imported",
                                      joined_text(joined, today())])))
        return redirect(url_for(".organisations"))
    problems = [p for p in check.problems if p.row is not None] if check else []
    return render_template("admin/import.html", form=form, problems=problems, COLUMNS=csv_import.COLUMNS)


def _check_upload(form: ImportForm) -> csv_import.ImportCheck | None:
    """Check the uploaded file; put what stops the import on the form's file field."""
    if form.file.data is None:
        form.file.errors.append("Select a CSV file")
        return None
    data = form.file.data.stream.read(csv_import.MAX_BYTES + 1)
    check = csv_import.check_organisations(data, existing_names=store.organisation_names(get_db()),
                                           sectors=sectors())
    if check.file_problem:
        form.file.errors.append(check.file_problem.message)
    elif check.problems:
        rows = check.rows_with_problems
        form.file.errors.append(f"The selected file has problems in {rows} row{'' if rows == 1 else 's'}, listed "
                                "below. Nothing has been imported. Fix every row and upload the file again")
    return check


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over the service's upload limit never reaches the view: say the file is too big."""
    if request.endpoint != "admin.import_organisations" or not can(current_user, "manage_partnership"):
        return render_template("errors/generic.html", error=error), 413
    form = ImportForm(formdata=None)
    form.file.errors = ["The selected file must be smaller than 1 MB"]
    return render_template("admin/import.html", form=form, problems=[], COLUMNS=csv_import.COLUMNS), 413
