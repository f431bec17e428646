"""The frameworks pages: the list of loaded versions, one version in full, and uploading a new version file."""
from __future__ import annotations

import html as htmllib
import io
import json
import re
from datetime import datetime, timezone

import pytest
from markupsafe import escape

from compliance import store
from compliance.config import ROOT
from compliance.core import frameworks as fw
from compliance.web.requests import get_db
from tests.builders import PASSWORD, SECTORS, make_app, page_text, password_hash

NOW = datetime.now(timezone.utc)
QUESTIONNAIRES = ROOT / "questionnaires"
WDVF = QUESTIONNAIRES / "wdvf-overarching-protocol-2018--1.toml"
WM = QUESTIONNAIRES / "west-midlands-dv-standards-2014--1.toml"
BVPI = QUESTIONNAIRES / "bvpi-225--1.toml"
WM_URL = "/frameworks/west-midlands-dv-standards-2014"
TEST_WORDING = "TEST DATA ONLY, not the published wording"


def west_midlands(version="2", *, extra_top="", requirements=11, mappings="") -> str:
    """A complete, valid West Midlands file whose wording is clearly marked as test data."""
    parts = [f'''
id = "west-midlands-dv-standards-2014"
version = "{version}"
title = "West Midlands Domestic Violence Standards (2014)"
short_title = "West Midlands DV standards 2014"
published = 2014-01-01
source = "{TEST_WORDING}: written for the frameworks admin tests"
status = "published"
{extra_top}
[[scale]]
code = "met"
label = "Met"
definition = "The standard is fully in place."
rag = "green"
score = 3
counts_as_met = true

[[scale]]
code = "not-met"
label = "Not met"
definition = "The standard is not in place; an improvement action is needed."
rag = "red"
score = 1
needs_action = true

[[scale]]
code = "not-applicable"
label = "Not applicable"
definition = "The standard does not apply; give the reason."
rag = "grey"
needs_reason = true

[overall]
rule = "percentage-met"
decimals = 0

[[overall.thresholds]]
min_percent = 75
label = "Compliant"
rag = "green"

[[overall.thresholds]]
min_percent = 0
label = "Not compliant"
rag = "red"
''']
    for number in range(1, requirements + 1):
        parts.append(f'''
[[requirements]]
id = "wm-2014-{number:02}"
ref = "Standard {number}"
title = "Test standard {number}"
text = "{TEST_WORDING}: placeholder text of standard {number}."
sectors = ["housing", "specialist"]
tags = ["test-data"]
suggested_evidence = ["Test evidence item for standard {number}"]

[requirements.guidance]
good = "{TEST_WORDING}: what good looks like for standard {number}."
evidence = "{TEST_WORDING}: how standard {number} is evidenced."
''')
    return "".join(parts) + mappings


def _add_person(app, email, role, organisation_id=None) -> int:
    with app.app_context():
        return store.create_user(get_db(), email=email, name=email.split("@")[0].title(), role=role,
                                 organisation_id=organisation_id, password_hash=password_hash(),
                                 actor=store.SYSTEM, now=NOW)


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


def _stored(app) -> dict[str, dict]:
    return {row["key"]: row for row in _query(app, "SELECT * FROM frameworks")}


def _audit(app):
    return _query(app, "SELECT * FROM audit_log WHERE action = 'framework-loaded' ORDER BY id")


def _upload(client, content: str | bytes, filename="west-midlands-dv-standards-2014--2.toml", **kwargs):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/frameworks/upload", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", **kwargs)


def _problems(response) -> list[tuple[str, str]]:
    """The rows of the problems table: (place, problem), as a person reads them."""
    html = response.get_data(as_text=True)
    table = re.search(r'<table[^>]*id="problems".*?</table>', html, re.DOTALL)
    assert table, "no problems table on the page"
    cells = re.findall(r'<tr class="govuk-table__row">\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>', table.group(0),
                       re.DOTALL)
    return [(htmllib.unescape(" ".join(place.split())), htmllib.unescape(" ".join(problem.split())))
            for place, problem in cells]


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    with app.app_context():
        organisation = store.upsert_organisation(get_db(), name="Safer Homes Trust", sector="housing", now=NOW)
    _add_person(app, "admin@frameworks.example", "admin")
    _add_person(app, "board@frameworks.example", "board")
    _add_person(app, "editor@frameworks.example", "editor", organisation)
    return app


