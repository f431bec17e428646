"""Who may use every route: the whole URL map, for anonymous, each role and a member of another organisation.

The table below is the specification. A new route fails this test until it is added here, and a route whose
decorator disagrees with the table fails too.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.core import filetypes as uploads
from compliance.services import boardpack_jobs as jobs
from compliance.services import returns as return_service
from compliance.store import files
from compliance.web.requests import get_db
from tests.builders import (
    ACCESS,
    EVERYONE,
    PARTNERSHIP,
    PASSWORD,
    SECTORS,
    build_plan,
    first_versions,
    make_app,
    password_hash,
)

NOW = datetime.now(timezone.utc)
# Routes about one organisation's objects: a member of another organisation who holds the route's permission
# gets 404, not 403, so that ids cannot be probed; someone without the permission gets 403 as anywhere else.
ORGANISATION_SCOPED = {"admin.organisation"} | {endpoint for endpoint in ACCESS if endpoint.startswith("returns.")
                                                and endpoint not in ("returns.amend", "returns.accept")} | {
    "statements.statement", "statements.version_statement", "statements.statement_pdf",
    "statements.version_statement_pdf", "verification.summary", "verification.summary_pdf", "queries.query",
    "queries.reply", "queries.download", "accreditations.add", "accreditations.change", "accreditations.remove"}
# Routes that end what the walk needs: checked on their own below, for those allowed (anyone else is walked).
ENDS_THE_WORLD = {("account.sign_out", "POST"), ("accreditations.remove", "POST")}
# The plan's pages about one action or measure: its lead (the editor here) and the plan's readers may use them. The
# plan's readers who are not its lead get 403 (they know it is there); anyone else signed in gets 404, so that ids
# cannot be probed.
LEAD_SCOPED = {"plan.action", "plan.measure", "plan.add_progress", "plan.enter_figure"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("access"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        db = get_db()
        org_a = store.upsert_organisation(db, name="Organisation A", sector="police", now=NOW)
        org_b = store.upsert_organisation(db, name="Organisation B", sector="health", now=NOW)
        people = {}
        for role, org in [("admin", None), ("board", None), ("auditor", None), ("editor", org_a),
                          ("signatory", org_a), ("other_editor", org_b)]:
            people[role] = store.create_user(
                db, email=f"{role}@access.example", name=role.title(),
                role="editor" if role == "other_editor" else role,
                organisation_id=org, password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
        target = store.create_user(db, email="target@access.example", name="Target", role="editor",
                                   organisation_id=org_a, actor=store.SYSTEM, now=NOW)
        return_values = _submitted_return(app, db, people["signatory"])
        plan_values = build_plan(db, lead_id=people["editor"], organisation_id=org_a)
    values = {"organisation_id": org_a, "user_id": target, "token": "not-a-real-token", "filename": "css/app.css",
              "framework_id": "wdvf-overarching-protocol-2018", "version": "1", **return_values, **plan_values}
    return app, people, values


def _submitted_return(app, db, signatory_id):
    """Organisation A's return with an answer, an action, a file and a signed version 1."""
    keys = first_versions(db, "wdvf-overarching-protocol-2018")
    cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2030-06-30",
                                  declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
    return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
    ret = store.returns_for_cycle(db, cycle_id)[0]
    store.save_answer(db, ret["id"], keys[0], "wdvf-2018-01", {"rating": "partially-met", "narrative": "Started",
                      "reason": ""}, revision=0, actor=store.SYSTEM, now=NOW)
    answer = store.answer(db, ret["id"], keys[0], "wdvf-2018-01")
    action_id = store.save_action(db, answer["id"], {"what": "Finish it", "owner": "Lead", "due_date": "2031-01-01",
                                                     "status": "in-progress"}, actor=store.SYSTEM, now=NOW)
    data = b"Minutes of the board, 1 May 2030\n"
    accepted = uploads.check_upload(data, "minutes.txt", max_bytes=1_000_000)
    files.store_file(app.config["EVIDENCE_DIR"], data, accepted.sha256)
    evidence_id = store.add_evidence(db, ret["organisation_id"], {
        "kind": "file", "title": "Minutes", "filename": accepted.filename, "content_type": accepted.content_type,
        "size": accepted.size, "sha256": accepted.sha256, "effective_date": "2030-05-01"},
        answer_id=answer["id"], actor=store.SYSTEM, now=NOW)
    signatory = store.user_by_id(db, signatory_id)
    return_service.submit(db, return_service.load_return(db, ret["id"]), partnership="WDVF",
                          signatory_name="Signatory", job_title="Director",
                          actor=store.Actor(signatory["id"], signatory["email"]), now=NOW)
    # a query on the signed version, with a reply carrying a file
    auditor = store.users(db)[0]
    query = store.raise_query(db, ret["id"], keys[0], "wdvf-2018-01", version=1, question="Which minutes?",
                              actor=store.Actor(auditor["id"], auditor["email"]), now=NOW)
    store.add_query_message(db, query, body="These", file={"filename": accepted.filename,
                            "content_type": accepted.content_type, "size": accepted.size, "sha256": accepted.sha256},
                            actor=store.Actor(signatory["id"], signatory["email"]), now=NOW)
    file_id = store.query_files(db, query["id"])[0]["id"]
    # a finished board pack, so its progress page and download answer for everyone allowed
    job_id = store.create_job(db, kind=jobs.BOARD_PACK, cycle_id=cycle_id, created_by=None, now=NOW)
    jobs.run_board_pack(app.config["DATABASE"], job_id, folder=jobs.board_pack_folder(app), partnership="WDVF",
                        sectors=SECTORS)
    # an accreditation Organisation A holds, backed by the same minutes
    accreditation_id = store.add_accreditation(db, ret["organisation_id"], {
        "scheme": "white-ribbon", "scheme_name": "White Ribbon accreditation", "awarded_on": "2030-05-01",
        "expires_on": "2033-04-30", "evidence_id": evidence_id}, actor=store.SYSTEM, now=NOW)
    return {"return_id": ret["id"], "cycle_id": cycle_id, "requirement_id": "wdvf-2018-01", "action_id": action_id,
            "evidence_id": evidence_id, "job_id": job_id, "query_id": query["id"], "file_id": file_id,
            "accreditation_id": accreditation_id}


