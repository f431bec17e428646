"""One answer for mapped requirements, through the pages: a cycle asking the two fixture frameworks that map to each
other (the protocol first), its task list, requirement pages, check answers, signing, the signed version, the
statement (page and PDF), the matrix and the cycle's progress."""
from __future__ import annotations

import re
import subprocess

import pytest

from compliance import store
from compliance.services import catalogue
from compliance.web.requests import get_db
from tests.builders import (
    MAPPED_FILES,
    MAPPED_PROTOCOL,
    MAPPED_STANDARDS,
    NOW,
    PASSWORD,
    SECTORS,
    mapped_app,
    mapped_world,
    sign_in,
    token_from,
)

LEAD_NAME = "Mapped fixture protocol, requirement 1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = mapped_app(tmp_path_factory.mktemp("mapped"))
    ids = mapped_world(app)
    clients = {}
    for role in ("editor", "signatory", "admin", "board"):
        clients[role] = app.test_client()
        assert sign_in(clients[role], f"{role}@mapped.example", PASSWORD).status_code == 302
    return app, ids, clients


def page(ids, framework, requirement, tail=""):
    return f"/returns/{ids['return']}/{framework}/{requirement}{tail}"


def answer(client, path, rating, narrative, **more):
    return client.post(path, data={"csrf_token": token_from(client, path), "rating": rating, "narrative": narrative,
                                   "reason": "", "revision": more.pop("revision", "0"), "then": "later", **more})


def stored(app, ids, framework, requirement):
    with app.app_context():
        return store.answer(get_db(), ids["return"], ids["keys"][framework], requirement)


def add_link(app, ids, framework, requirement, title):
    with app.app_context():
        database = get_db()
        row = store.ensure_answer(database, ids["return"], ids["keys"][framework], requirement)
        return store.add_evidence(database, ids["organisation"], {
            "kind": "link", "title": title, "url": "https://intranet.example/lead",
            "effective_date": "2030-04-01"}, answer_id=row["id"], actor=store.SYSTEM, now=NOW)


def test_1_the_task_list_says_which_requirement_is_answered_through_which(world):
    app, ids, clients = world
    text = clients["editor"].get(f"/returns/{ids['return']}").get_data(as_text=True)
    assert f"Answered through {LEAD_NAME}" in text
    assert text.count("Answered through") == 1, "only the equal mapping; part-of and related are answered apart"


