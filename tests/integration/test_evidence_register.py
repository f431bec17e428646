"""The evidence register: every organisation's evidence for auditors and admins, its filters, expiry flags, its
pages (50 rows each, opening at the current cycle), its CSV download, and downloads that refuse a file whose bytes
no longer match their SHA-256."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from compliance import store
from compliance.core import filetypes as uploads
from compliance.core.text import long_date, when
from compliance.services import catalogue
from compliance.store import files
from compliance.web.requests import get_db
from tests.builders import signed_in

NOW = datetime.now(timezone.utc)
TODAY = NOW.date()
AUDITOR = "auditor@demo.example"


def _add_file(app, db, organisation_id, answer_id, data: bytes, filename: str, title: str, valid_until: str):
    accepted = uploads.check_upload(data, filename, max_bytes=1_000_000)
    files.store_file(app.config["EVIDENCE_DIR"], data, accepted.sha256)
    return store.add_evidence(db, organisation_id, {
        "kind": "file", "title": title, "filename": accepted.filename, "content_type": accepted.content_type,
        "size": accepted.size, "sha256": accepted.sha256, "effective_date": "2025-04-01",
        "valid_until": valid_until}, answer_id=answer_id, actor=store.SYSTEM, now=NOW)


@pytest.fixture
def world(demo_app):  # noqa: F811
    """The demo, plus two files backing one police answer (one expired, one expiring) and an unused link."""
    with demo_app.app_context():
        db = get_db()
        police = store.organisation_named(db, "Brackenford Police")
        council = store.organisation_named(db, "Brackenford Council Housing Options")
        ret = store.returns_for_organisation(db, police["id"])[0]
        answer = next(iter(store.answers_for_return(db, ret["id"]).values()))
        expired = _add_file(demo_app, db, police["id"], answer["id"], b"Old minutes of the MARAC steering group\n",
                            "old-minutes.txt", "Old minutes", (TODAY - timedelta(days=10)).isoformat())
        expiring = _add_file(demo_app, db, police["id"], answer["id"], b"Training record for custody staff\n",
                             "training.txt", "Training record", (TODAY + timedelta(days=30)).isoformat())
        unused = store.add_evidence(db, council["id"], {"kind": "link", "title": "Housing allocations policy",
                                                         "url": "https://council.example/allocations",
                                                         "effective_date": "2025-04-01"},
                                    actor=store.SYSTEM, now=NOW)
    return {"app": demo_app, "police": police, "council": council, "answer": answer, "ret": ret,
            "expired": expired, "expiring": expiring, "unused": unused}


def text(client, query=""):
    response = client.get("/evidence-register" + query)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def row_count(body: str) -> int:
    """How many rows the filters find, on every page together, as the page says it."""
    found = re.search(r'id="register-showing">(?:Showing [\d,]+ to [\d,]+ of )?([\d,]+) items?', body)
    return int(found.group(1).replace(",", "")) if found else 0


class _Table(HTMLParser):
    """The register table's body rows, each a list of its cells' text with whitespace folded."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(body: str) -> list[list[str]]:
    table = _Table()
    table.feed(body)
    return table.rows


def pagination_links(body: str) -> list[str]:
    found = re.findall(r'class="govuk-link govuk-pagination__link" href="([^"]+)"', body)
    return [html.unescape(href) for href in found]


def every_page(client, query="") -> list[str]:
    """The register's pages for these filters, first to last, following each page's "Next" link."""
    bodies = [text(client, query)]
    while found := re.search(r'href="([^"]+)" rel="next"', bodies[-1]):
        assert len(bodies) < 50, "the pages never end"
        bodies.append(text(client, "?" + urlsplit(html.unescape(found.group(1))).query))
    return bodies


