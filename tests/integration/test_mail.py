"""Mail goes after the commit: a slow mail server never holds the database's write lock, so nobody's save waits."""
from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.services import mail
from compliance.store import db
from compliance.web.requests import get_db
from tests.builders import add_person, make_app, sign_in, token_from

NOW = datetime.now(timezone.utc)


class SilentMailServer:
    """A mail server on loopback that accepts connections and says nothing for `delay` seconds (or until stopped),
    as a mail server under strain does."""

    def __init__(self, delay: float = 20):
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.stopped = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.listener.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)
            self.connected.set()
            if self.stopped.wait(self.delay):
                break
            connection.sendall(b"421 Too busy, try again later\r\n")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for connection in self.connections:
            connection.close()
        self.listener.close()
        self.thread.join(timeout=5)


def test_a_mail_server_that_takes_20_seconds_to_answer_holds_up_no_one_elses_save(tmp_path):
    with SilentMailServer(delay=20) as server:
        app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        add_person(app, "coordinator@org.example")
        admin = app.test_client()
        assert sign_in(admin, "coordinator@org.example").status_code == 302
        form = {"email": "new.lead@org.example", "name": "Nia Lead", "job_title": "DV lead", "role": "board",
                "organisation_id": "", "csrf_token": token_from(admin, "/people/invite")}
        invited = {}
        inviting = threading.Thread(target=lambda: invited.update(response=admin.post("/people/invite", data=form)))
        inviting.start()
        assert server.connected.wait(10), "the invitation never reached the mail server"

        # The coordinator's request is now waiting on the mail server. Someone else saves meanwhile.
        other = db.connect(app.config["DATABASE"])
        started = time.monotonic()
        with other.atomic():
            store.upsert_organisation(other, name="Haven Lane Women's Aid", sector="specialist", now=NOW)
        waited = time.monotonic() - started
        assert inviting.is_alive(), "the invitation should still be waiting on the mail server"
        # Held up, it would wait out the writer lock (15 s) and fail; under load a free save still takes well under 5 s.
        assert waited < 5, f"a save waited {waited:.1f}s for the mail server"
    inviting.join(timeout=30)  # the server has hung up: the invitation stays queued in the outbox, to be tried again

    assert invited["response"].status_code == 302
    with app.app_context():
        [message] = store.outbox_messages(get_db())
        assert store.user_by_email(get_db(), "new.lead@org.example") is not None, "the person was added all the same"
    assert message["status"] == "queued" and message["recipient"] == "new.lead@org.example"
    assert message["attempts"] == 1 and message["error"] and message["next_attempt_at"] > message["created_at"]
    other.close()


def test_mail_refuses_to_be_sent_inside_a_transaction(app):
    with app.app_context():
        database = get_db()
        message = mail.Message(to="someone@org.example", subject="Hello", body="Hello")
        with pytest.raises(RuntimeError, match="after the commit"), database.atomic():
            mail.send(database, app.config, [message], now=NOW)
        assert store.outbox_messages(database) == []
