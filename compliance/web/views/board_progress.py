"""The board's charts of a cycle, and its progress: returns in each status, who is overdue, and reminders."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from markupsafe import Markup
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from compliance import store
from compliance.core.membership import in_figures, withdrawn
from compliance.core.returns import (
    EDITABLE,
    RETURN_STATUSES,
    cadence_text,
    is_overdue,
    next_reminder_date,
    parse_reminder_days,
)
from compliance.core.scoring import format_percent
from compliance.core.text import plural
from compliance.render import charts
from compliance.services import matrix as matrix_service
from compliance.services import reminders
from compliance.web.access import requires
from compliance.web.forms import Form, choices
from compliance.web.requests import (
    NO_LINKS,
    actor,
    external_url,
    get_db,
    links_can_be_emailed,
    now,
    today,
)
from compliance.web.views.board import bp


class ReminderForm(Form):
    organisations = SelectMultipleField("Organisations to remind", widget=GovCheckboxesInput(), coerce=int,
                                        description="Each one's editors and signatories get an email.")
    submit = SubmitField("Send reminders", widget=GovSubmitInput())

    def validate_organisations(self, field):
        if not field.data:
            raise ValidationError("Select at least one organisation to remind")


class WholeDaysField(IntegerField):
    """A number of days: anything else is said in plain words, not WTForms' "Not a valid integer value"."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number of days, like 7, or 0 for none") from None


