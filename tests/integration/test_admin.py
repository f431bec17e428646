"""The partnership admin pages: organisations, CSV import, people, invitations and the outbox."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.builders import PASSWORD, make_app, page_text, password_hash

NOW = datetime.now(timezone.utc)
HEADER = "name,sector,contact_name,contact_email\n"


def _add_person(app, email, role, organisation_id=None, *, password=True) -> int:
    with app.app_context():
        return store.create_user(get_db(), email=email, name=email.split("@")[0].title(), role=role,
                                 organisation_id=organisation_id,
                                 password_hash=password_hash() if password else None,
                                 actor=store.SYSTEM, now=NOW)


def _add_organisation(app, name, sector="police") -> int:
    with app.app_context():
        return store.upsert_organisation(get_db(), name=name, sector=sector, now=NOW)


def _sign_in(app, email):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _query(app, sql, params=()):
    with app.app_context():
        cursor = get_db().execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _audit(app, action):
    return _query(app, "SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])


def _organisation_count(app) -> int:
    return _query(app, "SELECT COUNT(*) AS n FROM organisations")[0]["n"]


def _outbox(app):
    return _query(app, "SELECT * FROM outbox ORDER BY id")


def _link(body: str, kind: str) -> str:
    return re.search(rf"http://localhost(/{kind}/\S+)", body).group(1)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    _add_person(app, "admin@admin.example", "admin")
    return app


@pytest.fixture
def admin(app):
    return _sign_in(app, "admin@admin.example")


ORGANISATION = {"name": "Safer Homes Trust", "sector": "housing", "contact_name": "Sam Jones",
                "contact_email": "sam@safer-homes.example", "status": "active"}


# Organisations


def test_admin_adds_an_organisation_and_the_audit_log_records_it(app, admin):
    response = admin.post("/organisations/new", data=ORGANISATION)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert page_text(page).h1 == "Safer Homes Trust"
    html = page.get_data(as_text=True)
    assert "Safer Homes Trust has been added" in html and "Housing" in html and "sam@safer-homes.example" in html
    [entry] = _audit(app, "organisation-added")
    assert entry["actor"] == "admin@admin.example"
    assert json.loads(entry["new_value"]) == {"name": "Safer Homes Trust", "sector": "housing",
                                              "contact_name": "Sam Jones", "contact_email": "sam@safer-homes.example",
                                              "active": 1}


def test_a_change_is_logged_with_old_and_new_values_of_the_changed_fields_only(app, admin):
    organisation_id = _add_organisation(app, "Safer Homes Trust", "housing")
    form = admin.get(f"/organisations/{organisation_id}/edit")
    assert page_text(form).h1 == "Change Safer Homes Trust"
    assert 'value="Safer Homes Trust"' in form.get_data(as_text=True)
    response = admin.post(f"/organisations/{organisation_id}/edit", data={**ORGANISATION, "contact_name": "Ali Khan"})
    assert response.status_code == 302 and response.headers["Location"] == f"/organisations/{organisation_id}"
    [entry] = _audit(app, "organisation-changed")
    assert json.loads(entry["old_value"]) == {"contact_name": "", "contact_email": ""}
    assert json.loads(entry["new_value"]) == {"contact_name": "Ali Khan", "contact_email": "sam@safer-homes.example"}
    assert entry["object_id"] == str(organisation_id)


def test_archiving_moves_an_organisation_to_the_archived_list(app, admin):
    organisation_id = _add_organisation(app, "Old Refuge", "specialist")
    _add_organisation(app, "Current Police", "police")
    saved = admin.post(f"/organisations/{organisation_id}/edit", follow_redirects=True,
                       data={**ORGANISATION, "name": "Old Refuge", "sector": "specialist", "status": "archived"})
    assert "Changes to Old Refuge saved" in saved.get_data(as_text=True)
    [entry] = _audit(app, "organisation-changed")
    assert json.loads(entry["old_value"])["active"] == 1 and json.loads(entry["new_value"])["active"] == 0
    active = admin.get("/organisations").get_data(as_text=True)
    archived = admin.get("/organisations?status=archived").get_data(as_text=True)
    everything = admin.get("/organisations?status=all").get_data(as_text=True)
    assert "Current Police" in active and "Old Refuge" not in active
    assert "Old Refuge" in archived and "Current Police" not in archived and "Archived" in archived
    assert "Old Refuge" in everything and "Current Police" in everything


def test_a_duplicate_name_is_refused_whatever_its_case_and_the_typed_values_stay(app, admin):
    _add_organisation(app, "Safer Homes Trust")
    before = _organisation_count(app)
    response = admin.post("/organisations/new", data={**ORGANISATION, "name": "SAFER homes trust"})
    assert response.status_code == 200
    page = page_text(response)
    assert page.title.startswith("Error: Add an organisation")
    html = response.get_data(as_text=True)
    assert "An organisation called Safer Homes Trust already exists" in html
    assert 'href="#name"' in html  # the error summary points at the field
    assert 'value="SAFER homes trust"' in html and 'value="Sam Jones"' in html
    assert 'value="sam@safer-homes.example"' in html and re.search(r'value="housing"\s+checked', html)
    assert _organisation_count(app) == before


def test_renaming_to_another_organisations_name_is_refused_but_keeping_your_own_is_fine(app, admin):
    _add_organisation(app, "Taken Name")
    organisation_id = _add_organisation(app, "Mine")
    refused = admin.post(f"/organisations/{organisation_id}/edit", data={**ORGANISATION, "name": "taken name"})
    assert "An organisation called Taken Name already exists" in refused.get_data(as_text=True)
    kept = admin.post(f"/organisations/{organisation_id}/edit", data={**ORGANISATION, "name": "Mine"})
    assert kept.status_code == 302


def test_missing_answers_say_how_to_fix_them(admin):
    response = admin.post("/organisations/new", data={"name": " ", "contact_email": "not-an-email"})
    html = response.get_data(as_text=True)
    for message in ("Enter the organisation&#39;s name", "Select the organisation&#39;s sector",
                    "Enter an email address in the correct format"):
        assert message in html


def test_the_list_is_an_accessible_table_and_only_admins_see_the_buttons(app, admin):
    organisation_id = _add_organisation(app, "Safer Homes Trust", "housing")
    _add_person(app, "ed@safer.example", "editor", organisation_id)
    html = admin.get("/organisations").get_data(as_text=True)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert f'href="/organisations/{organisation_id}"' in html and "Housing" in html
    assert "Add an organisation" in html and "Import organisations from a CSV file" in html
    _add_person(app, "board@admin.example", "board")
    board = _sign_in(app, "board@admin.example")
    board_html = board.get("/organisations").get_data(as_text=True)
    assert "Safer Homes Trust" in board_html
    assert "Add an organisation" not in board_html and "Import organisations" not in board_html
    assert board.get("/organisations/new").status_code == 403
    assert board.get(f"/organisations/{organisation_id}").status_code == 200


def test_an_editor_sees_their_own_organisation_and_gets_404_for_another(app):
    own = _add_organisation(app, "Organisation A")
    other = _add_organisation(app, "Organisation B")
    _add_person(app, "ed@a.example", "editor", own)
    editor = _sign_in(app, "ed@a.example")
    response = editor.get(f"/organisations/{own}")
    assert response.status_code == 200 and page_text(response).h1 == "Organisation A"
    assert "Change" not in response.get_data(as_text=True)
    assert editor.get(f"/organisations/{other}").status_code == 404
    assert editor.get("/organisations/999999").status_code == 404
    assert editor.get("/organisations").status_code == 403


def test_a_missing_organisation_is_404_for_the_admin(admin):
    assert admin.get("/organisations/999999").status_code == 404
    assert admin.get("/organisations/999999/edit").status_code == 404


# CSV import


def _upload(client, text: str | bytes, filename="organisations.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/organisations/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_valid_file_imports_every_row_in_one_go(app, admin):
    csv = HEADER + "".join(f"Organisation {n},police,Contact {n},c{n}@org.example\n" for n in range(1, 26))
    response = _upload(admin, csv)
    assert response.status_code == 302 and response.headers["Location"] == "/organisations"
    assert "25 organisations imported" in admin.get("/organisations").get_data(as_text=True)
    assert _organisation_count(app) == 25
    assert len(_audit(app, "organisation-added")) == 25
    [summary] = _audit(app, "organisations-imported")
    assert json.loads(summary["new_value"])["count"] == 25


def test_a_file_with_bad_rows_shows_each_problem_and_imports_nothing(app, admin):
    _add_organisation(app, "Already Here")
    before = _organisation_count(app)
    csv = HEADER + (
        "Good One,police,,\n"
        ",health,,\n"                           # row 3: no name
        "Bad Sector,spaceships,,\n"             # row 4: unknown sector
        "Bad Email,housing,Jo,not-an-email\n"   # row 5
        "already here,police,,\n"               # row 6: exists
        "Good One,probation,,\n"                # row 7: repeated in the file
    )
    response = _upload(admin, csv)
    assert response.status_code == 200
    assert page_text(response).title.startswith("Error: Import organisations")
    html = response.get_data(as_text=True)
    assert "problems in 5 rows" in html and 'href="#file"' in html and "Nothing has been imported" in html
    for row, problem in [(3, "Enter the organisation&#39;s name"),
                         (4, "spaceships is not one of the partnership&#39;s sectors"),
                         (5, "Enter the contact&#39;s email address in the correct format"),
                         (6, "An organisation called already here already exists"),
                         (7, "Good One is also on row 2")]:
        assert re.search(rf">\s*{row}\s*</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>{re.escape(problem)}", html), problem
    assert "Enter one of: Ambulance, Education, Fire and rescue" in html  # says which sectors are allowed
    assert _organisation_count(app) == before
    assert _audit(app, "organisation-added") == []


def test_a_byte_order_mark_and_sector_labels_or_codes_in_any_case_are_accepted(app, admin):
    csv = ("\ufeffName,Sector,Contact_Name,Contact_Email\r\n"
           "A Police,POLICE,,\r\nA Trust,Health (NHS),,\r\nA Council,local authority,,\r\n")
    response = _upload(admin, csv.encode("utf-8"))
    assert response.status_code == 302
    sectors = {row["name"]: row["sector"] for row in _query(app, "SELECT name, sector FROM organisations")}
    assert sectors == {"A Police": "police", "A Trust": "health", "A Council": "local-authority"}


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The selected file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "must be a CSV file saved as UTF-8"),
    ("name,sector,phone\nA,police,123\n".encode(), "Missing: contact_name, contact_email. Not allowed: phone"),
    ((HEADER + "A,police,,\n" * 1001).encode(), "Import 1,000 or fewer"),
    ((HEADER + "A,police,,\n").encode() + b"x" * (1024 * 1024), "must be smaller than 1 MB"),
])
def test_a_file_that_cannot_be_read_says_why_and_imports_nothing(app, admin, content, message):
    response = _upload(admin, content)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _organisation_count(app) == 0


def test_no_file_chosen_asks_for_one(admin):
    response = admin.post("/organisations/import", data={}, content_type="multipart/form-data")
    assert "Select a CSV file" in response.get_data(as_text=True)


def test_an_upload_over_the_services_request_limit_gets_the_same_clear_message(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_UPLOAD_MB=0)  # requests over 64 KB are refused
    _add_person(app, "admin@admin.example", "admin")
    response = _upload(_sign_in(app, "admin@admin.example"), b"x" * 200_000)
    assert response.status_code == 413
    assert "The selected file must be smaller than 1 MB" in response.get_data(as_text=True)


# People


def test_inviting_a_person_creates_them_and_logs_the_invitation_with_its_link(app, admin):
    organisation_id = _add_organisation(app, "Safer Homes Trust")
    form = admin.get(f"/people/invite?organisation={organisation_id}").get_data(as_text=True)
    assert re.search(rf'value="{organisation_id}"\s+selected', form)
    response = admin.post("/people/invite", data={"name": "Jo Bloggs", "email": "jo@safer.example",
                                                  "job_title": "DV lead", "role": "editor",
                                                  "organisation_id": str(organisation_id)})
    assert response.status_code == 302
    person = admin.get(response.headers["Location"])
    html = person.get_data(as_text=True)
    assert page_text(person).h1 == "Jo Bloggs" and "Invitation sent to jo@safer.example" in html and "Invited" in html
    [message] = _outbox(app)
    assert message["recipient"] == "jo@safer.example" and message["status"] == "logged"
    link = _link(message["body"], "set-password")
    assert app.test_client().get(link).status_code == 200
    assert [e["action"] for e in _query(app, "SELECT action FROM audit_log WHERE object_type = 'person' AND object_id ="
                                             " (SELECT id FROM users WHERE email = 'jo@safer.example') ORDER BY id")] \
        == ["person-added", "invitation-sent"]
    people = admin.get("/people").get_data(as_text=True)
    assert "Jo Bloggs" in people and "Safer Homes Trust" in people and "Organisation editor" in people


def test_a_name_or_email_of_only_spaces_is_refused(app, admin):
    response = admin.post("/people/invite", data={"name": "  ", "email": "  ", "role": "auditor",
                                                  "organisation_id": ""})
    html = response.get_data(as_text=True)
    assert "Enter the person&#39;s full name" in html and "Enter the person&#39;s email address" in html
    assert _query(app, "SELECT COUNT(*) AS n FROM users")[0]["n"] == 1


def test_an_email_that_already_has_an_account_is_refused_and_the_typed_values_stay(app, admin):
    _add_person(app, "taken@admin.example", "board")
    response = admin.post("/people/invite", data={"name": "Someone New", "email": "TAKEN@admin.example",
                                                  "role": "auditor", "organisation_id": ""})
    html = response.get_data(as_text=True)
    assert "There is already an account for that email address" in html
    assert 'value="Someone New"' in html and re.search(r'value="auditor"\s+checked', html)
    assert _outbox(app) == []


def test_an_archived_organisation_cannot_be_chosen_for_an_invitation(app, admin):
    archived = _add_organisation(app, "Gone Away")
    with app.app_context():
        store.change_organisation(get_db(), archived, {"active": 0}, actor=store.SYSTEM, now=NOW)
    assert "Gone Away" not in admin.get("/people/invite").get_data(as_text=True)


@pytest.mark.parametrize(("role", "organisation", "message"), [
    ("editor", "", "Select the organisation this organisation editor belongs to"),
    ("board", "org", "Executive Board members are not part of a member organisation"),
    ("", "", "Select the person&#39;s role"),
])
def test_a_role_change_must_match_the_organisation(app, admin, role, organisation, message):
    organisation_id = _add_organisation(app, "Organisation A")
    user_id = _add_person(app, "ed@a.example", "editor", organisation_id)
    data = {"role": role, "organisation_id": str(organisation_id) if organisation else ""}
    response = admin.post(f"/people/{user_id}/role", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _audit(app, "role-changed") == []


def test_a_role_change_is_logged_and_ends_the_persons_sessions(app, admin):
    organisation_id = _add_organisation(app, "Organisation A")
    user_id = _add_person(app, "ed@a.example", "editor", organisation_id)
    editor = _sign_in(app, "ed@a.example")
    response = admin.post(f"/people/{user_id}/role", data={"role": "board", "organisation_id": ""})
    assert response.status_code == 302
    [entry] = _audit(app, "role-changed")
    assert json.loads(entry["old_value"]) == {"role": "editor", "organisation_id": organisation_id}
    assert json.loads(entry["new_value"]) == {"role": "board", "organisation_id": None}
    assert "Executive Board member" in admin.get(f"/people/{user_id}").get_data(as_text=True)
    assert editor.get("/home").status_code == 302  # signed out: the change takes effect at once


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(app, admin):
    [me] = _query(app, "SELECT id FROM users WHERE email = 'admin@admin.example'")
    page = admin.get(f"/people/{me['id']}").get_data(as_text=True)
    assert "Deactivate" not in page and f"/people/{me['id']}/role" not in page
    role = admin.post(f"/people/{me['id']}/role", data={"role": "board", "organisation_id": ""})
    assert "You cannot change your own role" in role.get_data(as_text=True)
    deactivate = admin.post(f"/people/{me['id']}/deactivate")
    assert "You cannot deactivate your own account" in deactivate.get_data(as_text=True)
    assert page_text(deactivate).title.startswith("Error: ")
    assert _query(app, "SELECT role, active FROM users WHERE id = ?", [me["id"]]) == [{"role": "admin", "active": 1}]
    assert admin.get("/people").status_code == 200


def test_deactivating_ends_access_at_once_and_reactivating_restores_it(app, admin):
    _add_person(app, "board@admin.example", "board")
    [person] = _query(app, "SELECT id FROM users WHERE email = 'board@admin.example'")
    board = _sign_in(app, "board@admin.example")
    assert board.get("/organisations").status_code == 200
    response = admin.post(f"/people/{person['id']}/deactivate")
    assert response.status_code == 302
    assert "has been deactivated" in admin.get(response.headers["Location"]).get_data(as_text=True)
    anonymous = board.get("/organisations")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    assert "Deactivated" in admin.get("/people").get_data(as_text=True)
    assert board.post("/sign-in", data={"email": "board@admin.example", "password": PASSWORD}).status_code == 200
    [entry] = _audit(app, "person-deactivated")
    assert json.loads(entry["old_value"]) == {"active": 1} and json.loads(entry["new_value"]) == {"active": 0}
    admin.post(f"/people/{person['id']}/reactivate")
    assert len(_audit(app, "person-reactivated")) == 1
    assert _sign_in(app, "board@admin.example").get("/organisations").status_code == 200


def test_resending_an_invitation_makes_the_old_link_stop_working(app, admin):
    admin.post("/people/invite", data={"name": "Jo Bloggs", "email": "jo@admin.example", "role": "auditor",
                                       "organisation_id": ""})
    [user] = _query(app, "SELECT id FROM users WHERE email = 'jo@admin.example'")
    old = _link(_outbox(app)[0]["body"], "set-password")
    response = admin.post(f"/people/{user['id']}/resend-invitation")
    assert response.status_code == 302
    assert "Invitation sent again to jo@admin.example" in admin.get(response.headers["Location"]).get_data(as_text=True)
    new = _link(_outbox(app)[1]["body"], "set-password")
    visitor = app.test_client()
    assert visitor.get(old).status_code == 410
    assert visitor.get(new).status_code == 200
    assert len(_audit(app, "invitation-sent")) == 2


def test_an_invitation_is_not_resent_to_someone_who_already_has_a_password(app, admin):
    user_id = _add_person(app, "set@admin.example", "auditor")
    assert "Resend invitation" not in admin.get(f"/people/{user_id}").get_data(as_text=True)
    response = admin.post(f"/people/{user_id}/resend-invitation")
    assert "has already accepted their invitation" in response.get_data(as_text=True)
    assert _outbox(app) == []


def test_a_missing_person_is_404(admin):
    assert admin.get("/people/999999").status_code == 404
    assert admin.get("/people/999999/role").status_code == 404
    assert admin.post("/people/999999/deactivate").status_code == 404


def test_the_outbox_shows_logged_messages_with_their_links(app, admin):
    admin.post("/people/invite", data={"name": "Jo Bloggs", "email": "jo@admin.example", "role": "auditor",
                                       "organisation_id": ""})
    response = admin.get("/outbox")
    html = response.get_data(as_text=True)
    assert page_text(response).h1 == "Outbox"
    assert "jo@admin.example" in html and "No mail server is set up" in html and "Not sent" in html
    assert "govuk-details" in html and "/set-password/" in html


def test_people_pages_are_for_admins_only(app):
    _add_person(app, "board@admin.example", "board")
    board = _sign_in(app, "board@admin.example")
    for path in ("/people", "/people/invite", "/outbox", "/organisations/import"):
        assert board.get(path).status_code == 403


# With CSRF protection on, as in production


def test_with_csrf_on_the_forms_work_with_their_token_and_posts_without_it_are_refused(tmp_path):
    app = make_app(tmp_path)
    _add_person(app, "admin@admin.example", "admin")
    target = _add_person(app, "board@admin.example", "board")
    client = app.test_client()

    def token(path):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)

    assert client.post("/sign-in", data={"email": "admin@admin.example", "password": PASSWORD,
                                         "csrf_token": token("/sign-in")}).status_code == 302
    added = client.post("/organisations/new", data={**ORGANISATION, "csrf_token": token("/organisations/new")})
    assert added.status_code == 302
    assert client.post("/organisations/new", data={**ORGANISATION, "name": "No Token"}).status_code == 400
    assert client.post(f"/people/{target}/deactivate").status_code == 400
    with_token = client.post(f"/people/{target}/deactivate", data={"csrf_token": token(f"/people/{target}")})
    assert with_token.status_code == 302
    assert _query(app, "SELECT active FROM users WHERE id = ?", [target]) == [{"active": 0}]
