"""The partnership's strategy in the board pack (render/plan.py), read back with pdftotext: after the executive
summary and before the figures by requirement, each theme's actions with their progress in words, each measure's
figures with the rule, the risk register by score; hostile text printed as typed; and nothing of it in a pack built
without the plan."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone

import pytest

from compliance.core.matrix import build_matrix
from compliance.render.boardpack import render_board_pack
from tests.builders import FW, OTHER, PLAN_HOSTILE, ROWS, SECTORS, plan_values, signed

PREPARED = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def _text(tmp_path, **options) -> str:
    matrix = build_matrix([FW, OTHER], ROWS, None, sectors=SECTORS, cycle="2025/26")
    data = render_board_pack(matrix, [signed()], partnership="Wolverhampton Domestic Violence Forum",
                             cycle_name="2025/26", prepared=PREPARED, **options)
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def with_plan(tmp_path_factory):
    return _text(tmp_path_factory.mktemp("pack"), plan=plan_values())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_strategy_follows_the_executive_summary_and_precedes_the_figures(with_plan):
    summary = with_plan.index("Executive summary")
    strategy = with_plan.index("Strategy: Brackenford Domestic Abuse Strategy")
    figures = with_plan.index("Figures by requirement")
    assert summary < strategy < figures
    assert "What follows: the partnership's strategy (its actions, measures and risks), the figures" in _flat(
        with_plan[summary:strategy])
    section = with_plan[strategy:figures]
    for theme in ("Prevention", "Provision", "Protection & Justice", "Performance", "Risk register"):
        assert re.search(rf"^\s*{re.escape(theme)}\s*$", section, re.M), theme


def test_actions_measures_and_risks_say_their_colours_in_words(with_plan):
    section = _flat(with_plan[with_plan.index("Strategy: Brackenford"):with_plan.index("Figures by requirement")])
    # (words in a narrow column wrap, and pdftotext reads the lines of a row's cells in turn: short ones are looked for)
    for words in ("2 actions: 2 off track, 1 overdue", "OVERDUE", "1 some risk to delivery", "Green: on",
                  "Repeat perpetrators discussed at MARAC", "Better than the year before",
                  "Worse than the year before", "19, 2024/25's figure", "Within tolerance",
                  "No figures yet. They fill themselves from signed returns.",
                  "5 risks: 1 very high, 1 high, 2 medium, 1 low; 1 review overdue", "Very high: 20",
                  "Likelihood 4 ×", "30 November 2026"):
        assert words in section, words
    # each colour named, then its words, with the rule in words beside it
    assert "Green: better Green when a year's figure is below" in section and "Red: worse" in section
    # charts are drawn, with their key and labels, for the three measures with figures
    assert section.count("Target for the year") == 2 and section.count("Baseline (2023/24)") == 3


def test_hostile_text_prints_as_typed(with_plan):
    flat = _flat(with_plan)
    assert _flat(PLAN_HOSTILE)[:40] in flat.replace("<script> alert", "<script>alert")
    assert "Zoë <i>Ünal</i>" in flat and "Staff trained <b>&</b> =ready" in flat
    assert "&amp;" not in flat and "&lt;" not in flat


def test_a_pack_without_the_plan_has_nothing_of_it(tmp_path):
    text = _text(tmp_path)
    assert "Strategy:" not in text and "Risk register" not in text and "the partnership's strategy" not in text
    assert "What follows: the figures for every requirement" in _flat(text)


def test_a_pack_with_the_plan_must_know_when_it_was_prepared():
    matrix = build_matrix([FW, OTHER], ROWS, None, sectors=SECTORS, cycle="2025/26")
    with pytest.raises(ValueError, match="needs the moment it was prepared"):
        render_board_pack(matrix, [], partnership="WDVF", cycle_name="2025/26", plan=plan_values())
