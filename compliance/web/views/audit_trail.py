"""The audit trail (admin and auditors): every change, filtered by organisation, person, kind and date; as CSV."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from compliance import store
from compliance.render.exports import neutralise
from compliance.web.access import requires
from compliance.web.forms import choices
from compliance.web.requests import get_db
from compliance.web.responses import attachment

bp = Blueprint("audit", __name__)
PAGE_SIZE = 200
CSV_CAP = 100_000
CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "organisation", "old_value", "new_value",
               "address")
FILTERS = ("organisation", "person", "kind", "date_from", "date_to")


def _iso_date(label: str):
    def check(_form, field):
        text = (field.data or "").strip()
        if text and not (re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and _is_date(text)):
            raise ValidationError(f"{label} must be a real date written year-month-day, like 2026-04-01")

    return check


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)
    person = StringField("Person", widget=GovTextInput(), description="All or part of their email address.")
    kind = SelectField("Kind of change", widget=GovSelect(), validate_choice=False)
    date_from = StringField("From", widget=GovTextInput(), description="For example 2026-04-01",
                            validators=[_iso_date("From date")])
    date_to = StringField("To", widget=GovTextInput(), description="For example 2026-04-30",
                          validators=[_iso_date("To date")])


def _filters() -> tuple[AuditFilterForm, dict]:
    """The filter form read from the query string, and the search arguments; bad dates are left out."""
    database = get_db()
    form = AuditFilterForm(request.args)
    form.organisation.choices = choices([("", "All organisations")] + [
        (str(o["id"]), o["name"]) for o in store.organisations(database)])
    form.kind.choices = choices([("", "All kinds")] + [(a, a) for a in store.audit_actions(database)])
    form.validate()
    organisation = form.organisation.data or ""
    return form, {
        "organisation_id": int(organisation) if organisation.isdigit() else None,
        "actor": (form.person.data or "").strip() or None,
        "action": form.kind.data or None,
        "date_from": None if form.date_from.errors else (form.date_from.data or "").strip() or None,
        "date_to": None if form.date_to.errors else (form.date_to.data or "").strip() or None,
    }


@bp.get("/audit-trail")
@requires("view_audit_trail")
def trail():
    form, search = _filters()
    page = max(request.args.get("page", 1, type=int), 1)
    entries, total = store.search_audit(get_db(), **search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    query = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "audit/trail.html", form=form, entries=entries, total=total, page=page, page_size=PAGE_SIZE,
        filtered=bool(query), csv_url=url_for(".trail_csv", **query),
        previous_url=url_for(".trail", **query, page=page - 1) if page > 1 else None,
        next_url=url_for(".trail", **query, page=page + 1) if page * PAGE_SIZE < total else None)


@bp.get("/audit-trail.csv")
@requires("view_audit_trail")
def trail_csv():
    _form, search = _filters()
    entries, _total = store.search_audit(get_db(), **search, limit=CSV_CAP)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        entry = {**entry, "organisation": entry["organisation_name"] or ""}
        writer.writerow([neutralise(entry[column] if entry[column] is not None else "") for column in CSV_COLUMNS])
    return attachment(out.getvalue(), mimetype="text/csv; charset=utf-8", filename="audit-trail.csv")


@bp.app_template_filter("compact_json")
def compact_json(value: str | None) -> str:
    """A stored JSON value on one line, without spaces after separators; text that is not JSON as it is."""
    if not value:
        return ""
    try:
        return json.dumps(json.loads(value), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return value
