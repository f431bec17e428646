"""Running the year without pressing buttons: the mail queue and its retries, and the scheduled reminders,
through the real CLI commands and a real SMTP server on loopback, across simulated days."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from compliance import store
from compliance.core.returns import EDITABLE
from compliance.web.requests import get_db
from tests.builders import NOW, add_person, demo_app, make_app, sign_in, signed_in, token_from


def _outbox(app):
    with app.app_context():
        return store.outbox_messages(get_db())


def test_mail_the_server_refused_is_queued_and_arrives_once_when_it_is_back(tmp_path, mail_server):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example")
    add_person(app, "coordinator@org.example")
    admin = app.test_client()
    sign_in(admin, "coordinator@org.example")
    mail_server.stop()
    response = admin.post("/people/invite", data={
        "name": "Nia Lead", "email": "nia.lead@org.example", "job_title": "", "role": "board", "organisation_id": "",
        "csrf_token": token_from(admin, "/people/invite")}, follow_redirects=True)
    assert "did not take it yet" in response.get_data(as_text=True)
    [queued] = _outbox(app)
    assert queued["status"] == "queued" and queued["attempts"] == 1 and queued["body"], "kept to be tried again"
    outbox_page = admin.get("/outbox").get_data(as_text=True)
    assert "Waiting to be tried again" in outbox_page and "nia.lead@org.example" in outbox_page

    runner = app.test_cli_runner()
    early = runner.invoke(args=["send-queued-mail", "--now", (NOW + timedelta(minutes=1)).isoformat()])
    assert early.exit_code == 0 and "No mail was waiting" in early.output, "not before its wait is over"
    mail_server.start()
    later = (datetime.fromisoformat(queued["next_attempt_at"]) + timedelta(seconds=1)).isoformat()
    result = runner.invoke(args=["send-queued-mail", "--now", later])
    assert result.exit_code == 0 and "Mail sent: 1" in result.output, result.output
    again = runner.invoke(args=["send-queued-mail", "--now", later])
    assert "No mail was waiting" in again.output
    messages = mail_server.wait_for(1)
    assert [m["To"] for m in messages] == ["nia.lead@org.example"], "it arrives once"
    assert "/set-password/" in mail_server.body(messages[0])
    [sent] = _outbox(app)
    assert sent["status"] == "sent" and sent["attempts"] == 2 and sent["body"] == "", "a sent link is not kept"


def test_a_message_that_never_gets_through_is_given_up_after_every_retry(tmp_path, mail_server):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port)
    mail_server.stop()
    add_person(app, "lead@org.example")
    client = app.test_client()
    client.post("/forgot-password", data={"email": "lead@org.example",
                                          "csrf_token": token_from(client, "/forgot-password")})
    runner = app.test_cli_runner()
    moment = NOW
    for _ in range(10):
        [message] = _outbox(app)
        if message["status"] != "queued":
            break
        moment = datetime.fromisoformat(message["next_attempt_at"]) + timedelta(seconds=1)
        runner.invoke(args=["send-queued-mail", "--now", moment.isoformat()])
    [message] = _outbox(app)
    assert message["status"] == "failed" and message["attempts"] == 7, "tried at once, then after each of 6 waits"
    assert moment - NOW > timedelta(hours=41), "5 min + 15 min + 1 h + 4 h + 12 h + 24 h after the first try"


def _run(app, day: date):
    result = app.test_cli_runner().invoke(args=["send-due-reminders", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_scheduled_reminders_go_on_the_cadence_days_once_each_day(tmp_path, mail_server):
    app = demo_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example")
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        waiting = [r for r in store.returns_for_cycle(db, cycle["id"]) if r["status"] in EDITABLE]
        people = {r["organisation_name"]: [u["email"] for u in store.users(db, organisation_id=r["organisation_id"])
                                           if u["role"] in ("editor", "signatory") and u["active"]]
                  for r in waiting}
    due = date.fromisoformat(cycle["due_date"])
    expected = sorted(email for emails in people.values() for email in emails)
    assert waiting and expected

    assert "No reminders are due" in _run(app, due - timedelta(days=15))
    assert mail_server.messages == []
    output = _run(app, due - timedelta(days=14))
    assert sorted(m["To"] for m in mail_server.wait_for(len(expected))) == expected
    first = mail_server.messages[0]
    assert "days left" in mail_server.body(first) and "http://localhost/returns/" in mail_server.body(first)
    assert all(f"at {name}" in output for name, emails in people.items() if emails)
    assert "nothing sent twice" in _run(app, due - timedelta(days=14)), "a second run the same day"
    assert "No reminders are due" in _run(app, due - timedelta(days=13))
    assert len(mail_server.messages) == len(expected)
    _run(app, due + timedelta(days=1))
    overdue = mail_server.wait_for(2 * len(expected))[len(expected):]
    assert sorted(m["To"] for m in overdue) == expected
    assert "Overdue" in mail_server.body(overdue[0])

    coordinator = signed_in(app, "coordinator@demo.example")
    page = coordinator.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "Scheduled reminders sent (" in page and "1 day overdue" in page and "14 days before the due date" in page
    with app.app_context():
        audited = store.audit_entries(get_db(), action="scheduled-reminder-sent")
    assert len(audited) == 2 * len(waiting)


def test_the_coordinator_sets_when_reminders_go_out_and_bad_input_says_how(tmp_path):
    app = demo_app(tmp_path)
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
    coordinator = signed_in(app, "coordinator@demo.example")
    path = f"/cycles/{cycle['id']}/reminder-schedule"
    bad = coordinator.post(path, data={"reminder_days": "a fortnight", "overdue_every_days": "",
                                       "csrf_token": token_from(coordinator, path)})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Enter whole numbers of days separated by commas" in text
    assert 'value="a fortnight"' in text and "Enter how many days apart overdue reminders go" in text
    coordinator.post(path, data={"reminder_days": "10, 3", "overdue_every_days": "14",
                                 "csrf_token": token_from(coordinator, path)})
    page = coordinator.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "10 and 3 days before the due date, then the day after it and then every 14 days" in page
    with app.app_context():
        assert store.cycle(get_db(), cycle["id"])["reminder_days"] == "10,3"
        [entry] = store.audit_entries(get_db(), action="reminder-schedule-changed")
    assert entry
    board = signed_in(app, "board@demo.example")
    assert board.get(path).status_code == 403


def test_the_reminder_command_needs_the_services_address(tmp_path):
    app = make_app(tmp_path, BASE_URL="")
    result = app.test_cli_runner().invoke(args=["send-due-reminders", "--today", "2027-01-01"])
    assert result.exit_code != 0 and "COMPLIANCE_BASE_URL is not set" in result.output
    bad = app.test_cli_runner().invoke(args=["send-due-reminders", "--today", "1/1/2027"])
    assert bad.exit_code != 0 and "write it as YYYY-MM-DD" in bad.output