def test_2_the_answered_through_page_shows_the_answer_read_only_with_a_link_to_where_it_is_answered(world):
    app, ids, clients = world
    editor = clients["editor"]
    assert answer(editor, page(ids, MAPPED_PROTOCOL, "lead"), "met", "Sam Okafor is our named lead.").status_code == 302
    add_link(app, ids, MAPPED_PROTOCOL, "lead", "Sam's job description")
    response = editor.get(page(ids, MAPPED_STANDARDS, "leadership"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="rating"' not in text and 'id="answer-form"' not in text, "nothing to fill in here"
    assert "Answered through" in text and f'href="{page(ids, MAPPED_PROTOCOL, "lead")}"' in text
    assert "Fully met" in text and "(given as “Met” in Mapped protocol)" in text
    assert "Sam Okafor is our named lead." in text and "Sam&#39;s job description" in text
    assert "Completed" in text
    answering = editor.get(page(ids, MAPPED_PROTOCOL, "lead")).get_data(as_text=True)
    assert re.search(r'id="also-answers">Your answer here also counts for <a class="govuk-link" href="'
                     + re.escape(page(ids, MAPPED_STANDARDS, "leadership")) + '">Mapped fixture standards, Standard 1'
                     "</a>, which asks the same: your organisation answers the two once, here.", answering)


def test_3_saving_an_answered_through_requirement_saves_nothing_and_keeps_what_was_typed(world):
    app, ids, clients = world
    path = page(ids, MAPPED_STANDARDS, "leadership")
    editor = clients["editor"]
    token = token_from(editor, page(ids, MAPPED_PROTOCOL, "lead"))
    response = editor.post(path, data={"csrf_token": token, "rating": "not-met", "narrative": "Typed here anyway",
                                       "reason": "", "revision": "0", "then": "later"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "Typed here anyway" in text and "has no answer of its own" in text
    assert stored(app, ids, MAPPED_STANDARDS, "leadership") is None
    for tail in ("/actions/new", "/evidence/link", "/evidence/upload", "/evidence/attach"):
        moved = editor.get(path + tail)
        assert moved.status_code == 302 and moved.headers["Location"].endswith(path), tail


def test_4_a_part_of_mapping_offers_the_other_answer_to_start_from_without_saving(world):
    app, ids, clients = world
    editor = clients["editor"]
    assert answer(editor, page(ids, MAPPED_PROTOCOL, "training"), "partially-met",
                  "Two thirds of staff are trained.").status_code == 302
    path = page(ids, MAPPED_STANDARDS, "induction")
    text = editor.get(path).get_data(as_text=True)
    assert "asks all of this requirement and more" in text and "Two thirds of staff are trained." in text
    start = f"{path}?start_from={MAPPED_PROTOCOL}/training"
    assert f'href="{start}#started"' in text.replace("&amp;", "&")
    prefilled = editor.get(start).get_data(as_text=True)
    assert "Not saved yet" in prefilled
    assert re.search(r'<textarea[^>]*name="narrative"[^>]*>\s*Two thirds of staff are trained\.</textarea>', prefilled)
    assert re.search(r'value="partially-met"[^>]*checked', prefilled)
    assert stored(app, ids, MAPPED_STANDARDS, "induction") is None, "starting from it saves nothing"
    assert "Not saved yet" not in editor.get(f"{path}?start_from=nonsense/x").get_data(as_text=True)
    assert answer(editor, path, "partially-met", "Induction covers it; two thirds trained.").status_code == 302
    assert stored(app, ids, MAPPED_STANDARDS, "induction")["narrative"] == "Induction covers it; two thirds trained."


def test_5_check_answers_shows_where_the_answer_came_from_and_what_is_still_needed(world):
    app, ids, clients = world
    text = clients["editor"].get(f"/returns/{ids['return']}/check").get_data(as_text=True)
    assert f'Answered through <a class="govuk-link" href="{page(ids, MAPPED_PROTOCOL, "lead")}">{LEAD_NAME}</a>' in text
    problems = re.search(r'id="problems-mapped-standards">(.*?)</ul>', text, re.S)
    assert problems is None or "leadership" not in problems.group(1), "the lead has evidence: nothing is missing"


def test_6_evidence_the_answered_through_framework_asks_for_blocks_signing_until_given(world):
    app, ids, clients = world
    with app.app_context():
        database = get_db()
        lead = store.answer(database, ids["return"], ids["keys"][MAPPED_PROTOCOL], "lead")
        for item in store.evidence_for_return(database, ids["return"])[(ids["keys"][MAPPED_PROTOCOL], "lead")]:
            store.unlink_evidence(database, lead["id"], item["id"], actor=store.SYSTEM, now=NOW)
    text = clients["editor"].get(f"/returns/{ids['return']}/check").get_data(as_text=True)
    problems = re.search(r'id="problems-mapped-standards">(.*?)</ul>', text, re.S).group(1)
    assert f"Answered through {LEAD_NAME}: add evidence: a rating of “Fully met” needs at least one" in problems
    assert "Leadership" in problems
    add_link(app, ids, MAPPED_PROTOCOL, "lead", "Sam's job description")


def test_7_the_signed_return_counts_the_answer_in_both_frameworks_and_says_where_it_came_from(world):
    app, ids, clients = world
    editor, signatory = clients["editor"], clients["signatory"]
    for framework, requirement, rating in [(MAPPED_PROTOCOL, "policy", "met"), (MAPPED_STANDARDS, "policies", "met")]:
        assert answer(editor, page(ids, framework, requirement), rating, "In place.").status_code == 302
        add_link(app, ids, framework, requirement, f"{requirement} document")
    with app.app_context():
        database = get_db()
        for framework, requirement in [(MAPPED_PROTOCOL, "training"), (MAPPED_STANDARDS, "induction")]:
            row = store.answer(database, ids["return"], ids["keys"][framework], requirement)
            store.save_action(database, row["id"], {"what": "Train the rest", "owner": "Sam", "due_date": "2031-01-31",
                                                    "status": "in-progress"}, actor=store.SYSTEM, now=NOW)
    sign_path = f"/returns/{ids['return']}/sign"
    form = signatory.get(sign_path).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', form) or re.search(r'value="([^"]*)"[^>]*name="seen"', form)
    signed = signatory.post(sign_path, data={"csrf_token": token_from(signatory, sign_path), "name": "Pat Signatory",
                                             "job_title": "Chief constable", "confirm": "y", "seen": seen.group(1)})
    assert signed.status_code == 302, "every requirement is complete, the answered-through one included"

    version = clients["board"].get(f"/returns/{ids['return']}/versions/1").get_data(as_text=True)
    assert f'href="#answer-{MAPPED_PROTOCOL}-lead">{LEAD_NAME}: Named lead</a>' in version

    statement = clients["board"].get(f"/returns/{ids['return']}/statement").get_data(as_text=True)
    assert (f'Answered through <a class="govuk-link" href="#answer-{MAPPED_PROTOCOL}-lead">{LEAD_NAME}</a>'
            in statement)
    assert f'id="answer-{MAPPED_PROTOCOL}-lead"' in statement
    results = re.findall(r"Overall result\s*</dt>\s*<dd[^>]*>\s*<strong[^>]*>\s*([^<]*?)\s*</strong>", statement)
    assert results == ["67%", "Partly met"], ("the protocol: 2 of 3 met; the standards: worst rating wins over "
                                              "Standard 1 (Fully met, through the lead), 2 (Partly met), 3 (Fully met)")

    pdf = clients["board"].get(f"/returns/{ids['return']}/statement.pdf")
    words = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                                    check=True).stdout.decode().split())
    assert f"Answered through {LEAD_NAME}: the organisation answered once for both" in words
    assert f"Recorded with the answer to {LEAD_NAME}" in words


