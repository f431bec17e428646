"""The plan's partials (templates/plan/_theme.html) rendered through the app's own Jinja environment: every colour
with its words, each chart followed by its table, the board paper's page with and without the plan, and hostile text
escaped. (tests/browser/test_plan_partials.py checks the same partials with axe-core and HTML_CodeSniffer.)"""
from __future__ import annotations

import re

import pytest

from compliance.render.plan_page import plan_page, theme_page
from tests.builders import MARKER, PLAN_TODAY, make_app, plan_values

THEME = '{% from "plan/_theme.html" import theme_section %}{{ theme_section(page.report, page.charts) }}'
PLAN = '{% from "plan/_theme.html" import plan_section %}{{ plan_section(page) }}'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("plan-templates"))


def _render(app, source: str, page) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(source).render(page=page)


def test_a_theme_shows_its_actions_measures_and_risks_each_colour_in_words(app):
    html = _render(app, THEME, theme_page(plan_values(hostile=False), 3, today=PLAN_TODAY))
    assert '<strong class="app-rag app-rag--red">Red: off track</strong>' in html
    assert '<strong class="app-rag app-rag--green">Green: better than the year before</strong>' in html
    assert '<strong class="app-rag app-rag--red">Red: worse than the year before</strong>' in html
    assert '<strong class="app-rag app-rag--red">High: 12</strong>' in html
    assert html.count("Overdue") == 1 and "Review overdue" in html
    # the chart, then its table with the same figures and the rule in words
    chart, table = html.index('aria-labelledby="measure-3-title measure-3-desc"'), html.index('id="measure-3-caption"')
    assert chart < table
    assert "19, 2024/25&#39;s figure" in html and "Green when a year&#39;s figure is below" in html
    assert "12 November 2026 at 11:20am, Marcus Oyelaran" in html


def test_hostile_text_is_escaped_in_the_page_and_its_chart(app):
    html = _render(app, THEME, theme_page(plan_values(), 1, today=PLAN_TODAY))
    assert "<script>" not in html and f"<{MARKER}>" not in html
    assert "&lt;script&gt;alert(&#34;plan&#34;)&lt;/script&gt; &amp; Sons &lt;hostile-tag-7&gt;" in html
    assert "Zoë &lt;i&gt;Ünal&lt;/i&gt; &amp; co" in html
    assert "<title id=\"measure-1-title\">Staff trained &lt;b&gt;&amp;&lt;/b&gt; =ready: figures" in html


def test_the_whole_plan_lists_each_theme_then_one_risk_register(app):
    html = _render(app, PLAN, plan_page(plan_values(hostile=False), today=PLAN_TODAY))
    headings = re.findall(r'<h3 class="govuk-heading-m" id="(theme-\d|risk-register)">', html)
    assert headings == ["theme-1", "theme-2", "theme-3", "theme-4", "risk-register"]
    assert html.count('role="img"') == 3 and "No figures yet: they fill themselves from signed returns." in html
    assert "5 risks: 1 very high, 1 high, 2 medium, 1 low; 1 review overdue" in html


def test_the_board_papers_page_shows_the_plan_only_when_given_it(app):
    from flask import render_template

    from compliance.core.board_paper import NO_DISAGREEMENT, NO_OVERDUE, NO_RATINGS, board_paper
    from compliance.core.matrix import build_matrix
    from tests.builders import FW, OTHER, ROWS, SECTORS

    paper = board_paper(build_matrix([FW, OTHER], ROWS, None, sectors=SECTORS, cycle="2025/26"), [],
                        partnership="WDVF", cycle_name="2025/26", prepared=None)
    common = {"cycle": {"id": 1, "name": "2025/26"}, "paper": paper, "NO_RATINGS": NO_RATINGS,
              "NO_OVERDUE": NO_OVERDUE, "NO_DISAGREEMENT": NO_DISAGREEMENT}
    with app.test_request_context():
        without = render_template("boardpack/paper.html", **common)
        with_plan = render_template("boardpack/paper.html", plan=plan_page(plan_values(), today=PLAN_TODAY),
                                    **common)
    assert "Risk register" not in without and 'id="strategy"' not in without
    assert with_plan.index("Executive summary") < with_plan.index('id="strategy"') < with_plan.index(
        "Figures by requirement")
