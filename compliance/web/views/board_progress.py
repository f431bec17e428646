"""The board's charts of a cycle, and its progress: returns in each status, who is overdue, and reminders."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from markupsafe import Markup
from wtforms import SelectMultipleField, SubmitField
from wtforms.validators import ValidationError

from compliance import store
from compliance.core.returns import EDITABLE, RETURN_STATUSES, is_overdue
from compliance.core.scoring import format_percent
from compliance.core.text import plural
from compliance.render import charts
from compliance.services import matrix as matrix_service
from compliance.services import reminders
from compliance.web.access import requires
from compliance.web.forms import Form, choices
from compliance.web.requests import actor, external_url, get_db, now, sectors, today
from compliance.web.views.board import bp


class ReminderForm(Form):
    organisations = SelectMultipleField("Organisations to remind", widget=GovCheckboxesInput(), coerce=int,
                                        description="Each one's editors and signatories get an email.")
    submit = SubmitField("Send reminders", widget=GovSubmitInput())

    def validate_organisations(self, field):
        if not field.data:
            raise ValidationError("Select at least one organisation to remind")




def _cycle(cycle_id: int) -> dict:
    return store.cycle(get_db(), cycle_id) or abort(404)


def _columns(database, cycle: dict):
    return matrix_service.cycle_matrix(database, cycle, sectors=sectors()).columns


@bp.get("/cycles/<int:cycle_id>/charts", endpoint="charts")
@requires("view_partnership")
def charts_page(cycle_id: int):
    database = get_db()
    cycle = _cycle(cycle_id)
    columns = _columns(database, cycle)
    trend = [(c["name"], charts.partnership_percent(_columns(database, c)))
             for c in reversed(store.cycles(database)) if c["status"] != "draft"]
    bars = charts.stacked_bars_svg(columns, title=f"Ratings per requirement, {cycle['name']}")
    # Safe to mark: the chart module escapes every piece of text it puts in the SVG.
    return render_template("board/charts.html", cycle=cycle, columns=columns, trend=trend,
                           # bandit B704: charts escapes every text
                           format_percent=format_percent, bars_svg=Markup(bars),  # nosec B704
                           # bandit B704: charts escapes every text
                           trend_svg=Markup(charts.trend_svg(trend)))  # nosec B704


def _reminder_form(returns: list[dict]) -> ReminderForm:
    form = ReminderForm()
    form.organisations.choices = choices(
        (r["organisation_id"], f"{r['organisation_name']} ({RETURN_STATUSES[r['status']]})")
        for r in returns if r["status"] in EDITABLE)
    return form


def _render_progress(cycle: dict, returns: list[dict], form: ReminderForm | None):
    counts = {status: sum(1 for r in returns if r["status"] == status) for status in RETURN_STATUSES}
    overdue = [r for r in returns
               if cycle["status"] == "open" and is_overdue(r["status"], date.fromisoformat(r["due_date"]), today())]
    return render_template("board/progress.html", cycle=cycle, returns=returns, counts=counts, overdue=overdue,
                           statuses=RETURN_STATUSES, form=form)


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
    chosen = [r for r in returns if r["organisation_id"] in form.organisations.data]
    done = reminders.send_reminders(get_db(), chosen, actor=actor(), now=now(), settings=current_app.config,
                                    link=external_url)
    flash(_flash_text(done))
    return redirect(url_for(".progress", cycle_id=cycle_id))


def _flash_text(done: reminders.Reminded) -> str:
    """What the coordinator reads after sending reminders."""
    people, organisations = plural(done.people, "person", "people"), plural(done.organisations, "organisation")
    message = f"Reminders sent to {people} in {organisations}"
    message += "".join(f". {name} has no editor or signatory to remind" for name in done.nobody)
    if done.failed:
        message += f". Could not send to {', '.join(done.failed)}: check the outbox"
    return message
