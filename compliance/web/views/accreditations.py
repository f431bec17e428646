"""Accreditations an organisation holds: add one, change one, remove one. They are listed on the organisation's
page, which the organisation's people, the coordinator, the board and auditors see.

The organisation's own editors, and the coordinator for any organisation, may change them; anyone else with the
permission (an editor of another organisation) gets 404, so ids cannot be probed.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import store
from compliance.core import filetypes
from compliance.core.accreditations import as_held, record
from compliance.services import accreditations
from compliance.services.accreditations import EXISTING, FILE, KEEP, LINK, Evidence
from compliance.web.access import can, check_organisation, requires
from compliance.web.forms import ConfirmForm
from compliance.web.forms.accreditations import AccreditationForm, level_field
from compliance.web.requests import accreditation_schemes, actor, get_db, now, today
from compliance.web.uploads import checked_upload

bp = Blueprint("accreditations", __name__)
ONE = "/organisations/<int:organisation_id>/accreditations/<int:accreditation_id>"
CHANGED = ("Someone else changed this accreditation while you were changing it, so your changes have not been "
           "saved. What they saved is shown below: check it, then save your changes again")


def _organisation(organisation_id: int) -> dict:
    check_organisation(organisation_id)
    return store.organisation(get_db(), organisation_id) or abort(404)


def _accreditation(organisation_id: int, accreditation_id: int) -> dict:
    found = store.accreditation(get_db(), accreditation_id)
    if found is None or found["organisation_id"] != organisation_id:
        abort(404)
    return found


def _form(organisation_id: int, current: dict | None = None, **kwargs) -> AccreditationForm:
    library = store.organisation_evidence(get_db(), organisation_id)
    found = current or {}
    keeps = found.get("evidence_filename") or found.get("evidence_url") or found.get("evidence_title") or ""
    return AccreditationForm.build(accreditation_schemes(), library, today=today(), keeps=keeps, **kwargs)


def _page(organisation: dict, form: AccreditationForm, current: dict | None = None, **extra):
    back = url_for("admin.organisation", organisation_id=organisation["id"], _anchor="accreditations")
    return render_template("accreditations/form.html", organisation=organisation, form=form, current=current,
                           back=back, schemes=accreditation_schemes(), level_field=level_field,
                           accept=filetypes.ACCEPT, accepted_kinds=filetypes.ACCEPTED_KINDS,
                           max_upload_mb=current_app.config["MAX_UPLOAD_MB"], **extra)


def _done(organisation: dict, message: str):
    flash(message)
    return redirect(url_for("admin.organisation", organisation_id=organisation["id"], _anchor="accreditations"))


def _evidence(form: AccreditationForm) -> Evidence | None:
    """How the accreditation is evidenced, when everything on the form is right (a file: checked as every
    evidence upload is); None, with the errors on the form, when not."""
    valid = form.validate()
    if form.evidence.data == FILE:
        checked = checked_upload(form.file, fields_valid=valid)
        return None if checked is None else Evidence(FILE, accepted=checked[0], data=checked[1])
    if not valid:
        return None
    if form.evidence.data == LINK:
        return Evidence(LINK, url=form.url.data)
    if form.evidence.data == EXISTING:
        return Evidence(EXISTING, evidence_id=int(form.existing.data))
    return Evidence(KEEP)


@bp.route("/organisations/<int:organisation_id>/accreditations/new", methods=["GET", "POST"])
@requires("manage_accreditations")
def add(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = _form(organisation_id)
    evidence = _evidence(form) if form.is_submitted() else None
    if evidence is None:
        return _page(organisation, form)
    try:
        accreditations.add(get_db(), current_app.config["EVIDENCE_DIR"], organisation_id, form.values(), evidence,
                           actor=actor(), now=now())
    except accreditations.OutOfStorage as full:
        form.file.errors.append(str(full))
        return _page(organisation, form), 507
    return _done(organisation, f"{_name(form.values())} has been added to {organisation['name']}'s accreditations")


@bp.route(ONE + "/change", methods=["GET", "POST"])
@requires("manage_accreditations")
def change(organisation_id: int, accreditation_id: int):
    organisation = _organisation(organisation_id)
    current = _accreditation(organisation_id, accreditation_id)
    form = _form(organisation_id, current, data=_data(current))
    evidence = _evidence(form) if form.is_submitted() else None
    if evidence is None:
        return _page(organisation, form, current)
    try:
        accreditations.change(get_db(), current_app.config["EVIDENCE_DIR"], current, form.values(), evidence,
                              revision=form.read_revision, actor=actor(), now=now())
    except accreditations.OutOfStorage as full:
        form.file.errors.append(str(full))
        return _page(organisation, form, current), 507
    except accreditations.ChangedElsewhere:
        return _changed_elsewhere(organisation, form, accreditation_id)
    return _done(organisation, f"Changes to {_name(form.values())} saved")


def _changed_elsewhere(organisation: dict, form: AccreditationForm, accreditation_id: int):
    """The form again with what was typed, beside what the other person saved (or, removed: back to the list)."""
    latest = store.accreditation(get_db(), accreditation_id)
    if latest is None:
        return _done(organisation, "Someone else removed this accreditation while you were changing it, so your "
                                   "changes have not been saved")
    form.revision.data = str(latest["revision"])
    if form.evidence.data == FILE:
        form.file.errors.append("Choose the file again: it was not kept, as your changes were not saved")
    saved = as_held(record(latest, scheme_name=accreditation_schemes().name(latest["scheme"], latest["scheme_name"])),
                    today())
    return _page(organisation, form, latest, saved=saved,
                 more_errors=[{"text": CHANGED, "href": "#changed-elsewhere"}]), 409


@bp.route(ONE + "/remove", methods=["GET", "POST"])
@requires("manage_accreditations")
def remove(organisation_id: int, accreditation_id: int):
    organisation = _organisation(organisation_id)
    current = _accreditation(organisation_id, accreditation_id)
    held = as_held(record(current, scheme_name=accreditation_schemes().name(current["scheme"],
                                                                            current["scheme_name"])), today())
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("accreditations/remove.html", organisation=organisation, current=current, held=held,
                               form=form)
    accreditations.remove(get_db(), accreditation_id, actor=actor(), now=now())
    return _done(organisation, f"{held.name} has been removed from {organisation['name']}'s accreditations")


def _name(values: dict) -> str:
    return f"{values['scheme_name']} ({values['level']})" if values.get("level") else values["scheme_name"]


def _data(current: dict) -> dict:
    """The form's fields from the accreditation as stored."""
    return {"scheme": current["scheme"], level_field(current["scheme"]): current["level"],
            "awarded_on": _date(current["awarded_on"]), "expires_on": _date(current["expires_on"]),
            "reference": current["reference"], "evidence": KEEP if current.get("evidence_title") else None,
            "revision": str(current["revision"])}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over the upload limit is refused before the view runs: say so on the form's file field."""
    arguments = request.view_args or {}
    organisation_id = arguments.get("organisation_id", 0)
    allowed = can(current_user, "manage_accreditations") and (
        current_user.can("manage_partnership") or current_user.organisation_id == organisation_id)
    organisation = store.organisation(get_db(), organisation_id) if allowed else None
    if organisation is None or request.endpoint not in ("accreditations.add", "accreditations.change"):
        return render_template("errors/generic.html", error=error), 413
    current = None
    if request.endpoint == "accreditations.change":
        current = store.accreditation(get_db(), arguments.get("accreditation_id", 0))
        if current is None or current["organisation_id"] != organisation_id:
            return render_template("errors/generic.html", error=error), 413
    form = _form(organisation_id, current, formdata=None, data=_data(current) if current else None)
    form.evidence.data = FILE
    form.file.errors = [f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"]
    return _page(organisation, form, current), 413