def test_8_the_matrix_marks_the_answered_through_cell_and_counts_it(world):
    app, ids, clients = world
    text = clients["board"].get(f"/cycles/{ids['cycle']}/matrix").get_data(as_text=True)
    assert ("Wrenfield Police, requirement Standard 1: Green, fully met; answered through Mapped protocol, "
            "requirement 1") in text
    assert re.search(r'<span aria-hidden="true">G \*</span><span class="govuk-visually-hidden">Wrenfield Police, '
                     r"requirement Standard 1", text)
    assert 'id="key-answered-through"' in text
    lead_cell = re.search(r'<span aria-hidden="true">([^<]*)</span><span class="govuk-visually-hidden">Wrenfield '
                          r"Police, requirement 1:", text)
    assert lead_cell.group(1) == "G", "the answering requirement's own cell has no mark"


def test_9_the_cycle_page_counts_the_answered_through_requirement_as_done(world):
    app, ids, clients = world
    text = clients["admin"].get(f"/cycles/{ids['cycle']}").get_data(as_text=True)
    assert "6 of 6 done (100%)" in text, "Standard 4 is for housing and local authorities only"


def test_10_an_equal_mapping_to_a_scale_with_other_codes_is_refused_when_the_file_is_loaded(world):
    app, ids, clients = world
    standards = MAPPED_FILES[1].read_text(encoding="utf-8")
    standards = standards.replace('id = "mapped-standards"', 'id = "yes-no-standards"')
    for old, new in [('code = "met"', 'code = "yes"'), ('code = "not-met"', 'code = "no"')]:
        standards = standards.replace(old, new)
    with app.app_context():
        outcome = catalogue.load_upload(get_db(), "yes-no-standards.toml", standards.encode(), actor=store.SYSTEM,
                                        now=NOW, sectors=SECTORS)
    assert outcome.framework is None
    assert ("mappings[1].relation", '"same" makes one answer stand for both requirements, its rating carried over '
            "by its code, so both scales need the same codes: this file's are no, not-applicable, partially-met, yes, "
            'but version "1" of "mapped-protocol" has met, not-applicable, not-met, partially-met; give the scales '
            'the same codes, or use relation = "related" or "part-of", which only suggest the other answer') \
        in outcome.problems


def test_11_the_printable_questionnaire_names_what_is_mapped_to_each_question(world):
    app, ids, clients = world
    text = clients["editor"].get(f"/frameworks/{MAPPED_PROTOCOL}/1/questionnaire?sector=police").get_data(
        as_text=True)
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "In other frameworks Mapped fixture standards, Standard 1 asks the same as this requirement" in words
    assert "two that ask the same are answered once" in words
