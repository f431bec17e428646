"""The board paper worked out from a hand-computed matrix: the summary in words, the most red and amber, the
organisations' summaries, overdue actions and disagreements; and improvement actions read the sign page's way."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

from compliance.core.actions import ActionItem, action_item, plan_actions
from compliance.core.board_paper import board_paper
from compliance.core.matrix import build_matrix
from tests.builders import FW, OTHER, ROWS, SECTORS, ratings

PREPARED = datetime(2026, 7, 1, 13, 7, tzinfo=timezone.utc)  # 2:07pm in London (BST)
LATE = ActionItem("Bravo Police", "proto, r3. Title r3", "Write the policy", "Head of safeguarding",
                  "31 May 2026", "In progress", overdue=True)
ON_TIME = ActionItem("Alpha Police", "proto, r2. Title r2", "Train staff", "HR", "31 March 2027", "Not started",
                     overdue=False)


def _paper(rows=ROWS, actions=(), **options):
    matrix = build_matrix([FW, OTHER], rows, None, sectors=SECTORS, cycle="2025/26", **options)
    return board_paper(matrix, actions, partnership="WDVF", cycle_name="2025/26", prepared=PREPARED)


def test_the_summary_says_in_words_what_a_board_member_should_look_at():
    paper = _paper(actions=[LATE, ON_TIME])
    assert paper.prepared == "1 July 2026 at 2:07pm"
    assert paper.standing == "Provisional"
    assert paper.summary[0] == ("Provisional figures: the cycle is still open, so these will change as returns come "
                                "in. 3 of 4 organisations returned (not yet returned: 1 in progress).")
    assert "proto: 57% met (provisional), 3 of 4 organisations returned." in paper.summary
    assert ("Most red and amber: proto, r1. Title r1, 1 red and 0 amber (3 of 4 organisations returned); 1 other "
            "requirement has as many." in paper.summary)
    assert "Most red: Bravo Police, 1 red answer; 1 other organisation has as many." in paper.summary
    assert "Auditors have not checked any answer yet." in paper.summary
    assert paper.summary[-1] == "1 improvement action of 2 is overdue, in 1 organisation."
    assert paper.not_returned_text == "Not yet returned: Delta Health (in progress)."


def test_requirements_and_organisations_with_most_red_come_first_with_their_titles_and_coverage():
    paper = _paper()
    assert [(r.label, r.red, r.amber, r.returned_text) for r in paper.requirements] == [
        ("proto, r1. Title r1", 1, 0, "3 of 4 organisations returned"),
        ("proto, r3. Title r3", 1, 0, "3 of 4 organisations returned"),
        ("proto, r2. Title r2", 0, 1, "3 of 4 organisations returned")]
    assert paper.organisations_most_red == (("Bravo Police", 1, 0), ("Charlie Health", 1, 0))
    assert dict(paper.statuses)["Submitted"] == 2 and dict(paper.statuses)["In progress"] == 1
    assert [f.short_title for f in paper.frameworks] == ["proto", "other"]
    assert [r.label for r in paper.frameworks[0].requirements] == ["r1. Title r1", "r2. Title r2", "r3. Title r3"]


def test_each_returned_organisation_has_a_summary_of_its_reds_ambers_actions_and_disagreements():
    rows = [ROWS[0], replace(ROWS[1], validated=ratings(r1="not-met")), *ROWS[2:]]
    paper = _paper(rows, actions=[LATE, ON_TIME])
    by_name = {o.name: o for o in paper.organisations}
    assert set(by_name) == {"Alpha Police", "Bravo Police", "Charlie Health"}, "Delta Health has not returned"
    bravo = by_name["Bravo Police"]
    assert [(r.requirement, r.rating) for r in bravo.red] == [("proto, r3. Title r3", "Not met")]
    assert bravo.overdue == (LATE,) and by_name["Alpha Police"].overdue == ()
    assert [(r.requirement, r.rating, r.validated) for r in bravo.disagreements] == [
        ("proto, r1. Title r1", "Met", "Not met")]
    assert [(r.requirement, r.rating) for r in by_name["Alpha Police"].amber] == [("proto, r2. Title r2",
                                                                                  "Partially met")]
    assert dict(bravo.overall)["proto"] == "Not met"
    assert ("Auditors have checked 1 of the 9 answers returned; they disagree with 1 self-assessed rating in 1 "
            "organisation.") in paper.summary
    assert paper.disagreeing_requirements[0].label == "proto, r1. Title r1"


def test_a_closed_cycle_is_final_and_a_quiet_one_says_nothing_is_wrong():
    calm = [replace(r, ratings=ratings(r1="met", r2="met", r3="met")) for r in ROWS[:3]]
    paper = _paper(calm, final=True)
    assert paper.standing == "Final"
    assert paper.summary[0] == "Final figures: the cycle is closed. 3 of 3 organisations returned."
    assert "No requirement has a red or amber answer." in paper.summary
    assert "No organisation has a red answer." in paper.summary
    assert paper.summary[-1] == "No improvement action is overdue."


def test_actions_are_overdue_by_the_sign_pages_rule_and_read_with_names():
    rows = [{"organisation_id": 1, "organisation_name": "Alpha Police", "return_id": 11, "version": 1,
             "framework_key": FW.key, "requirement_id": "r1", "ref": "r1", "title": "Title r1", "what": f"Train {n}",
             "owner": "HR", "due_date": due, "status": status}
            for n, (due, status) in enumerate([("2026-06-30", "in-progress"), ("2026-06-30", "done"),
                                               ("2026-07-01", "not-started"), (None, "in-progress")])]
    found = [action_item(a) for a in sorted(plan_actions(rows, [FW], today=date(2026, 7, 1)), key=lambda a: a.what)]
    assert [a.overdue for a in found] == [True, False, False, False], "due before today and not done"
    assert found[0].requirement == "proto, r1. Title r1"
    assert (found[0].due_date, found[0].status, found[2].status) == ("30 June 2026", "In progress", "Not started")


def test_before_any_return_is_in_there_is_no_percentage_and_it_says_so():
    waiting = [replace(r, ratings=None, version=None, status="in-progress") for r in ROWS]
    paper = _paper(waiting, actions=[ON_TIME, replace(LATE, overdue=False)])
    assert "proto: no % met yet (provisional), 0 of 4 organisations returned." in paper.summary
    assert paper.frameworks[0].percent_text == "None yet" and paper.organisations == ()
    assert paper.summary[-1] == "None of the 2 improvement actions is overdue."


def test_checks_that_agree_are_counted_so_no_disagreement_is_not_read_as_nothing_checked():
    checked = [replace(ROWS[0], validated=ratings(r1="met", r2="partially-met")), *ROWS[1:]]
    paper = _paper(checked)
    assert ("Auditors have checked 2 of the 9 answers returned and agree with every self-assessed rating they "
            "checked.") in paper.summary
