"""The partnership matrix in a real browser: zero axe-core violations and zero HTML_CodeSniffer errors, unfiltered,
filtered and at 375 px; at 1366x768 the protocol's requirement titles and Overall fit without sideways scrolling; at
375 px a list by organisation instead of the grid; printed on A4 landscape every requirement and every organisation
appear; the region is reached and scrolled by keyboard, and a focused cell is never under the sticky headers."""
from __future__ import annotations

import re
import subprocess  # nosec B404: pdftotext, a fixed command on a file the test wrote
from pathlib import Path

import pytest

from compliance import store
from compliance.services.returns import cycle_frameworks
from compliance.web.requests import get_db
from tests.browser.conftest import check, open_cycle_id
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-partnership-2026"
PROTOCOL = "wdvf-overarching-protocol-2018"


def sign_in(page, base_url, email="board@demo.example"):
    browser_sign_in(page, base_url, email, DEMO_PASSWORD)


def open_matrix(page, base_url, live_app, query=""):
    sign_in(page, base_url)
    page.goto(f"{base_url}/cycles/{open_cycle_id(live_app)}/matrix{query}")
    page.wait_for_load_state()


def frameworks_and_organisations(live_app):
    """The open cycle's frameworks in order, and the organisations whose return is in the matrix."""
    with live_app.app_context():
        cycle_id = open_cycle_id(live_app)
        frameworks = cycle_frameworks(get_db(), cycle_id)
        names = [r["organisation_name"] for r in store.returns_for_cycle(get_db(), cycle_id) if not r["withdrawn_at"]]
    return frameworks, names


def inside(box, outer, slack=1):
    return (box["x"] >= outer["x"] - slack and box["y"] >= outer["y"] - slack
            and box["x"] + box["width"] <= outer["x"] + outer["width"] + slack
            and box["y"] + box["height"] <= outer["y"] + outer["height"] + slack)


def test_the_matrix_has_no_accessibility_violations(page, base_url, live_app):
    open_matrix(page, base_url, live_app)
    frameworks, _ = frameworks_and_organisations(live_app)
    tables = page.locator("table.app-matrix__table")
    # a table per framework in the cycle's order (the demo's: its own protocol first, BVPI 225 last)
    assert tables.evaluate_all("tables => tables.map(t => t.id)") == [f"matrix-{f.id}" for f in frameworks]
    assert tables.first.get_attribute("id") == f"matrix-{PROTOCOL}" and len(frameworks) > 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        "only the matrix's own region scrolls sideways, never the page"
    assert page.locator(".app-matrix").count() == 1, "one scrolling region holds every framework's table"
    assert "None" not in re.findall(r"\w+", page.locator("main").inner_text())
    check(page, "matrix")
    page.get_by_role("link", name="Validated by auditors").click()
    page.wait_for_load_state()
    assert "view=validated" in page.url
    assert "None" not in re.findall(r"\w+", page.locator("main").inner_text())
    check(page, "matrix-validated-view")


def test_the_filtered_matrix_has_no_accessibility_violations(page, base_url, live_app):
    open_matrix(page, base_url, live_app)
    page.get_by_label("Sector").select_option(label="Police")
    page.get_by_role("button", name="Show matrix").click()
    page.wait_for_load_state()
    assert "sector=police" in page.url
    # BVPI 225 asks nothing of the police: its table is left out, and the page says so
    assert page.locator("#matrix-bvpi-225").count() == 0 and page.locator(f"#matrix-{PROTOCOL}").count() == 1
    assert "BVPI 225" in page.locator("#left-out").inner_text()
    check(page, "matrix-filtered-sector")
    page.get_by_label("Framework").select_option(index=1)
    page.get_by_role("button", name="Show matrix").click()
    page.wait_for_load_state()
    assert page.locator("tbody th[scope=row]").count() >= 1
    check(page, "matrix-filtered")
    page.get_by_label("Return status").select_option(label="Accepted")
    page.get_by_role("button", name="Show matrix").click()
    page.wait_for_load_state()
    check(page, "matrix-filtered-empty")