def csv_rows(client, query="") -> list[dict]:
    response = client.get("/evidence-register.csv" + query)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def open_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def test_the_store_lists_one_row_per_item_and_answer_and_unused_items_only_unfiltered(world):
    with world["app"].app_context():
        db = get_db()
        everything = store.evidence_register(db, limit=100_000)
        assert len({r["organisation_id"] for r in everything}) > 5
        [unused] = [r for r in everything if r["id"] == world["unused"]]
        assert unused["answer_id"] is None and unused["organisation_name"] == world["council"]["name"]
        backed = [r for r in everything if r["id"] == world["expired"]]
        assert [(r["return_id"], r["requirement_id"]) for r in backed] == [
            (world["ret"]["id"], world["answer"]["requirement_id"])]
        by_cycle = store.evidence_register(db, cycle_id=world["ret"]["cycle_id"], limit=100_000)
        assert by_cycle and {r["cycle_id"] for r in by_cycle} == {world["ret"]["cycle_id"]}
        assert world["unused"] not in {r["id"] for r in by_cycle}
        expired = store.evidence_register(db, expired_on=TODAY.isoformat(), limit=100_000)
        assert world["expired"] in {r["id"] for r in expired} and world["expiring"] not in {r["id"] for r in expired}
        assert all(r["valid_until"] < TODAY.isoformat() for r in expired)
        assert len(store.evidence_register(db, limit=3)) == 3


def test_the_store_counts_and_takes_each_page_in_sql_in_an_order_that_holds_across_pages(world):
    with world["app"].app_context():
        db = get_db()
        for filters in ({}, {"cycle_id": world["ret"]["cycle_id"]}, {"organisation_id": world["police"]["id"]},
                        {"expired_on": TODAY.isoformat()}, {"verification": "not-checked"}):
            everything = store.evidence_register(db, **filters)
            assert store.count_evidence_register(db, **filters) == len(everything) > 0, filters
            pages = [store.evidence_register(db, **filters, limit=50, offset=offset)
                     for offset in range(0, len(everything) + 50, 50)]
            assert [len(page) for page in pages[:-2]] == [50] * (len(pages) - 2) and pages[-1] == []
            assert [row for page in pages for row in page] == everything, filters


def test_the_auditor_sees_every_organisations_evidence_with_expiry_tags(world):
    client = signed_in(world["app"], AUDITOR)
    organisations = {row[0] for body in every_page(client, "?cycle=all") for row in table_rows(body)}
    with world["app"].app_context():
        with_evidence = {r["organisation_name"] for r in store.evidence_register(get_db())}
    assert organisations == with_evidence and len(organisations) > 5
    council = text(client, f"?cycle=all&organisation={world['council']['id']}")
    assert "Housing allocations policy" in council and "Not used in a return" in council
    body = text(client, f"?organisation={world['police']['id']}")
    assert "Old minutes" in body and "Expired" in body and "Expires within 60 days" in body
    with world["app"].app_context():
        item = store.evidence_item(get_db(), world["expired"])
    assert item["sha256"][:12] in body and item["sha256"] not in re.sub(r'title="[0-9a-f]+"', "", body)
    assert f'/evidence/{world["expired"]}/download' in body
    assert 'href="https://council.example/allocations" rel="noopener" target="_blank"' in council
    assert "(opens in a new tab)" in council


def test_each_filter_narrows_the_register(world):
    client = signed_in(world["app"], AUDITOR)
    everything = row_count(text(client, "?cycle=all"))
    police = text(client, f"?organisation={world['police']['id']}")
    assert "Old minutes" in police and world["council"]["name"] not in police.split("<table")[1]
    by_cycle = text(client, f"?cycle={world['ret']['cycle_id']}")
    assert "Housing allocations policy" not in by_cycle and row_count(by_cycle) < everything
    framework_id = world["answer"]["framework_key"].split("@")[0]
    by_framework = text(client, f"?cycle=all&framework={framework_id}")
    assert row_count(by_framework) < everything
    assert any("Old minutes" in body for body in every_page(client, f"?cycle=all&framework={framework_id}"))
    with world["app"].app_context():
        framework = next(f for f in catalogue.latest_frameworks(get_db()) if f.id == framework_id)
        ref = framework.requirement(world["answer"]["requirement_id"]).ref
    by_requirement = text(client, f"?cycle=all&framework={framework_id}&requirement={ref}")
    assert "Old minutes" in by_requirement and row_count(by_requirement) < row_count(by_framework)
    expired = text(client, "?expired=yes")
    assert "Old minutes" in expired and "Training record" not in expired and "Expires within 60 days" not in expired


