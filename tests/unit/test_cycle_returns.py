"""The coordinator's view of a cycle without a database: progress, the returns table's sort and filter, and the
work queue."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.core.cycle_returns import (
    Progress,
    ReturnLine,
    Sort,
    filter_lines,
    progress,
    read_sort,
    read_statuses,
    return_line,
    showing_text,
    sort_lines,
    work_queue,
)
from compliance.core.frameworks import OverallRule
from tests.builders import FOUR_LEVELS, framework, requirement

RULE = OverallRule("worst-rating-wins")
PROTOCOL = framework("proto", FOUR_LEVELS, [requirement("r1"), requirement("r2"), requirement("r3"),
                                             requirement("r4", sectors=("local-authority",))], RULE)
K = PROTOCOL.key
TODAY = date(2026, 12, 5)


# Progress -----------------------------------------------------------------------------------------------------------


def test_a_requirement_is_done_only_when_its_answer_is_completed():
    answers = {
        (K, "r1"): {"rating": "met", "narrative": "x", "reason": "", "carried_forward": 0},
        (K, "r2"): {"rating": "partially-met", "narrative": "x", "reason": "", "carried_forward": 0},  # no action
        (K, "r3"): {"rating": "met", "narrative": "x", "reason": "", "carried_forward": 1},  # not yet checked
    }
    assert progress([PROTOCOL], "police", answers, {}) == Progress(1, 3), "r4 is for local authorities only"
    assert progress([PROTOCOL], "police", answers, {(K, "r2"): 1}) == Progress(2, 3), "an action completes r2"
    assert progress([PROTOCOL], "local-authority", answers, {}) == Progress(1, 4)
    assert progress([PROTOCOL], "police", {}, {}) == Progress(0, 3)


def test_a_not_applicable_rating_is_done_only_with_its_reason():
    answer = {"rating": "n-a", "narrative": "", "reason": "  ", "carried_forward": 0}
    assert progress([PROTOCOL], "police", {(K, "r1"): answer}, {}).done == 0
    assert progress([PROTOCOL], "police", {(K, "r1"): {**answer, "reason": "We hold no cases"}}, {}).done == 1


@pytest.mark.parametrize(("done", "total", "text"), [
    (12, 16, "12 of 16 done (75%)"), (9, 16, "9 of 16 done (56%)"), (0, 27, "0 of 27 done (0%)"),
    (16, 16, "16 of 16 done (100%)"), (0, 0, "No requirements to answer"),
])
def test_every_percentage_says_what_it_is_out_of(done, total, text):
    assert Progress(done, total).text == text


# The returns table ----------------------------------------------------------------------------------------------------


def row(name, status, **columns):
    return {"id": abs(hash(name)) % 1000, "organisation_name": name, "status": status, "due_date": "2026-12-01",
            "withdrawn_at": None, **columns}


def line(name, status="in-progress", done=0, total=16, **columns):
    return return_line(row(name, status, **columns), Progress(done, total), today=TODAY, cycle_open=True)


def test_a_return_is_overdue_past_its_due_date_until_submitted_while_the_cycle_is_open():
    assert line("A", "in-progress").overdue and line("A", "returned").overdue
    assert not line("A", "submitted").overdue
    assert not return_line(row("A", "in-progress"), Progress(0, 1), today=date(2026, 12, 1), cycle_open=True).overdue
    assert not return_line(row("A", "in-progress"), Progress(0, 1), today=TODAY, cycle_open=False).overdue


def test_a_withdrawn_return_is_shown_as_withdrawn_and_never_overdue():
    withdrawn = line("A", "in-progress", withdrawn_at="2026-11-01T10:00:00+00:00")
    assert withdrawn.status == "withdrawn" and withdrawn.status_label == "Withdrawn" and withdrawn.withdrawn
    assert not withdrawn.overdue


LINES = [
    line("bravo", "submitted", 16, 16, last_activity="2026-11-02T09:00:00+00:00",
         submitted_at="2026-11-02T09:00:00+00:00", signatory_name="Zoë Whitfield", signatory_job_title="Director"),
    line("Alpha", "not-started", 0, 16, last_activity="2026-10-01T09:00:00+00:00"),
    line("Charlie", "in-progress", 12, 16, last_activity="2026-12-01T09:00:00+00:00"),
    line("Delta", "accepted", 27, 27, last_activity="2026-11-20T09:00:00+00:00",
         submitted_at="2026-11-10T09:00:00+00:00", signatory_name="amy Ashworth", signatory_job_title="Chief"),
    line("Echo", "in-progress", 3, 4, last_activity="2026-11-30T09:00:00+00:00",
         withdrawn_at="2026-11-30T09:00:00+00:00"),
]


def names(lines: list[ReturnLine]) -> list[str]:
    return [each.organisation_name for each in lines]


@pytest.mark.parametrize(("column", "ascending"), [
    ("organisation", ["Alpha", "bravo", "Charlie", "Delta", "Echo"]),
    ("status", ["Alpha", "Charlie", "bravo", "Delta", "Echo"]),  # by stage; withdrawn last
    ("done", ["Alpha", "Charlie", "Echo", "bravo", "Delta"]),  # 0%, then 75% and 100% twice each, by name
    ("activity", ["Alpha", "bravo", "Delta", "Echo", "Charlie"]),
    ("submitted", ["bravo", "Delta", "Alpha", "Charlie", "Echo"]),  # not submitted: last, by name
    ("signatory", ["Delta", "bravo", "Alpha", "Charlie", "Echo"]),  # ignoring case; nobody signed: last
])
def test_each_column_sorts_both_ways_with_blanks_last(column, ascending):
    assert names(sort_lines(LINES, Sort(column))) == ascending
    blanks = {"submitted": 3, "signatory": 3, "status": 1}.get(column, 0)
    present, blank = ascending[:len(ascending) - blanks], ascending[len(ascending) - blanks:]
    descending = names(sort_lines(LINES, Sort(column, descending=True)))
    assert descending[len(present):] == blank, "blanks stay last whichever the direction"
    if column != "done":  # equal percentages keep their order by name
        assert descending[:len(present)] == present[::-1]


def test_equal_values_are_in_order_of_organisation_name():
    same = [line(name, "in-progress", 8, 16) for name in ("Zulu", "alpha", "Mike")]
    assert names(sort_lines(same, Sort("done"))) == ["alpha", "Mike", "Zulu"]
    assert names(sort_lines(same, Sort("done", descending=True))) == ["alpha", "Mike", "Zulu"]


@pytest.mark.parametrize(("column", "order", "expected"), [
    (None, None, Sort("organisation")), ("nonsense", "desc", Sort("organisation")),
    ("done", "desc", Sort("done", True)), ("done", "sideways", Sort("done")),
    ("activity", None, Sort("activity", True)),  # a date column starts newest first
])
def test_the_sort_is_read_from_the_query_string_and_anything_else_is_the_default(column, order, expected):
    assert read_sort(column, order) == expected


def test_a_click_on_the_sorted_column_reverses_it_and_on_another_starts_it_in_its_natural_order():
    assert Sort("organisation").after_click("organisation") == Sort("organisation", True)
    assert Sort("organisation", True).after_click("organisation") == Sort("organisation")
    assert Sort("organisation").after_click("submitted") == Sort("submitted", True)
    assert Sort("submitted", True).after_click("status") == Sort("status")
    assert Sort("done").aria_sort("done") == "ascending" and Sort("done", True).aria_sort("done") == "descending"
    assert Sort("done").aria_sort("status") is None, "only the sorted column says how it is sorted"
    assert Sort("activity", True).text == "Sorted by last activity, newest first"
    assert Sort("organisation").text == "Sorted by organisation, A to Z"
    assert Sort("submitted", True).text == "Sorted by date submitted, latest first"


def test_the_status_filter_keeps_only_statuses_on_offer_in_the_tables_order():
    assert read_statuses(["accepted", "nonsense", "not-started", "withdrawn"]) == ("not-started", "accepted",
                                                                                  "withdrawn")
    assert read_statuses([]) == ()
    assert names(filter_lines(LINES, ("submitted", "accepted"))) == ["bravo", "Delta"]
    assert names(filter_lines(LINES, ("withdrawn",))) == ["Echo"]
    assert filter_lines(LINES, ()) == LINES, "no status chosen: every return"


def test_what_the_table_holds_is_said_in_words_and_withdrawn_returns_are_counted_apart():
    assert showing_text(5, LINES, ()) == "Showing all 4 returns and 1 withdrawn"
    assert showing_text(2, LINES, ("submitted", "accepted")) == (
        "Showing 2 of 4 returns and 1 withdrawn: those submitted or accepted")
    assert showing_text(1, LINES[:1], ("submitted",)) == "Showing 1 of 1 return: those submitted"
    assert showing_text(0, LINES[:2], ("not-started", "in-progress", "returned")) == (
        "Showing 0 of 2 returns: those not started, in progress or returned for amendment")


# The work queue ---------------------------------------------------------------------------------------------------


CYCLE = {"id": 2, "name": "2026/27", "job_id": None}


def ret(name, status, *, due="2026-12-01", withdrawn_at=None, submitted_at=None):
    return {"organisation_name": name, "status": status, "due_date": due, "withdrawn_at": withdrawn_at,
            "submitted_at": submitted_at}


def item(title, valid_until, *, withdrawn_at=None):
    return {"title": title, "valid_until": valid_until, "withdrawn_at": withdrawn_at}


def test_returns_are_sorted_into_waiting_overdue_and_sent_back():
    returns = [ret("Late", "in-progress"), ret("Early", "in-progress", due="2027-01-04"),
               ret("Second", "submitted", submitted_at="2026-11-20T10:00:00+00:00"),
               ret("First", "submitted", submitted_at="2026-11-02T10:00:00+00:00"),
               ret("Back", "returned", due="2027-01-04"), ret("Done", "accepted"), ret("Idle", "not-started")]
    queue = work_queue([CYCLE], returns, [], today=TODAY)
    assert [r["organisation_name"] for r in queue.waiting] == ["First", "Second"], "longest waiting first"
    assert [r["organisation_name"] for r in queue.overdue] == ["Late", "Idle"]
    assert [r["organisation_name"] for r in queue.returned] == ["Back"]
    assert not queue.empty and not queue.several_cycles and queue.cycles == (CYCLE,)


def test_the_due_date_itself_is_not_overdue():
    assert work_queue([CYCLE], [ret("Today", "in-progress", due=TODAY.isoformat())], [], today=TODAY).overdue == ()
    assert work_queue([CYCLE], [ret("Today", "in-progress", due=TODAY.isoformat())], [],
                      today=TODAY + timedelta(days=1)).overdue != ()


def test_withdrawn_returns_and_their_evidence_wait_on_nobody():
    gone = "2026-11-01T10:00:00+00:00"
    queue = work_queue([CYCLE], [ret("Gone", "submitted", withdrawn_at=gone), ret("Gone too", "in-progress",
                                                                                  withdrawn_at=gone)],
                       [item("Old policy", "2026-12-10", withdrawn_at=gone)], today=TODAY)
    assert queue.empty and queue.waiting == queue.overdue == queue.expiring == ()


def test_evidence_expired_or_expiring_within_60_days_is_listed_and_later_evidence_is_not():
    evidence = [item("Expired", "2026-12-04"), item("Today", "2026-12-05"), item("In 60 days", "2027-02-03"),
                item("In 61 days", "2027-02-04")]
    queue = work_queue([CYCLE], [], evidence, today=TODAY)
    assert [(e["title"], e["expiry"]) for e in queue.expiring] == [
        ("Expired", "expired"), ("Today", "expiring"), ("In 60 days", "expiring")]


def test_nothing_to_act_on_is_an_empty_queue_even_with_a_board_pack():
    queue = work_queue([{**CYCLE, "job_id": 4, "job_status": "done"}, {**CYCLE, "id": 3}],
                       [ret("Done", "accepted"), ret("Early", "in-progress", due="2027-01-04")], [], today=TODAY)
    assert queue.empty and queue.several_cycles and len(queue.cycles) == 2
