"""The board's charts of a cycle, and its progress: returns in each status, who is overdue, and reminders."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from markupsafe import Markup
from wtforms import SelectMultipleField, SubmitField
from wtforms.validators import ValidationError

from compliance.render import charts
from compliance import mail, matrix_service, store
from compliance.auth import requires
from compliance.forms import Form, choices
from compliance.core.returns import EDITABLE, RETURN_STATUSES, is_overdue
from compliance.core.scoring import format_percent
from compliance.web import get_db
from compliance.views.board import bp

REMINDED_ROLES = ("editor", "signatory")


class ReminderForm(Form):
    organisations = SelectMultipleField("Organisations to remind", widget=GovCheckboxesInput(), coerce=int,
                                        description="Each one's editors and signatories get an email.")
    submit = SubmitField("Send reminders", widget=GovSubmitInput())

    def validate_organisations(self, field):
        if not field.data:
            raise ValidationError("Select at least one organisation to remind")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _cycle(cycle_id: int) -> dict:
    return store.cycle(get_db(), cycle_id) or abort(404)


@bp.get("/cycles/<int:cycle_id>/charts", endpoint="charts")
@requires("view_partnership")
def charts_page(cycle_id: int):
    database = get_db()
    cycle = _cycle(cycle_id)
    columns = matrix_service.cycle_matrix(database, cycle).columns
    trend = [(c["name"], charts.partnership_percent(matrix_service.cycle_matrix(database, c).columns))
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
    today = _now().date()
    counts = {status: sum(1 for r in returns if r["status"] == status) for status in RETURN_STATUSES}
    overdue = [r for r in returns
               if cycle["status"] == "open" and is_overdue(r["status"], date.fromisoformat(r["due_date"]), today)]
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
    flash(_remind(chosen))
    return redirect(url_for(".progress", cycle_id=cycle_id))


def _link(return_id: int) -> str:
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    if base:
        return base + url_for("returns.overview", return_id=return_id)
    return url_for("returns.overview", return_id=return_id, _external=True)


def _remind(chosen: list[dict]) -> str:
    """Email each chosen return's editors and signatories, log one audit entry per organisation; what to flash."""
    database, now = get_db(), _now()
    actor = store.Actor(current_user.id, current_user.email, request.remote_addr or "")
    people = organisations = 0
    nobody, failed = [], []
    for ret in chosen:
        recipients = [u for u in store.users(database, organisation_id=ret["organisation_id"])
                      if u["role"] in REMINDED_ROLES and u["active"]]
        if not recipients:
            nobody.append(ret["organisation_name"])
            continue
        reached = []
        for person in recipients:
            outcome = mail.send_mail(database, current_app.config, to=person["email"],
                                     subject=f"Reminder: {ret['organisation_name']}'s return for {ret['cycle_name']}",
                                     body=_body(ret, person), now=now)
            (reached if outcome in ("sent", "logged") else failed).append(person["email"])
        with database.atomic():
            store.record(database, actor, action="reminder-sent", object_type="return", object_id=ret["id"],
                         organisation_id=ret["organisation_id"], new={"recipients": reached}, now=now)
        people += len(reached)
        organisations += 1 if reached else 0
    message = (f"Reminders sent to {people} {'person' if people == 1 else 'people'} in {organisations} "
               f"organisation{'' if organisations == 1 else 's'}")
    message += "".join(f". {name} has no editor or signatory to remind" for name in nobody)
    if failed:
        message += f". Could not send to {', '.join(failed)}: check the outbox"
    return message


def _body(ret: dict, person: dict) -> str:
    due = date.fromisoformat(ret["due_date"])
    return (f"Dear {person['name']},\n\n"
            f"This is a reminder that {ret['organisation_name']}'s return for {ret['cycle_name']} has not been "
            f"submitted yet.\n\n"
            f"Status: {RETURN_STATUSES[ret['status']]}\n"
            f"Due: {due.day} {due:%B %Y}\n\n"
            f"Open the return:\n{_link(ret['id'])}\n\n"
            f"{current_app.config['PARTNERSHIP_NAME']}\n")
