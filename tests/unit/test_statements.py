"""The statement as plain data, built from a hand-made canonical document: results by each framework's rule."""
from __future__ import annotations

from compliance.core.statements import build_statement, filename, slug
from tests.builders import FRAMEWORKS, HOSTILE, SHA, document, signed


def test_worst_rating_wins_and_the_percentage_rule():
    protocol, bvpi = signed().sections
    assert (protocol.result, protocol.result_rag) == ("Partially met", "amber")
    assert protocol.rule == "The worst rating given wins"
    assert bvpi.result == "54.5%"
    assert bvpi.detail == "6 of 11 applicable requirements met: 54.5%"


def test_not_applicable_is_left_out_and_all_met_is_green():
    protocol, _ = signed(document(protocol=("met", "met", "met", "n-a"))).sections
    assert (protocol.result, protocol.result_rag) == ("Met", "green")
    assert protocol.detail == "4 of 4 requirements answered"


def test_every_requirement_carries_its_rating_word_colour_and_what_was_typed():
    statement = signed()
    items = statement.sections[0].items
    assert [(i.rating, i.rag, i.rag_text) for i in items] == [
        ("Met", "green", "Green"), ("Partially met", "amber", "Amber"), ("Met", "green", "Green"),
        ("Not applicable", "grey", "Not applicable")]
    first = items[0]
    assert first.narrative == HOSTILE and first.heading == "1. Requirement 1 of protocol"
    assert first.evidence[0].short_sha256 == "cd34cd34cd34" and first.evidence[0].effective == "1 April 2025"
    assert items[1].actions[0].owner == "Zoë Ünal" and items[1].actions[0].due == "31 January 2026"
    assert items[1].actions[0].status == "In progress"
    assert items[3].reason.startswith("Łukasz")


def test_the_attestation_and_fingerprint_of_a_signed_version():
    statement = signed()
    assert statement.submitted and not statement.draft and statement.version == 2 and statement.sha256 == SHA
    assert statement.attestation.name == "Łukasz Zoë Ünal"
    assert statement.attestation.signed_at == "5 March 2026 at 2:07pm"
    assert statement.frameworks_text == "The protocol framework (version 1); The bvpi framework (version 1)"


def test_a_draft_has_no_attestation_version_or_fingerprint_and_may_be_incomplete():
    doc = document(protocol=("met", None, "met", "n-a"))
    statement = build_statement(doc, FRAMEWORKS, submitted=False, sha256=None, version=None)
    assert statement.draft and statement.attestation is None and statement.sha256 is None
    protocol = statement.sections[0]
    assert protocol.result == "Incomplete" and "not every requirement is answered" in protocol.detail
    assert protocol.items[1].rating == "Not answered"


def test_the_pdf_file_name():
    assert slug("Haven Lane Women’s Aid") == slug("Haven Lane Women's Aid") == "haven-lane-womens-aid"
    assert filename(signed()) == "statement-2025-26-haven-lane-womens-aid-v2.pdf"
    draft = build_statement(document(), FRAMEWORKS, submitted=False, sha256=None, version=None)
    assert filename(draft) == "statement-2025-26-haven-lane-womens-aid-draft.pdf"
