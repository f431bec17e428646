"""Frameworks as spreadsheets: the empty template, any loaded version as a workbook or as its TOML file, the help
page, and a filled workbook uploaded, checked, previewed and then loaded.

Between the check and "Load this version" the checked framework waits in the preview page itself, as its canonical
TOML signed with the app's secret key (for this person, for an hour): nothing is stored until the coordinator
confirms, there is nothing to clear up when they walk away, and nobody can send back text the service did not check.
The TOML is then checked again in full before it is stored, as the catalogue may have changed meanwhile.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.utils import secure_filename
from wtforms import HiddenField, SubmitField

from compliance import store
from compliance.core import framework_sheets as sheets
from compliance.core import frameworks as fw
from compliance.core.workbook import MAX_BYTES, Problem
from compliance.render.framework_workbook import framework_workbook
from compliance.services import catalogue, framework_workbooks
from compliance.web.access import requires, signed_in
from compliance.web.forms import Form
from compliance.web.requests import actor, get_db, now, sectors
from compliance.web.responses import attachment
from compliance.web.views.admin import bp
from compliance.web.views.admin.frameworks import framework_page_parts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHECKED_FOR = 60 * 60  # seconds a checked workbook waits for "Load this version"


class SpreadsheetUploadForm(Form):
    file = FileField("Framework spreadsheet", widget=GovFileInput(),
                     description="The Excel workbook (.xlsx) you filled in, smaller than 2 MB.")
    submit = SubmitField("Check the spreadsheet", widget=GovSubmitInput())


class LoadForm(Form):
    checked = HiddenField()
    submit = SubmitField("Load this version", widget=GovSubmitInput())


@bp.get("/frameworks/template.xlsx")
@requires("view_partnership")
def framework_template():
    return attachment(framework_workbook(None, sectors=sectors()), mimetype=XLSX, filename="framework-template.xlsx")


@bp.get("/frameworks/<framework_id>/<version>/spreadsheet.xlsx")
@signed_in
def framework_spreadsheet(framework_id: str, version: str):
    loaded = _stored(framework_id, version)
    return attachment(framework_workbook(loaded, sectors=sectors()), mimetype=XLSX,
                      filename=f"{loaded.id}--{loaded.version}.xlsx")


@bp.get("/frameworks/<framework_id>/<version>/framework.toml")
@signed_in
def framework_file(framework_id: str, version: str):
    loaded = _stored(framework_id, version)
    _, text = store.framework_source(get_db(), loaded.key)
    return attachment(text.encode("utf-8"), mimetype="application/toml",
                      filename=f"{loaded.id}--{loaded.version}.toml")


@bp.get("/frameworks/spreadsheets")
@requires("view_partnership")
def framework_spreadsheet_help():
    return render_template("admin/framework_spreadsheet_help.html", sheets=sheets, sectors=sectors())


@bp.route("/frameworks/upload-spreadsheet", methods=["GET", "POST"])
@requires("manage_partnership")
def upload_framework_spreadsheet():
    form = SpreadsheetUploadForm()
    problems: tuple[Problem, ...] = ()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors.append("Select a framework spreadsheet")
        else:
            name = secure_filename(upload.filename) or "framework.xlsx"
            checked = framework_workbooks.check_workbook(get_db(), name, upload.stream.read(MAX_BYTES + 1),
                                                         sectors=sectors())
            if checked.framework is not None:
                return _preview(checked.framework, checked.toml, name)
            problems = _refused(form, checked.problems)
    return _upload_page(form, problems)


@bp.post("/frameworks/load-spreadsheet")
@requires("manage_partnership")
def load_framework_spreadsheet():
    form = LoadForm()
    checked = _unsigned(form.checked.data) if form.validate_on_submit() else None
    upload = SpreadsheetUploadForm(formdata=None)
    if checked is None:
        upload.file.errors = ["The check of the spreadsheet has expired (or the page was changed), so nothing has "
                              "been loaded: upload the spreadsheet again"]
        return _upload_page(upload, ())
    loaded = framework_workbooks.load_checked(get_db(), checked["toml"], checked["name"], sectors=sectors(),
                                              actor=actor(), now=now())
    if loaded.framework is None:
        return _upload_page(upload, _refused(upload, loaded.problems))
    flash(f"Version {loaded.framework.version} of {loaded.framework.title} loaded")
    return redirect(url_for(".framework", framework_id=loaded.framework.id, version=loaded.framework.version))


def _stored(framework_id: str, version: str) -> fw.Framework:
    database = get_db()
    row = next((row for row in store.framework_rows(database)
                if row["id"] == framework_id and row["version"] == version), None)
    if row is None:
        abort(404)
    return catalogue.framework(database, row["key"], row["sha256"])


def _upload_page(form: SpreadsheetUploadForm, problems: tuple[Problem, ...]):
    return render_template("admin/framework_spreadsheet_upload.html", form=form, problems=problems)


def _refused(form: SpreadsheetUploadForm, problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """The problems on the form: one about the whole file as its message, several as a count and a table."""
    if len(problems) == 1 and problems[0].sheet is None:
        message = problems[0].message
        form.file.errors = [message[:1].upper() + message[1:]]
        return ()
    count = len(problems)
    form.file.errors = [f"The spreadsheet has {count} problem{'' if count == 1 else 's'}, listed below. Nothing "
                        "has been loaded. Fix every problem and upload the spreadsheet again"]
    return problems


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="framework-spreadsheet")


def _unsigned(token: str | None) -> dict | None:
    """What the preview page carried, if this service signed it for this person within the hour."""
    try:
        found = _signer().loads(token or "", max_age=CHECKED_FOR)
    except BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(found, dict) or found.get("by") != current_user.id:
        return None
    return found


def _preview(framework: fw.Framework, text: str, name: str):
    form = LoadForm(formdata=None)
    form.checked.data = _signer().dumps({"toml": text, "name": name, "by": current_user.id})
    return render_template("admin/framework_spreadsheet_preview.html", form=form, file_name=name,
                           changes=framework_workbooks.changes(get_db(), framework),
                           **framework_page_parts(framework))
