"""The audit trail (admin and auditors): every event as a sentence, filtered, a page at a time; as CSV."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from compliance import store
from compliance.core.text import london_day
from compliance.render.audit_trail import trail_csv as render_csv
from compliance.services import audit_trail
from compliance.web.access import requires
from compliance.web.forms import GovDateField, choices
from compliance.web.requests import get_db, sectors
from compliance.web.responses import attachment

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50
CSV_CAP = 100_000
SHORTEN_TO = 160  # characters of a changed value shown on the page; the CSV has every one whole
FILTERS = ("organisation", "person", "kind", "date_from", "date_to")
MAX_PAGE = 2**31  # a page number past this is a made-up address: its offset would not fit SQLite's integers


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)
    person = StringField("Person", widget=GovTextInput(), description="All or part of their name or email address.")
    kind = SelectField("Kind of event", widget=GovSelect(), validate_choice=False)
    date_from = GovDateField("From date", example="1 12 2026", description="For example, 1 12 2026")
    date_to = GovDateField("To date", example="31 12 2026", description="For example, 31 12 2026")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("To date must be the same as or after the from date")


def _filters() -> tuple[AuditFilterForm, audit_trail.Search]:
    """The filter form read from the query string, and what to search for; a day is London's, midnight to midnight."""
    database = get_db()
    form = AuditFilterForm(request.args)
    form.organisation.choices = choices([("", "All organisations")] + [
        (str(o["id"]), o["name"]) for o in store.organisations(database)])
    form.kind.choices = choices([("", "All kinds")] + audit_trail.kinds(database))
    form.validate()
    organisation = form.organisation.data or ""
    return form, audit_trail.Search(
        organisation_id=int(organisation) if organisation.isdigit() else None,
        person=(form.person.data or "").strip() or None, action=form.kind.data or None,
        since=london_day(form.date_from.data)[0] if form.date_from.data else None,
        before=london_day(form.date_to.data)[1] if form.date_to.data else None)


def _query() -> dict[str, list[str]]:
    """The filters as asked, to keep across pages and in the CSV link (a date is its day, month and year)."""
    asked = {name: request.args.getlist(name) for name in FILTERS}
    return {name: values for name, values in asked.items() if any(value.strip() for value in values)}


def _pagination(found: audit_trail.Page, query: dict) -> dict | None:
    """GOV.UK pagination's params: previous, next, the first and last pages and those either side of this one."""
    if found.pages < 2:
        return None
    def link(number: int) -> str:
        return url_for(".trail", **query, page=number)

    items, shown = [], 0
    for number in sorted({1, found.number - 1, found.number, found.number + 1, found.pages}):
        if 1 <= number <= found.pages:
            if number > shown + 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": link(number), "current": number == found.number})
            shown = number
    return {"items": items, "landmarkLabel": "Pages of events",
            "previous": {"href": link(found.number - 1)} if found.number > 1 else None,
            "next": {"href": link(found.number + 1)} if found.number < found.pages else None}


@bp.get("/audit-trail")
@requires("view_audit_trail")
def trail():
    form, search = _filters()
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    found = None if form.errors else audit_trail.page(get_db(), search, number=number, size=PAGE_SIZE,
                                                             sectors=sectors())
    query = _query()
    return render_template(
        "audit/trail.html", form=form, found=found, filtered=bool(query), shorten_to=SHORTEN_TO, csv_cap=CSV_CAP,
        csv_url=url_for(".trail_csv", **query), pagination=found and _pagination(found, query))


@bp.get("/audit-trail.csv")
@requires("view_audit_trail")
def trail_csv():
    form, search = _filters()
    if form.errors:  # the page says what to correct; a CSV would quietly leave the filter out
        return redirect(url_for(".trail", **_query()))
    events = audit_trail.everything(get_db(), search, cap=CSV_CAP, sectors=sectors())
    return attachment(render_csv(events), mimetype="text/csv", filename="audit-trail.csv")