class ScheduleForm(Form):
    reminder_days = StringField(
        "Days before the due date", widget=GovTextInput(),
        description="Whole numbers separated by commas, for example 14, 7, 1. Leave it empty for none; 0 is the "
                    "due date itself.")
    overdue_every_days = WholeDaysField(
        "While a return is overdue, remind every", widget=GovTextInput(),
        description="A number of days, for example 7 for weekly. The first overdue reminder goes the day after the "
                    "due date. Enter 0 for no reminders once a return is overdue.",
        validators=[InputRequired("Enter how many days apart overdue reminders go, or 0 for none"),
                    NumberRange(min=0, max=90, message="Enter a number of days from 0 to 90")])
    submit = SubmitField("Save when reminders go out", widget=GovSubmitInput())

    def validate_reminder_days(self, field):
        try:
            self.days = parse_reminder_days(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None



def _cycle(cycle_id: int) -> dict:
    return store.cycle(get_db(), cycle_id) or abort(404)


def _trend_name(cycle: dict) -> str:
    return cycle["name"] if cycle["status"] == "closed" else f"{cycle['name']} (provisional)"


@bp.get("/cycles/<int:cycle_id>/charts", endpoint="charts")
@requires("view_partnership")
def charts_page(cycle_id: int):
    database = get_db()
    cycle = _cycle(cycle_id)
    # Counted from the signed answers without building the matrix, once for each cycle (see make bench).
    found = matrix_service.figures(database, cycle)
    trend = [(_trend_name(c), charts.partnership_percent(
                (found if c["id"] == cycle_id else matrix_service.figures(database, c)).columns))
             for c in reversed(store.cycles(database)) if c["status"] != "draft"]
    bars = charts.stacked_bars_svg(found.columns, title=f"Ratings per requirement, {cycle['name']}")
    # Safe to mark: the chart module escapes every piece of text it puts in the SVG.
    return render_template("board/charts.html", cycle=cycle, columns=found.columns, trend=trend, final=found.final,
                           coverage=found.coverage_text,
                           # bandit B704: charts escapes every text
                           format_percent=format_percent, bars_svg=Markup(bars),  # nosec B704
                           # bandit B704: charts escapes every text
                           trend_svg=Markup(charts.trend_svg(trend)))  # nosec B704


def _reminder_form(returns: list[dict]) -> ReminderForm:
    form = ReminderForm()
    form.organisations.choices = choices(
        (r["organisation_id"], f"{r['organisation_name']} ({RETURN_STATUSES[r['status']]})")
        for r in in_figures(returns) if r["status"] in EDITABLE)
    return form


def _render_progress(cycle: dict, returns: list[dict], form: ReminderForm | None):
    left_out, returns = [r for r in returns if withdrawn(r)], in_figures(returns)
    counts = {status: sum(1 for r in returns if r["status"] == status) for status in RETURN_STATUSES}
    overdue = [r for r in returns
               if cycle["status"] == "open" and is_overdue(r["status"], date.fromisoformat(r["due_date"]), today())]
    days, every = parse_reminder_days(cycle["reminder_days"]), cycle["overdue_every_days"]
    due = date.fromisoformat(cycle["due_date"])
    scheduled = {"cadence": cadence_text(days, every),
                 "next": next_reminder_date(today(), due, days, every) if cycle["status"] == "open" else None,
                 "sent": store.scheduled_reminders(get_db(), cycle["id"]), "today": today()}
    return render_template("board/progress.html", cycle=cycle, returns=returns, counts=counts, overdue=overdue,
                           statuses=RETURN_STATUSES, form=form, scheduled=scheduled, withdrawn=left_out)


@bp.get("/cycles/<int:cycle_id>/progress")
@requires("view_partnership")
def progress(cycle_id: int):
    cycle = _cycle(cycle_id)
    returns = store.returns_for_cycle(get_db(), cycle_id)
    form = _reminder_form(returns) if current_user.can("manage_partnership") and cycle["status"] == "open" else None
    return _render_progress(cycle, returns, form)


@bp.post("/cycles/<int:cycle_id>/reminders")
@requires("manage_partnership")
def send_reminders(cycle_id: int):
    cycle = _cycle(cycle_id)
    returns = store.returns_for_cycle(get_db(), cycle_id)
    form = _reminder_form(returns)
    if cycle["status"] != "open" or not form.validate_on_submit():
        if cycle["status"] != "open":
            flash(f"Cycle {cycle['name']} is not open: no reminders were sent", "important")
            return redirect(url_for(".progress", cycle_id=cycle_id))
        return _render_progress(cycle, returns, form)
    if not links_can_be_emailed():
        flash(f"No reminders were sent. {NO_LINKS}", "important")
        return redirect(url_for(".progress", cycle_id=cycle_id))
    chosen = [r for r in in_figures(returns) if r["organisation_id"] in form.organisations.data]
    done = reminders.send_reminders(get_db(), chosen, actor=actor(), now=now(), settings=current_app.config,
                                    link=external_url)
    flash(_flash_text(done), "important" if not done.people or done.failed else "message")
    return redirect(url_for(".progress", cycle_id=cycle_id))


def _flash_text(done: reminders.Reminded) -> str:
    """What the coordinator reads after sending reminders."""
    people, organisations = plural(done.people, "person", "people"), plural(done.organisations, "organisation")
    message = f"Reminders sent to {people} in {organisations}"
    message += "".join(f". {name} has no editor or signatory to remind" for name in done.nobody)
    if done.failed:
        message += (f". The mail server did not take the messages to {', '.join(done.failed)} yet: they will be tried "
                    "again automatically, and the outbox shows when")
    return message


@bp.route("/cycles/<int:cycle_id>/reminder-schedule", methods=["GET", "POST"])
@requires("manage_partnership")
def reminder_schedule(cycle_id: int):
    cycle = _cycle(cycle_id)
    if cycle["status"] == "closed":
        flash(f"Cycle {cycle['name']} is closed: it sends no more reminders", "important")
        return redirect(url_for(".progress", cycle_id=cycle_id))
    form = ScheduleForm(data={"reminder_days": ", ".join(str(d) for d in parse_reminder_days(cycle["reminder_days"])),
                              "overdue_every_days": cycle["overdue_every_days"]})
    if form.validate_on_submit():
        changed = store.set_reminder_schedule(get_db(), cycle_id, days=",".join(str(d) for d in form.days),
                                              overdue_every=form.overdue_every_days.data, actor=actor(), now=now())
        if changed:
            flash(cadence_text(form.days, form.overdue_every_days.data))
        else:
            flash("You did not change anything", "important")
        return redirect(url_for(".progress", cycle_id=cycle_id) + "#scheduled")
    return render_template("board/reminder_schedule.html", cycle=cycle, form=form)
