"""The statement as plain data, built from a hand-made canonical document: results by each framework's rule."""
from __future__ import annotations

from datetime import date

from compliance.core.frameworks import Framework, Guidance, Level, OverallRule, Requirement
from compliance.core.statements import build_statement, filename, slug

HOSTILE = "<b>bold?</b> & <unclosed"
SHA = "ab12" * 16


def level(code, label, colour, score, *, met=False):
    return Level(code, label, f"{label}.", colour, score, met, colour in ("amber", "red"), colour == "grey")


def framework(fid, scale, count, rule, *, prefix):
    requirements = [Requirement(f"{prefix}{i:02}", str(i), f"Requirement {i} of {fid}", "Text.", Guidance("", ""))
                    for i in range(1, count + 1)]
    return Framework(id=fid, version="1", title=f"The {fid} framework", short_title=fid, published=date(2018, 6, 1),
                     source="tests", status="published", notice="", scale=tuple(scale),
                     requirements=tuple(requirements), overall=rule)


PROTOCOL = framework("protocol", (level("met", "Met", "green", 3, met=True),
                                  level("partially-met", "Partially met", "amber", 2),
                                  level("not-met", "Not met", "red", 1),
                                  level("n-a", "Not applicable", "grey", None)),
                     4, OverallRule("worst-rating-wins"), prefix="p")
BVPI = framework("bvpi", (level("yes", "Yes", "green", 1, met=True), level("no", "No", "red", 0)),
                 11, OverallRule("percentage-met", decimals=1), prefix="q")
FRAMEWORKS = {PROTOCOL.key: PROTOCOL, BVPI.key: BVPI}


def answer(fw, index, code, *, narrative="As typed.", reason="", evidence=(), actions=()):
    requirement = fw.requirements[index]
    return {"framework": fw.key, "requirement": requirement.id, "ref": requirement.ref, "title": requirement.title,
            "rating": code, "rating_label": fw.level(code).label if code else None, "narrative": narrative,
            "reason": reason, "evidence": list(evidence), "actions": list(actions)}


def document(*, protocol=("met", "partially-met", "met", "n-a"), bvpi=("yes",) * 6 + ("no",) * 5, narrative=HOSTILE):
    """A canonical document as return_service.signed_document makes it."""
    evidence = {"kind": "file", "title": "Policy & annex <2030>", "url": None, "filename": "policy.pdf",
                "sha256": "cd34" * 16, "effective_date": "2025-04-01", "valid_until": "2027-03-31"}
    action = {"what": "Train the new starters", "owner": "Zoë Ünal", "due_date": "2026-01-31", "status": "in-progress"}
    answers = [answer(PROTOCOL, i, code, narrative=narrative if i == 0 else "Done — “fully”, cost £20.",
                      reason="Łukasz says we have no such service" if code == "n-a" else "",
                      evidence=[evidence] if i == 0 else [], actions=[action] if code == "partially-met" else [])
               for i, code in enumerate(protocol)]
    answers += [answer(BVPI, i, code) for i, code in enumerate(bvpi)]
    return {"partnership": "Wolverhampton Domestic Violence Forum", "cycle": "2025/26",
            "organisation": "Haven Lane Women's Aid", "return": 7, "version": 2, "sector": "voluntary",
            "frameworks": [{"key": PROTOCOL.key, "title": PROTOCOL.title, "status": "published"},
                           {"key": BVPI.key, "title": BVPI.title, "status": "published"}],
            "answers": answers,
            "attestation": {"name": "Łukasz Zoë Ünal", "job_title": "Chief executive",
                            "declaration": "I confirm this is true.", "submitted_at": "2026-03-05T14:07:00+00:00",
                            "submitted_by": "signatory@example.org"}}


def signed(doc=None):
    return build_statement(doc or document(), FRAMEWORKS, submitted=True, sha256=SHA, version=2)


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
