"""The partnership's sectors come from a file: the organisation form, the CSV import, the matrix, framework files
and start-up all use the list in it, and a broken file stops the start with what to fix."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from compliance import store
from compliance.config import ROOT
from compliance.web.requests import get_db
from tests.builders import PASSWORD, SECTORS, add_person, make_app, sign_in, token_from

HEADER = "name,sector,contact_name,contact_email\n"
ADDED = {"fire-and-rescue": "Fire and rescue", "ambulance": "Ambulance", "prisons": "Prisons",
         "mental-health": "Mental health", "substance-misuse": "Substance misuse (drug and alcohol services)",
         "primary-care": "Primary care (GPs)"}
OWN = ('[[sectors]]\nid = "police"\nname = "Police"\n\n[[sectors]]\nid = "fire"\nname = "Fire service"\n\n'
       '[[sectors]]\nid = "nhs-trust"\nname = "NHS trust"\n')
BROKEN = '[[sectors]]\nid = "police"\nname = "Police"\n\n[[sectors]]\nid = "police"\n'


def _admin(app):
    add_person(app, "admin@sectors.example", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@sectors.example", PASSWORD).status_code == 302
    return client


def _radios(html: str) -> list[tuple[str, str]]:
    """The sector radios of the organisation form: (value, label), in the order shown."""
    found = re.findall(r'<input class="govuk-radios__input" id="[^"]*" name="sector" type="radio" value="([^"]*)"'
                       r'[^>]*>\s*<label[^>]*>\s*(.*?)\s*</label>', html, re.DOTALL)
    assert found, "no sector radios on the page"
    return found


def _import(client, csv: str):
    token = token_from(client, "/organisations/import")
    return client.post("/organisations/import", data={"file": (io.BytesIO(csv.encode()), "organisations.csv"),
                                                      "csrf_token": token}, content_type="multipart/form-data")


def _sectors_of(app) -> dict[str, str]:
    with app.app_context():
        return {row["name"]: row["sector"] for row in store.organisations(get_db(), active=None)}


def test_the_organisation_form_offers_every_sector_in_the_files_order_and_saves_an_added_one(tmp_path):
    app = make_app(tmp_path)
    admin = _admin(app)
    html = admin.get("/organisations/new").get_data(as_text=True)
    assert _radios(html) == list(SECTORS.items())
    assert set(ADDED.items()) <= set(_radios(html))
    response = admin.post("/organisations/new", data={
        "name": "Brackenford Fire and Rescue Service", "sector": "fire-and-rescue", "contact_name": "",
        "contact_email": "", "status": "active", "csrf_token": token_from(admin, "/organisations/new")})
    assert response.status_code == 302
    assert "Fire and rescue" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _sectors_of(app) == {"Brackenford Fire and Rescue Service": "fire-and-rescue"}


def test_the_import_accepts_the_added_sectors_and_its_page_lists_them(tmp_path):
    app = make_app(tmp_path)
    admin = _admin(app)
    page = admin.get("/organisations/import").get_data(as_text=True)
    assert all(f"<code>{sector_id}</code>" in page and name in page for sector_id, name in ADDED.items())
    rows = "".join(f"Org {n},{name},,\n" for n, name in enumerate(ADDED.values()))
    assert _import(admin, HEADER + rows).status_code == 302
    assert _sectors_of(app) == {f"Org {n}": sector_id for n, sector_id in enumerate(ADDED)}


def test_a_partnerships_own_sectors_file_replaces_the_list_everywhere(tmp_path):
    own = tmp_path / "our-sectors.toml"
    own.write_text(OWN, encoding="utf-8")
    app = make_app(tmp_path, SECTORS_FILE=str(own))
    admin = _admin(app)
    assert _radios(admin.get("/organisations/new").get_data(as_text=True)) == [
        ("police", "Police"), ("fire", "Fire service"), ("nhs-trust", "NHS trust")]
    response = _import(admin, HEADER + "Our Fire Service,fire service,,\nA Housing Trust,Housing,,\n")
    assert response.status_code == 200
    assert ("Housing is not one of the partnership&#39;s sectors. Enter one of: Police, Fire service, NHS trust "
            "(or the sector&#39;s id)") in response.get_data(as_text=True)
    assert _import(admin, HEADER + "Our Fire Service,fire service,,\n").status_code == 302
    assert _sectors_of(app) == {"Our Fire Service": "fire"}
    # The shipped BVPI 225 is for local authorities, which this partnership's list does not have: it is refused
    # at start-up (and said so by the health check), while the two frameworks for every sector load.
    health = admin.get("/healthz").get_json()
    assert {f["id"] for f in health["frameworks"]["loaded"]} == {"wdvf-overarching-protocol-2018",
                                                                  "west-midlands-dv-standards-2014"}
    assert (f"{ROOT / 'questionnaires' / 'bvpi-225--1.toml'}: requirements[1].sectors[1]: requirement "
            '"bvpi-225-01" names the sector "local-authority", but the partnership has no such sector; use one of '
            "its sector ids: police, fire, nhs-trust") in health["frameworks"]["errors"]


def test_the_matrix_filter_offers_the_partnerships_sectors(demo_app):
    add_person(demo_app, "board@sectors.example", "board")
    board = demo_app.test_client()
    assert sign_in(board, "board@sectors.example", PASSWORD).status_code == 302
    with demo_app.app_context():
        cycle = store.cycles(get_db())[0]
    html = board.get(f"/cycles/{cycle['id']}/matrix?sector=fire-and-rescue").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', html.split('id="sector"', 1)[1].split("</select>", 1)[0])
    assert options == ["", *SECTORS]
    assert '<option value="fire-and-rescue" selected>' in html  # an added sector is a filter the page accepts


def test_a_broken_sectors_file_stops_the_app_saying_which_file_and_what_to_fix(tmp_path):
    broken = tmp_path / "our-sectors.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        make_app(tmp_path, SECTORS_FILE=str(broken))
    assert str(caught.value.code).splitlines() == [
        f"The service cannot start: the sectors file {broken} has 2 problems:",
        f'  {broken}: sectors[2].id: "police" is used twice (also by sectors[1]); give each sector its own id',
        f'  {broken}: sectors[2].name: is missing; add the name people read, e.g. name = "Fire and rescue"',
        "Fix the file (README.md, under Sectors, says how), or set COMPLIANCE_SECTORS_FILE to the right file, "
        "then start the service again."]


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "waitress", "--listen=127.0.0.1:0", "wsgi:app"],
    [sys.executable, "-m", "flask", "--app", "wsgi", "migrate"],
], ids=["waitress", "flask migrate"])
def test_the_coordinator_sees_the_message_not_a_traceback(tmp_path, command):
    broken = tmp_path / "our-sectors.toml"
    broken.write_text("[[sectors]]\nid = \"police\"\nname = \"Police\n", encoding="utf-8")  # an unclosed quote
    env = {**os.environ, "COMPLIANCE_SECTORS_FILE": str(broken), "COMPLIANCE_SECRET_KEY": "test-only",
           "COMPLIANCE_DATABASE": str(tmp_path / "compliance.sqlite"), "COMPLIANCE_EVIDENCE_DIR": str(tmp_path / "e")}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"The service cannot start: the sectors file {broken} has 1 problem:" in result.stderr
    assert (f"{broken}: line 3, column 15: Illegal character '\\n' (not valid TOML); write each sector as a "
            "[[sectors]] table with an id and a name") in result.stderr
    assert not (tmp_path / "compliance.sqlite").exists(), "nothing is started on a broken list"
