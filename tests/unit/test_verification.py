"""Verification rules, disagreements and the validated view, on hand-made fixtures."""
from __future__ import annotations

from datetime import date

import pytest

from compliance.core.matrix import SELF_ASSESSED, VALIDATED, OrgRow, build_matrix
from compliance.core.verification import check, disagrees, evidence_expiry, outcome, summarise, validated_code
from tests.builders import FW, ROWS, SECTORS, K, ratings


def test_verified_takes_the_organisations_own_rating():
    assert check(FW, "met", "verified", "", "") == ({}, "met")
    assert check(FW, "met", "verified", "met", "") == ({}, "met")
    errors, _ = check(FW, "met", "verified", "not-met", "")
    assert "Partly verified" in errors["validated_rating"]


@pytest.mark.parametrize("status", ["partly-verified", "not-verified"])
def test_partly_and_not_verified_need_a_rating_and_a_comment(status):
    errors, _ = check(FW, "met", status, "", "")
    assert set(errors) == {"validated_rating", "comment"}
    assert check(FW, "met", status, "partially-met", "Only one site") == ({}, "partially-met")


def test_not_checked_has_no_rating_and_unknown_input_is_refused():
    assert check(FW, "met", "not-checked", "", "") == ({}, None)
    assert "validated_rating" in check(FW, "met", "not-checked", "met", "")[0]
    assert "status" in check(FW, "met", "maybe", "", "")[0]
    assert "validated_rating" in check(FW, "met", "partly-verified", "nonsense", "x")[0]
    assert "status" in check(FW, None, "verified", "", "")[0], "an unanswered requirement has nothing to verify"
    assert "comment" in check(FW, "met", "verified", "", "x" * 5001)[0]


def test_disagreement_is_a_validated_rating_other_than_the_own_one():
    assert disagrees("met", {"status": "not-verified", "validated_rating": "not-met"})
    assert not disagrees("met", {"status": "partly-verified", "validated_rating": "met"})
    assert not disagrees("met", {"status": "not-checked", "validated_rating": None})
    assert not disagrees("met", None)
    assert validated_code({"status": "not-checked", "validated_rating": "met"}) is None


def test_summary_counts_only_answered_requirements():
    own = {(K, "r1"): "met", (K, "r2"): "met", (K, "r3"): None, (K, "r4"): "n-a"}
    checks = {(K, "r1"): {"status": "verified", "validated_rating": "met"},
              (K, "r2"): {"status": "not-verified", "validated_rating": "not-met"},
              (K, "r3"): {"status": "verified", "validated_rating": "met"}}
    found = summarise(own, checks)
    assert found.answered == 3 and found.checked == 2 and found.disagreements == 1
    assert found.counts == {"verified": 1, "partly-verified": 0, "not-verified": 1, "not-checked": 1}
    shown = outcome(FW, "met", checks[(K, "r2")], by="Chris")
    assert shown.disagrees and shown.status_label == "Not verified" and shown.validated_label


def test_expiry_is_past_or_within_sixty_days():
    day = date(2026, 3, 1)
    assert evidence_expiry(None, day) is None and evidence_expiry("", day) is None
    assert evidence_expiry("2026-02-28", day) == "expired"
    assert evidence_expiry("2026-03-01", day) == "expiring" and evidence_expiry("2026-04-30", day) == "expiring"
    assert evidence_expiry("2026-05-01", day) is None


def test_the_validated_view_shows_checked_ratings_and_counts_disagreements():
    checked = [OrgRow(1, "Alpha Police", "police", 11, "accepted", ROWS[0].ratings, 1,
                      ratings(r1="met", r2="not-met")),
               OrgRow(2, "Bravo Police", "police", 12, "submitted", ROWS[1].ratings, 2, ratings(r3="met")),
               *ROWS[2:]]
    own = build_matrix([FW], checked, None, sectors=SECTORS, view=SELF_ASSESSED)
    validated = build_matrix([FW], checked, None, sectors=SECTORS, view=VALIDATED)
    for matrix in (own, validated):
        assert {r.org.name: r.disagreements for r in matrix.rows} == {
            "Alpha Police": 1, "Bravo Police": 1, "Charlie Health": 0, "Delta Health": 0}
        assert [c.disagreements for c in matrix.columns] == [0, 1, 1]
    by_name = {r.org.name: r for r in validated.rows}
    alpha = {c.requirement.id: c for c in by_name["Alpha Police"].cells}
    assert alpha["r2"].code == "not-met" and alpha["r3"].state == "not-checked"
    own_alpha = next(r for r in own.rows if r.org.name == "Alpha Police")
    assert {c.requirement.id: c.code for c in own_alpha.cells} == {"r1": "met", "r2": "partially-met", "r3": "n-a"}
    # % met in the validated view: only validated "met" answers count
    assert validated.columns[0].counts.met == 1 and own.columns[0].counts.met == 2
    assert by_name["Alpha Police"].groups[0].overall.state == "incomplete"