def test_an_unknown_requirement_is_reported_and_ignored(world):
    client = signed_in(world["app"], AUDITOR)
    framework_id = world["answer"]["framework_key"].split("@")[0]
    body = text(client, f"?framework={framework_id}&requirement=no-such-ref")
    assert "<title>Error: Evidence register" in body and "there is no “no-such-ref”" in body
    assert row_count(body) == row_count(text(client, f"?framework={framework_id}"))
    no_framework = text(client, "?requirement=1")
    assert "Select a framework to find a requirement by its reference" in no_framework


def test_the_register_download_serves_a_good_file_and_refuses_a_tampered_one(world):
    client = signed_in(world["app"], AUDITOR)
    body = text(client, f"?organisation={world['police']['id']}")
    links = dict(re.findall(r'href="(/evidence/(\d+)/download)"', body))
    good_url = next(url for url, number in links.items() if int(number) == world["expiring"])
    bad_url = next(url for url, number in links.items() if int(number) == world["expired"])
    good = client.get(good_url)
    assert good.status_code == 200 and good.data == b"Training record for custody staff\n"
    with world["app"].app_context():
        sha = store.evidence_item(get_db(), world["expired"])["sha256"]
    stored = Path(world["app"].config["EVIDENCE_DIR"]) / sha[:2] / sha
    data = bytearray(stored.read_bytes())
    data[0] ^= 0x01
    stored.write_bytes(bytes(data))
    refused = client.get(bad_url)
    assert refused.status_code == 409 and bytes(data) not in refused.data
    assert "attachment" not in refused.headers.get("Content-Disposition", "")


def test_home_links_to_the_register_for_auditors_and_admins_only(world):
    for email, shown in [(AUDITOR, True), ("coordinator@demo.example", True), ("board@demo.example", False)]:
        body = signed_in(world["app"], email).get("/home").get_data(as_text=True)
        assert ("/evidence-register" in body) is shown, email


# Pages, the current cycle and the CSV -------------------------------------------------------------------------------

def test_the_register_opens_at_the_open_cycle_and_all_cycles_can_still_be_chosen(world):
    client = signed_in(world["app"], AUDITOR)
    current = open_cycle(world["app"])
    body = text(client)
    assert f'<option value="{current["id"]}" selected>{current["name"]} (open)</option>' in body
    assert '<option value="all">All cycles</option>' in body
    with world["app"].app_context():
        in_cycle = store.count_evidence_register(get_db(), cycle_id=current["id"])
        in_all = store.count_evidence_register(get_db())
    assert in_cycle < in_all
    assert row_count(body) == in_cycle and f"of {in_cycle} items in {current['name']}" in body
    assert {row[3] for page in every_page(client) for row in table_rows(page)} == {current["name"]}
    everything = text(client, "?cycle=all")
    assert '<option value="all" selected>All cycles</option>' in everything
    assert row_count(everything) == in_all and f"of {in_all} items in all cycles" in everything
    assert row_count(text(client, "?cycle=")) == in_all, "the old form's empty choice still means every cycle"


def test_with_no_open_cycle_the_register_opens_at_the_most_recent(world):
    app = world["app"]
    current = open_cycle(app)
    with app.app_context():
        db = get_db()
        store.close_cycle(db, current["id"], actor=store.SYSTEM, now=NOW)
        store.create_cycle(db, name="2027/28", open_date="2027-04-01", due_date="2027-06-30", declaration="I confirm.",
                           framework_keys=[], actor=store.SYSTEM, now=NOW)
    body = text(signed_in(app, AUDITOR))
    assert f'<option value="{current["id"]}" selected>{current["name"]}</option>' in body, "not the later draft"
    assert f"items in {current['name']}" in body


