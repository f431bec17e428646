"""Frameworks through spreadsheets, over HTTP: the template and any version downloaded, a filled workbook uploaded,
its problems listed by sheet, row and column with nothing loaded, a clean one previewed and then loaded (stored as
canonical TOML), and the West Midlands Standards' wording loaded by a coordinator and opened in a cycle."""
from __future__ import annotations

import html as htmllib
import io
import json
import re
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core import frameworks as fw
from compliance.core.framework_toml import canonical_toml
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import SECTORS, db_of, page_text, signed_in, token_from

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WM = "west-midlands-dv-standards-2014"
WM_XLSX = f"/frameworks/{WM}/1/spreadsheet.xlsx"
TEST_WORDING = "TEST DATA ONLY, not the published wording"
COORDINATOR = "coordinator@demo.example"


@pytest.fixture
def admin(demo_app):
    return signed_in(demo_app, COORDINATOR)


def _stored(app) -> dict[str, dict]:
    with app.app_context():
        cursor = get_db().execute("SELECT * FROM frameworks")
        columns = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(columns, row)) for row in cursor.fetchall()}


def _loaded_audit(app) -> list[dict]:
    return [entry for entry in store.audit_entries(db_of(app)) if entry["action"] == "framework-loaded"]


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(book, field: str, value) -> None:
    row = next(row for row in book["About"].iter_rows(min_row=2) if row[0].value == field)
    row[1].value = value


def _type(cell, text: str) -> None:
    """Text typed into a cell formatted as text (as the workbook's text columns are): kept as text, even =cmd."""
    cell.value = text
    cell.data_type = "s"


def fill_west_midlands(data: bytes, *, title: str = "Test standard {n}", version: str = "2") -> bytes:
    """The West Midlands workbook filled in as a coordinator would from the published document (test wording)."""
    book = _book(data)
    _about(book, "Version", version)
    _about(book, "Status", "published")
    _about(book, "Notice", None)
    for n, row in enumerate(book["Requirements"].iter_rows(min_row=2), 1):
        _type(row[2], title.format(n=n))
        _type(row[3], f"{TEST_WORDING}: the wording of standard {n}.\nIts second paragraph.")
        _type(row[4], f"{TEST_WORDING}: what good looks like for standard {n}.")
        _type(row[5], f"{TEST_WORDING}: how standard {n} is evidenced.")
        _type(row[6], "A written policy\nMinutes of the board")
    return _saved(book)


def upload(client, data: bytes, name: str = "west-midlands.xlsx"):
    return client.post("/frameworks/upload-spreadsheet", content_type="multipart/form-data",
                       data={"csrf_token": token_from(client, "/frameworks/upload-spreadsheet"),
                             "file": (io.BytesIO(data), name)})


def checked_token(response) -> str:
    found = re.search(r'name="checked" type="hidden" value="([^"]*)"', response.get_data(as_text=True))
    assert found, "no checked workbook on the page"
    return htmllib.unescape(found[1])


def load(client, preview, token: str | None = None):
    """Press "Load this version" on the preview (another person's preview: their form token, its checked workbook)."""
    return client.post("/frameworks/load-spreadsheet", data={
        "csrf_token": token_from(client, "/frameworks/upload-spreadsheet"),
        "checked": checked_token(preview) if token is None else token})


def problems(response) -> list[str]:
    """The problems listed on the page, each "place: message" as a person reads it."""
    page = response.get_data(as_text=True)
    listed = re.search(r'<dl class="govuk-summary-list"[^>]*id="problems".*?</dl>', page, re.DOTALL)
    assert listed, "no problems listed"
    rows = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">'
                      r'(.*?)</dd>', listed[0], re.DOTALL)
    return [htmllib.unescape(" ".join(place.split())) + ": " + htmllib.unescape(" ".join(message.split()))
            for place, message in rows]


def refused(response) -> str:
    """The page refused the upload: an error page title and summary; the summary's words."""
    assert response.status_code == 200
    assert page_text(response).title.startswith("Error: ")
    summary = re.search(r'class="govuk-error-summary".*?</ul>', response.get_data(as_text=True), re.DOTALL)
    assert summary, "no error summary"
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", summary[0]).split()))


# --- downloads ----------------------------------------------------------------------------------------------------

