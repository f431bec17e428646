"""Hostile input on every form: any Unicode, control characters, very long text and impossible dates.

Each form is posted as the role that may use it, with values hypothesis draws. Whatever arrives, the answer is
never a 5xx: either the change is saved (a redirect, and what was typed is what was stored) or the form comes
back with an error summary, showing what was typed (escaped), and nothing already saved has changed.

One application serves the whole module (CSRF off), so the tests stay fast.
"""
from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from compliance import store
from compliance.core import limits
from compliance.services import returns as return_service
from compliance.services.passwords import password_matches
from tests.builders import (
    ACCESS,
    MARKER,
    PROTOCOL_ID,
    SECTORS,
    _no_crlf_in_headers,
    answered,
    build_world,
    fields_of,
    fresh_address,
    make_app,
    one_line,
)

NOW = datetime.now(timezone.utc)
FORM_SETTINGS = settings(max_examples=30, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEW = settings(FORM_SETTINGS, max_examples=20)
# A re-rendered form: ordinary, 400 (bad request), 409 (someone else saved), 413 (too large), 422, 429 (slow down).

# --- what hostile input looks like ----------------------------------------------------------------------------

NASTY = [
    "\x00", "\r\n", "\r", "\n", "\t", "\x0b", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029",
    "\u202e", "\u200f", "\u200b", "\ufeff", "\u00a0", "\U0001f4a9", "e\u0301", "Z\u0364\u0311\u0313",
    f"<{MARKER}>", f'"><{MARKER} x=1>', f"'><{MARKER}>", f"</textarea><{MARKER}>", "&amp;", "&#0;", "&lt;",
    "{{ 7 * 7 }}", "{% raw %}", "%s%n%x", "../../etc/passwd", "' OR '1'='1' --", "Robert'); DROP TABLE users;--",
    "=HYPERLINK(\"http://evil.example\")", "javascript:alert(1)", "\\\\evil\\share",
]
any_character = st.characters(exclude_categories=("Cs",))  # surrogates cannot be sent as UTF-8
short_text = st.text(any_character, max_size=60)
mixed_text = st.lists(st.one_of(short_text, st.sampled_from(NASTY)), max_size=8).map("".join)
# Up to four times the longest limit (5,000 characters): longer adds nothing but time, as the test client and
# the server percent-encode and decode every character of every field of every post.
LONGEST = 4 * max(value for value in vars(limits).values() if isinstance(value, int))
long_text = st.builds(lambda chunk, times: (chunk * times)[:LONGEST],
                      st.sampled_from(["a", "\x00", "é", "\u202e", "<b>", "word ", "\r\n", "\U0001f4a9"]),
                      st.integers(min_value=190, max_value=LONGEST))
hostile_text = st.one_of(short_text, mixed_text, mixed_text, long_text)
date_part = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.sampled_from(["", " ", "0", "00", "31", "30", "29", "2", "02", "13", "0000", "9999", "10000", "-1", "1e3",
                     "0x1f", "1_000", "\u0663", "\u00b2", "\uff11", "9" * 5000, "31\x00", " 2 ", "+3"]),
    short_text,
)
real_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)).map(
    lambda day: [str(day.day), str(day.month), str(day.year)])
# Often a real date, so that the rest of the form is saved; otherwise day, month and year of anything, or
# fewer or more parts, as a hand-made request could send.
odd_date = st.sampled_from([["31", "2", "2030"], ["29", "2", "2031"], ["30", "2", "2032"], ["0", "1", "2030"],
                            ["1", "0", "2030"], ["1", "1", "0"], ["1", "1", "0000"], ["31", "12", "9999"],
                            ["1", "13", "2030"], ["-1", "-1", "-1"], ["1", "1", "-2030"], ["one", "two", "2030"],
                            ["1.5", "1", "2030"], ["", "", "2030"], ["1", "", ""], ["١", "١", "٢٠"
                            "٣٠"], ["31", "4", "2030"], ["1", "1", "1899"], ["31", "12", "2200"]])
