"""Organisations joining and leaving a cycle (core/membership.py), and a withdrawn return in the core's rules: out
of the matrix and its trends, read-only, shown as "Withdrawn"."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from compliance.core.matrix import OrgRow, build_matrix, previous_ratings
from compliance.core.membership import (
    Joined,
    Left,
    Outcome,
    in_figures,
    joined_text,
    joining_hint,
    leaving_hint,
    shown,
    takes_part,
)
from compliance.core.returns import ReturnContext, ReturnRow
from tests.builders import FW, OTHER, PREVIOUS, ROWS, SECTORS, ratings

TODAY = date(2026, 12, 5)
CYCLE = {"name": "2026/27", "due_date": "2027-01-04"}


def test_an_organisation_takes_part_when_a_framework_asks_its_sector_something():
    police_only = replace(OTHER, requirements=OTHER.requirements[1:])  # x2 is for police only
    assert takes_part([police_only], "police") and not takes_part([police_only], "health")
    assert takes_part([police_only, FW], "health")


def test_withdrawn_returns_are_left_out_of_figures_and_listed_as_withdrawn():
    returns = [{"id": 1, "status": "accepted", "withdrawn_at": None},
               {"id": 2, "status": "in-progress", "withdrawn_at": "2026-12-01T10:00:00+00:00"}]
    assert [r["id"] for r in in_figures(returns)] == [1]
    assert [shown(r)["status"] for r in returns] == ["accepted", "withdrawn"]
    assert returns[1]["status"] == "in-progress", "the stored status is kept"


def test_what_the_coordinator_is_told_after_joining():
    one = [Joined("Greenway Homes", "2026/27", "2027-01-04")]
    assert joined_text(one, TODAY) == "Greenway Homes has a return in the 2026/27 cycle, due 4 January 2027"
    assert joined_text(one, TODAY, own=True) == "It has a return in the 2026/27 cycle, due 4 January 2027"
    two = [*one, Joined("Ashby Police", "2026/27", "2027-01-04")]
    assert joined_text(two, TODAY) == ("2 organisations have a return in the 2026/27 cycle, due 4 January 2027: "
                                       "Greenway Homes and Ashby Police")
    back = [Joined("Greenway Homes", "2026/27", "2027-01-04", reinstated=True)]
    assert joined_text(back, TODAY) == ("Greenway Homes' return for 2026/27 is back, with everything in it, "
                                        "due 4 January 2027")
    assert joined_text(one, date(2027, 1, 5)) == ("Greenway Homes has a return in the 2026/27 cycle, which was due "
                                                  "4 January 2027: it is overdue")


def test_what_the_coordinator_is_told_after_a_change_to_one_organisation():
    assert Outcome().text(TODAY) == ""
    left = Outcome(left=(Left("Greenway Homes", "2026/27"),))
    assert left.text(TODAY) == "Its return for 2026/27 has been withdrawn: kept, but left out of every figure"
    assert Outcome(not_asked=("2026/27",)).text(TODAY) == ("No framework in 2026/27 asks anything of its sector, so "
                                                          "it has no return there")


def test_the_form_hints_say_what_a_status_would_do():
    assert leaving_hint([]) == "" and joining_hint([], []) == ""
    assert leaving_hint(["2026/27"]) == "Its return for 2026/27 will be withdrawn: kept, but left out of every figure."
    assert joining_hint([CYCLE], []) == ("It will get a return in the open 2026/27 cycle, due 4 January 2027, asking "
                                         "what applies to its sector.")
    assert joining_hint([], [CYCLE]) == "Its withdrawn return for 2026/27 will come back, with everything in it."


def test_a_withdrawn_return_is_in_no_row_column_or_trend_and_is_named():
    greenway = OrgRow(5, "Greenway Homes", "housing", 15, "accepted", ratings(r1="not-met", r2="not-met", r3="not-met"),
                      1, withdrawn=True)
    without = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS)
    matrix = build_matrix([FW], [*ROWS, greenway], PREVIOUS, sectors=SECTORS)
    assert [r.org.name for r in matrix.rows] == [r.org.name for r in without.rows]
    assert [c.counts for c in matrix.columns] == [c.counts for c in without.columns]
    assert matrix.withdrawn == ("Greenway Homes",) and without.withdrawn == ()
    assert matrix.sectors == without.sectors and "housing" not in matrix.sectors, "its sector is not a filter"
    last_year = [*ROWS, replace(ROWS[0], organisation_id=9, withdrawn=True)]
    assert set(previous_ratings(last_year)) == {1, 2, 3, 4}, "last year's withdrawn return is no comparison"


def _context(**changes) -> ReturnContext:
    row = ReturnRow(id=1, cycle_id=2, organisation_id=3, sector="police", status="in-progress", version=1,
                    started_from_previous=0, updated_at="2026-12-01T10:00:00+00:00", organisation_name="Police",
                    cycle_name="2026/27", cycle_status="open", open_date="2026-04-01", due_date="2027-01-04",
                    declaration="I confirm.")
    return ReturnContext(replace(row, **changes), (FW,), {}, {}, {})


def test_a_withdrawn_return_cannot_be_changed_even_while_its_cycle_is_open():
    assert _context().editable
    assert not _context(withdrawn_at="2026-12-02T09:00:00+00:00").editable
    assert not _context(cycle_status="closed").editable
