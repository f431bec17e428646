"""The yearly cycle (admin): create one with its framework versions and dates, open it, close it."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from compliance import store
from compliance.core import limits
from compliance.core.cycle_returns import COLUMNS, SHOWN_STATUSES, read_sort, read_statuses
from compliance.core.limits import too_long
from compliance.core.membership import joined_text
from compliance.core.returns import financial_year
from compliance.services import cycle_returns, membership
from compliance.services import returns as return_service
from compliance.web.access import requires
from compliance.web.forms import ConfirmForm, Form, GovDateField, choices
from compliance.web.requests import actor, get_db, now, sectors, today

bp = Blueprint("cycles", __name__)
DECLARATION = (
    "I confirm that, to the best of my knowledge, this return is a true and complete account of how my "
    "organisation meets the requirements listed, that the evidence referred to is held by my organisation, and "
    "that it will be made available to {partnership} on request."
)


class CycleForm(Form):
    name = StringField("Name", widget=GovTextInput(), filters=[lambda v: v.strip() if v else v],
                       description="The reporting year, April to March, like 2025/26.",
                       validators=[DataRequired("Enter the cycle's name, like 2025/26")])
    frameworks = SelectMultipleField("Frameworks", widget=GovCheckboxesInput(),
                                     description="Select one version of each framework to assess against.")
    open_date = GovDateField("Open date", required="Enter the date the cycle opens")
    due_date = GovDateField("Due date", required="Enter the date returns are due")
    declaration = TextAreaField("Declaration", widget=GovTextArea(),
                                description="What the signatory confirms when they submit the return.",
                                validators=[DataRequired("Enter the declaration the signatory will confirm"),
                                            Length(max=limits.DECLARATION,
                                                   message=too_long("Declaration", limits.DECLARATION))])
    submit = SubmitField("Save cycle", widget=GovSubmitInput())

    def validate_name(self, field):
        if field.data and not re.fullmatch(r"\d{4}/\d{2}", field.data):
            raise ValidationError("Enter the name as the reporting year, like 2025/26")
        if field.data and int(field.data[5:]) != (int(field.data[:4]) + 1) % 100:
            raise ValidationError(f"The years in {field.data} must follow each other, like 2025/26")

    framework_ids: list[str] = []  # one position field for each, named position_0, position_1, ...

    @property
    def position_fields(self) -> list:
        return [self[f"position_{index}"] for index in range(len(self.framework_ids))]

    def ordered_frameworks(self) -> list[str]:
        """The framework versions selected, in the positions the coordinator gave their frameworks."""
        place = {framework_id: int(field.data) for framework_id, field in zip(self.framework_ids, self.position_fields)}
        return sorted(self.frameworks.data, key=lambda key: place.get(key.split("@")[0], len(place) + 1))

    def validate_frameworks(self, field):
        if not field.data:
            raise ValidationError("Select at least one framework")
        chosen = {key.split("@")[0] for key in field.data}
        places = [f.data for framework_id, f in zip(self.framework_ids, self.position_fields) if framework_id in chosen]
        if len(places) != len(set(places)):
            raise ValidationError("Give each framework you select a different place in the order")
        ids = [key.split("@")[0] for key in field.data]
        if len(ids) != len(set(ids)):
            raise ValidationError("Select only one version of each framework")

    def validate_due_date(self, field):
        if field.data and self.open_date.data and field.data < self.open_date.data:
            raise ValidationError("Due date must be the same as or after the open date")


class JoinForm(Form):
    organisations = SelectMultipleField("Organisations to add", widget=GovCheckboxesInput(), coerce=int,
                                        description="Each one gets a return asking what applies to its sector.")
    submit = SubmitField("Add to the cycle", widget=GovSubmitInput())

    def validate_organisations(self, field):
        if not field.data:
            raise ValidationError("Select at least one organisation to add to the cycle")






@bp.get("/cycles")
@requires("view_partnership")
def cycles():
    return render_template("cycles/cycles.html", cycles=store.cycles(get_db()))


@bp.route("/cycles/new", methods=["GET", "POST"])
@requires("manage_partnership")
def new_cycle():
    database = get_db()
    rows = store.framework_rows(database)
    declaration = DECLARATION.format(partnership=current_app.config["PARTNERSHIP_NAME"])
    form = _cycle_form(rows, data={"name": financial_year(now().date()), "declaration": declaration})
    form.frameworks.choices = choices((r["key"], f"{r['title']}, version {r['version']}") for r in rows)
    if form.validate_on_submit() and _name_is_free(form):
        cycle_id = store.create_cycle(database, name=form.name.data, open_date=form.open_date.data.isoformat(),
                                      due_date=form.due_date.data.isoformat(), declaration=form.declaration.data,
                                      framework_keys=form.ordered_frameworks(), actor=actor(), now=now())
        flash(f"Cycle {form.name.data} saved. Check it, then open it to give each organisation its return")
        return redirect(url_for(".cycle", cycle_id=cycle_id))
    return render_template("cycles/new.html", form=form, rows=rows)


def _cycle_form(rows: list[dict], data: dict) -> CycleForm:
    """The new-cycle form with a place in the order for each framework: the matrix, the returns and the exports
    show a cycle's frameworks in this order. It starts as the latest cycle's order, any other framework after."""
    latest = store.cycles(get_db())
    before = [key.split("@")[0] for key in store.cycle_framework_keys(get_db(), latest[0]["id"])] if latest else []
    titles = {row["id"]: row["title"] for row in rows}
    ids = sorted(titles, key=lambda framework_id: before.index(framework_id) if framework_id in before
                 else len(before))
    places = choices((str(place), str(place)) for place in range(1, len(ids) + 1))
    fields = {f"position_{index}": SelectField(titles[framework_id], choices=places, default=str(index + 1),
                                               widget=GovSelect())
              for index, framework_id in enumerate(ids)}
    form = type("OrderedCycleForm", (CycleForm,), {**fields, "framework_ids": ids})(data=data)
    return form


def _name_is_free(form: CycleForm) -> bool:
    if not any(c["name"] == form.name.data for c in store.cycles(get_db())):
        return True
    form.name.errors.append(f"There is already a cycle called {form.name.data}")
    return False


@bp.get("/cycles/<int:cycle_id>")
@requires("view_partnership")
def cycle(cycle_id: int):
    return _cycle_page(store.cycle(get_db(), cycle_id) or abort(404))


def _cycle_page(found: dict, close_problem: str | None = None):
    database, cycle_id = get_db(), found["id"]
    frameworks = return_service.cycle_frameworks(database, cycle_id)
    # The returns table's sort and status filter come in the query string, so a sorted, filtered view is a link.
    sort = read_sort(request.args.get("sort"), request.args.get("order"))
    statuses = read_statuses(request.args.getlist("status"))
    table = cycle_returns.returns_table(database, found, frameworks, today=today(), sort=sort, statuses=statuses)
    return render_template("cycles/cycle.html", cycle=found, form=None, confirm=ConfirmForm(), frameworks=frameworks,
                           table=table, sort=sort, statuses=list(statuses), columns=COLUMNS,
                           shown_statuses=SHOWN_STATUSES, close_problem=close_problem,
                           more_errors=[{"text": close_problem, "href": "#confirm-close"}] if close_problem else [])


@bp.post("/cycles/<int:cycle_id>/open")
@requires("manage_partnership")
def open_cycle(cycle_id: int):
    database = get_db()
    found = store.cycle(database, cycle_id) or abort(404)
    if found["status"] == "draft":
        made = return_service.open_cycle(database, cycle_id, actor=actor(), now=now())
        flash(f"Cycle {found['name']} is open: {made} organisations have a return to complete")
    return redirect(url_for(".cycle", cycle_id=cycle_id))


@bp.post("/cycles/<int:cycle_id>/close")
@requires("manage_partnership")
def close_cycle(cycle_id: int):
    database = get_db()
    found = store.cycle(database, cycle_id) or abort(404)
    if found["status"] == "open" and request.form.get("confirm") != "yes":
        return _cycle_page(found, f"Tick the box to confirm you want to close {found['name']}. Nothing has been "
                                  "closed"), 400
    if found["status"] == "open":
        store.close_cycle(database, cycle_id, actor=actor(), now=now())
        flash(f"Cycle {found['name']} is closed: its returns can no longer be changed")
    return redirect(url_for(".cycle", cycle_id=cycle_id))


@bp.route("/cycles/<int:cycle_id>/organisations", methods=["GET", "POST"])
@requires("manage_partnership")
def add_organisations(cycle_id: int):
    database = get_db()
    found = store.cycle(database, cycle_id) or abort(404)
    if found["status"] != "open":
        flash(f"Cycle {found['name']} is not open: " + ("opening it gives every active organisation its return"
              if found["status"] == "draft" else "no organisation can be added to it now"), "important")
        return redirect(url_for(".cycle", cycle_id=cycle_id))
    can_join, not_asked = membership.joiners(database, cycle_id)
    form = JoinForm()
    form.organisations.choices = choices((o["id"], o["name"]) for o in can_join)
    if form.validate_on_submit():
        joined = membership.add_to_cycle(database, cycle_id, form.organisations.data, actor=actor(), now=now())
        flash(joined_text(joined, today()) or f"They already have a return in {found['name']}: nothing was changed")
        return redirect(url_for(".cycle", cycle_id=cycle_id))
    hints = [{"hint": {"text": sectors().name(o["sector"])}} for o in can_join]
    return render_template("cycles/organisations.html", cycle=found, form=form, hints=hints, not_asked=not_asked)
