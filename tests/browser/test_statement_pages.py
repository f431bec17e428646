"""The statement of compliance in a real browser: zero axe-core violations, signed and draft."""
from __future__ import annotations

from datetime import date

import pytest

from compliance import store
from compliance.core.returns import financial_year
from compliance.web.requests import get_db
from tests.browser.conftest import check
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"


def demo_return(live_app, organisation: str) -> int:
    """The demo organisation's return in the current cycle (the demo is read, never changed)."""
    with live_app.app_context():
        db = get_db()
        # The demo's current cycle: other browser tests add cycles of their own to the same app.
        cycle = next(c for c in store.cycles(db) if c["name"] == financial_year(date.today()))
        return next(r["id"] for r in store.returns_for_cycle(db, cycle["id"]) if r["organisation_name"] == organisation)


def sign_in(page, base_url, email="board@demo.example"):
    browser_sign_in(page, base_url, email, DEMO_PASSWORD)


def test_a_submitted_statement_has_no_violations(page, base_url, live_app):
    return_id = demo_return(live_app, "Brackenford Probation Delivery Unit")
    sign_in(page, base_url)
    assert page.goto(f"{base_url}/returns/{return_id}/statement").status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Annual statement of compliance"
    assert page.get_by_text("DRAFT").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    filename = download.value.suggested_filename
    assert filename.startswith("statement-") and filename.endswith(".pdf")
    check(page, "statement-submitted")


def test_a_draft_statement_has_no_violations(page, base_url, live_app):
    return_id = demo_return(live_app, "Brackenford Police")
    sign_in(page, base_url)
    assert page.goto(f"{base_url}/returns/{return_id}/statement").status == 200
    assert page.get_by_text("DRAFT: this return has not been signed").is_visible()
    check(page, "statement-draft")