def test_at_1366_the_protocols_titles_and_overall_fit_without_scrolling_sideways(page, base_url, live_app):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_matrix(page, base_url, live_app)
    frameworks, _ = frameworks_and_organisations(live_app)
    protocol = next(f for f in frameworks if f.id == PROTOCOL)
    region = page.locator(".app-matrix")
    region.evaluate("element => element.scrollIntoView()")
    viewport = {"x": 0, "y": 0, "width": 1366, "height": 768}
    box = region.bounding_box()
    assert region.evaluate("element => element.scrollLeft") == 0
    headers = page.locator(f"#matrix-{PROTOCOL} thead th")
    titles = headers.locator(".app-matrix__title")
    assert titles.count() == len(protocol.requirements) + 2  # and Overall, and Disagreements
    for index, requirement in enumerate(protocol.requirements):
        title = titles.nth(index)
        assert title.inner_text().strip() == requirement.title
        assert title.is_visible() and "govuk-visually-hidden" not in (title.get_attribute("class") or "")
        shown = title.bounding_box()
        assert shown["width"] > 10 and inside(shown, box) and inside(shown, viewport), requirement.title
    overall = headers.filter(has_text="Overall")
    assert inside(overall.bounding_box(), box) and inside(overall.bounding_box(), viewport)
    first_row_overall = page.locator(f"#matrix-{PROTOCOL} tbody td.app-matrix__overall").first
    assert inside(first_row_overall.bounding_box(), viewport), "the overall column too, not only its header"
    # links in cells are targets of at least 24 by 24 pixels (WCAG 2.2, 2.5.8)
    sizes = page.locator(".app-matrix__link").evaluate_all(
        "links => links.map(l => { const r = l.getBoundingClientRect(); return [r.width, r.height]; })")
    assert sizes and all(width >= 24 and height >= 24 for width, height in sizes)


def test_at_375_a_list_by_organisation_replaces_the_grid(page, base_url, live_app):
    page.set_viewport_size({"width": 375, "height": 800})
    open_matrix(page, base_url, live_app)
    _, names = frameworks_and_organisations(live_app)
    assert page.locator(".app-matrix").is_hidden(), "no grid on a phone"
    listed = page.locator(".app-matrix-list")
    assert listed.is_visible()
    assert set(listed.locator(".app-matrix-list__org h4").all_inner_texts()) == set(names)
    assert listed.locator(".app-matrix-list__flags a").count() > 0, "reds and ambers are named, with links"
    assert "Perpetrator programmes" in listed.inner_text() or "Sharing datasets" in listed.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page never scrolls sideways"
    check(page, "matrix-375")


def test_printed_on_a4_landscape_every_requirement_and_organisation_appears(page, base_url, live_app, tmp_path):
    open_matrix(page, base_url, live_app)
    frameworks, names = frameworks_and_organisations(live_app)
    page.emulate_media(media="print")
    assert page.locator("form").first.is_hidden() and page.locator(".app-matrix-list").is_hidden()
    path = Path(tmp_path) / "matrix.pdf"
    page.pdf(path=str(path), format="A4", landscape=True, print_background=True)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,  # nosec B603 B607
                           text=True).stdout.split("\f")
    flat = [" ".join(text.split()) for text in pages]
    whole = " ".join(flat)
    assert "(/" not in whole and "http" not in whole, "no link addresses printed"
    assert "Show matrix" not in whole and "Download the matrix" not in whole, "no filters or buttons printed"
    for framework in frameworks:
        grid = [text for text in flat if f"{framework.short_title}: " in text and "Organisation" in text]
        assert grid, f"{framework.short_title} has pages of its own"
        for requirement in framework.requirements:
            # the turned header may wrap its title, even at a hyphen: every word is on the framework's first page
            assert all(word in grid[0] for word in re.split(r"[\s-]+", requirement.title)), requirement.title
        assert "Overall" in grid[0]
    for name in names:
        assert any(" ".join(name.split()[:2]) in text for text in flat), name
    # the protocol's table runs onto a second page, which repeats its headers and its organisation column
    protocol = [text for text in flat if "Policy for service" in text and "Organisation" in text]
    assert len(protocol) >= 2 and all("Overall" in text for text in protocol)