@pytest.fixture
def admin(app):
    return _sign_in(app, "admin@frameworks.example")


# The list and one framework in full


def test_the_list_shows_every_shipped_version_with_its_requirements_and_status(admin):
    response = admin.get("/frameworks")
    assert response.status_code == 200 and page_text(response).h1 == "Frameworks"
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.DOTALL)
    cells = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                                       row, re.DOTALL)]
             for row in rows[1:]]
    found = {(row[1], row[2]): row for row in cells}
    assert set(found) == {("wdvf-overarching-protocol-2018", "1"), ("wdvf-overarching-protocol-2018", "2"),
                          ("bvpi-225", "1"), ("west-midlands-dv-standards-2014", "1")}
    assert found[("wdvf-overarching-protocol-2018", "1")][2:5] == ["1", "Published", "16"]
    assert found[("wdvf-overarching-protocol-2018", "2")][2:5] == ["2", "Published", "16"]
    assert found[("bvpi-225", "1")][2:5] == ["1", "Published", "11"]
    assert found[("west-midlands-dv-standards-2014", "1")][2:5] == ["1", "Draft", "11"]
    assert "View West Midlands Domestic Violence Standards (2014), version 1" in cells[-1][-1]
    assert 'href="/frameworks/west-midlands-dv-standards-2014/1"' in html
    # The draft's notice is shown wherever the framework appears, the list included.
    notice = fw.load_file(WM, sectors=SECTORS).notice
    assert "govuk-warning-text" in html and str(escape(notice)) in html
    assert "Upload a framework file" in html


def test_a_framework_page_shows_every_requirement_in_full(admin):
    response = admin.get("/frameworks/wdvf-overarching-protocol-2018/1")
    assert response.status_code == 200
    assert page_text(response).h1 == "Over-Arching Domestic Violence Protocol 2018: organisational requirements"
    html = response.get_data(as_text=True)
    assert "Provide an annual statement of compliance with these requirements to WDVF Exec Board on request." in html
    shipped = fw.load_file(WDVF, sectors=SECTORS)
    assert len(shipped.requirements) == 16
    for requirement in shipped.requirements:
        for part in (requirement.text, requirement.guidance.good, requirement.guidance.evidence,
                     *requirement.suggested_evidence, requirement.id):
            assert str(escape(part)) in html, f"{requirement.ref}: {part[:40]}... is missing"
    for level in shipped.scale:
        assert str(escape(level.definition)) in html
    assert "Worst rating wins" in html and ">Grey</span> (not applicable)" in html and "All sectors" in html
    assert "govuk-warning-text" not in html, "a published framework has no draft notice"


