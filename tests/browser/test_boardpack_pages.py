"""The board pack in a real browser: press the button, follow the progress page, download when done."""
from __future__ import annotations

import threading

import pytest

from compliance.services import boardpack_jobs as jobs
from tests.browser.conftest import check, open_cycle_id, sign_in

pytestmark = pytest.mark.browser


def test_the_board_prepares_the_board_pack_and_downloads_it(page, base_url, live_app):
    sign_in(page, base_url, "board@demo.example")
    page.goto(f"{base_url}/cycles/{open_cycle_id(live_app)}/matrix")
    # hold the single worker so the progress page can be checked while the pack waits its turn
    release = threading.Event()
    jobs.pool(live_app).submit(release.wait, 30)
    try:
        page.get_by_role("button", name="Prepare the board pack").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Preparing the board pack"
        assert page.get_by_role("status").inner_text() == "Waiting to start."
        check(page, "board-pack-running")
    finally:
        release.set()
    link = page.get_by_role("link", name="Download the board pack")
    for _ in range(60):
        if link.count():
            break
        page.wait_for_timeout(500)
        page.get_by_role("link", name="Check progress now").click()
        page.wait_for_load_state()
    assert "PDF" in link.inner_text()
    check(page, "board-pack-done")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("board-pack-")


def test_the_board_paper_page_reads_as_the_pack_and_offers_the_pdf(page, base_url, live_app):
    sign_in(page, base_url, "board@demo.example")
    page.goto(f"{base_url}/cycles/{open_cycle_id(live_app)}/matrix")
    page.get_by_role("link", name="Read the board pack as a web page").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Board pack: ")
    assert page.get_by_text("PROVISIONAL", exact=True).is_visible()
    assert page.get_by_role("heading", name="Executive summary").is_visible()
    assert page.get_by_role("table", name="Requirements with the most red and amber").is_visible()
    assert page.get_by_role("button", name="Prepare the board pack (PDF)").is_visible()
    check(page, "board-paper")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= 375"), "on a phone only the tables scroll sideways"
    check(page, "board-paper-phone")
