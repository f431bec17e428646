"""Queries between an auditor and an organisation, in a real browser, every page checked by axe-core and
HTML_CodeSniffer: asking (empty, with an error), the question as the organisation reads it (home page, task list,
the reply form empty and with an error), a reply with a PDF, resolving, and the resolved question. On an app of
its own, since the queries change what the other browser tests see."""
from __future__ import annotations

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.browser.conftest import check, sign_in, submit_with_errors
from tests.builders import minimal_pdf

pytestmark = pytest.mark.browser
ORGANISATION = "Brackenford Probation Delivery Unit"


def _return_id(app) -> int:
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
        return next(r["id"] for r in store.returns_for_cycle(get_db(), cycle["id"])
                    if r["organisation_name"] == ORGANISATION)


def test_asking_replying_with_a_file_and_resolving(page, browser, own_app, own_url, tmp_path):
    return_id = _return_id(own_app)
    auditor = page
    sign_in(auditor, own_url, "auditor@demo.example")
    auditor.goto(f"{own_url}/returns/{return_id}/verification")
    auditor.locator(f"a[href^='/returns/{return_id}/verification/']").first.click()
    auditor.wait_for_load_state()
    check(auditor, "query-none-on-answer")
    auditor.get_by_role("link", name=f"Ask {ORGANISATION} a question about this answer").click()
    auditor.wait_for_load_state()
    check(auditor, "query-ask")
    submit_with_errors(auditor, "Send the question", "query-ask-error")
    auditor.get_by_label("Your question").fill("Which board minutes approved this policy?")
    auditor.get_by_role("button", name="Send the question").click()
    auditor.wait_for_load_state()
    query_url = auditor.url
    check(auditor, "query-open-auditor")
    auditor.goto(own_url + "/home")
    assert "Open questions to organisations (1)" in auditor.locator("main").inner_text()
    check(auditor, "home-auditor-open-questions")

    # a browser of its own (bypass_csp, as the page fixture's, lets check() inject the two engines)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    organisation = context.new_page()
    organisation.js_errors = []
    organisation.on("pageerror", lambda error: organisation.js_errors.append(str(error)))
    try:
        _reply_as_the_organisation(organisation, own_url, return_id, query_url, tmp_path)
    finally:
        context.close()

    auditor.goto(query_url)
    check(auditor, "query-replied-auditor")
    auditor.get_by_role("link", name="Resolve this question").click()
    auditor.wait_for_load_state()
    check(auditor, "query-resolve")
    auditor.get_by_label("Closing note (optional)").fill("Seen the minutes: thank you.")
    auditor.get_by_role("button", name="Resolve the question").click()
    auditor.wait_for_load_state()
    assert "Resolved" in auditor.content()
    check(auditor, "query-resolved")
    auditor.goto(f"{own_url}/returns/{return_id}/audit-summary")
    check(auditor, "query-in-audit-summary")


def _reply_as_the_organisation(organisation, own_url: str, return_id: int, query_url: str, tmp_path) -> None:
    sign_in(organisation, own_url, "signatory.brackenfordprobationdeli@demo.example")
    organisation.goto(f"{own_url}/home")
    assert "Questions from auditors" in organisation.content()
    check(organisation, "query-on-home")
    organisation.goto(f"{own_url}/returns/{return_id}")
    check(organisation, "query-on-task-list")
    organisation.get_by_role("link", name="WDVF protocol 2018 requirement 1 (Policy for service users)").click()
    organisation.wait_for_load_state()
    assert organisation.url == query_url
    check(organisation, "query-reply-empty")
    submit_with_errors(organisation, "Send your reply", "query-reply-error")
    # A file over the limit is stopped in the browser, so the reply typed with it is not lost.
    big = tmp_path / "board-minutes-scanned.pdf"
    big.write_bytes(minimal_pdf("Board minutes") + b"\0" * (20 * 1024 * 1024))
    organisation.get_by_label("Your reply").fill("Approved on 12 March: the minutes are attached.")
    organisation.get_by_label("Add a file (optional)").set_input_files(str(big))
    organisation.get_by_role("button", name="Send your reply").click()
    assert "must be smaller than 20 MB" in organisation.locator("#file-size-error").inner_text()
    assert organisation.get_by_label("Your reply").input_value() == "Approved on 12 March: the minutes are attached."
    check(organisation, "query-reply-file-too-large")
    pdf = tmp_path / "board-minutes.pdf"
    pdf.write_bytes(minimal_pdf("Board minutes"))
    organisation.get_by_label("Add a file (optional)").set_input_files(str(pdf))
    # GOV.UK's button ignores a second press within a second of the first (preventDoubleClick); a person takes
    # longer than that to choose another file
    organisation.wait_for_timeout(1000)
    organisation.get_by_role("button", name="Send your reply").click()
    organisation.wait_for_url(query_url + "#replies")
    assert "board-minutes.pdf" in organisation.content()
    check(organisation, "query-replied")