date_parts = st.one_of(real_date, real_date, odd_date, st.lists(date_part, min_size=3, max_size=3),
                       st.lists(date_part, max_size=5))


def usually(valid: st.SearchStrategy, hostile: st.SearchStrategy = short_text) -> st.SearchStrategy:
    """A valid value two times in three, so that the form's other fields reach the database too."""
    return st.one_of(valid, valid, hostile)


def one_of_or_hostile(values) -> st.SearchStrategy:
    """A valid choice most of the time, anything at all otherwise."""
    return usually(st.sampled_from(list(values)))


def _strip(value: str) -> str:
    return value.strip()


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


# --- reading a page as a browser would ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("hostile-forms"), WTF_CSRF_ENABLED=False)
    return build_world(app)


# --- signing in and passwords ---------------------------------------------------------------------------------

@FORM_SETTINGS
@given(email=hostile_text, password=hostile_text, next_page=st.one_of(st.none(), short_text))
def test_sign_in_refuses_anything_but_the_right_details_and_never_echoes_the_password(world, email, password,
                                                                                      next_page):
    client = world.app.test_client()
    url = "/sign-in" + (f"?next={quote(next_page)}" if next_page is not None else "")
    response = client.post(url, data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": fresh_address()})
    assert answered(response, kept={"email": _strip(email)}, not_echoed=("password",)) == "refused"


@FORM_SETTINGS
@given(email=hostile_text)
def test_asking_for_a_reset_link_never_fails_and_never_says_whether_the_account_exists(world, email):
    response = world.app.test_client().post("/forgot-password", data={"email": email})
    if answered(response, kept={"email": _strip(email)}) == "saved":
        assert response.headers["Location"] == "/forgot-password/sent"


@FORM_SETTINGS
@given(purpose=st.sampled_from(["invite", "reset"]), password=hostile_text,
       confirm=st.one_of(hostile_text, st.just("")), same=st.booleans())
def test_setting_a_password_saves_exactly_what_was_typed_or_says_what_is_wrong(world, purpose, password, confirm,
                                                                                  same):
    with world.db() as database:
        token = store.create_token(database, world.ids["invitee"], purpose, lifetime=timedelta(hours=1), now=NOW)
        before = store.user_by_id(database, world.ids["invitee"])["password_hash"]
    path = "/set-password/" if purpose == "invite" else "/reset-password/"
    response = world.app.test_client().post(path + token, data={"password": password,
                                                                "confirm": password if same else confirm})
    outcome = answered(response, not_echoed=("password", "confirm"))
    with world.db() as database:
        after = store.user_by_id(database, world.ids["invitee"])["password_hash"]
    if outcome == "saved":
        assert password_matches(after, password)
    else:
        assert after == before, "a refused password changed the saved one"


@FEW
@given(token=hostile_text.filter(lambda t: t and len(t) < 3000))
def test_a_made_up_link_says_it_has_expired(world, token):
    for path in ("/set-password/", "/reset-password/"):
        for method in ("GET", "POST"):
            response = world.app.test_client().open(path + quote(token, safe=""), method=method,
                                                    data={"password": "x", "confirm": "x"})
            status, location = response.status_code, response.headers.get("Location", "")
            _no_crlf_in_headers(response)
            # "." or ".." as the token: the address is normalised, by a redirect within the site
            assert status in (404, 405, 410) or (status in (301, 308) and location.startswith("/")
                                                   and not location.startswith("//")), f"{method} {path}: {status}"


# --- the admin's forms ----------------------------------------------------------------------------------------

def form_values(valid: dict[str, st.SearchStrategy], hostile: dict[str, st.SearchStrategy], *,
                often: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A valid value for every field, then hostile values for one or more of them (those named in `often` are
    chosen more often): so that hostile text that happens to be acceptable reaches the database."""
    names = sorted(hostile) + [name for name in often for _ in range(3)]

    @st.composite
    def build(draw):
        values = {name: draw(strategy) for name, strategy in valid.items()}
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
            values[name] = draw(hostile[name])
        return values

    return build()


ORGANISATION = form_values(
    {"name": st.uuids().map("Organisation {.hex}".format), "sector": st.sampled_from(sorted(SECTORS)),
     "contact_name": st.just("Jo Lead"), "contact_email": st.sampled_from(["", "lead@org.example"]),
     "status": st.sampled_from(["active", "archived"])},
    {"name": hostile_text, "sector": short_text, "contact_name": hostile_text, "status": short_text,
     "contact_email": st.one_of(hostile_text, st.sampled_from(["lead\r\nBcc: x@evil.example", "lead\x00@org.example",
                                                               "lead@org.example\x1b", "lead@\u202eorg.example"]))},
    often=("name", "contact_name"))


def _organisation_kept(values: dict) -> dict:
    return {"name": one_line(values["name"]), "contact_name": one_line(values["contact_name"]),
            "contact_email": _strip(values["contact_email"])}


def _stored_organisation(world, organisation_id) -> dict:
    return world.one("SELECT name, sector, contact_name, contact_email, active FROM organisations WHERE id = ?",
                     [organisation_id])


def _saved_as_typed(stored: dict, values: dict) -> None:
    assert (stored["name"], stored["contact_name"], stored["contact_email"], stored["sector"]) == (
        one_line(values["name"]), one_line(values["contact_name"]), _strip(values["contact_email"]), values["sector"])
    # nothing that could break a mail header or a file name
    assert not re.search(r"[\x00-\x1f\x7f]", stored["name"] + stored["contact_name"] + stored["contact_email"])


@FORM_SETTINGS
@given(values=ORGANISATION)
def test_adding_an_organisation(world, values):
    before = world.count("organisations")
    response = world.client("admin").post("/organisations/new", data=values)
    if answered(response, kept=_organisation_kept(values)) == "saved":
        _saved_as_typed(_stored_organisation(world, int(response.headers["Location"].rsplit("/", 1)[1])), values)
    else:
        assert world.count("organisations") == before


@FORM_SETTINGS
@given(values=ORGANISATION)
def test_changing_an_organisation_loses_nothing_when_refused(world, values):
    organisation_id = world.ids["org_E"]
    before = _stored_organisation(world, organisation_id)
    response = world.client("admin").post(f"/organisations/{organisation_id}/edit", data=values)
    if answered(response, kept=_organisation_kept(values)) == "refused":
        assert _stored_organisation(world, organisation_id) == before
    else:
        _saved_as_typed(_stored_organisation(world, organisation_id), values)


csv_cell = st.one_of(short_text, mixed_text, st.sampled_from(["police", "Health", "lead@org.example", ""]),
                     st.just("x" * 300))


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.one_of(st.just(["name", "sector", "contact_name", "contact_email"]),
                            st.lists(st.one_of(st.sampled_from(["name", "sector", "contact_name", "contact_email"]),
                                               short_text), max_size=6)))
    valid_row = st.tuples(st.uuids().map("Imported {.hex}".format), st.sampled_from(["police", "Health"]),
                          st.just("Jo"), st.just("")).map(list)
    rows = draw(st.lists(st.one_of(valid_row, st.lists(csv_cell, min_size=len(header), max_size=len(header) + 1)),
                         max_size=6))

    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if draw(st.booleans()) else cell

    text = "\r\n".join(",".join(quoted(cell) for cell in row) for row in [header, *rows])
    encoded = text.encode("utf-8", errors="replace")
    return draw(st.one_of(st.just(encoded), st.just(encoded), st.just(b"\xef\xbb\xbf" + encoded),
                          st.binary(max_size=300), st.just(encoded + b"\xff\xfe"), st.just(b"a,b\n" * 200_000)))


@FORM_SETTINGS
@given(data=csv_files(), filename=st.one_of(st.just("organisations.csv"), short_text))
def test_importing_organisations_from_any_file(world, data, filename):
    before = world.count("organisations")
    response = world.client("admin").post("/organisations/import", content_type="multipart/form-data",
                                          data={"file": (io.BytesIO(data), filename)})
    if answered(response) == "refused":
        assert world.count("organisations") == before, "a refused import added organisations"
    else:
        with world.db() as database:
            names = [row[0] for row in database.execute("SELECT name FROM organisations ORDER BY id DESC LIMIT ?",
                                                        [world.count("organisations") - before])]
        assert names and all(not re.search(r"[\x00-\x1f\x7f]", name) for name in names)


PERSON = form_values(
    {"name": st.just("Sam Person"), "email": st.uuids().map("person-{.hex}@org.example".format),
     "job_title": st.just("Lead"), "role": st.just("board"), "organisation_id": st.just("")},
    {"name": hostile_text, "job_title": hostile_text, "role": short_text,
     "email": st.one_of(hostile_text, st.builds("{}@{}.example".format, short_text, short_text)),
     "organisation_id": st.one_of(short_text, st.just("A"))},
    often=("name", "job_title"))


@FORM_SETTINGS
@given(values=PERSON)
def test_inviting_someone(world, values):
    values = {**values, "organisation_id": str(world.ids["org_A"]) if values["organisation_id"] == "A"
              else values["organisation_id"]}
    before = world.count("users")
    response = world.client("admin").post("/people/invite", data=values)
    kept = {name: _strip(values[name]) for name in ("name", "email", "job_title")}
    if answered(response, kept=kept) == "refused":
        assert world.count("users") == before
    else:
        stored = world.one("SELECT name, email, job_title FROM users ORDER BY id DESC LIMIT 1")
        assert stored == kept


@FORM_SETTINGS
@given(role=one_of_or_hostile(["admin", "editor", "signatory", "board", "auditor"]),
       organisation=st.one_of(st.just(""), st.just("A"), short_text, st.just("99999999999999999999999"),
                              st.just("-1")))
def test_changing_a_role_loses_nothing_when_refused(world, role, organisation):
    organisation_id = str(world.ids["org_A"]) if organisation == "A" else organisation
    person = world.ids["target"]
    before = world.one("SELECT role, organisation_id FROM users WHERE id = ?", [person])
    response = world.client("admin").post(f"/people/{person}/role",
                                          data={"role": role, "organisation_id": organisation_id})
    after = world.one("SELECT role, organisation_id FROM users WHERE id = ?", [person])
    if answered(response) == "refused":
        assert after == before
    else:
        assert after == {"role": role, "organisation_id": int(organisation_id) if organisation_id else None}


CYCLE = form_values(
    {"name": st.integers(2031, 2198).map(lambda year: f"{year}/{(year + 1) % 100:02d}"),
     "frameworks": st.just([PROTOCOL_ID + "@1"]), "open_date": st.just(["1", "4", "2031"]),
     "due_date": st.just(["30", "6", "2031"]), "declaration": st.just("I confirm it.")},
    {"name": st.one_of(hostile_text, st.sampled_from(["2031/33", "0000/01", "9999/00", "2031/32\n", "\u0662031/32"])),
     "frameworks": st.lists(st.one_of(st.just(PROTOCOL_ID + "@1"), short_text), max_size=3),
     "open_date": date_parts, "due_date": date_parts, "declaration": hostile_text},
    often=("declaration",))


@FORM_SETTINGS
@given(values=CYCLE)
def test_creating_a_cycle(world, values):
    before = world.count("cycles")
    response = world.client("admin").post("/cycles/new", data=values)
    outcome = answered(response, kept={"name": _strip(values["name"]), "declaration": values["declaration"]},
                       dates={"open_date": values["open_date"], "due_date": values["due_date"]})
    assert world.count("cycles") == before + (outcome == "saved")
    if outcome == "saved":
        stored = world.one("SELECT name, declaration FROM cycles ORDER BY id DESC LIMIT 1")
        assert stored == {"name": values["name"].strip(), "declaration": values["declaration"]}


@FEW
@given(chosen=st.lists(st.one_of(st.sampled_from(["A", "S", "E"]), short_text, st.just("\u00b2"),
                                 st.just("9" * 5000)), max_size=4))
def test_sending_reminders(world, chosen):
    values = [str(world.ids[f"org_{item}"]) if item in ("A", "S", "E") else item for item in chosen]
    before = world.count("outbox")
    response = world.client("admin").post(f"/cycles/{world.ids['cycle']}/reminders",
                                          data={"organisations": values})
    if answered(response) == "refused":
        assert world.count("outbox") == before


# --- the editor's forms ---------------------------------------------------------------------------------------

ANSWER = form_values(
    {"rating": st.sampled_from(["met", "partially-met"]), "narrative": st.just("Our lead is in post."),
     "reason": st.just(""), "revision": st.just("current"), "then": st.sampled_from(["", "later"])},
    {"rating": st.one_of(st.just(None), st.sampled_from(["not-met", "not-applicable"]), short_text),
     "narrative": hostile_text, "reason": hostile_text, "confirmed": st.sampled_from(["y", "\x00", ""]),
     "revision": st.sampled_from(["", "-1", "0", "99999999999999999999", "abc", " 1"]),
     "then": st.one_of(st.sampled_from(["new-action", "change-action-1", "unlink-99", "//evil.example"]),
                       short_text)})


@FORM_SETTINGS
@given(values=ANSWER)
def test_saving_an_answer_keeps_the_saved_answer_when_refused(world, values):
    before = world.answer()
    data = {name: value for name, value in values.items() if value is not None}
    if data["revision"] == "current":
        data["revision"] = str(before["revision"])
    response = world.client("editor").post(world.page("return_a"), data=data)
    outcome = answered(response, kept={"narrative": _text(values["narrative"])})
    after = world.answer()
    if outcome == "refused":
        assert after == before, "a refused save changed the saved answer"
    else:
        assert after["narrative"] == _text(values["narrative"]), "what was saved is not what was typed"
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")


@pytest.mark.parametrize("revision", ["\u00b2", "9" * 5000])
def test_an_unreadable_revision_is_a_conflict_not_a_crash(world, revision):
    before = world.answer()
    response = world.client("editor").post(world.page("return_a"),
                                           data={"narrative": f"Changed {len(revision)}", "revision": revision})
    assert response.status_code == 409 and world.answer() == before


ACTION = form_values(
    {"what": st.just("Train every manager"), "owner": st.just("Safeguarding lead"),
     "due_date": real_date, "status": st.sampled_from(["not-started", "in-progress", "done"])},
    {"what": hostile_text, "owner": hostile_text, "due_date": date_parts, "status": short_text})


def _action_row(world, action_id) -> dict:
    return world.one("SELECT what, owner, due_date, status FROM actions WHERE id = ?", [action_id])


@FORM_SETTINGS
@given(values=ACTION, change=st.booleans())
def test_adding_or_changing_an_action_loses_nothing_when_refused(world, values, change):
    action_id = world.ids["action"]
    before, count = _action_row(world, action_id), world.count("actions")
    url = world.page("return_a", f"/actions/{action_id}" if change else "/actions/new")
    response = world.client("editor").post(url, data=values)
    outcome = answered(response, kept={"what": _text(values["what"]), "owner": one_line(values["owner"])},
                       dates={"due_date": values["due_date"]})
    if outcome == "refused":
        assert _action_row(world, action_id) == before and world.count("actions") == count
        return
    stored = _action_row(world, action_id) if change else world.one(
        "SELECT what, owner, due_date, status FROM actions ORDER BY id DESC LIMIT 1")
    assert world.count("actions") == count + (not change)
    assert (stored["what"], stored["owner"]) == (_text(values["what"]), one_line(values["owner"]))


LINK = form_values(
    {"title": st.just("Domestic abuse policy"), "url": st.just("https://intranet.example/policy.pdf"),
     "effective_date": real_date, "valid_until": st.just([])},
    {"title": hostile_text, "effective_date": date_parts, "valid_until": date_parts,
     "url": st.one_of(hostile_text, st.sampled_from([
         "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,x",
         "https://evil.example\r\nSet-Cookie: x=1", "http://", "https:///path", "//evil.example",
         "file:///etc/passwd", "https://exa mple.org", "https://\u202eelpmaxe.org", "https://ex\x00ample.org",
         "https://xn--e1afmkfd.example/" + "a" * 2100, "https://[::1", "https://user:pass@intranet.example/"]))},
    often=("title",))


@FORM_SETTINGS
@given(values=LINK)
# found by hypothesis in CI: urlsplit raises ValueError on an unclosed IPv6 address
@example(values={"title": "Domestic abuse policy", "url": "A://[", "effective_date": ["1", "1", "2000"],
                 "valid_until": ["31", "2", "2030"]})
@example(values={"title": "Policy", "url": "https://[::1", "effective_date": ["1", "1", "2000"], "valid_until": []})
def test_adding_a_link_accepts_only_web_addresses(world, values):
    before = world.count("evidence")
    response = world.client("editor").post(world.page("return_a", "/evidence/link"), data=values)
    outcome = answered(response, kept={"title": one_line(values["title"]), "url": _strip(values["url"])},
                       dates={"effective_date": values["effective_date"], "valid_until": values["valid_until"]})
    assert world.count("evidence") == before + (outcome == "saved")
    if outcome == "saved":
        stored = world.one("SELECT title, url FROM evidence ORDER BY id DESC LIMIT 1")
        assert stored["title"] == one_line(values["title"])
        assert re.match(r"https?://[^\s/]", stored["url"], re.I) and not re.search(r"[\x00-\x20\x7f]", stored["url"])


UPLOAD = form_values({"title": st.just("Minutes"), "effective_date": real_date, "valid_until": st.just([])},
                     {"title": hostile_text, "effective_date": date_parts, "valid_until": date_parts})


@FORM_SETTINGS
@given(values=UPLOAD)
def test_uploading_a_file_with_any_title_and_dates(world, values):
    before = world.count("evidence")
    response = world.client("editor").post(world.page("return_a", "/evidence/upload"),
                                           content_type="multipart/form-data",
                                           data={**values, "file": (io.BytesIO(b"Minutes of the meeting\n"),
                                                                    "minutes.txt")})
    outcome = answered(response, kept={"title": one_line(values["title"])},
                       dates={"effective_date": values["effective_date"], "valid_until": values["valid_until"]})
    assert world.count("evidence") == before + (outcome == "saved")
    if outcome == "saved":
        assert world.one("SELECT title FROM evidence ORDER BY id DESC LIMIT 1")["title"] == one_line(values["title"])


# --- signing, and the coordinator's decision ------------------------------------------------------------------

def _seen(world) -> str:
    response = world.client("signatory").get(f"/returns/{world.ids['return_s']}/sign")
    assert response.status_code == 200
    return fields_of(response).values["seen"][0]


SIGNING = form_values(
    {"name": st.just("Priya Raman"), "job_title": st.just("Director"), "confirm": st.just("y"),
     "seen": st.just("current")},
    {"name": hostile_text, "job_title": hostile_text, "confirm": st.sampled_from([None, "", "\x00"]),
     "seen": short_text},
    often=("name", "job_title"))


@FORM_SETTINGS
@given(values=SIGNING)
def test_signing_with_any_name_and_job_title(world, values):
    return_id = world.ids["return_s"]
    data = {name: value for name, value in values.items() if value is not None}
    if data["seen"] == "current":
        data["seen"] = _seen(world)
    before = world.count("return_versions")
    response = world.client("signatory").post(f"/returns/{return_id}/sign", data=data)
    if answered(response, kept={"name": _strip(values["name"]), "job_title": _strip(values["job_title"])}) \
            == "refused":
        assert world.count("return_versions") == before
        return
    try:
        assert world.count("return_versions") == before + 1
        signed = world.one("SELECT canonical FROM return_versions WHERE return_id = ? ORDER BY version DESC "
                           "LIMIT 1", [return_id])["canonical"]
        attestation = json.loads(signed)["attestation"]
        assert (attestation["name"], attestation["job_title"]) == (_strip(values["name"]),
                                                                   _strip(values["job_title"]))
        for path in ("/statement", "/statement.pdf", "/check", "/submitted"):
            shown = world.client("signatory").get(f"/returns/{return_id}{path}")
            assert shown.status_code < 500, f"{path} failed for a signed name {values['name'][:40]!r}"
            _no_crlf_in_headers(shown)
            assert shown.mimetype == "application/pdf" or not fields_of(shown).planted
    finally:
        with world.db() as database:  # open it again for the next example
            store.return_for_amendment(database, return_id, "Again", actor=store.SYSTEM, now=NOW)


@FEW
@given(comment=hostile_text)
def test_returning_for_amendment_with_any_comment(world, comment):
    return_id = world.ids["return_d"]
    response = world.client("admin").post(f"/returns/{return_id}/return-for-amendment", data={"comment": comment})
    status = world.one("SELECT status FROM returns WHERE id = ?", [return_id])["status"]
    if answered(response, kept={"comment": _strip(comment)}) == "refused":
        assert status == "submitted"
        return
    try:
        assert status == "returned"
        latest = world.one("SELECT outcome_comment FROM return_versions WHERE return_id = ? ORDER BY version DESC "
                           "LIMIT 1", [return_id])
        assert latest["outcome_comment"] == _strip(comment)
        for who in ("admin", "editor"):
            overview = world.client(who).get(f"/returns/{return_id}")
            assert overview.status_code in (200, 404) and not fields_of(overview).planted
    finally:
        with world.db() as database:  # submit it again for the next example
            signatory = store.user_by_id(database, world.ids["signatory-d"])
            return_service.submit(database, return_service.load_return(database, return_id), partnership="WDVF",
                                  signatory_name="Signatory D", job_title="Director",
                                  actor=store.Actor(signatory["id"], signatory["email"]), now=NOW)


@FEW
@given(filename=st.one_of(short_text, st.builds(lambda part, times: part * times + ".toml",
                                                st.sampled_from(["a", "é", "../", "\x00"]), st.integers(1, 400))),
       data=st.one_of(st.binary(max_size=200), st.just(b'id = "x"\n'), st.just(b"")))
def test_uploading_a_framework_with_any_name(world, filename, data):
    before = world.count("frameworks")
    response = world.client("admin").post("/frameworks/upload", content_type="multipart/form-data",
                                          data={"file": (io.BytesIO(data), filename)})
    assert answered(response) == "refused"
    assert world.count("frameworks") == before


# --- every other POST: any fields at all ----------------------------------------------------------------------

FIELD_NAMES = ["name", "email", "password", "confirm", "sector", "status", "role", "organisation_id", "title", "url",
               "what", "owner", "due_date", "rating", "narrative", "reason", "revision", "then", "items", "comment",
               "job_title", "seen", "declaration", "frameworks", "organisations", "open_date", "effective_date",
               "valid_until", "submit", "csrf_token",
               # the partnership's plan
               "first_year", "last_year", "themes", "current", "theme", "action", "outcome", "lead_organisation",
               "lead_partner", "lead_user", "timescale", "note", "rag", "unit", "direction", "baseline_period",
               "baseline", "rule", "tolerance", "source", "framework", "target_2030", "period", "value",
               "description", "likelihood", "impact", "review_by", "actions", "raised_from", "lowest_1", "rag_1"]
# Endpoints left out, and why: signing out would end the shared sessions; a board pack runs in a background
# thread; routes missing from test_access.ACCESS (work in progress elsewhere) have no agreed role to post as.
LEFT_OUT = {"account.sign_out", "boardpack.start"}
ROLES_TO_TRY = ("admin", "editor", "signatory", "anonymous")


def _route_values(world) -> dict:
    return {"return_id": world.ids["return_a"], "framework_id": PROTOCOL_ID, "requirement_id": world.ids["requirement"],
            "action_id": world.ids["action"], "evidence_id": world.ids["evidence"], "user_id": world.ids["target"],
            "organisation_id": world.ids["org_E"], "cycle_id": world.ids["cycle"], "token": "no-such-token",
            "return_s": world.ids["return_s"], "return_d": world.ids["return_d"], "query_id": world.ids["query"],
            "accreditation_id": world.ids["accreditation"],
            **{name: world.ids[name] for name in ("strategy_id", "theme_id", "plan_action_id", "measure_id",
                                                  "risk_id")}}


def _post_routes(app, values: dict):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in (rule.methods or ()) or rule.endpoint in LEFT_OUT or rule.endpoint not in ACCESS:
            continue
        who = next((role for role in ROLES_TO_TRY if role in ACCESS[rule.endpoint]), None)
        if who is None:
            continue
        # each return where its form is used: the editor's own, the signatory's, the submitted one
        own = {"returns.sign": "return_s", "returns.amend": "return_d", "returns.accept": "return_d",
               "queries.raise_query": "return_d", "queries.reply": "return_d", "queries.resolve": "return_d"}
        path = rule.rule
        for argument in rule.arguments:
            value = values[own[rule.endpoint]] if argument == "return_id" and rule.endpoint in own else values[argument]
            path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(value), path)
        yield rule.endpoint, who, path


@FEW
@given(form=st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), short_text),
                            st.lists(hostile_text, min_size=1, max_size=4), max_size=8))
def test_any_fields_posted_to_any_form_never_cause_a_server_error(world, form):
    values = _route_values(world)
    failures = []
    for endpoint, who, path in _post_routes(world.app, values):
        response = world.client(who).post(path, data=form)
        if response.status_code >= 500:
            failures.append(f"{endpoint}: {response.status_code}")
    assert failures == []


# A file posted under a text field's name, or a JSON body: what no browser form sends, but a script can.
ODD_BODIES = {
    "a file under every field's name": lambda: {"content_type": "multipart/form-data", "data": {
        name: (io.BytesIO(b"Minutes\n"), "minutes.txt") for name in FIELD_NAMES}},
    "a JSON string": lambda: {"content_type": "application/json", "data": '"text"'},
    "a JSON list": lambda: {"content_type": "application/json", "data": "[1, 2]"},
    "JSON numbers, lists and objects for fields": lambda: {"content_type": "application/json", "data": json.dumps(
        {name: [5, {"a": 1}, None, True][index % 4] for index, name in enumerate(FIELD_NAMES)})},
    "JSON null": lambda: {"content_type": "application/json", "data": "null"},
    "broken JSON": lambda: {"content_type": "application/json", "data": "{"},
}
# Forms defined in compliance/forms.py and compliance/views/admin/ read only what a browser sends (forms.Form).
FIXED_HERE = ("account.", "admin.")


@pytest.fixture(scope="module")
def odd_body_failures(world) -> list[str]:
    values = _route_values(world)
    failures = []
    for endpoint, who, path in _post_routes(world.app, values):
        for description, body in ODD_BODIES.items():
            response = world.client(who).post(path, **body())
            if response.status_code >= 500:
                failures.append(f"{endpoint}: {description}")
    return failures


def test_a_file_or_json_where_a_form_expects_text_is_refused_on_the_account_and_admin_forms(odd_body_failures):
    assert [failure for failure in odd_body_failures if failure.startswith(FIXED_HERE)] == []


def test_a_file_or_json_where_a_form_expects_text_is_refused_on_every_form(odd_body_failures):
    assert odd_body_failures == []


# --- ids in addresses -----------------------------------------------------------------------------------------

def test_an_id_too_large_for_the_database_is_not_found_rather_than_a_crash(world):
    huge = str(2**63)
    failures = []
    for rule in world.app.url_map.iter_rules():
        ints = [argument for argument in rule.arguments if f"<int:{argument}>" in rule.rule]
        if not ints or rule.endpoint not in ACCESS or rule.endpoint in LEFT_OUT:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            path = rule.rule
            for argument in rule.arguments:
                known = {"framework_id": PROTOCOL_ID, "requirement_id": world.ids["requirement"]}
                path = re.sub(rf"<(?:[a-z]+:)?{argument}>", known.get(argument, huge), path)
            for who in ("admin", "editor", "signatory"):
                response = world.client(who).open(path, method=method, data={})
                if response.status_code >= 500:
                    failures.append(f"{method} {rule.rule} as {who}")
    assert failures == []
