"""The evidence register in a real browser: as it opens, a first and a middle page, filtered, with no results, with an
unknown requirement reported, on a phone-sized screen, and its CSV download."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check, sign_in

pytestmark = pytest.mark.browser


def _show(page) -> None:
    page.get_by_role("button", name="Show evidence").click()
    page.wait_for_load_state()


def _showing(page) -> str:
    return page.locator("#register-showing").inner_text()


def test_evidence_register_page(page, base_url):
    sign_in(page, base_url, "auditor@demo.example")
    page.get_by_role("link", name="Evidence register").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Evidence register"
    # It opens at the current cycle (other browser tests may have opened one of their own, with no evidence yet).
    assert page.get_by_label("Cycle").locator("option:checked").inner_text() != "All cycles"
    check(page, "evidence-register")

    page.get_by_label("Cycle").select_option(label="All cycles")
    _show(page)
    pages = page.get_by_role("navigation", name="Evidence register pages")
    assert _showing(page).startswith("Showing 1 to 50 of ") and page.locator("tbody tr").count() == 50
    check(page, "evidence-register-first-page")
    pages.get_by_role("link", name="Page 2").click()
    page.wait_for_load_state()
    pages.get_by_role("link", name="Page 3").click()
    page.wait_for_load_state()
    assert "cycle=all" in page.url and "page=3" in page.url
    assert _showing(page).startswith("Showing 101 to 150 of ") and page.title().startswith("Evidence register (page 3")
    assert pages.get_by_role("link", name="Previous page").count() == 1
    assert pages.get_by_role("link", name="Next page").count() == 1
    check(page, "evidence-register-middle-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="as CSV").click()
    assert download.value.suggested_filename == "evidence-register-all-cycles.csv"

    page.get_by_label("Organisation").select_option(label="Brackenford Police")
    _show(page)
    assert "organisation=" in page.url and page.locator("tbody tr").count() > 0
    check(page, "evidence-register-filtered")
    page.get_by_label("Only expired evidence").check()
    _show(page)
    assert "expired=yes" in page.url
    check(page, "evidence-register-expired")
    page.get_by_label("Verification status").select_option(label="Verified")
    page.get_by_label("Cycle").select_option(index=1)
    _show(page)
    assert page.locator("table").count() == 0 and "No evidence in " in page.locator("main").inner_text()
    check(page, "evidence-register-no-results")
    page.get_by_label("Framework").select_option(index=1)
    page.get_by_label("Requirement").fill("no-such-ref")
    _show(page)
    assert page.title().startswith("Error: ")
    assert "there is no “no-such-ref”" in page.locator(".govuk-error-summary").inner_text()
    check(page, "evidence-register-unknown-requirement")
    assert page.js_errors == []


def test_on_a_phone_the_table_scrolls_in_its_own_region_not_the_page(page, base_url):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, base_url, "auditor@demo.example")
    page.goto(base_url + "/evidence-register?cycle=all")
    region = page.get_by_role("region", name="Showing 1 to 50 of")
    assert region.get_attribute("tabindex") == "0"
    widths = page.evaluate("""() => {
        const region = document.querySelector('.app-table-wrapper');
        return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                table: region.scrollWidth, shown: region.clientWidth};
    }""")
    assert widths["page"] <= widths["window"], "the whole page scrolls sideways"
    assert widths["table"] > widths["shown"], "the table is wider than a phone, so its region scrolls"
    assert page.get_by_text("scroll it sideways to see every column").is_visible()
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.app-table-wrapper').scrollLeft > 0")
    check(page, "evidence-register-phone")
