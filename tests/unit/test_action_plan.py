"""The partnership's action plan in the core (naming, order, the one overdue rule, filters, counts) and its CSV."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from compliance.core.actions import ActionFilters, action_plan, counts_text, plan_actions
from compliance.core.returns import action_overdue
from compliance.render.actions import actions_csv
from tests.builders import FOUR_LEVELS, OTHER, OverallRule, framework, requirement

TODAY = date(2027, 5, 10)
PROTO_V2 = framework("proto", FOUR_LEVELS, [requirement("r2"), requirement("r1")], OverallRule("worst-rating-wins"))


def row(organisation, requirement_id, *, due="2027-06-01", status="in-progress", key=PROTO_V2.key, org_id=None,
        what="Do it", ref=None, title=None):
    return {"organisation_id": org_id or sum(map(ord, organisation)), "organisation_name": organisation, "return_id": 1,
            "version": 1, "framework_key": key, "requirement_id": requirement_id, "ref": ref or requirement_id,
            "title": title or f"Signed title {requirement_id}", "what": what, "owner": "Lead", "due_date": due,
            "status": status}


@pytest.mark.parametrize(("due", "status", "overdue"), [
    ("2027-05-09", "in-progress", True),
    ("2027-05-09", "not-started", True),
    ("2027-05-09", "done", False),
    ("2027-05-10", "in-progress", False),  # due today is not yet overdue
    ("2027-05-11", "not-started", False),
    (None, "in-progress", False),
])
def test_overdue_is_the_one_rule_the_sign_page_counts_by(due, status, overdue):
    found = plan_actions([row("Alpha", "r1", due=due, status=status)], [PROTO_V2], today=TODAY)[0]
    assert found.overdue is overdue is action_overdue({"due_date": due, "status": status}, TODAY)


def test_actions_are_named_from_the_cycles_framework_and_ordered_by_organisation_then_requirement():
    rows = [row("bravo", "r1", what="B r1"), row("Alpha", "r1", what="A r1 late", due="2027-07-01"),
            row("Alpha", "r1", what="A r1 soon"), row("Alpha", "r2", what="A r2"),
            row("Alpha", "x1", key=OTHER.key, what="A x1")]
    found = plan_actions(rows, [PROTO_V2, OTHER], today=TODAY)
    assert [a.what for a in found] == ["A r2", "A r1 soon", "A r1 late", "A x1", "B r1"]
    assert found[0].requirement == "proto, r2. Title r2" and found[0].framework_id == "proto"
    assert found[0].status_label == "In progress"


def test_a_requirement_the_cycles_frameworks_no_longer_hold_keeps_what_was_signed():
    found = plan_actions([row("Alpha", "gone", key="retired@1", ref="9", title="An old requirement")], [PROTO_V2],
                         today=TODAY)[0]
    assert (found.framework, found.ref, found.title) == ("retired", "9", "An old requirement")


def test_filters_keep_what_they_name_and_counts_cover_all_and_shown():
    actions = plan_actions([row("Alpha", "r1", org_id=1, due="2027-01-01"), row("Alpha", "r2", org_id=1),
                            row("Bravo", "r1", org_id=2, status="done", due="2027-01-01"),
                            row("Bravo", "x1", org_id=2, key=OTHER.key, due="2027-01-01")],
                           [PROTO_V2, OTHER], today=TODAY)

    def kept(**filters):
        return [(a.organisation, a.requirement_id) for a in action_plan(actions, cycle="2026/27",
                                                                        filters=ActionFilters(**filters)).actions]

    assert kept() == [("Alpha", "r2"), ("Alpha", "r1"), ("Bravo", "r1"), ("Bravo", "x1")]
    assert kept(overdue=True) == [("Alpha", "r1"), ("Bravo", "x1")]
    assert kept(organisation=2) == [("Bravo", "r1"), ("Bravo", "x1")]
    assert kept(framework="proto") == [("Alpha", "r2"), ("Alpha", "r1"), ("Bravo", "r1")]
    assert kept(framework="proto", requirement="r1") == [("Alpha", "r1"), ("Bravo", "r1")]
    assert kept(status="done") == [("Bravo", "r1")]
    plan = action_plan(actions, cycle="2026/27", filters=ActionFilters(organisation=1))
    assert (plan.counts_text, plan.total_counts_text) == ("2 actions, 1 overdue", "4 actions, 2 overdue")
    assert plan.organisations == ((1, "Alpha"), (2, "Bravo")), "the filter offers every organisation, not the shown"
    assert plan.filters.any and not ActionFilters().any


def test_counts_read_as_words():
    assert counts_text(23, 5) == "23 actions, 5 overdue"
    assert counts_text(1, 0) == "1 action, none overdue"
    assert counts_text(1200, 1) == "1,200 actions, 1 overdue"
    assert counts_text(0, 0) == "No actions"


def test_the_csv_neutralises_every_text_a_spreadsheet_would_run():
    hostile = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab", "\rReturn"]
    actions = plan_actions([row(text, "r1", what=text) | {"owner": text} for text in hostile], [PROTO_V2],
                           today=TODAY)
    rows = list(csv.reader(io.StringIO(actions_csv("=2026/27", actions))))
    assert rows[0][:3] == ["Cycle", "Organisation", "Framework"]
    for line in rows[1:]:
        assert line[0] == "'=2026/27"
        assert line[1].startswith("'") and line[5].startswith("'") and line[6].startswith("'")
        assert line[7] == "1 June 2027" and line[8] == "In progress" and line[9] == ""
