"""Signing in and out, sessions, invitations, resets and throttling, with mail read from a real SMTP server."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from compliance import store
from compliance.services import accounts
from compliance.services.passwords import hash_password, password_matches, password_problem
from compliance.web.requests import external_url, get_db
from tests.builders import NOW, PASSWORD, add_person, make_app, page_text, sign_in, token_from


def audit_actions(app):
    with app.app_context():
        return [entry["action"] for entry in store.audit_entries(get_db())]


# Signing in -----------------------------------------------------------------------------------


def test_sign_in_goes_home_and_is_logged(app, client):
    add_person(app, "lead@org.example")
    response = sign_in(client, "LEAD@org.example ")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert page_text(client.get("/home")).h1 == "Hello, Lead"
    assert "signed-in" in audit_actions(app)


def test_unknown_email_and_wrong_password_get_the_same_message(app, client):
    add_person(app, "lead@org.example")
    wrong_password = sign_in(client, "lead@org.example", "not-the-password-at-all")
    unknown = sign_in(client, "nobody@org.example", "not-the-password-at-all")
    deactivated_id = add_person(app, "gone@org.example", active=False)
    deactivated = sign_in(client, "gone@org.example")
    assert deactivated_id
    messages = []
    for response in (wrong_password, unknown, deactivated):
        assert response.status_code == 200
        page = page_text(response)
        assert page.title.startswith("Error: Sign in")
        messages.append(re.findall(r"Enter a correct email address and password[^<]*", response.get_data(as_text=True)))
    assert messages[0] == messages[1] == messages[2] and messages[0]
    assert audit_actions(app).count("sign-in-failed") == 3


def test_sign_in_keeps_the_email_typed_but_never_echoes_the_password(app, client):
    response = sign_in(client, "typed@org.example", "secret-words-typed")
    html = response.get_data(as_text=True)
    assert 'value="typed@org.example"' in html
    assert "secret-words-typed" not in html


def test_empty_sign_in_says_what_to_enter(client):
    response = client.post("/sign-in", data={"csrf_token": token_from(client, "/sign-in")})
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html


@pytest.mark.parametrize(("next_path", "expected"), [
    ("/organisations", "/organisations"),
    ("/home?tab=1", "/home?tab=1"),
    ("https://evil.example/", "/home"),
    ("//evil.example/", "/home"),
    ("/\\evil.example", "/home"),
    ("javascript:alert(1)", "/home"),
    ("/%0d%0aSet-Cookie:x=1", "/home"),
])
def test_next_only_ever_redirects_inside_the_app(app, client, next_path, expected):
    add_person(app, "lead@org.example")
    response = sign_in(client, "lead@org.example", next_path=next_path.replace("?", "%3F").replace("&", "%26"))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == expected
    assert "\r" not in location and "\n" not in location


def test_a_protected_page_sends_you_to_sign_in_and_back(app, client):
    add_person(app, "lead@org.example")
    response = client.get("/home")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in?next=/home"
    assert sign_in(client, "lead@org.example", next_path="/home").headers["Location"] == "/home"


def test_session_cookie_is_httponly_and_samesite_lax_and_secure_over_https(app):
    add_person(app, "lead@org.example")
    client = app.test_client()
    response = sign_in(client, "lead@org.example")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    token = token_from(secure, "/sign-in")
    response = secure.post("/sign-in", base_url="https://localhost",
                           data={"email": "lead@org.example", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_in_starts_a_new_session_and_sign_out_ends_it_for_good(app):
    add_person(app, "lead@org.example")
    client = app.test_client()
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    sign_in(client, "lead@org.example")
    with client.session_transaction() as session:
        assert "planted" not in session
        stolen = dict(session)
    assert client.get("/home").status_code == 200
    home = client.get("/home").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/sign-out", data={"csrf_token": token}).headers["Location"] == "/sign-in"
    assert client.get("/home").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)
    assert replay.get("/home").status_code == 302, "a copied session cookie must stop working at sign-out"
    assert "signed-out" in audit_actions(app)


def test_signing_in_on_a_second_device_keeps_the_first_signed_in_and_its_typing_saved(app):
    add_person(app, "lead@org.example")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "lead@org.example")
    sign_in(phone, "lead@org.example")
    assert laptop.get("/home").status_code == 200, "the second sign-in must not end the first"
    assert phone.get("/home").status_code == 200
    home = phone.get("/home").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    phone.post("/sign-out", data={"csrf_token": token})
    assert phone.get("/home").status_code == 302
    assert laptop.get("/home").status_code == 200, "signing out on one device leaves the other signed in"


def test_sign_out_everywhere_else_ends_the_other_devices_and_keeps_this_one(app):
    add_person(app, "lead@org.example")
    shared, own = app.test_client(), app.test_client()
    sign_in(shared, "lead@org.example")
    sign_in(own, "lead@org.example")
    page = own.get("/account")
    assert page.status_code == 200 and "Sign out everywhere else" in page.get_data(as_text=True)
    done = own.post("/account/sign-out-elsewhere", data={"csrf_token": token_from(own, "/account")},
                    follow_redirects=True)
    assert "You are now signed out everywhere else" in done.get_data(as_text=True)
    assert shared.get("/home").status_code == 302 and own.get("/home").status_code == 200
    assert "signed-out-elsewhere" in audit_actions(app)
    refused = own.post("/account/sign-out-elsewhere", data={})
    assert refused.status_code == 400, "a form token is needed"


def test_session_ends_after_30_idle_minutes(app, client):
    add_person(app, "lead@org.example")
    sign_in(client, "lead@org.example")
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - 29 * 60
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60
    response = client.get("/home")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert "30 minutes" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert app.permanent_session_lifetime == timedelta(minutes=30)


# Passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "says"), [
    ("short words", "12 characters or more"),
    ("password1234", "very common password"),
    ("aaaaaaaaaaaaaaaa", "repeats"),
    ("qwertyuiop12", "similar to a commonly used password"),
])
def test_weak_passwords_are_refused_with_the_reason(password, says):
    problem = password_problem(password)
    assert problem and says in problem.lower()


def test_long_passphrases_need_no_symbols_or_digits():
    assert password_problem("lantern orchard mosaic") is None
    assert password_problem(PASSWORD) is None


def test_a_password_built_from_the_persons_own_email_is_refused():
    assert password_problem("jane.hargreaves1", user_inputs=("jane.hargreaves@org.example", "Jane Hargreaves"))


def test_passwords_are_stored_as_full_cost_scrypt_hashes(app):
    """The product's own hashing, as an invitation or a reset stores it: Werkzeug's scrypt with n = 32,768,
    salted. (The people the tests add use a cheaper n; see tests/builders.py.)"""
    stored, again = hash_password(PASSWORD), hash_password(PASSWORD)
    assert stored.startswith("scrypt:32768:8:1$") and PASSWORD not in stored
    assert stored != again, "each hash has its own salt"
    assert password_matches(stored, PASSWORD) and not password_matches(stored, PASSWORD + "x")


# Invitations and resets, through a real SMTP server --------------------------------------------


def test_invitation_link_sets_a_password_once(mail_app, mail_server):
    with mail_app.test_request_context(base_url="http://service.test"):
        db = get_db()
        accounts.invite_person(db, email="new.lead@org.example", name="Nia Lead", job_title="DV lead",
                               role="board", organisation_id=None, actor=store.SYSTEM, now=datetime.now(timezone.utc),
                               settings=mail_app.config, link=external_url)
    message = mail_server.wait_for(1)[0]
    assert message["To"] == "new.lead@org.example" and message["From"] == "wdvf@test.example"
    assert "invited" in message["Subject"]
    link = mail_server.link_in(message, "/set-password/")
    client = mail_app.test_client()
    page = client.get(link)
    assert page_text(page).h1 == "Create your password"
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234",
                                   "csrf_token": token_from(client, link)})
    assert "very common password" in weak.get_data(as_text=True)
    mismatch = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD + "x",
                                       "csrf_token": token_from(client, link)})
    assert "do not match" in mismatch.get_data(as_text=True)
    done = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": token_from(client, link)})
    assert done.headers["Location"] == "/sign-in"
    with mail_app.app_context():
        assert store.user_by_email(get_db(), "new.lead@org.example")["password_hash"].startswith("scrypt:32768:")
    assert sign_in(client, "new.lead@org.example").headers["Location"] == "/home"
    assert mail_app.test_client().get(link).status_code == 410, "an invitation link works once"
    assert {"person-added", "invitation-sent", "invitation-accepted"} <= set(audit_actions(mail_app))


def test_invitation_link_expires_after_7_days(app):
    user_id = add_person(app, "late@org.example", password=None)
    with app.app_context():
        token = store.create_token(get_db(), user_id, "invite", lifetime=accounts.INVITE_LIFETIME,
                                   now=datetime.now(timezone.utc) - timedelta(days=7, minutes=1))
    response = app.test_client().get(f"/set-password/{token}")
    assert response.status_code == 410
    assert "7 days" in response.get_data(as_text=True)


def test_reset_sends_a_one_hour_link_and_never_reveals_whether_the_account_exists(mail_app, mail_server):
    add_person(mail_app, "lead@org.example")
    client = mail_app.test_client()
    known = client.post("/forgot-password", data={"email": "lead@org.example",
                                                  "csrf_token": token_from(client, "/forgot-password")})
    unknown = client.post("/forgot-password", data={"email": "nobody@org.example",
                                                    "csrf_token": token_from(client, "/forgot-password")})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/forgot-password/sent"
    messages = mail_server.wait_for(1)
    assert len(messages) == 1 and messages[0]["To"] == "lead@org.example"
    link = mail_server.link_in(messages[0], "/reset-password/")
    other_device = mail_app.test_client()
    sign_in(other_device, "lead@org.example")
    assert other_device.get("/home").status_code == 200
    new_password = "harbour-violet-compass"
    done = client.post(link, data={"password": new_password, "confirm": new_password,
                                   "csrf_token": token_from(client, link)})
    assert done.headers["Location"] == "/sign-in"
    assert other_device.get("/home").status_code == 302, "a reset ends every other session"
    assert sign_in(client, "lead@org.example", new_password).headers["Location"] == "/home"
    assert client.get(link).status_code == 410


def test_reset_link_expires_after_an_hour(app):
    user_id = add_person(app, "lead@org.example")
    with app.app_context():
        token = store.create_token(get_db(), user_id, "reset", lifetime=accounts.RESET_LIFETIME,
                                   now=datetime.now(timezone.utc) - timedelta(minutes=61))
    assert app.test_client().get(f"/reset-password/{token}").status_code == 410


def test_without_a_mail_server_messages_go_to_the_outbox(app):
    add_person(app, "lead@org.example")
    client = app.test_client()
    client.post("/forgot-password",
                data={"email": "lead@org.example", "csrf_token": token_from(client, "/forgot-password")})
    with app.app_context():
        messages = store.outbox_messages(get_db())
    assert len(messages) == 1 and messages[0]["status"] == "logged"
    assert "/reset-password/" in messages[0]["body"]


# Throttling -------------------------------------------------------------------------------------


def test_repeated_failures_slow_the_account_down_even_for_the_right_password(app, client):
    add_person(app, "lead@org.example")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        assert sign_in(client, "lead@org.example", "wrong-guess-again").status_code == 200
    blocked = sign_in(client, "lead@org.example")
    assert blocked.status_code == 429
    assert "tried to sign in too many times" in blocked.get_data(as_text=True)
    assert "Wait 15 minutes" in blocked.get_data(as_text=True)
    assert "sign-in-throttled" in audit_actions(app)
    add_person(app, "colleague@org.example")
    assert sign_in(client, "colleague@org.example").status_code == 302, "other accounts are not blocked"


def test_repeated_failures_from_one_address_slow_that_address(app, client):
    add_person(app, "lead@org.example")
    for n in range(accounts.ADDRESS_FAILURE_LIMIT):
        sign_in(client, f"guess{n}@org.example", "wrong-guess-again")
    blocked = sign_in(client, "lead@org.example")
    assert blocked.status_code == 429
    elsewhere = app.test_client()
    token = token_from(elsewhere, "/sign-in")
    response = elsewhere.post("/sign-in", environ_base={"REMOTE_ADDR": "10.9.8.7"},
                              data={"email": "lead@org.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "another address is not blocked"


def test_the_wait_ends_after_the_window():
    failures = [(NOW - timedelta(minutes=16)).isoformat(timespec="seconds")] * 5
    assert accounts.wait_time(failures, limit=5, window=timedelta(minutes=15), now=NOW) is None
    recent = [(NOW - timedelta(minutes=1)).isoformat(timespec="seconds")] * 5
    assert accounts.wait_time(recent, limit=5, window=timedelta(minutes=15), now=NOW) > timedelta(minutes=13)


def test_deactivation_cancels_links_already_sent(app):
    user_id = add_person(app, "leaver@org.example")
    with app.app_context():
        db = get_db()
        token = store.create_token(db, user_id, "reset", lifetime=accounts.RESET_LIFETIME,
                                   now=datetime.now(timezone.utc))
        store.update_user(db, user_id, {"active": 0}, actor=store.SYSTEM, now=datetime.now(timezone.utc))
        store.update_user(db, user_id, {"active": 1}, actor=store.SYSTEM, now=datetime.now(timezone.utc))
    assert app.test_client().get(f"/reset-password/{token}").status_code == 410


def test_invitation_end_to_end_from_the_admin_page_through_smtp(mail_app, mail_server):
    add_person(mail_app, "coordinator@org.example", role="admin")
    with mail_app.app_context():
        org_id = store.upsert_organisation(get_db(), name="Greenway Homes", sector="housing", now=NOW)
    admin = mail_app.test_client()
    sign_in(admin, "coordinator@org.example")
    response = admin.post("/people/invite", data={
        "name": "Sam Editor", "email": "sam.editor@greenway.example", "job_title": "DV lead", "role": "editor",
        "organisation_id": str(org_id), "csrf_token": token_from(admin, "/people/invite")})
    assert response.status_code == 302
    message = mail_server.wait_for(1)[0]
    assert message["To"] == "sam.editor@greenway.example"
    body = mail_server.body(message)
    assert "organisation editor for Greenway Homes" in body
    link = mail_server.link_in(message, "/set-password/")
    invitee = mail_app.test_client()
    invitee.post(link, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": token_from(invitee, link)})
    assert sign_in(invitee, "sam.editor@greenway.example").headers["Location"] == "/home"
    assert "Greenway Homes" in invitee.get("/home").get_data(as_text=True)
    with mail_app.app_context():
        sent = store.outbox_messages(get_db())
    assert [m["status"] for m in sent] == ["sent"] and sent[0]["body"] == "", "a sent link is not kept"


def test_an_archived_organisations_people_cannot_sign_in_or_reset_until_it_is_restored(mail_app, mail_server):
    add_person(mail_app, "lead@archived.example", role="editor", organisation="Archived Trust")
    client = mail_app.test_client()
    assert sign_in(client, "lead@archived.example").headers["Location"] == "/home"
    with mail_app.app_context():
        db = get_db()
        org = store.organisation_named(db, "Archived Trust")
        store.change_organisation(db, org["id"], {"active": 0}, actor=store.SYSTEM, now=NOW)
    assert client.get("/home").status_code == 302, "the session already open ends"
    refused = sign_in(mail_app.test_client(), "lead@archived.example")
    assert refused.status_code == 200 and "govuk-error-summary" in refused.get_data(as_text=True)
    reset = mail_app.test_client()
    reset.post("/forgot-password", data={"email": "lead@archived.example",
                                         "csrf_token": token_from(reset, "/forgot-password")})
    with mail_app.app_context():
        db = get_db()
        store.change_organisation(db, org["id"], {"active": 1}, actor=store.SYSTEM, now=NOW)
    assert mail_server.wait_for(1, timeout=1.0) == [], "no reset link for an archived organisation's person"
    assert sign_in(mail_app.test_client(), "lead@archived.example").headers["Location"] == "/home"


# Links in emails never come from a forged Host header -------------------------------------------


def _forged_reset(app, host: str):
    """A reset asked for by someone who sends a Host header of their own, on the form page and its post alike."""
    client, page = app.test_client(), f"http://{host}/forgot-password"
    return client.post(page, data={"email": "lead@org.example", "csrf_token": token_from(client, page)})


def test_with_a_base_url_a_forged_host_changes_no_link(tmp_path, mail_server):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example",
                   BASE_URL="https://compliance.example.org")
    add_person(app, "lead@org.example")
    assert _forged_reset(app, "evil.example").status_code == 302
    [message] = mail_server.wait_for(1)
    body = mail_server.body(message)
    assert "evil.example" not in body and "https://compliance.example.org/reset-password/" in body


def test_without_a_base_url_or_trusted_hosts_no_link_is_sent_and_the_page_says_why(tmp_path, mail_server):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example",
                   BASE_URL="", CONTACT_EMAIL="coordinator@wdvf.example")
    add_person(app, "lead@org.example")
    add_person(app, "coordinator@org.example", role="admin")
    page = app.test_client().get("/forgot-password", headers={"Host": "evil.example"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot be reset by email" in text and "coordinator@wdvf.example" in text
    admin = app.test_client()
    sign_in(admin, "coordinator@org.example")
    typed = {"name": "Sam Editor", "email": "sam.editor@greenway.example", "job_title": "DV lead",
             "role": "board", "organisation_id": ""}
    invite = admin.post("/people/invite", data={**typed, "csrf_token": token_from(admin, "/people/invite")})
    text = invite.get_data(as_text=True)
    assert invite.status_code == 200 and page_text(invite).title.startswith("Error: ")
    assert "COMPLIANCE_BASE_URL" in text and 'value="sam.editor@greenway.example"' in text, "what was typed is kept"
    with app.app_context():
        assert store.user_by_email(get_db(), "sam.editor@greenway.example") is None, "nobody half-invited"
        assert store.outbox_messages(get_db()) == []
    assert mail_server.wait_for(1, timeout=0.5) == []


def test_with_trusted_hosts_a_forged_host_is_refused_and_a_trusted_one_is_used(tmp_path, mail_server):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example",
                   BASE_URL="", TRUSTED_HOSTS=["compliance.example.org"])
    add_person(app, "lead@org.example")
    client = app.test_client()
    forged = client.get("/forgot-password", headers={"Host": "evil.example"})
    assert forged.status_code == 400 and "evil.example" not in forged.get_data(as_text=True)
    trusted = app.test_client()
    token = token_from(trusted, "http://compliance.example.org/forgot-password")
    done = trusted.post("http://compliance.example.org/forgot-password",
                        data={"email": "lead@org.example", "csrf_token": token})
    assert done.status_code == 302
    [message] = mail_server.wait_for(1)
    assert "http://compliance.example.org/reset-password/" in mail_server.body(message)


def test_trusted_hosts_are_read_from_a_comma_separated_setting():
    from compliance.config import from_environment
    assert from_environment({})["TRUSTED_HOSTS"] is None
    hosts = from_environment({"COMPLIANCE_TRUSTED_HOSTS": " compliance.example.org, localhost ,"})["TRUSTED_HOSTS"]
    assert hosts == ["compliance.example.org", "localhost"]
