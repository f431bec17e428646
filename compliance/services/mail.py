"""Mail: messages composed from templates while a change is decided, and sent only after its transaction commits.

A mail server can take many seconds to answer (or never answer). Sending inside a transaction would hold the
database's write lock all that time, and every other person's save would wait or fail, so `send` refuses to run
inside one. With no mail server configured, mail is written to the log and kept in the outbox instead.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database

from compliance import store
from compliance.core import text
from compliance.core.roles import ROLES

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
SMTP_TIMEOUT_SECONDS = 20

# bandit B701: these are plain-text emails, never HTML; escaping would put &amp; into people's names.
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined,  # nosec B701
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_templates.globals["ROLES"] = ROLES
for _name in ("long_date", "when", "plural"):
    _templates.filters[_name] = getattr(text, _name)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def compose(template: str, *, to: str, subject: str, settings: Mapping, **context) -> Message:
    """A message from templates/mail/<template>; the subject is folded to one line (a header cannot break)."""
    body = _templates.get_template(template).render(config=settings, **context)
    return Message(to=to, subject=" ".join(subject.split()), body=body)


def send(db: Database, settings: Mapping, messages: Iterable[Message], *, now: datetime) -> list[str]:
    """Send each message and keep it in the outbox with its outcome: "sent", "logged" or "failed".

    Call it after the transaction that decided the messages has committed: it refuses to run inside one.
    """
    if db.conn.in_transaction:
        raise RuntimeError("mail is sent after the commit, never inside a database transaction")
    outcomes = []
    for message in messages:
        outcome, error = _deliver(settings, message)
        # A sent message's body may hold a one-time link: it is not kept once it has left.
        with db.atomic():
            store.add_to_outbox(db, recipient=message.to, subject=message.subject, status=outcome, error=error,
                                body="" if outcome == "sent" else message.body, now=now)
        outcomes.append(outcome)
    return outcomes


def _deliver(settings: Mapping, message: Message) -> tuple[str, str]:
    """Hand the message to the mail server (or the log); the outcome and any error. Touches no database."""
    if not settings.get("MAIL_SERVER"):
        log.info("mail (no mail server configured) to %s: %s\n%s", message.to, message.subject, message.body)
        return "logged", ""
    email = EmailMessage()
    email["From"] = settings.get("MAIL_SENDER") or f"no-reply@{settings['MAIL_SERVER']}"
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid()
    email.set_content(message.body)
    try:
        with smtplib.SMTP(settings["MAIL_SERVER"], int(settings.get("MAIL_PORT", 25)),
                          timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.get("MAIL_USE_TLS"):
                smtp.starttls()
            if settings.get("MAIL_USERNAME"):
                smtp.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD", ""))
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s failed: %s", message.to, error)
        return "failed", str(error)
    return "sent", ""
