"""A return completed offline, over HTTP with CSRF on: download the spreadsheet, fill it in, upload it, see what it
would change, save; a change made on the website since the download is listed, not overwritten; every kind of bad
file is refused with where and how to fix it, and saves nothing."""
from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core import return_workbook as layout
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import (
    MAPPED_STANDARDS,
    first_versions,
    make_app,
    mapped_app,
    mapped_world,
    minimal_pdf,
    password_hash,
    sign_in,
    token_from,
)

NOW = datetime.now(timezone.utc)
FIRST = layout.ANSWERS.header_row + 1
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    app: object
    return_id: int
    other_return_id: int

    def query(self, sql, params=()):
        with self.app.app_context():
            cursor = get_db().execute(sql, list(params))
            columns = [c[0] for c in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def answers(self) -> dict:
        """Every answer of the return as stored, to show that nothing changed."""
        return {(a["framework_key"], a["requirement_id"]): (a["rating"], a["narrative"], a["reason"], a["revision"])
                for a in self.query("SELECT * FROM answers WHERE return_id = ?", [self.return_id])}

    def context(self, return_id=None):
        with self.app.app_context():
            return return_service.load_return(get_db(), return_id or self.return_id)

    def client(self, email: str):
        client = self.app.test_client()
        assert sign_in(client, email).status_code == 302
        return client

    @property
    def page(self) -> str:
        return f"/returns/{self.return_id}/offline"


@pytest.fixture
def world(tmp_path) -> World:
    """Organisation A (a local authority, so its return asks every framework: 38 requirements) with two editors and
    a signatory; organisation B with an editor; a cycle open for both, A's first answer saved by its second editor."""
    app = make_app(tmp_path)
    with app.app_context():
        db = get_db()
        orgs = {code: store.upsert_organisation(db, name=f"Council {code}", sector="local-authority", now=NOW)
                for code in "AB"}
        people = {}
        for who, role, org in [("editor", "editor", "A"), ("colleague", "editor", "A"), ("signatory", "signatory", "A"),
                                ("other", "editor", "B")]:
            people[who] = store.create_user(db, email=f"{who}@offline.example", name=f"{who.title()} Person",
                                            role=role, organisation_id=orgs[org], password_hash=password_hash(),
                                            actor=store.SYSTEM, now=NOW)
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2099-06-30",
                                      declaration="I confirm.", framework_keys=_protocol_first(first_versions(db)),
                                      actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
        returns = {r["organisation_id"]: r["id"] for r in store.returns_for_cycle(db, cycle_id)}
        context = return_service.load_return(db, returns[orgs["A"]])
        framework, requirement = context.requirements()[0]
        store.save_answer(db, context.ret.id, framework.key, requirement.id,
                          {"rating": "met", "narrative": "Our policy is in place", "reason": ""}, revision=0,
                          actor=store.Actor(people["colleague"], "colleague@offline.example"), now=NOW)
    return World(app, returns[orgs["A"]], returns[orgs["B"]])


def _protocol_first(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda key: (not key.startswith("wdvf-"), key))


def download(client, world, return_id=None) -> bytes:
    response = client.get(f"/returns/{return_id or world.return_id}/offline.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="council-a-return-2030-31.xlsx"' or \
        return_id is not None
    return response.data


def edited(data: bytes, change=None, **cells) -> bytes:
    """The workbook with cells changed (G4="text"), and anything else `change(book)` does, saved again."""
    book = load_workbook(io.BytesIO(data))
    for place, value in cells.items():
        book["Answers"][place] = value
    if change:
        change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, name: str = "answers.xlsx"):
    token = token_from(client, world.page)
    return client.post(world.page, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def preview(client, world):
    response = client.get(world.page + "/check")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def save(client, world, page: str, replace=()):
    plan = re.search(r'name="plan" value="([0-9a-f]+)"', page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(world.page + "/check", data={"csrf_token": token, "plan": plan, "replace": list(replace)})


def words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_an_editor_downloads_fills_in_uploads_checks_and_saves(world):
    client = world.client("editor@offline.example")
    overview = client.get(f"/returns/{world.return_id}").get_data(as_text=True)
    assert f'href="/returns/{world.return_id}/offline">Work on this return offline</a>' in overview
    assert "Download the return as a spreadsheet" in client.get(world.page).get_data(as_text=True)
    data = download(client, world)
    sheet = load_workbook(io.BytesIO(data))["Answers"]
    assert sheet.max_row == FIRST + 37  # 38 requirements
    assert sheet[f"G{FIRST}"].value == "Our policy is in place" and sheet[f"J{FIRST}"].value.startswith("Colleague")
    filled = edited(data, **{f"F{FIRST + 1}": "Not met", f"G{FIRST + 1}": "No workplace policy yet",
                             f"F{FIRST + 2}": "Not applicable", f"H{FIRST + 2}": "We see no service users",
                             f"G{FIRST + 3}": "<script>alert(1)</script>\n=cmd|' /C calc'!A0"})
    response = upload(client, world, filled)
    assert response.status_code == 302 and response.headers["Location"] == world.page + "/check"
    assert world.answers()[next(iter(world.answers()))][3] == 1  # nothing saved by the upload itself
    page = preview(client, world)
    said = words(page)
    assert "3 answers will change" in said and "35 requirements in the file change nothing" in said
    assert "Rating No rating Rating Not met" in said  # old beside new
    assert "Once saved, it still needs doing on the website: add an improvement action" in said
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=cmd|&#39; /C calc&#39;!A0" in page
    response = save(client, world, page)
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}"
    assert "3 answers saved from your spreadsheet" in client.get(response.headers["Location"]).get_data(as_text=True)
    saved = {key[1]: value for key, value in world.answers().items()}
    requirements = [r.id for _, r in world.context().requirements()]
    assert saved[requirements[1]][:2] == ("not-met", "No workplace policy yet")
    assert saved[requirements[2]][:3] == ("not-applicable", "", "We see no service users")
    assert saved[requirements[3]][1] == "<script>alert(1)</script>\n=cmd|' /C calc'!A0"
    changes = world.query("SELECT new_value FROM audit_log WHERE action = 'answer-changed' ORDER BY id")
    assert sum('"via": "a spreadsheet"' in change["new_value"] for change in changes) == 3
    [summary] = world.query("SELECT * FROM audit_log WHERE action = 'answers-uploaded'")
    assert '"answers": 3' in summary["new_value"] and summary["object_id"] == str(world.return_id)
    assert world.query("SELECT COUNT(*) AS n FROM pending_uploads")[0]["n"] == 0
    again = client.get(world.page + "/check")
    assert again.status_code == 302 and again.headers["Location"] == world.page
    # what was saved goes out again inert: the next download holds the text, never a formula
    cell = load_workbook(io.BytesIO(download(client, world)))["Answers"][f"G{FIRST + 3}"]
    assert cell.data_type == "s" and cell.value.startswith("<script>")
    trail = client.get("/home")  # the editor cannot read the audit trail; its sentence is checked directly
    assert trail.status_code == 200


def _website_save(world, email, requirement_index, narrative):
    """Another editor saves an answer through the requirement page, as they would in their browser."""
    client = world.client(email)
    framework, requirement = world.context().requirements()[requirement_index]
    path = f"/returns/{world.return_id}/{framework.id}/{requirement.id}"
    form = client.get(path).get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', form) or \
        re.search(r'name="revision" value="(\d+)"', form)
    response = client.post(path, data={"csrf_token": token_from(client, path), "rating": "partially-met",
                                       "narrative": narrative, "revision": revision.group(1), "then": "later"})
    assert response.status_code == 302


def test_an_answer_changed_on_the_website_since_the_download_is_listed_with_both_and_not_overwritten(world):
    client = world.client("editor@offline.example")
    data = download(client, world)
    _website_save(world, "colleague@offline.example", 0, "Changed on the website by a colleague")
    _website_save(world, "colleague@offline.example", 4, "Only changed on the website")
    filled = edited(data, **{f"G{FIRST}": "Typed offline", f"F{FIRST + 1}": "Met"})
    assert upload(client, world, filled).status_code == 302
    page = preview(client, world)
    said = words(page)
    assert "Changed on the website since your file was downloaded" in said
    assert "Saved on the website by Colleague Person (colleague@offline.example)" in said
    assert "Explanation Changed on the website by a colleague Explanation Typed offline" in said  # both, whole
    assert "Changed on the website only" in said and "1 answer will change" in said
    response = save(client, world, page)
    assert response.status_code == 302
    flashed = words(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 answer saved from your spreadsheet. 1 answer was not saved, because it was changed on the website" \
        in flashed
    requirements = [r.id for _, r in world.context().requirements()]
    saved = {key[1]: value for key, value in world.answers().items()}
    assert saved[requirements[0]][1] == "Changed on the website by a colleague"  # not overwritten
    assert saved[requirements[1]][0] == "met"
    assert saved[requirements[4]][1] == "Only changed on the website"
    # the same file again: what was saved changes nothing now, and the conflict can be settled by replacing theirs
    assert upload(client, world, filled).status_code == 302
    page = preview(client, world)
    assert "No answers will change" in words(page)
    framework, requirement = world.context().requirements()[0]
    assert save(client, world, page, replace=[f"{framework.key}/{requirement.id}"]).status_code == 302
    assert world.answers()[(framework.key, requirement.id)][1] == "Typed offline"


def test_a_change_on_the_website_between_checking_and_saving_saves_nothing_and_shows_the_page_again(world):
    client = world.client("editor@offline.example")
    data = edited(download(client, world), **{f"G{FIRST + 1}": "Typed offline", f"G{FIRST + 2}": "Also offline"})
    assert upload(client, world, data).status_code == 302
    page = preview(client, world)
    _website_save(world, "colleague@offline.example", 1, "Saved on the website meanwhile")
    before = world.answers()
    response = save(client, world, page)
    assert response.status_code == 409
    again = words(response.get_data(as_text=True))
    assert "Your answers have not been saved" in again and "Changed on the website since your file" in again
    assert world.answers() == before
    assert save(client, world, response.get_data(as_text=True)).status_code == 302
    requirements = [r.id for _, r in world.context().requirements()]
    saved = {key[1]: value for key, value in world.answers().items()}
    assert saved[requirements[1]][1] == "Saved on the website meanwhile" and saved[requirements[2]][1] == "Also offline"


def _rezipped(data: bytes, extra: tuple[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr(*extra)
    return out.getvalue()


def _entities(data: bytes) -> bytes:
    """The workbook with its Answers sheet's XML opening with a "billion laughs" of nested entities."""
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                         for n in range(1, 10)) + b"]>")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = source.read(name)
            if name == "xl/worksheets/sheet2.xml":
                body = laughs + body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else laughs + body
            target.writestr(name, body)
    return out.getvalue()


def _ten_thousand_rows(book):
    for number in range(10_000):
        book["Answers"].append(["x", str(number)])


BAD = {
    "a PDF named .xlsx": (lambda data: minimal_pdf(), "answers.xlsx", "The selected file is a PDF but its name ends "
                                                                      ".xlsx"),
    "a PDF": (lambda data: minimal_pdf(), "answers.pdf", "The selected file is a PDF, not an Excel workbook"),
    "text": (lambda data: b"Rating,Narrative\nMet,Fine\n", "answers.csv", "not an Excel workbook"),
    "damaged": (lambda data: data[: len(data) // 2], "answers.xlsx", "damaged"),
    "macros": (lambda data: _rezipped(data, ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)),
               "answers.xlsx", "macros"),
    "a zip bomb": (lambda data: _rezipped(data, ("xl/media/image1.png", b"\x00" * (30 * 1024 * 1024))),
                   "answers.xlsx", "unpack"),
    "entity expansion": (_entities, "answers.xlsx", "entity definitions"),
    "an extra sheet": (lambda data: edited(data, lambda book: book.create_sheet("<script>Notes")), "answers.xlsx",
                       "there is a sheet called '<script>Notes' that this workbook should not have"),
    "a renamed sheet": (lambda data: edited(data, lambda book: setattr(book["Answers"], "title", "Mine")),
                        "answers.xlsx", "the workbook has no sheet called 'Answers'"),
    "a renamed column": (lambda data: edited(data, G3="Explanation"), "answers.xlsx",
                         "the heading should be 'Explain your rating' but is 'Explanation'"),
    "an extra column": (lambda data: edited(data, Q3="Notes"), "answers.xlsx", "there is an extra column 'Notes'"),
    "a formula": (lambda data: edited(data, **{f"G{FIRST}": "=A1&B1"}), "answers.xlsx",
                  "has a formula (=A1&B1) where a value is expected"),
    "10,000 rows": (lambda data: edited(data, _ten_thousand_rows), "answers.xlsx",
                    "the sheet has more than 500 rows: it can hold at most 500"),
    "an unknown rating": (lambda data: edited(data, **{f"F{FIRST}": "Mostly"}), "answers.xlsx",
                          "“Mostly” is not one of WDVF protocol 2018's ratings. Choose Met, Partially met, Not met "
                          "or Not applicable from the drop-down"),
    "a missing reason": (lambda data: edited(data, **{f"F{FIRST}": "Not applicable"}), "answers.xlsx",
                         "Give the reason for “Not applicable” in this column, or choose another rating"),
    "an over-long narrative": (lambda data: edited(data, **{f"G{FIRST}": "x" * 5001}), "answers.xlsx",
                               "Your explanation must be 5,000 characters or fewer"),
    "too big": (lambda data: data + b"\x00" * (2 * 1024 * 1024), "answers.xlsx", "must be smaller than 2 MB"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_file_is_refused_with_where_and_how_to_fix_it_and_saves_nothing(world, kind):
    make, name, expected = BAD[kind]
    client = world.client("editor@offline.example")
    before = world.answers()
    response = upload(client, world, make(download(client, world)), name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "<title>Error: Work on this return offline" in page
    assert expected.lower() in html.unescape(page).lower(), words(page)[:2000]
    assert "Nothing has been saved" in page
    assert "<script>Notes" not in page
    assert world.answers() == before
    assert world.query("SELECT COUNT(*) AS n FROM pending_uploads")[0]["n"] == 0
    assert client.get(world.page + "/check").status_code == 302


def test_a_file_for_another_organisations_return_is_refused(world):
    theirs = download(world.client("other@offline.example"), world, world.other_return_id)
    client = world.client("editor@offline.example")
    response = upload(client, world, edited(theirs, **{f"F{FIRST}": "Not met"}))
    said = words(response.get_data(as_text=True))
    assert "Sheet About: this file was made for another return (Council B, 2030/31 return to " in said
    assert "not Council A's return for 2030/31" in said
    assert world.query("SELECT COUNT(*) AS n FROM pending_uploads")[0]["n"] == 0


def test_only_the_organisations_editors_may_and_never_once_the_return_is_signed(world):
    assert world.client("signatory@offline.example").get(world.page).status_code == 403
    assert world.client("other@offline.example").get(world.page).status_code == 404
    assert world.client("other@offline.example").get(world.page + ".xlsx").status_code == 404
    client = world.client("editor@offline.example")
    data = edited(download(client, world), **{f"G{FIRST}": "Typed offline"})
    assert upload(client, world, data).status_code == 302
    page = preview(client, world)
    with world.app.app_context():
        store.set_return_status(get_db(), world.return_id, "submitted", actor=store.SYSTEM, now=NOW)
    before = world.answers()
    for response in (client.get(world.page), client.get(world.page + ".xlsx"), upload(client, world, data),
                     save(client, world, page)):
        assert response.status_code == 409
        assert "This return cannot be changed" in response.get_data(as_text=True)
    assert world.answers() == before
    assert "Work on this return offline" not in client.get(f"/returns/{world.return_id}").get_data(as_text=True)


def test_no_file_chosen_and_nothing_waiting_say_what_to_do(world):
    client = world.client("editor@offline.example")
    response = client.post(world.page, data={"csrf_token": token_from(client, world.page)},
                           content_type="multipart/form-data")
    assert "Select the spreadsheet you filled in" in response.get_data(as_text=True)
    response = client.get(world.page + "/check", follow_redirects=True)
    assert "nothing from it is waiting to be saved" in response.get_data(as_text=True)


def test_a_request_over_the_services_limit_is_answered_on_the_upload_page(world):
    client = world.client("editor@offline.example")
    world.app.config["MAX_CONTENT_LENGTH"] = 200_000  # as if the service's limit were 200 KB
    response = upload(client, world, b"PK" + b"\x00" * 300_000)
    said = words(response.get_data(as_text=True))
    assert response.status_code == 413 and "The selected file must be smaller than 2 MB" in said
    assert "Error: Work on this return offline" in said


def test_a_requirement_answered_through_another_frameworks_is_read_only_offline_and_a_change_to_it_is_refused(
        tmp_path):
    """The two fixture frameworks that map to each other, the protocol first: the standards' Leadership (row 7) is
    answered through the protocol's Named lead (row 4). Its row shows that answer, locked; a change to it is refused
    by row and column and saves nothing; the answer given at Named lead counts for both."""
    app = mapped_app(tmp_path)
    ids = mapped_world(app)
    mapped = World(app, ids["return"], 0)
    client = mapped.client("editor@mapped.example")
    assert "1 of them is answered through another framework's requirement" in words(
        client.get(mapped.page).get_data(as_text=True))
    response = client.get(f"{mapped.page}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Answers"]
    lead, leadership = FIRST, FIRST + 3
    assert sheet[f"I{leadership}"].value.startswith(
        f"Answered through Mapped fixture protocol, requirement 1 (row {lead}), which asks the same")
    assert sheet[f"F{leadership}"].protection.locked and not sheet[f"F{lead}"].protection.locked
    assert sheet[f"I{lead}"].value.startswith("This answer also counts for Mapped fixture standards, Standard 1")

    refused = upload(client, mapped, edited(response.data, **{f"F{lead}": "Met", f"G{lead}": "Pat leads it",
                                                              f"G{leadership}": "Typed in the wrong row"}))
    said = words(refused.get_data(as_text=True))
    assert refused.status_code == 200 and "Problems found in the file (1)" in said
    assert (f"Sheet Answers, row {leadership}, column G (Explain your rating): this requirement (Standard 1) is "
            "answered through Mapped fixture protocol, requirement 1, which asks the same, so your organisation "
            f"answers the two once, in row {lead}; nothing in this row is saved. Put the answer in row {lead}") in said
    assert mapped.answers() == {}

    accepted = upload(client, mapped, edited(response.data, **{f"F{lead}": "Met", f"G{lead}": "Pat leads it"}))
    assert accepted.status_code == 302
    said = words(preview(client, mapped))
    assert "1 answer will change" in said
    assert "This answer also counts for Mapped fixture standards, Standard 1, which asks the same." in said
    assert "1 requirement is answered through another framework's requirement, whose row gives its answer" in said
    assert save(client, mapped, preview(client, mapped)).status_code == 302
    assert {key[1]: value[:2] for key, value in mapped.answers().items()} == {"lead": ("met", "Pat leads it")}
    page = words(client.get(f"/returns/{ids['return']}/{MAPPED_STANDARDS}/leadership").get_data(as_text=True))
    assert "Answered through Mapped fixture protocol, requirement 1" in page and "Pat leads it" in page
    again = load_workbook(io.BytesIO(client.get(f"{mapped.page}.xlsx").data))["Answers"]
    assert (again[f"F{leadership}"].value, again[f"G{leadership}"].value) == ("Fully met", "Pat leads it")