def _client(app, who):
    client = app.test_client()
    if who != "anonymous":
        response = client.post("/sign-in", data={"email": f"{who}@access.example", "password": PASSWORD})
        assert response.status_code == 302, f"{who} could not sign in"
    return client


def _url(rule, values):
    path = rule.rule
    for argument in rule.arguments - set(rule.defaults or ()):  # a default is part of the rule, not of its path
        path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(values[argument]), path)
    return path


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_access_table(world):
    app, _, _ = world
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add these routes to ACCESS with who may use them"
    assert ACCESS.keys() - endpoints == set(), "these routes no longer exist: remove them from ACCESS"


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_each_person_gets_the_expected_answer_on_every_route(world, who):
    app, _, values = world
    client = _client(app, who)
    wrong = []
    for rule, method in _routes(app):
        allowed = who in ACCESS[rule.endpoint]
        if (rule.endpoint, method) in ENDS_THE_WORLD and allowed:
            continue  # signing out would end this client's session, removing would remove: both checked below
        response = client.open(_url(rule, values), method=method)
        status, location = response.status_code, response.headers.get("Location", "")
        if allowed:
            ok = status not in (401, 403, 404) and not location.startswith("/sign-in")
        elif who == "anonymous":
            ok = status == 302 and location.startswith("/sign-in")
        elif rule.endpoint in ORGANISATION_SCOPED and who == "other_editor" and "editor" in ACCESS[rule.endpoint]:
            ok = status == 404  # holds the permission, but this is another organisation's object
        elif rule.endpoint in LEAD_SCOPED:
            ok = status == (403 if who in PARTNERSHIP else 404)  # not the lead of this action or measure
        else:
            ok = status == 403
        if not ok:
            wrong.append(f"{method} {rule.rule}: {status} {location}")
    assert wrong == [], f"{who} got unexpected answers"


def test_signing_out_needs_to_be_signed_in(world):
    app, _, _ = world
    anonymous = app.test_client().post("/sign-out")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    client = _client(app, "board")
    assert client.post("/sign-out").headers["Location"] == "/sign-in"
    assert client.get("/home").status_code == 302


def test_the_organisations_editor_and_the_coordinator_may_remove_its_accreditation(world):
    app, _, values = world
    with app.app_context():
        db = get_db()
        ids = [store.add_accreditation(db, values["organisation_id"], {
            "scheme": "daha", "scheme_name": "DAHA accreditation", "awarded_on": "2030-01-01",
            "expires_on": "2033-01-01"}, actor=store.SYSTEM, now=NOW) for _ in range(2)]
    for who, accreditation_id in zip(("editor", "admin"), ids):
        path = f"/organisations/{values['organisation_id']}/accreditations/{accreditation_id}/remove"
        response = _client(app, who).post(path)
        assert response.status_code == 302 and "#accreditations" in response.headers["Location"], who
    with app.app_context():
        assert all(store.accreditation(get_db(), i) is None for i in ids)


def test_another_organisations_member_cannot_tell_a_missing_id_from_a_forbidden_one(world):
    app, _, values = world
    client = _client(app, "other_editor")
    forbidden = client.get(f"/organisations/{values['organisation_id']}")
    missing = client.get("/organisations/999999")
    assert forbidden.status_code == missing.status_code == 404
    def without_nonce(response):
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))

    assert without_nonce(forbidden) == without_nonce(missing)


def test_a_post_without_a_csrf_token_is_refused_on_every_form(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db = get_db()
        org = store.upsert_organisation(db, name="Organisation A", sector="police", now=NOW)
        store.create_user(db, email="admin@access.example", name="Admin", role="admin", organisation_id=None,
                          password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
        target = store.create_user(db, email="target@access.example", name="Target", role="editor",
                                   organisation_id=org, actor=store.SYSTEM, now=NOW)
        signatory = store.create_user(db, email="signatory@access.example", name="Signatory", role="signatory",
                                      organisation_id=org, actor=store.SYSTEM, now=NOW)
        return_values = _submitted_return(app, db, signatory)
        plan_values = build_plan(db, lead_id=target, organisation_id=org)
    client = app.test_client()
    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post("/sign-in", data={"email": "admin@access.example", "password": PASSWORD,
                                         "csrf_token": token}).status_code == 302
    values = {"organisation_id": org, "user_id": target, "token": "not-a-real-token", "filename": "css/app.css",
              "framework_id": "wdvf-overarching-protocol-2018", "version": "1", **return_values, **plan_values}
    posts = [(rule, _url(rule, values)) for rule, method in _routes(app) if method == "POST"]
    assert len(posts) >= 10
    for rule, url in posts:
        response = client.post(url, data={"name": "x", "email": "x@example.org"})
        assert response.status_code == 400, f"POST {rule.rule} without a CSRF token answered {response.status_code}"
        assert "This page has expired" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 200, "the refused posts changed nothing, the session included"