def test_the_template_and_any_version_download_as_workbooks_and_the_version_as_its_toml(demo_app, admin):
    template = admin.get("/frameworks/template.xlsx")
    assert template.status_code == 200 and template.mimetype == XLSX
    assert template.headers["Content-Disposition"] == 'attachment; filename="framework-template.xlsx"'
    assert template.headers["Cache-Control"] == "private, no-store"
    assert _book(template.data).sheetnames[:6] == ["Help", "About", "Scale", "Thresholds", "Requirements", "Mappings"]
    version = admin.get("/frameworks/bvpi-225/1/spreadsheet.xlsx")
    assert version.status_code == 200 and version.mimetype == XLSX
    assert version.headers["Content-Disposition"] == 'attachment; filename="bvpi-225--1.xlsx"'
    assert _book(version.data)["Requirements"].max_row == 12
    toml = admin.get("/frameworks/bvpi-225/1/framework.toml")
    assert toml.headers["Content-Disposition"] == 'attachment; filename="bvpi-225--1.toml"'
    assert toml.data.decode("utf-8") == _stored(demo_app)["bvpi-225@1"]["source_toml"]
    assert admin.get("/frameworks/bvpi-225/9/spreadsheet.xlsx").status_code == 404
    assert admin.get("/frameworks/no-such/1/framework.toml").status_code == 404


def test_the_frameworks_pages_link_to_the_downloads_the_help_and_the_upload(admin):
    listed = admin.get("/frameworks").get_data(as_text=True)
    for link in ("/frameworks/template.xlsx", "/frameworks/spreadsheets", "/frameworks/upload-spreadsheet"):
        assert f'href="{link}"' in listed
    page = admin.get(f"/frameworks/{WM}/1").get_data(as_text=True)
    assert f'href="{WM_XLSX}"' in page and f'href="/frameworks/{WM}/1/framework.toml"' in page
    help_page = admin.get("/frameworks/spreadsheets")
    assert page_text(help_page).h1 == "How to fill in a framework spreadsheet"
    words = help_page.get_data(as_text=True)
    assert 'href="/frameworks/template.xlsx"' in words and 'href="/frameworks/upload-spreadsheet"' in words
    for heading in ("What good looks like", "Suggested evidence", "Counts as met", "Minimum percent", "Relation"):
        assert heading in words
    assert "Have a named lead for domestic abuse." in words, "with an example"
    relations = " ".join(re.sub(r"<[^>]+>", " ", words.split('id="relations"')[1].split("</ul>")[0]).split())
    assert "same : the two requirements ask the same thing, so the organisation answers them once" in relations
    assert "both frameworks' scales need the same Codes" in relations and "a suggestion to start from" in relations
    assert "same, part-of or related, as described above the table" in words, "said once on the page"
    upload_page = admin.get("/frameworks/upload-spreadsheet").get_data(as_text=True)
    assert 'href="/frameworks/spreadsheets"' in upload_page and 'href="/frameworks/template.xlsx"' in upload_page


def test_who_may_download_and_who_may_load(demo_app):
    board = signed_in(demo_app, "board@demo.example")
    assert board.get("/frameworks/template.xlsx").status_code == 200
    assert board.get(WM_XLSX).status_code == 200 and board.get("/frameworks/spreadsheets").status_code == 200
    assert board.get("/frameworks/upload-spreadsheet").status_code == 403
    assert 'href="/frameworks/upload-spreadsheet"' not in board.get("/frameworks/spreadsheets").get_data(as_text=True)
    editor = signed_in(demo_app, "editor.police@demo.example")
    assert editor.get(WM_XLSX).status_code == 200, "an editor reads any framework's page, and its downloads"
    assert editor.get("/frameworks/template.xlsx").status_code == 403
    assert editor.get("/frameworks/upload-spreadsheet").status_code == 403
    before = _stored(demo_app)
    assert editor.post("/frameworks/load-spreadsheet", data={"checked": "x"}).status_code in (400, 403)
    assert _stored(demo_app) == before


# --- Done when: the West Midlands Standards' wording, loaded by the coordinator -----------------------------------

