"""The evidence register: every organisation's evidence for auditors and admins, its filters, expiry flags, and
downloads that refuse a file whose bytes no longer match their SHA-256."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from compliance import store
from compliance.core import filetypes as uploads
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
    return int(re.search(r"(\d+) items? of evidence", body).group(1))


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
    body = text(signed_in(world["app"], AUDITOR))
    assert world["police"]["name"] in body and world["council"]["name"] in body
    assert "Housing allocations policy" in body and "Not used in a return" in body
    assert "Old minutes" in body and "Expired" in body and "Expires within 60 days" in body
    with world["app"].app_context():
        item = store.evidence_item(get_db(), world["expired"])
    assert item["sha256"][:12] in body and item["sha256"] not in re.sub(r'title="[0-9a-f]+"', "", body)
    assert f'/evidence/{world["expired"]}/download' in body
    assert 'href="https://council.example/allocations" rel="noopener" target="_blank"' in body
    assert "(opens in a new tab)" in body


def test_each_filter_narrows_the_register(world):
    client = signed_in(world["app"], AUDITOR)
    everything = row_count(text(client))
    police = text(client, f"?organisation={world['police']['id']}")
    assert "Old minutes" in police and world["council"]["name"] not in police.split("<table")[1]
    by_cycle = text(client, f"?cycle={world['ret']['cycle_id']}")
    assert "Housing allocations policy" not in by_cycle and row_count(by_cycle) < everything
    framework_id = world["answer"]["framework_key"].split("@")[0]
    by_framework = text(client, f"?framework={framework_id}")
    assert "Old minutes" in by_framework and row_count(by_framework) < everything
    with world["app"].app_context():
        framework = next(f for f in catalogue.latest_frameworks(get_db()) if f.id == framework_id)
        ref = framework.requirement(world["answer"]["requirement_id"]).ref
    by_requirement = text(client, f"?framework={framework_id}&requirement={ref}")
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
    body = text(client)
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
