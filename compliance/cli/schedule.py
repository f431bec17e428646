"""Commands meant to run on a schedule: today's reminders (daily) and mail waiting to be tried again (often)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from compliance.core.text import london
from compliance.services import mail, reminders
from compliance.store import db


def _link_builder() -> Callable[..., str]:
    """Links for mail sent with no request to take an address from: on COMPLIANCE_BASE_URL only."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base:
        raise click.ClickException(
            "COMPLIANCE_BASE_URL is not set, so the reminders' links would have no address to point at. Set it to "
            "the service's public address, for example https://compliance.example.org, and run this again")

    def link(endpoint: str, **values) -> str:
        with current_app.test_request_context("/"):
            return base + url_for(endpoint, **values)
    return link


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(timezone.utc)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.command("send-due-reminders")
@with_appcontext
@click.option("--today", "today_text", metavar="YYYY-MM-DD",
              help="The day to send for (default: today in London). For catching up a missed day by hand.")
def send_due_reminders_command(today_text: str | None):
    """Send today's scheduled reminders (run once a day); then try again any mail that is due a retry."""
    now = datetime.now(timezone.utc)
    try:
        today = date.fromisoformat(today_text) if today_text else london(now).date()
    except ValueError:
        raise click.ClickException(
            f"--today {today_text} is not a date: write it as YYYY-MM-DD, like 2027-01-04") from None
    database = db.connect(current_app.config["DATABASE"])
    try:
        done = reminders.send_due_reminders(database, today=today, now=now, settings=current_app.config,
                                            link=_link_builder())
        retried = mail.deliver_due(database, current_app.config, now=now)
    finally:
        database.close()
    for organisation, people in done.sent:
        click.echo(f"Reminded {people} {'person' if people == 1 else 'people'} at {organisation}")
    for organisation in done.nobody:
        click.echo(f"{organisation} has no active editor or signatory to remind", err=True)
    if done.already:
        click.echo(f"{done.already} return(s) had already been reminded on {today.isoformat()}: nothing sent twice")
    if not done.sent and not done.nobody and not done.already:
        click.echo(f"No reminders are due on {today.isoformat()}")
    _report_mail(retried)


@click.command("send-queued-mail")
@with_appcontext
@click.option("--now", "now_text", metavar="YYYY-MM-DDTHH:MM", help="The moment to act as (default: now, UTC).")
def send_queued_mail_command(now_text: str | None):
    """Try again every message the mail server did not take, once its wait is over (run every few minutes)."""
    try:
        now = _moment(now_text)
    except ValueError:
        raise click.ClickException(f"--now {now_text} is not a moment: write it like 2027-01-04T09:30") from None
    database = db.connect(current_app.config["DATABASE"])
    try:
        _report_mail(mail.deliver_due(database, current_app.config, now=now))
    finally:
        database.close()


def _report_mail(counts: dict[str, int]) -> None:
    words = {"sent": "sent", "logged": "written to the log (no mail server)", "queued": "to be tried again later",
             "failed": "given up after every retry", "sending": "being sent by another run"}
    if not counts:
        click.echo("No mail was waiting to be sent")
    for outcome, count in counts.items():
        click.echo(f"Mail {words.get(outcome, outcome)}: {count}")