def test_the_coordinator_loads_the_west_midlands_wording_from_the_spreadsheet_and_opens_a_cycle_with_it(demo_app,
                                                                                                          admin):
    before = _stored(demo_app)
    filled = fill_west_midlands(admin.get(WM_XLSX).data)
    preview = upload(admin, filled)
    assert preview.status_code == 200 and page_text(preview).h1 == (
        "West Midlands Domestic Violence Standards (2014), version 2")
    page = preview.get_data(as_text=True)
    assert "Check the framework before you load it" in page and "Nothing has been loaded yet" in page
    for part in (f"{TEST_WORDING}: the wording of standard 11.<br>Its second paragraph.",
                 f"{TEST_WORDING}: what good looks like for standard 3.", f"{TEST_WORDING}: how standard 7 is "
                 "evidenced.", "Test standard 5", "Minutes of the board", "The standard is fully in place across the "
                 "organisation", "Compared with version 1", "11 requirements kept with the same ids"):
        assert part in page, part
    assert _stored(demo_app) == before and _loaded_audit(demo_app) == [], "nothing is loaded by the check"

    loaded = load(admin, preview)
    assert loaded.status_code == 302 and loaded.headers["Location"] == f"/frameworks/{WM}/2"
    assert "Version 2 of West Midlands Domestic Violence Standards (2014) loaded" in admin.get(
        loaded.headers["Location"]).get_data(as_text=True)
    stored = _stored(demo_app)[f"{WM}@2"]
    assert stored["status"] == "published" and stored["source_name"] == "west-midlands.xlsx"
    version_2 = fw.parse(stored["source_toml"], name="stored", sectors=SECTORS)
    assert stored["source_toml"] == canonical_toml(version_2), "stored in the canonical form"
    version_1 = fw.parse(before[f"{WM}@1"]["source_toml"], name="v1", sectors=SECTORS)
    assert [r.id for r in version_2.requirements] == [r.id for r in version_1.requirements], "the ids are kept"
    assert [level.code for level in version_2.scale] == [level.code for level in version_1.scale]
    [entry] = _loaded_audit(demo_app)
    assert entry["actor"] == COORDINATOR and json.loads(entry["new_value"])["version"] == "2"
    assert admin.get(f"/frameworks/{WM}/2/framework.toml").data.decode("utf-8") == stored["source_toml"]

    # A cycle with the new version: every organisation is asked the wording just loaded.
    form = {"csrf_token": token_from(admin, "/cycles/new"), "name": "2031/32",
            "frameworks": ["wdvf-overarching-protocol-2018@2", f"{WM}@2"], "open_date": ["1", "4", "2031"],
            "due_date": ["30", "6", "2031"], "declaration": "I confirm this return is true."}
    created = admin.post("/cycles/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)
    cycle_id = int(created.headers["Location"].rsplit("/", 1)[1])
    admin.post(f"/cycles/{cycle_id}/open", data={"csrf_token": token_from(admin, f"/cycles/{cycle_id}")})
    with demo_app.app_context():
        database = get_db()
        assert store.cycle(database, cycle_id)["status"] == "open"
        police = next(r for r in store.returns_for_cycle(database, cycle_id)
                      if r["organisation_name"] == "Brackenford Police")
        asked = return_service.load_return(database, police["id"]).requirements()
    west_midlands = [requirement for framework, requirement in asked if framework.id == WM]
    assert len(west_midlands) == 11 and west_midlands[0].text.startswith(f"{TEST_WORDING}: the wording of standard 1.")
    editor = signed_in(demo_app, "editor.police@demo.example")
    question = editor.get(f"/returns/{police['id']}/{WM}/wm-2014-01")
    assert question.status_code == 200
    assert f"{TEST_WORDING}: what good looks like for standard 1." in question.get_data(as_text=True)


def test_a_reused_id_and_version_with_other_content_is_refused_and_the_same_content_has_nothing_to_load(demo_app,
                                                                                                         admin):
    before = _stored(demo_app)
    changed = fill_west_midlands(admin.get(WM_XLSX).data, version="1")
    message = refused(upload(admin, changed))
    assert "The spreadsheet has 1 problem" in message
    assert problems(upload(admin, changed)) == [
        "Sheet About, row 3, column B (Value): Version 1 of West Midlands Domestic Violence Standards (2014) is "
        "already loaded with different content; a loaded version is never changed, so give this workbook a new "
        "Version"]
    same = upload(admin, admin.get(WM_XLSX).data)
    assert problems(same) == [
        "Sheet About, row 3, column B (Value): Version 1 of West Midlands Domestic Violence Standards (2014) is "
        "already loaded with exactly this content, so there is nothing to load; to make a new version, change the "
        "Version"]
    assert _stored(demo_app) == before and _loaded_audit(demo_app) == []


def test_problems_are_listed_by_sheet_row_and_column_and_nothing_is_loaded(demo_app, admin):
    before = _stored(demo_app)
    book = _book(admin.get(WM_XLSX).data)
    _about(book, "Version", "2")
    _about(book, "Status", "published")
    _about(book, "Date published", "1 June 2014")
    book["Scale"]["D3"] = "blue"
    book["Requirements"]["H3"] = "Housing, Fire service"
    response = upload(admin, _saved(book))
    assert "The spreadsheet has 36 problems, listed below. Nothing has been loaded." in refused(response)
    found = problems(response)
    assert found[0] == ("Sheet About, row 6, column B (Value): Date published '1 June 2014' is text, not a date: "
                        "type it as a date the spreadsheet recognises (for example 31/03/2027), or format the cell "
                        "as a date")
    assert 'Sheet Scale, row 3, column D (Colour): "blue" is not allowed; use one of: green, amber, red, grey' in found
    assert ("Sheet Requirements, row 2, column E (What good looks like): What good looks like is empty; a published "
            "framework needs it (only a framework whose Status (on the About sheet) is draft may leave it empty)"
            in found)
    assert any(line.startswith('Sheet Requirements, row 3, column H (Sectors): Requirement "wm-2014-02" names the '
                               'sector "Fire service"') for line in found)
    assert _stored(demo_app) == before and _loaded_audit(demo_app) == []


# --- the second step: what comes back is checked again ------------------------------------------------------------

def test_a_changed_or_foreign_checked_workbook_is_not_loaded(demo_app, admin):
    before = _stored(demo_app)
    preview = upload(admin, fill_west_midlands(admin.get(WM_XLSX).data))
    token = checked_token(preview)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert "The check of the spreadsheet has expired" in refused(load(admin, preview, tampered))
    other = signed_in(demo_app, "coordinator@demo.example")  # the same person in another browser may load it
    with demo_app.app_context():
        store.create_user(get_db(), email="second.admin@demo.example", name="Second Admin", role="admin",
                          organisation_id=None, password_hash=store.user_by_email(get_db(), COORDINATOR)[
                              "password_hash"], actor=store.SYSTEM, now=datetime.now())
    second = signed_in(demo_app, "second.admin@demo.example")
    assert "The check of the spreadsheet has expired" in refused(load(second, preview))
    assert _stored(demo_app) == before
    assert load(other, preview).status_code == 302


def test_a_version_loaded_between_the_check_and_the_load_is_not_loaded_twice(demo_app, admin):
    preview = upload(admin, fill_west_midlands(admin.get(WM_XLSX).data))
    second_preview = upload(admin, fill_west_midlands(admin.get(WM_XLSX).data, title="Other title {n}"))
    assert load(admin, second_preview).status_code == 302
    stored = _stored(demo_app)
    message = refused(load(admin, preview))
    assert "Version 2 of West Midlands Domestic Violence Standards (2014) is already loaded with different content" \
           in message
    assert _stored(demo_app) == stored and len(_loaded_audit(demo_app)) == 1


# --- bad input --------------------------------------------------------------------------------------------------

def _rezipped(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
        extra = change("(extra)", None)
        if extra:
            target.writestr(*extra)
    return out.getvalue()


def _with_book(change):
    def made(data):
        book = _book(data)
        change(book)
        return _saved(book)
    return made


def _laughs(name, body):
    if name == "(extra)" or not name.startswith("xl/worksheets/sheet2"):
        return None if name == "(extra)" else body
    entities = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)) + b"]>"
    body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
    return b'<?xml version="1.0"?>' + entities + body.replace(
        b"<c ", b'<c t="inlineStr"><is><t>&lol9;</t></is></c><c ', 1)