def test_the_table_region_is_reached_and_scrolled_by_keyboard(page, base_url, live_app):
    page.set_viewport_size({"width": 800, "height": 700})
    open_matrix(page, base_url, live_app)
    region = page.get_by_role("region", name="Partnership matrix")
    page.locator("a", has_text="Download the matrix as a spreadsheet").focus()
    for _ in range(10):  # past the page's other controls (board pack, charts, the framework links) to the region
        page.keyboard.press("Tab")
        if region.evaluate("element => element === document.activeElement"):
            break
    assert region.evaluate("element => element === document.activeElement"), "the region is reached by Tab"
    assert region.evaluate("element => element.scrollWidth > element.clientWidth"), "wide enough to need scrolling"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.app-matrix').scrollLeft > 0")
    page.wait_for_function("() => { const r = document.querySelector('.app-matrix');"
                           " return r.scrollTop > 0 && r.scrollTop + r.clientHeight >= r.scrollHeight - 1; }")
    # the organisation column stays in view however far it scrolls sideways
    box = region.bounding_box()
    name = page.locator(".app-matrix tbody th[scope=row]").last.bounding_box()
    assert abs(name["x"] - box["x"]) < 3
    # and a table's header row while its rows scroll under it: back to the top, then a page down the protocol
    page.keyboard.press("Home")
    page.wait_for_function("() => document.querySelector('.app-matrix').scrollTop === 0")
    page.keyboard.press("PageDown")
    page.wait_for_function("""() => {
      const region = document.querySelector('.app-matrix').getBoundingClientRect();
      const head = document.querySelector('.app-matrix table thead th').getBoundingClientRect();
      return document.querySelector('.app-matrix').scrollTop > 100 && Math.abs(head.top - region.top) < 3;
    }""")
    check(page, "matrix-scrolled")


HIDDEN_FOCUS = """() => {
  const focused = document.activeElement, cell = focused.getBoundingClientRect(), table = focused.closest('table');
  if (!table) return ['focus left the table'];
  const head = table.querySelector('thead th').getBoundingClientRect();
  const row = focused.closest('tr').querySelector('th').getBoundingClientRect();
  const region = document.querySelector('.app-matrix'), outer = region.getBoundingClientRect();
  const right = outer.left + region.clientLeft + region.clientWidth;
  const bottom = outer.top + region.clientTop + region.clientHeight;
  const name = focused.closest('th[scope=row]');  // an organisation's name is in the sticky column itself
  const hidden = cell.top < head.bottom - 1 || (!name && cell.left < row.right - 1) || cell.right > right + 1
                 || cell.bottom > bottom + 1 || cell.bottom > window.innerHeight + 1;
  return hidden ? [focused.getAttribute('href')] : [];
}"""


def test_a_focused_cell_is_never_under_the_sticky_headers(page, base_url, live_app):
    page.set_viewport_size({"width": 1024, "height": 600})
    open_matrix(page, base_url, live_app)
    links = page.locator(f"#matrix-{PROTOCOL} a")  # each cell's link, and each organisation's name
    total = links.count()
    assert total > 20
    links.first.focus()
    covered = []
    for _ in range(total - 1):  # Tab through every cell link, along each row and down the table
        page.keyboard.press("Tab")
        covered += page.evaluate(HIDDEN_FOCUS)
    assert links.nth(total - 1).evaluate("element => element === document.activeElement"), "reached the lowest cell"
    for _ in range(total - 1):  # and back up with Shift+Tab, where the rows come out from under the header
        page.keyboard.press("Shift+Tab")
        covered += page.evaluate(HIDDEN_FOCUS)
    assert links.first.evaluate("element => element === document.activeElement")
    assert covered == [], f"focused cells hidden under the sticky headers or outside the region: {covered}"
