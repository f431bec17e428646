"""The printable questionnaire as plain data, and its PDF: what it asks of whom, and the same bytes each time."""
from __future__ import annotations

import subprocess

from compliance.config import ROOT
from compliance.core.frameworks import load_file
from compliance.core.questionnaire import build_questionnaire
from compliance.render.questionnaire import render_questionnaire_pdf
from tests.builders import SECTORS, mapped_frameworks

BVPI = load_file(ROOT / "questionnaires" / "bvpi-225--1.toml", sectors=SECTORS)
PROTOCOL = load_file(ROOT / "questionnaires" / "wdvf-overarching-protocol-2018--2.toml", sectors=SECTORS)


def questionnaire(framework, sector=None):
    return build_questionnaire(framework, SECTORS, sector=sector, partnership="WDVF", service="the service")


def test_a_sector_is_asked_only_its_own_requirements_and_every_sector_sees_who_answers_each():
    assert len(questionnaire(BVPI, "police").questions) == 0
    council = questionnaire(BVPI, "local-authority")
    assert len(council.questions) == 11 and council.sector_name == "Local authority"
    assert council.running_head == "BVPI 225 Actions against domestic violence, version 1: local authority"
    everyone = questionnaire(BVPI)
    assert {q.applies_to for q in everyone.questions} == {"Local authority"}
    assert everyone.running_head.endswith("version 1: all sectors")
    assert everyone.filename == "questionnaire-bvpi-225-v1-all-sectors.pdf"


def test_the_instructions_name_only_what_the_scale_asks_for():
    yes_no = " ".join(questionnaire(BVPI).instructions)
    assert "Some ratings need more: an improvement action (what you will do, who owns it and by when)." in yes_no
    protocol = questionnaire(PROTOCOL, "police")
    assert ("Some ratings need more: an improvement action (what you will do, who owns it and by when), the reason "
            "or at least one piece of evidence. The scale below says which.") in protocol.instructions
    assert [level.asks for level in protocol.scale] == [
        "Needs at least one piece of evidence", "Needs an improvement action and at least one piece of evidence",
        "Needs an improvement action", "Needs the reason"]
    assert protocol.instructions[0].startswith("This questionnaire lists the 16 requirements of the Over-Arching")
    assert "asks of police organisations, version 2" in protocol.instructions[0]


def test_the_pdf_is_the_same_bytes_for_the_same_questionnaire():
    first = render_questionnaire_pdf(questionnaire(PROTOCOL, "police"), invariant=True)
    assert first.startswith(b"%PDF") and first == render_questionnaire_pdf(questionnaire(PROTOCOL, "police"),
                                                                            invariant=True)


def test_each_question_names_the_other_frameworks_requirements_mapped_to_it_whichever_file_maps_them(tmp_path):
    """A questionnaire belongs to a framework version, not a cycle: it names what is mapped, in the requirement
    page's words, and says once what a cycle asking both does with it. The protocol's file maps only its Policy;
    the standards' file maps its Leadership and Induction training to the protocol's."""
    protocol, standards = mapped_frameworks()
    found = build_questionnaire(protocol, SECTORS, sector="police", partnership="WDVF", service="the service",
                                others=[protocol, standards])
    assert {q.ref: q.linked for q in found.questions} == {
        "1": ("Mapped fixture standards, Standard 1 asks the same as this requirement",),
        "2": ("Mapped fixture standards, Standard 2 asks part of what this requirement asks",),
        "3": ("Mapped fixture standards, Standard 3 asks something related to this requirement",)}
    assert any(step.startswith("Some requirements are linked to another framework's, as each says under “In other "
                               "frameworks”. Where your organisation's return asks both frameworks, two that ask the "
                               "same are answered once") for step in found.instructions)
    theirs = build_questionnaire(standards, SECTORS, sector=None, partnership="WDVF", service="the service",
                                 others=[protocol])
    assert {q.ref: q.linked for q in theirs.questions if q.linked} == {
        "Standard 1": ("Mapped fixture protocol, requirement 1 asks the same as this requirement",),
        "Standard 2": ("Mapped fixture protocol, requirement 2 asks all of this requirement and more",),
        "Standard 3": ("Mapped fixture protocol, requirement 3 asks something related to this requirement",)}
    alone = build_questionnaire(protocol, SECTORS, sector=None, partnership="WDVF", service="the service")
    assert not any(q.linked for q in alone.questions) and not any("linked" in s for s in alone.instructions)
    path = tmp_path / "q.pdf"
    path.write_bytes(render_questionnaire_pdf(found))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "In other frameworks • Mapped fixture standards, Standard 1 asks the same as this requirement" in text
