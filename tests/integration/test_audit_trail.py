"""The audit trail: admin and auditors read every event as a sentence, filter it by London days, page through it
and download it as spreadsheet-safe CSV."""
from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
from datetime import datetime, timezone

import pytest

from compliance import store
from tests.builders import NOW, db_of, signed_in

AUDITOR = "auditor@demo.example"
COORDINATOR = "coordinator@demo.example"
PRIYA = "priya.raman@police.example"
ROUTINE_QUESTION = "wdvf-2018-03"
LONG = "We ask every adult who uses our service about domestic abuse, in private, at each assessment. " * 8 + "END"


def _text(response) -> str:
    """The page as a person reads its text: entities decoded (the sentences' apostrophes are escaped in HTML)."""
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _csv(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/audit-trail.csv{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _priya(app, name: str = "Priya Raman") -> tuple[store.Actor, dict, object]:
    """An editor of Brackenford Police, the police return of this year's cycle, and a connection."""
    database = db_of(app)
    police = store.organisation_named(database, "Brackenford Police")
    with database.atomic():
        user_id = store.create_user(database, email=PRIYA, name=name, role="editor", organisation_id=police["id"],
                                    actor=store.SYSTEM, now=NOW)
    ret = store.returns_for_organisation(database, police["id"])[0]
    return store.Actor(user_id, PRIYA, "127.0.0.1"), ret, database


def _answer(database, ret: dict, actor: store.Actor, rating: str, narrative: str, *, now: datetime) -> None:
    key = next(k for k in store.cycle_framework_keys(database, ret["cycle_id"]) if k.startswith("wdvf-"))
    current = store.answer(database, ret["id"], key, ROUTINE_QUESTION)
    saved, _after = store.save_answer(database, ret["id"], key, ROUTINE_QUESTION,
                                      {"rating": rating, "narrative": narrative, "reason": "", "carried_forward": 0},
                                      revision=current["revision"] if current else 0, actor=actor, now=now)
    assert saved


def _record(database, moment: datetime, object_id: str, action: str = "clock-check") -> None:
    with database.atomic():
        store.record(database, store.SYSTEM, action=action, object_type="clock-check", object_id=object_id, now=moment)


def test_each_event_reads_as_a_sentence_with_names_never_codes_or_ids(demo_app):
    priya, ret, database = _priya(demo_app)
    _answer(database, ret, priya, "partially-met", "", now=NOW)
    _answer(database, ret, priya, "met", "We ask everyone.", now=NOW)
    page = _text(signed_in(demo_app, COORDINATOR).get("/audit-trail?person=priya"))
    answer = "Brackenford Police's answer to WDVF protocol 2018 requirement 3 (Routine question)"
    assert f"Priya Raman changed {answer}" in page
    assert "Rating: from “Partially met” to “Met”" in page and "Explanation: from blank to “We ask everyone.”" in page
    assert PRIYA in page  # the email is on the page as text, for everyone, not only on hover
    body = re.sub(r"<[^>]+>", " ", page)  # what is read, leaving out attributes (the filter's option values)
    assert "answer-changed" not in body and "person " + str(priya.id) not in body and ROUTINE_QUESTION not in body
    assert "{" not in body


def test_demo_events_read_as_sentences(demo_app):
    client = signed_in(demo_app, AUDITOR)
    submitted = _text(client.get("/audit-trail?kind=return-submitted"))
    assert re.search(r"submitted version 1 of [A-Z][^<]+'s? 2026/27 return", submitted)
    assert "Signed by: “" in submitted and "return-submitted</" not in submitted
    moved = _text(client.get("/audit-trail?kind=return-status-changed"))
    assert "2026/27 return from “In progress” to “Submitted”" in moved
    checked = _text(client.get("/audit-trail?kind=answer-verified"))
    assert "Chris Adeyemi checked the evidence behind" in checked and "Outcome: “Partly verified”" in checked
    kinds = _text(client.get("/audit-trail"))
    assert '<option value="return-submitted">Return submitted</option>' in kinds


def test_long_text_is_shortened_on_the_page_and_whole_in_the_csv(demo_app):
    priya, ret, database = _priya(demo_app)
    _answer(database, ret, priya, "met", LONG, now=NOW)
    client = signed_in(demo_app, AUDITOR)
    page = _text(client.get("/audit-trail?person=priya&kind=answer-changed"))
    assert "Explanation: from" in page and "…”" in page and "END" not in page
    [row] = _csv(client, "?person=priya&kind=answer-changed")
    assert row["Changes"].endswith(f"“{LONG.strip()}”") and row["Email address"] == PRIYA
    assert row["Who"] == "Priya Raman" and row["What happened"].startswith("Priya Raman changed Brackenford Police's")


def test_an_event_without_a_sentence_still_reads_as_one(demo_app):
    priya, _ret, database = _priya(demo_app)
    police = store.organisation_named(database, "Brackenford Police")
    with database.atomic():
        store.record(database, priya, action="parcel-posted", object_type="notification",
                     organisation_id=police["id"], new={"to": "sam.lee@greenway.example"}, now=NOW)
    page = _text(signed_in(demo_app, AUDITOR).get("/audit-trail?person=priya"))
    assert "Parcel posted by Priya Raman, about Brackenford Police" in page
    assert "To: “sam.lee@greenway.example”" in page
    assert '<option value="parcel-posted">Parcel posted</option>' in page


def test_filters_by_organisation_person_by_name_or_email_and_kind(demo_app):
    client = signed_in(demo_app, AUDITOR)
    police = store.organisation_named(db_of(demo_app), "Brackenford Police")
    rows = _csv(client, f"?organisation={police['id']}")
    assert rows and {row["Organisation"] for row in rows} == {"Brackenford Police"}
    by_email = _csv(client, "?person=SIGNATORY.POLICE")
    assert by_email and {row["Email address"] for row in by_email} == {"signatory.police@demo.example"}
    by_name = _csv(client, "?person=chris adeyemi")
    assert by_name and {row["Who"] for row in by_name} == {"Chris Adeyemi"}
    kind = _csv(client, "?kind=answer-changed")
    assert kind and {row["Kind"] for row in kind} == {"Answer changed"}
    page = _text(client.get(f"/audit-trail?kind=answer-changed&organisation={police['id']}"))
    assert "Clear filters" in page and "Chris Adeyemi signed in" not in page
    assert "changed Brackenford Police's answer" in page


def test_a_day_is_londons_from_midnight_to_midnight_in_summer_and_winter(demo_app):
    database = db_of(demo_app)
    utc = timezone.utc
    for moment, name in [(datetime(2026, 6, 30, 22, 59, 59, tzinfo=utc), "30-june-late"),  # 11:59pm BST
                         (datetime(2026, 6, 30, 23, 0, tzinfo=utc), "1-july-first"),  # midnight BST
                         (datetime(2026, 7, 1, 22, 59, 59, tzinfo=utc), "1-july-last"),
                         (datetime(2026, 7, 1, 23, 0, tzinfo=utc), "2-july-first"),
                         (datetime(2026, 11, 30, 23, 59, 59, tzinfo=utc), "30-november-last"),  # GMT
                         (datetime(2026, 12, 1, 0, 0, tzinfo=utc), "1-december-first")]:
        _record(database, moment, name)
    client = signed_in(demo_app, AUDITOR)

    def found(day_from: list[str], day_to: list[str]) -> set[str]:
        query = "".join(f"&date_from={part}" for part in day_from) + "".join(f"&date_to={part}" for part in day_to)
        return {row["Record"].split()[-1] for row in _csv(client, f"?kind=clock-check{query}")}

    assert found(["1", "7", "2026"], ["1", "7", "2026"]) == {"1-july-first", "1-july-last"}
    assert found(["01", "07", "2026"], ["01", "07", "2026"]) == {"1-july-first", "1-july-last"}
    assert found(["1", "12", "2026"], []) == found(["01", "12", "2026"], []) == {"1-december-first"}
    assert found([], ["30", "11", "2026"]) == {"30-june-late", "1-july-first", "1-july-last", "2-july-first",
                                              "30-november-last"}


@pytest.mark.parametrize(("typed", "message"), [
    (["31", "2", "2026"], "From date must be a real date, like 1 12 2026"),
    (["1", "12", ""], "From date must include a year"),
    (["1", "", ""], "From date must include a month and a year"),
    (["first", "12", "2026"], "From date must be a real date, like 1 12 2026"),
    (["0", "0", "2200000000"], "From date must be a real date, like 1 12 2026"),  # past a C int: was a 500
])
def test_a_bad_date_says_how_to_fix_it_and_keeps_what_was_typed(demo_app, typed, message):
    client = signed_in(demo_app, AUDITOR)
    query = "&".join(f"date_from={part}" for part in typed)
    response = client.get(f"/audit-trail?person=coordinator&{query}")
    text = _text(response)
    assert "<title>Error: Audit trail" in text and "govuk-error-summary" in text and message in text
    assert 'href="#date_from-day"' in text  # the summary's link goes to the day box
    for part in filter(None, typed):
        assert f'value="{part}"' in text
    assert 'value="coordinator"' in text and "Correct the date above to see the events." in text
    assert "Showing" not in text  # no events listed as if the date had been taken
    csv_response = client.get(f"/audit-trail.csv?{query}")  # a CSV never quietly leaves out the date asked for
    assert csv_response.status_code == 302 and "/audit-trail?" in csv_response.headers["Location"]


def test_a_to_date_before_the_from_date_is_refused(demo_app):
    text = _text(signed_in(demo_app, AUDITOR).get(
        "/audit-trail?date_from=2&date_from=12&date_from=2026&date_to=1&date_to=12&date_to=2026"))
    assert "To date must be the same as or after the from date" in text and "<title>Error: " in text


def test_fifty_events_a_page_with_the_filters_kept(demo_app):
    client = signed_in(demo_app, AUDITOR)
    query = "person=coordinator&date_from=1&date_from=1&date_from=2000"
    total = len(_csv(client, f"?{query}"))
    assert total > 150
    page = _text(client.get(f"/audit-trail?{query}&page=2"))
    assert f"Showing 51 to 100 of {total:,} events" in page and 'class="govuk-pagination' in page
    links = set(re.findall(r'href="(/audit-trail\?[^"]+)"', page))
    kept = "person=coordinator&date_from=1&date_from=1&date_from=2000"
    assert {f"/audit-trail?{kept}&page=1", f"/audit-trail?{kept}&page=3"} <= links
    assert 'aria-current="page"' in page
    last = -(-total // 50)
    past_the_end = _text(client.get(f"/audit-trail?{query}&page=999999999999999999999"))
    assert f"Showing {(last - 1) * 50 + 1:,} to {total:,} of {total:,} events" in past_the_end
    assert "Showing 1 to 50 of" in _text(client.get(f"/audit-trail?{query}&page=nonsense"))


def test_nothing_found_says_so(demo_app):
    text = _text(signed_in(demo_app, AUDITOR).get("/audit-trail?person=nobody-by-this-name"))
    assert "No events match these filters." in text and "Clear the filters" in text and "Download" not in text


def test_user_text_is_escaped_everywhere(demo_app):
    priya, ret, database = _priya(demo_app, name='<script>alert("name")</script> Priya')
    _answer(database, ret, priya, "met", "<img src=x onerror=alert(1)>", now=NOW)
    raw = signed_in(demo_app, AUDITOR).get("/audit-trail?person=priya").get_data(as_text=True)
    assert "<script>alert" not in raw and "<img src=x" not in raw
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; Priya" in raw and "&lt;img src=x" in raw


def test_the_csv_is_an_attachment_whose_cells_cannot_run_as_formulas(demo_app):
    priya, ret, database = _priya(demo_app, name="=cmd|' /C calc'!A0")
    _answer(database, ret, priya, "met", '=HYPERLINK("x")', now=NOW)
    with database.atomic():
        store.record(database, store.Actor(None, "+sum(1)"), action="=evil", object_type="@thing",
                     new={"title": "-2+3"}, now=NOW)
    client = signed_in(demo_app, AUDITOR)
    response = client.get("/audit-trail.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8", "the charset once"
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == ["When (London time)", "Who", "Email address", "Organisation", "What happened", "Changes",
                      "Kind", "Recorded at (UTC)", "Record", "Action code", "Old values as stored",
                      "New values as stored", "IP address"]
    rows = _csv(client)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    hostile = next(row for row in rows if row["Action code"] == "'=evil")
    assert hostile["Who"] == "'+sum(1)" and hostile["Record"] == "'@thing"
    named = next(row for row in rows if row["Email address"] == PRIYA and row["Kind"] == "Answer changed")
    assert named["Who"] == "'=cmd|' /C calc'!A0" and named["What happened"].startswith("'=cmd|")
    assert "Explanation: from “" in named["Changes"] and "“=HYPERLINK(\"x\")”" in named["Changes"]


def test_the_log_stays_append_only(demo_app):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db_of(demo_app).execute("UPDATE audit_log SET actor = 'someone else'")


def test_times_read_in_london_time(demo_app):
    _record(db_of(demo_app), datetime(2026, 6, 30, 13, 7, tzinfo=timezone.utc), "summer")  # 2:07pm in London (BST)
    client = signed_in(demo_app, COORDINATOR)
    page = _text(client.get("/audit-trail?kind=clock-check"))
    assert "30 June 2026 at 2:07pm" in page and '<time datetime="2026-06-30T13:07:00+00:00">' in page
    assert "UTC" not in re.sub(r"<[^>]+>", " ", page)
    [row] = _csv(client, "?kind=clock-check")
    assert row["When (London time)"] == "30 June 2026 at 2:07pm"
    assert row["Recorded at (UTC)"] == "2026-06-30T13:07:00+00:00"


def test_admin_sees_it_too_and_home_links_to_it(demo_app):
    admin = signed_in(demo_app, COORDINATOR)
    assert admin.get("/audit-trail").status_code == 200
    assert "/audit-trail" in admin.get("/home").get_data(as_text=True)
    assert "/audit-trail" not in signed_in(demo_app, "board@demo.example").get("/home").get_data(as_text=True)