def test_pages_hold_fifty_rows_and_say_which_they_are(world):
    client = signed_in(world["app"], AUDITOR)
    with world["app"].app_context():
        total = store.count_evidence_register(get_db())
    last = -(-total // 50)
    assert last >= 3
    first = text(client, "?cycle=all")
    assert len(table_rows(first)) == 50 and f"Showing 1 to 50 of {total} items in all cycles" in first
    assert f"<title>Evidence register (page 1 of {last})" in first
    second = text(client, "?cycle=all&page=2")
    assert len(table_rows(second)) == 50 and f"Showing 51 to 100 of {total} items" in second
    assert table_rows(second) != table_rows(first)
    assert 'aria-label="Page 2" aria-current="page"' in second and 'rel="prev"' in second and 'rel="next"' in second
    final = text(client, f"?cycle=all&page={last}")
    assert len(table_rows(final)) == total - 50 * (last - 1) and 'rel="next"' not in final
    assert f"Showing {50 * (last - 1) + 1} to {total} of {total} items" in final
    assert sum(len(table_rows(body)) for body in every_page(client, "?cycle=all")) == total


def test_the_filters_are_kept_in_the_page_links_and_the_csv_link(world):
    client = signed_in(world["app"], AUDITOR)
    framework_id = world["answer"]["framework_key"].split("@")[0]
    query = f"?cycle=all&framework={framework_id}&verification=not-checked"
    body = text(client, query)
    assert row_count(body) > 100, "enough rows for three pages"
    links = pagination_links(body)
    assert links and all(parse_qs(urlsplit(link).query) | {"page": ["x"]} == {
        "cycle": ["all"], "framework": [framework_id], "verification": ["not-checked"], "page": ["x"]}
        for link in links)
    assert "/evidence-register?cycle=all&framework=" in links[0] and "page=2" in " ".join(links)
    csv_link = re.search(r'href="(/evidence-register\.csv[^"]*)"', body).group(1)
    assert parse_qs(urlsplit(csv_link).query) == {"cycle": ["all"], "framework": [framework_id],
                                                   "verification": ["not-checked"]}
    expired = text(client, f"?organisation={world['police']['id']}&expired=yes")
    assert "expired=yes" in re.search(r'href="(/evidence-register\.csv[^"]*)"', expired).group(1)
    current = open_cycle(world["app"])
    default_links = pagination_links(text(client))
    assert default_links and all(f"cycle={current['id']}" in link for link in default_links), \
        "page 2 of the default view stays in the cycle the first page showed"


def test_a_page_past_the_last_goes_to_the_last_and_a_page_that_is_not_a_number_is_the_first(world):
    client = signed_in(world["app"], AUDITOR)
    with world["app"].app_context():
        total = store.count_evidence_register(get_db(), organisation_id=world["police"]["id"])
    last = -(-total // 50)
    beyond = client.get(f"/evidence-register?cycle=all&organisation={world['police']['id']}&page=999")
    assert beyond.status_code == 302
    target = urlsplit(beyond.headers["Location"])
    assert parse_qs(target.query) == {"cycle": ["all"], "organisation": [str(world["police"]["id"])],
                                      **({"page": [str(last)]} if last > 1 else {})}
    assert client.get(f"{target.path}?{target.query}").status_code == 200
    first = table_rows(text(client, "?cycle=all"))
    for page in ("abc", "0", "-3", "2.5", ""):
        assert table_rows(text(client, f"?cycle=all&page={page}")) == first, page
    huge = client.get("/evidence-register?cycle=all&page=" + "9" * 5000)
    assert huge.status_code == 302 and parse_qs(urlsplit(huge.headers["Location"]).query)["page"] != ["1"]
    nothing = client.get(f"/evidence-register?organisation={world['council']['id']}&expired=yes&page=4")
    assert nothing.status_code == 302
    empty = text(client, "?" + urlsplit(nothing.headers["Location"]).query)
    assert "No evidence in " in empty and "matches these filters" in empty and "<table" not in empty
    assert "govuk-pagination" not in empty and "Download" not in empty.split("</form>")[1]


def test_the_csv_holds_every_filtered_row_of_every_page_in_the_same_order(world):
    client = signed_in(world["app"], AUDITOR)
    for query in ("?cycle=all", "", f"?cycle=all&organisation={world['police']['id']}", "?cycle=all&expired=yes"):
        shown = [row for body in every_page(client, query) for row in table_rows(body)]
        downloaded = csv_rows(client, query)
        assert len(downloaded) == len(shown) == row_count(text(client, query)), query
        assert [(r["Organisation"], f"{r['Evidence']} {r['Type']}", r["Requirement"], r["Cycle"], r["Took effect"])
                for r in downloaded] == [tuple(row[:5]) for row in shown], query


def test_the_csv_names_things_and_writes_dates_as_people_read_them(world):
    client = signed_in(world["app"], AUDITOR)
    current = open_cycle(world["app"])
    response = client.get(f"/evidence-register.csv?organisation={world['police']['id']}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="evidence-register-{current["name"].replace("/", "-")}-brackenford-police.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["Organisation", "Evidence", "Type", "Requirement", "Requirement title", "Cycle",
                             "Took effect", "Valid until", "Expiry", "Verification status", "SHA-256", "File name",
                             "Link", "Added"]
    with world["app"].app_context():
        item = store.evidence_item(get_db(), world["expired"])
        [sha] = [r["sha256"] for r in store.framework_rows(get_db()) if r["key"] == world["answer"]["framework_key"]]
        framework = catalogue.framework(get_db(), world["answer"]["framework_key"], sha)
    requirement = framework.requirement(world["answer"]["requirement_id"])
    [old] = [r for r in rows if r["Evidence"] == "Old minutes"]
    assert old == {
        "Organisation": "Brackenford Police", "Evidence": "Old minutes", "Type": "Text file, 1 KB",
        "Requirement": f"{framework.short_title} · Requirement {requirement.ref}",
        "Requirement title": requirement.title, "Cycle": current["name"], "Took effect": "1 April 2025",
        "Valid until": long_date(TODAY - timedelta(days=10)), "Expiry": "Expired",
        "Verification status": "Not checked", "SHA-256": item["sha256"], "File name": "old-minutes.txt", "Link": "",
        "Added": when(item["created_at"])}
    [training] = [r for r in rows if r["Evidence"] == "Training record"]
    assert training["Expiry"] == "Expires within 60 days"
    everything = client.get("/evidence-register.csv?cycle=all")
    assert everything.headers["Content-Disposition"] == 'attachment; filename="evidence-register-all-cycles.csv"'
    [unused] = [r for r in csv.DictReader(io.StringIO(everything.get_data(as_text=True)))
                if r["Evidence"] == "Housing allocations policy"]
    assert unused["Requirement"] == "Not used in a return" and unused["Cycle"] == ""
    assert unused["Type"] == "Link" and unused["Link"] == "https://council.example/allocations"
    assert unused["SHA-256"] == unused["File name"] == ""


def test_text_a_spreadsheet_would_run_as_a_formula_comes_out_inert(world):
    hostile = ['=HYPERLINK("http://evil.example")', "+SUM(1,2)", "-2+3", "@cmd"]
    with world["app"].app_context():
        db = get_db()
        for title in hostile:
            store.add_evidence(db, world["police"]["id"], {"kind": "link", "title": title, "url": "https://x.example/",
                                                           "effective_date": "2025-04-01"},
                               answer_id=world["answer"]["id"], actor=store.SYSTEM, now=NOW)
    client = signed_in(world["app"], AUDITOR)
    rows = csv_rows(client, f"?organisation={world['police']['id']}")
    titles = {r["Evidence"] for r in rows}
    assert {"'" + title for title in hostile} <= titles
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())
    body = text(client, f"?organisation={world['police']['id']}")
    assert 'HYPERLINK("http://evil.example")' in body, "the page shows the title as it was typed"


def test_only_auditors_and_admins_may_download_the_register(world):
    app = world["app"]
    assert len(csv_rows(signed_in(app, "coordinator@demo.example"), "?cycle=all")) > 100
    for email in ("board@demo.example", "editor.police@demo.example", "signatory.police@demo.example"):
        response = signed_in(app, email).get("/evidence-register.csv?cycle=all")
        assert response.status_code == 403, email
        assert "Old minutes" not in response.get_data(as_text=True)
        assert "attachment" not in response.headers.get("Content-Disposition", "")
    anonymous = app.test_client().get("/evidence-register.csv")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
