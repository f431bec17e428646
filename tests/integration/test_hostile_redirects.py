"""Open redirects and header injection: `next` after signing in never leaves the site, and nothing a person
types reaches a response or mail header with a line break in it.

Where a browser goes is worked out as a browser does (WHATWG URL parsing: tabs and line breaks dropped, a
backslash read as a slash, leading spaces and control characters trimmed), not as Python's urljoin does.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import store
from compliance.services import returns as return_service
from compliance.web.access import safe_next
from compliance.web.requests import get_db
from tests.builders import PASSWORD, first_versions, make_app, password_hash
from tests.mailserver import MailServer

NOW = datetime.now(timezone.utc)
SERVICE = "https://compliance.example"
PROTOCOL = "wdvf-overarching-protocol-2018"

HOSTILE_NEXT = [
    "//evil.example", "//evil.example/home", "///evil.example", "////evil.example", "https://evil.example",
    "http://evil.example/home", "HTTPS://evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\\/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,x",
    "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%2f%2fevil.example", "%2Fhome", "/%5Cevil.example",
    "/\t/evil.example", "/\n/evil.example", "\t//evil.example", " //evil.example", "\x00//evil.example",
    "/\r\nSet-Cookie: session=stolen", "/home\r\nLocation: https://evil.example", "/home\x0d\x0aX-Injected: 1",
    "/\u2215\u2215evil.example", "/\uff0f\uff0fevil.example", "\uff0f\uff0fevil.example", "/\u3002evil.example",
    "//evil\u3002example", "/\u202e/evil.example", "/home#//evil.example", "/.//evil.example", "/../..//evil.example",
    "https:evil.example", "https:/evil.example", "/@evil.example", "//user@evil.example", "//evil.example:443",
    "//127.0.0.1", "//0x7f.1", "//[::1]/", "/" + "a" * 10_000, "",
]


def browser_target(location: str, base: str = SERVICE + "/sign-in") -> str:
    """The absolute URL a browser would go to for this Location header."""
    cleaned = location.strip("".join(map(chr, range(33))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return urljoin(base, cleaned)


def assert_stays_on_site(response) -> None:
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert not re.search(r"[\x00-\x1f\x7f]", location), f"control characters in Location: {location!r}"
    target = urlsplit(browser_target(location))
    assert (target.scheme, target.netloc) == ("https", "compliance.example"), f"{location!r} leaves the site"
    assert len(response.headers.getlist("Location")) == 1 and "Set-Cookie" not in location


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("hostile-redirects"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        store.create_user(get_db(), email="admin@redirect.example", name="Admin", role="admin", organisation_id=None,
                          password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
    return app


def sign_in_with_next(app, next_value: str):
    client = app.test_client()
    query = "?next=" + quote(next_value, safe="")
    assert client.get("/sign-in" + query).status_code == 200
    return client.post("/sign-in" + query, data={"email": "admin@redirect.example", "password": PASSWORD},
                       base_url=SERVICE)


@pytest.mark.parametrize("next_value", HOSTILE_NEXT)
def test_signing_in_never_goes_off_the_site(app, next_value):
    response = sign_in_with_next(app, next_value)
    assert_stays_on_site(response)


def test_a_safe_next_page_is_still_followed(app):
    assert sign_in_with_next(app, "/organisations?status=all").headers["Location"] == "/organisations?status=all"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(next_value=st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.builds("{}{}{}".format, st.sampled_from(["/", "//", "\\", "/\\", "%2F", "https:", "\t/", " /", "\x00/"]),
              st.sampled_from(["", "/", "\\", "\t", "\n", "%2F", "@", "\u3002", "\uff0f"]),
              st.text(st.characters(exclude_categories=("Cs",)), max_size=20))))
def test_any_next_value_keeps_the_person_on_the_site(app, next_value):
    assert_stays_on_site(sign_in_with_next(app, next_value))


@settings(max_examples=500, deadline=None)
@given(target=st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.builds("{}{}".format, st.sampled_from(["/", "//", "/\\", "\\", "https://", "\t/", " /"]),
              st.text(st.characters(exclude_categories=("Cs",)), max_size=20))))
def test_safe_next_only_allows_paths_a_browser_resolves_to_this_site(target):
    allowed = safe_next(target)
    if allowed is None:
        return
    assert allowed == target
    assert urlsplit(browser_target(allowed)).netloc == "compliance.example", f"{target!r} leaves the site"
    assert not re.search(r"[\x00-\x1f\\]", allowed)  # (DEL may pass: the Location header percent-encodes it)


@pytest.mark.parametrize("path", [
    "/home%0d%0aSet-Cookie:%20session=stolen", "/returns/1%0D%0ALocation:%20https://evil.example/check",
    "/organisations?status=%0d%0aX-Injected:%201", "//evil.example/home", "/%2F%2Fevil.example",
    "/home?next=https://evil.example", "/organisations/1%00"])
def test_being_sent_to_sign_in_carries_no_header_injection_and_comes_back_to_the_site(app, path):
    client = app.test_client()
    response = client.get(path, base_url=SERVICE)
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 404:
        return
    location = response.headers["Location"]
    assert location.startswith("/sign-in") and not re.search(r"[\x00-\x1f\x7f]", location)
    next_value = dict(part.split("=", 1) for part in urlsplit(location).query.split("&") if "=" in part).get("next")
    back = client.post(location, data={"email": "admin@redirect.example", "password": PASSWORD}, base_url=SERVICE)
    assert_stays_on_site(back)
    assert next_value is None or "\n" not in next_value


# --- user-controlled text in response headers -----------------------------------------------------------------

HEADER_BREAKERS = ['Evil\r\nSet-Cookie: session=stolen', 'Evil"; filename="evil.exe', "Évil\u202eexe.pdf",
                   "\u0415\u0432\u0438\u043b", "../../etc/passwd", "%0d%0aX-Injected: 1", "Evil\x00\x0b\x1b"]


def _content_disposition(response) -> str:
    values = response.headers.getlist("Content-Disposition")
    assert len(values) == 1, values
    value = values[0]
    assert not re.search(r"[\x00-\x1f\x7f]", value), f"control characters in Content-Disposition: {value!r}"
    assert value.startswith("attachment;")
    assert "X-Injected" not in response.headers and "session=stolen" not in response.headers.get("Set-Cookie", "")
    filename = re.fullmatch(r'attachment; filename="?([^";]+)"?(?:; filename\*=.*)?', value)
    assert filename, value
    assert "/" not in filename[1] and "\\" not in filename[1] and ".." not in filename[1]
    return filename[1]


@pytest.fixture(scope="module")
def hostile_names(app):
    """Cycles and organisations named with line breaks and quotes, as only the database (not a form) allows."""
    with app.app_context():
        database = get_db()
        keys = first_versions(database, PROTOCOL)
        found = {}
        for index, name in enumerate(HEADER_BREAKERS):
            organisation = store.upsert_organisation(database, name=f"{name} {index}", sector="police", now=NOW)
            cycle = store.create_cycle(database, name=f"{2040 + index}/{41 + index}\r\n{name}", open_date="2040-04-01",
                                       due_date="2099-06-30", declaration="I confirm.", framework_keys=keys,
                                       actor=store.SYSTEM, now=NOW)
            return_service.open_cycle(database, cycle, actor=store.SYSTEM, now=NOW)
            ret = next(r for r in store.returns_for_cycle(database, cycle) if r["organisation_id"] == organisation)
            found[name] = {"cycle": cycle, "return": ret["id"]}
            # archived, so that each later cycle's matrix holds only its own hostile name
            database.execute("UPDATE organisations SET active = 0 WHERE id = ?", [organisation])
    client = app.test_client()
    client.post("/sign-in", data={"email": "admin@redirect.example", "password": PASSWORD})
    return client, found


CONTROL_CHARACTERS = "Evil\x00\x0b\x1b"
LEGAL_IN_A_SPREADSHEET = [name for name in HEADER_BREAKERS if name != CONTROL_CHARACTERS]


@pytest.mark.parametrize("export, name", [("matrix.csv", name) for name in HEADER_BREAKERS]
                         + [("matrix.xlsx", name) for name in LEGAL_IN_A_SPREADSHEET])
def test_a_matrix_export_is_named_safely_whatever_the_cycle_is_called(hostile_names, export, name):
    client, found = hostile_names
    response = client.get(f"/cycles/{found[name]['cycle']}/{export}")
    assert response.status_code == 200
    assert re.fullmatch(r"partnership-matrix-[0-9A-Za-z-]+\.(csv|xlsx)", _content_disposition(response))


def test_the_xlsx_export_copes_with_control_characters_in_a_name(hostile_names):
    client, found = hostile_names
    response = client.get(f"/cycles/{found[CONTROL_CHARACTERS]['cycle']}/matrix.xlsx")
    assert response.status_code == 200


@pytest.mark.parametrize("name", HEADER_BREAKERS)
def test_a_statement_pdf_is_named_safely_whatever_the_organisation_is_called(hostile_names, name):
    client, found = hostile_names
    response = client.get(f"/returns/{found[name]['return']}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.fullmatch(r"statement-[0-9a-z-]+\.pdf", _content_disposition(response))


# --- mail headers -----------------------------------------------------------------------------------------------

@pytest.fixture
def mail_world(tmp_path):
    """An application sending real mail to an SMTP server on loopback, with an open cycle."""
    with MailServer() as server:
        app = make_app(tmp_path, WTF_CSRF_ENABLED=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                       MAIL_SENDER="wdvf@compliance.example")
        with app.app_context():
            database = get_db()
            store.create_user(database, email="admin@redirect.example", name="Admin", role="admin",
                              organisation_id=None, password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
        client = app.test_client()
        client.post("/sign-in", data={"email": "admin@redirect.example", "password": PASSWORD})
        yield app, client, server


def _open_cycle_for(app, organisation_id: int) -> int:
    with app.app_context():
        database = get_db()
        store.create_user(database, email=f"editor{organisation_id}@org.example", name="Editor", role="editor",
                          organisation_id=organisation_id, actor=store.SYSTEM, now=NOW)
        keys = first_versions(database, PROTOCOL)
        cycle = store.create_cycle(database, name="2040/41", open_date="2040-04-01", due_date="2099-06-30",
                                   declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(database, cycle, actor=store.SYSTEM, now=NOW)
        return cycle


def test_an_organisation_name_typed_with_line_breaks_cannot_add_a_mail_header(mail_world):
    app, client, server = mail_world
    response = client.post("/organisations/new", data={
        "name": "Haven Lane\r\nBcc: everyone@evil.example", "sector": "police", "contact_name": "",
        "contact_email": "", "status": "active"})
    assert response.status_code == 302
    organisation_id = int(response.headers["Location"].rsplit("/", 1)[1])
    cycle = _open_cycle_for(app, organisation_id)
    sent = client.post(f"/cycles/{cycle}/reminders", data={"organisations": [str(organisation_id)]})
    assert sent.status_code == 302
    assert len(server.messages) == 1
    message = server.messages[0]
    assert message["Subject"] == "Reminder: Haven Lane Bcc: everyone@evil.example's return for 2040/41"
    assert message["Bcc"] is None and message.get_all("To") == [f"editor{organisation_id}@org.example"]


def test_a_stored_name_with_a_line_break_still_lets_reminders_go(mail_world):
    app, client, server = mail_world
    with app.app_context():
        organisation_id = store.upsert_organisation(get_db(), name="Old Name\r\nBcc: everyone@evil.example",
                                                    sector="police", now=NOW)
    cycle = _open_cycle_for(app, organisation_id)
    sent = client.post(f"/cycles/{cycle}/reminders", data={"organisations": [str(organisation_id)]})
    assert sent.status_code == 302
    assert len(server.messages) == 1 and server.messages[0]["Bcc"] is None
