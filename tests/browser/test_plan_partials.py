"""The plan's board-facing partials (templates/plan/_theme.html) in a real browser, checked by axe-core and
HTML_CodeSniffer in each state: a theme with actions, measures (charts and their tables) and risks, hostile text
included; a theme with nothing yet; the whole plan as the board pack's web page shows it; and a workbook's import
(templates/plan/_import.html) with problems, and without: its preview.

A route of this module's own app renders each state inside the site's layout from values alone (the demo's plan with
hostile text, which no store holds, and no links to the plan's own pages); tests/browser/test_plan_pages.py checks the
service's pages that hold the same partials, with their links.
"""
from __future__ import annotations

import io
import threading
from dataclasses import replace

import pytest
from flask import render_template_string
from openpyxl import load_workbook
from waitress import create_server

from compliance.core.plan import Theme
from compliance.core.plan_import import check_plan_workbook, preview
from compliance.render.plan_page import plan_page, theme_page
from compliance.render.plan_template import plan_template
from compliance.render.workbooks import saved
from compliance.web.access import public
from tests.browser.conftest import check
from tests.builders import PLAN_HOSTILE, PLAN_TODAY, make_app, plan_values

pytestmark = pytest.mark.browser

IMPORT = """{% extends "base.html" %}
{% from "plan/_import.html" import import_problems, import_preview %}
{% block title %}Load an action plan{% endblock %}
{% block main_content %}{{ caption_heading(caption, "Load an action plan or measures") }}
{% if problems %}{{ import_problems(problems) }}{% else %}{{ import_preview(actions, measures) }}{% endif %}
{% endblock %}"""
PAGE = """{% extends "base.html" %}
{% from "plan/_theme.html" import theme_section, plan_section %}
{% block title %}{{ heading }}{% endblock %}
{% block main_content %}
{% if theme %}{{ caption_heading(caption, heading) }}{{ theme_section(theme.report, theme.charts) }}
{% else %}<h1 class="govuk-heading-xl">{{ heading }}</h1>{{ plan_section(plan) }}{% endif %}
{% endblock %}"""


def _import(state: str):
    """A workbook with problems on every sheet, or one with none: its preview."""
    strategy = plan_values().strategy
    book = load_workbook(io.BytesIO(plan_template(strategy)))
    book["Actions"].append(["Prevention", "'" + PLAN_HOSTILE, "", "Haven Lane Women's Aid", "Rosa Martínez",
                            "soon" if state == "import-errors" else "2026/27 Q3", "", "", "", "On track", "Begun"])
    book["Measures"].append(["", "Repeat perpetrators", "", "Count", "Lower is better",
                             "Against the year before (year on year)", "", "2023/24", "23%" if state == "import-errors"
                             else "23", "Dana Hollis"])
    book["Figures"].append(["Repeat perpetrators", "2024/25", "19"])
    result = check_plan_workbook(saved(book), "plan.xlsx", strategy=strategy)
    actions, measures = preview(result, strategy)
    return render_template_string(IMPORT, caption=strategy.title, problems=result.problems, actions=actions,
                                  measures=measures)


def _state(state: str):
    if state.startswith("import"):
        return _import(state)
    values = plan_values()
    if state == "plan":
        return render_template_string(PAGE, heading="Board pack", plan=plan_page(values, today=PLAN_TODAY))
    if state == "empty":
        strategy = replace(values.strategy, themes=(*values.strategy.themes, Theme(9, "Prevention & Early Help")))
        values = replace(values, strategy=strategy)
        page = theme_page(values, 9, today=PLAN_TODAY)
    else:
        page = theme_page(values, int(state), today=PLAN_TODAY)
    return render_template_string(PAGE, caption=values.strategy.title, heading=page.report.theme.name, theme=page)


@pytest.fixture(scope="module")
def plan_url(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("plan-partials"))
    app.add_url_rule("/test-plan/<state>", "test_plan", public(_state))
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/test-plan"
    server.close()


@pytest.mark.parametrize("state", ["1", "2", "3", "4", "empty", "plan", "import-errors", "import-preview"])
def test_each_state_of_the_plan_partials_passes_both_engines_wide_and_narrow(page, plan_url, state):
    page.goto(f"{plan_url}/{state}")
    check(page, f"plan-partial-{state}")
    page.set_viewport_size({"width": 375, "height": 800})
    check(page, f"plan-partial-{state}-narrow")
    # the page itself never scrolls sideways on a phone: wide tables scroll in their own regions
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_hostile_text_shows_as_typed_and_runs_nothing(page, plan_url):
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{plan_url}/1")
    assert page.locator("hostile-tag-7").count() == 0 and page.locator("main script").count() == 0
    assert page.get_by_role("rowheader").filter(has_text='<script>alert("plan")</script> & Sons').count() == 1
    assert page.get_by_text("Zoë <i>Ünal</i> & co").count() == 1
    assert alerts == []


def test_every_chart_is_named_and_followed_by_its_figures(page, plan_url):
    page.goto(f"{plan_url}/plan")
    charts = page.get_by_role("img")
    names = [charts.nth(i).get_attribute("aria-labelledby") for i in range(charts.count())]
    assert names == ["measure-1-title measure-1-desc", "measure-2-title measure-2-desc",
                     "measure-3-title measure-3-desc"]  # the fourth has no figures yet: neither chart nor table
    for measure in (1, 2, 3):
        table = page.locator(f"#measure-{measure}-caption")
        assert table.count() == 1 and "the figures" in table.inner_text()
    assert page.get_by_text("No figures yet: they fill themselves from signed returns.").count() == 1
    # each colour is in words next to it, never colour alone
    assert page.locator("table .app-rag").filter(has_text="Red: worse than the year before").count() == 1
    assert page.get_by_text("Review overdue", exact=True).count() == 1


def test_an_imports_problems_are_listed_by_place_and_a_clean_one_is_previewed(page, plan_url):
    page.goto(f"{plan_url}/import-errors")
    rows = page.get_by_role("rowheader")
    assert rows.nth(0).inner_text() == "Sheet Actions, row 2, column F (Timescale)"
    assert rows.nth(1).inner_text() == "Sheet Measures, row 2, column I (Baseline)"
    assert page.get_by_text("Nothing has been added.").count() == 1
    page.goto(f"{plan_url}/import-preview")
    assert page.locator("caption").all_inner_texts() == ["1 action to add", "1 measure to add"]
    assert page.get_by_role("rowheader").filter(has_text='<script>alert("plan")</script>').count() == 1
    assert page.get_by_text("2024/25: 19").count() == 1