def test_the_draft_framework_page_shows_its_notice(admin):
    response = admin.get(f"{WM_URL}/1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-warning-text" in html and str(escape(fw.load_file(WM, sectors=SECTORS).notice)) in html
    assert html.count("The wording of this requirement has not been loaded yet.") == 11
    assert "Draft" in html


def test_a_percentage_rule_is_described_with_its_decimals(admin):
    html = admin.get("/frameworks/bvpi-225/1").get_data(as_text=True)
    assert "rounded once, half up, to 1 decimal place" in html
    assert "10 of 11 requirements met is 90.9%" in html
    assert "the overall result is the percentage alone" in html
    assert "Local authority" in html  # sector labels, not codes


def test_an_unknown_framework_or_version_is_not_found(admin):
    assert admin.get("/frameworks/no-such-framework/1").status_code == 404
    assert admin.get("/frameworks/bvpi-225/9").status_code == 404


# Uploading


def test_a_valid_new_version_is_stored_listed_and_audited(app, admin):
    content = west_midlands("2")
    response = _upload(admin, content)
    assert response.status_code == 302 and response.headers["Location"] == f"{WM_URL}/2"
    page = admin.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Version 2 of West Midlands Domestic Violence Standards (2014) loaded" in html
    assert f"{TEST_WORDING}: placeholder text of standard 11." in html
    assert "Housing, Specialist domestic abuse service" in html and "test-data" in html
    assert "At least 75%" in html and "Compliant" in html
    assert 'href="/frameworks/west-midlands-dv-standards-2014/1">Version 1</a>' in html
    stored = _stored(app)["west-midlands-dv-standards-2014@2"]
    assert stored["status"] == "published" and stored["requirement_count"] == 11
    assert stored["source_name"] == "west-midlands-dv-standards-2014--2.toml"
    assert stored["source_toml"] == content
    assert len(_stored(app)) == 5, "version 1 is kept"
    listed = admin.get("/frameworks").get_data(as_text=True)
    assert 'href="/frameworks/west-midlands-dv-standards-2014/2"' in listed
    assert 'href="/frameworks/west-midlands-dv-standards-2014/1"' in listed
    [entry] = _audit(app)
    assert entry["actor"] == "admin@frameworks.example" and entry["object_type"] == "framework"
    assert entry["object_id"] == "west-midlands-dv-standards-2014@2"
    new = json.loads(entry["new_value"])
    assert {key: new[key] for key in ("id", "version", "title", "status", "requirements")} == {
        "id": "west-midlands-dv-standards-2014", "version": "2",
        "title": "West Midlands Domestic Violence Standards (2014)", "status": "published", "requirements": 11}


def test_a_mapping_to_a_stored_framework_resolves_and_is_shown(app, admin):
    # part-of: a "same" mapping needs both scales to have the same codes, which this file's two levels do not
    mapping = ('\n[[mappings]]\nrequirement = "wm-2014-11"\nframework = "wdvf-overarching-protocol-2018"\n'
               'target = "wdvf-2018-16"\nrelation = "part-of"\n')
    response = _upload(admin, west_midlands("2", mappings=mapping))
    assert response.status_code == 302
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Links to other frameworks" in html and "Part of" in html
    assert "with the other's answer shown as a suggestion to start from" in html
    assert 'href="/frameworks/wdvf-overarching-protocol-2018/1#requirement-wdvf-2018-16"' in html


def test_a_broken_file_shows_every_problem_with_its_place_and_stores_nothing(app, admin):
    before = _stored(app)
    content = west_midlands("3").replace('id = "wm-2014-02"', 'id = "wm-2014-01"').replace(
        'score = 3\n', 'score = 3\ncolour = "green"\n', 1)
    content += ('\n[[mappings]]\nrequirement = "wm-2014-01"\nframework = "not-loaded-anywhere"\n'
                'target = "x-1"\n')
    response = _upload(admin, content)
    assert response.status_code == 200
    assert page_text(response).title.startswith("Error: ")
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and 'href="#file"' in html
    assert "The selected file has 2 problems" in html and "Nothing has been loaded" in html
    problems = _problems(response)
    assert [place for place, _ in problems] == ["scale[1].colour", "requirements[2].id"]
    assert problems[0][1].startswith('unknown field "colour"; allowed fields are: code, label')
    assert problems[1][1] == '"wm-2014-01" is used twice; each requirement needs its own id'
    assert "framework-upload-" not in html and "/tmp" not in html, "the temporary file's name is not shown"
    assert _stored(app) == before and _audit(app) == []


def test_an_unresolved_mapping_rejects_the_file(app, admin):
    before = _stored(app)
    content = west_midlands("3") + ('\n[[mappings]]\nrequirement = "wm-2014-01"\nframework = "not-loaded-anywhere"\n'
                                    'target = "x-1"\n')
    response = _upload(admin, content)
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    [(place, problem)] = _problems(response)
    assert place == "mappings[1].framework" and "is not loaded" in problem
    assert _stored(app) == before and _audit(app) == []


def test_a_sector_the_partnership_does_not_have_rejects_the_file_in_plain_words(app, admin):
    before = _stored(app)
    content = west_midlands("3").replace('sectors = ["housing", "specialist"]',
                                         'sectors = ["housing", "fire-service"]', 1)
    response = _upload(admin, content)
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert _problems(response) == [(
        "requirements[1].sectors[2]",
        'requirement "wm-2014-01" names the sector "fire-service", but the partnership has no such sector; use one '
        "of its sector ids: " + ", ".join(SECTORS))]
    assert _stored(app) == before and _audit(app) == []


def test_a_requirement_for_an_added_sector_loads(app, admin):
    content = west_midlands("3").replace('sectors = ["housing", "specialist"]', 'sectors = ["fire-and-rescue"]', 1)
    response = _upload(admin, content)
    assert response.status_code == 302
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fire and rescue" in html  # the sector's name, not its id


def test_a_file_that_is_not_toml_is_reported_by_line_and_column(app, admin):
    before = _stored(app)
    response = _upload(admin, 'id = "west-midlands-dv-standards-2014"\nversion = \n')
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    [(place, problem)] = _problems(response)
    assert re.fullmatch(r"line 2, column \d+", place) and problem.endswith("(not valid TOML)")
    assert _stored(app) == before and _audit(app) == []


def test_a_changed_file_for_a_loaded_version_is_refused(app, admin):
    before = _stored(app)
    changed = WM.read_text(encoding="utf-8").replace("is not yet loaded", "is still not loaded")
    response = _upload(admin, changed, filename="west-midlands-dv-standards-2014--1.toml")
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    [(place, problem)] = _problems(response)
    assert place == "(file)" and "never edited in place" in problem
    assert _stored(app) == before and _audit(app) == []


def test_an_identical_file_is_already_loaded_and_changes_nothing(app, admin):
    before = _stored(app)
    response = _upload(admin, BVPI.read_bytes(), filename="bvpi-225--1.toml")
    assert response.status_code == 200
    assert "This version is already loaded" in response.get_data(as_text=True)
    assert _stored(app) == before and _audit(app) == []


@pytest.mark.parametrize("content, filename, message", [
    (b"", "empty.toml", "The selected file is empty"),
    (b'id = "x"\n', "framework.csv", "must be a TOML file"),
    (b"#" * (1024 * 1024 + 1), "big.toml", "The selected file must be smaller than 1 MB"),
    (b"\xff\xfe not text", "binary.toml", "is not UTF-8 text"),
])
def test_a_file_that_cannot_be_checked_says_why(app, admin, content, filename, message):
    before = _stored(app)
    response = _upload(admin, content, filename=filename)
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert message in response.get_data(as_text=True)
    assert _stored(app) == before


def test_no_file_chosen_asks_for_one(admin):
    response = admin.post("/frameworks/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert "Select a framework file" in response.get_data(as_text=True)


# Who may do what


def test_the_board_can_read_but_not_upload(app):
    board = _sign_in(app, "board@frameworks.example")
    listed = board.get("/frameworks")
    assert listed.status_code == 200 and "Upload a framework file" not in listed.get_data(as_text=True)
    assert board.get(f"{WM_URL}/1").status_code == 200
    assert board.get("/frameworks/upload").status_code == 403
    before = _stored(app)
    assert _upload(board, west_midlands("2")).status_code == 403
    assert _stored(app) == before


def test_an_editor_can_read_a_framework_but_not_the_list(app):
    editor = _sign_in(app, "editor@frameworks.example")
    page = editor.get("/frameworks/wdvf-overarching-protocol-2018/1")
    assert page.status_code == 200 and 'aria-label="Back"' not in page.get_data(as_text=True)
    assert editor.get("/frameworks").status_code == 403
    assert editor.get("/frameworks/upload").status_code == 403


def test_the_navigation_and_home_page_link_to_the_frameworks(app, admin):
    home = admin.get("/home").get_data(as_text=True)
    assert home.count('href="/frameworks"') == 2  # the service navigation and the home page's list
    board = _sign_in(app, "board@frameworks.example").get("/home").get_data(as_text=True)
    assert board.count('href="/frameworks"') == 2
    editor = _sign_in(app, "editor@frameworks.example").get("/home").get_data(as_text=True)
    assert 'href="/frameworks"' not in editor