BAD = {
    "not a workbook": (lambda data: b"Id,Ref,Title\nwm-2014-01,1,Standard 1\n", "is a text file"),
    "damaged": (lambda data: data[:len(data) // 2], "it may be damaged"),
    "a Word document named .xlsx": (lambda data: _rezipped(data, lambda name, body: None if name == "(extra)" else (
        body.replace(b"spreadsheetml.sheet.main", b"wordprocessingml.document.main") if name == "[Content_Types].xml"
        else body)), "The selected file"),
    "macros": (lambda data: _rezipped(data, lambda name, body: ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(600))
                                      if name == "(extra)" else body), "contains macros"),
    "a zip bomb": (lambda data: _rezipped(data, lambda name, body: ("xl/media/image1.png", bytes(40 * 1024 * 1024))
                                          if name == "(extra)" else body), "The selected file"),
    "entity expansion": (lambda data: _rezipped(data, _laughs), "entity definitions"),
    "an extra sheet": (_with_book(lambda book: book.create_sheet("Notes")), "sheet called 'Notes'"),
    "a renamed sheet": (_with_book(lambda book: setattr(book["Scale"], "title", "Ratings")), "no sheet called 'Scale'"),
    "a renamed column": (_with_book(lambda book: setattr(book["Requirements"]["D1"], "value", "Wording")),
                         "the heading should be 'Text' but is 'Wording'"),
    "an extra column": (_with_book(lambda book: setattr(book["Requirements"]["K1"], "value", "Notes")),
                        "there is an extra column 'Notes'"),
    "a formula": (_with_book(lambda book: setattr(book["Requirements"]["D2"], "value", "=A2&\" text\"")),
                  "has a formula"),
    "a date as text": (_with_book(lambda book: _about(book, "Date published", "01/06/2014")), "is text, not a date"),
    "10,000 rows": (_with_book(lambda book: [book["Requirements"].append([f"r-{n}", str(n), "T", "x"])
                                              for n in range(10_000)]), "the sheet has more than 1,000 rows"),
}


@pytest.mark.parametrize("make, expected", BAD.values(), ids=BAD.keys())
def test_a_bad_workbook_gets_a_clear_message_and_nothing_changes(demo_app, admin, make, expected):
    before = _stored(demo_app)
    response = upload(admin, make(fill_west_midlands(admin.get(WM_XLSX).data)))
    page = response.get_data(as_text=True)
    said = refused(response) + " ".join(problems(response) if 'id="problems"' in page else [])
    assert expected.lower() in said.lower()
    assert _stored(demo_app) == before and _loaded_audit(demo_app) == []


def test_no_file_or_a_toml_file_asks_for_the_workbook(admin):
    response = admin.post("/frameworks/upload-spreadsheet", content_type="multipart/form-data",
                          data={"csrf_token": token_from(admin, "/frameworks/upload-spreadsheet")})
    assert "Select a framework spreadsheet" in refused(response)
    toml = upload(admin, b'id = "x"\n', name="framework.toml")
    assert "not an Excel workbook" in refused(toml) or "is a text file" in refused(toml)


# --- text from a workbook is text, wherever it goes ------------------------------------------------------------

def test_markup_and_formulas_in_a_workbook_stay_text_on_every_page_and_in_the_downloads(demo_app, admin):
    hostile = fill_west_midlands(admin.get(WM_XLSX).data, title="<script>alert('{n}')</script>")
    book = _book(hostile)
    _type(book["Requirements"]["D2"], "=cmd|' /C calc'!A0")
    _about(book, "Description", "<b>bold</b> =SUM(A1)")
    preview = upload(admin, _saved(book))
    page = preview.get_data(as_text=True)
    assert "<script>alert(" not in page and "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;" in page
    assert "=cmd|&#39; /C calc&#39;!A0" in page and "&lt;b&gt;bold&lt;/b&gt; =SUM(A1)" in page
    assert load(admin, preview).status_code == 302
    framework_page = admin.get(f"/frameworks/{WM}/2").get_data(as_text=True)
    assert "<script>alert(" not in framework_page and "&lt;script&gt;alert(" in framework_page
    downloaded = _book(admin.get(f"/frameworks/{WM}/2/spreadsheet.xlsx").data)["Requirements"]
    assert downloaded["D2"].data_type == "s" and downloaded["D2"].value == "'=cmd|' /C calc'!A0"
    assert downloaded["C2"].value == "<script>alert('1')</script>"
    toml = admin.get(f"/frameworks/{WM}/2/framework.toml").data.decode("utf-8")
    assert "text = \"=cmd|' /C calc'!A0\"" in toml

    # In a cycle: the requirement's page and the statement (page and PDF) print the title as text.
    form = {"csrf_token": token_from(admin, "/cycles/new"), "name": "2031/32", "frameworks": [f"{WM}@2"],
            "open_date": ["1", "4", "2031"], "due_date": ["30", "6", "2031"], "declaration": "I confirm."}
    cycle_id = int(admin.post("/cycles/new", data=form).headers["Location"].rsplit("/", 1)[1])
    admin.post(f"/cycles/{cycle_id}/open", data={"csrf_token": token_from(admin, f"/cycles/{cycle_id}")})
    with demo_app.app_context():
        police = next(r for r in store.returns_for_cycle(get_db(), cycle_id)
                      if r["organisation_name"] == "Brackenford Police")
    editor = signed_in(demo_app, "editor.police@demo.example")
    question = editor.get(f"/returns/{police['id']}/{WM}/wm-2014-01").get_data(as_text=True)
    assert "<script>alert(" not in question and "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;" in question
    statement = editor.get(f"/returns/{police['id']}/statement").get_data(as_text=True)
    assert "<script>alert(" not in statement and "&lt;script&gt;alert(" in statement
    pdf = editor.get(f"/returns/{police['id']}/statement.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    printed = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, check=True, capture_output=True).stdout
    assert "<script>alert('1')</script>" in " ".join(printed.decode("utf-8").split())
