"""Sending mail over SMTP, or, with no mail server configured, writing it to the log and the outbox."""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from sqlite_utils import Database

from compliance import store

log = logging.getLogger(__name__)


def send_mail(db: Database, config: dict, *, to: str, subject: str, body: str, now: datetime) -> str:
    """Send one plain-text message; every message is kept in the outbox with its outcome."""
    subject = " ".join(subject.split())  # a header is one line: a name with a line break must not break it
    if not config.get("MAIL_SERVER"):
        log.info("mail (no mail server configured) to %s: %s\n%s", to, subject, body)
        store.add_to_outbox(db, recipient=to, subject=subject, body=body, status="logged", now=now)
        return "logged"
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER") or f"no-reply@{config['MAIL_SERVER']}"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s failed: %s", to, error)
        store.add_to_outbox(db, recipient=to, subject=subject, body=body, status="failed", error=str(error), now=now)
        return "failed"
    # A sent message's body may hold a one-time link: it is not kept once it has left.
    store.add_to_outbox(db, recipient=to, subject=subject, body="", status="sent", now=now)
    return "sent"
