"""The board pack read back with pdftotext and pdfinfo: summary, landscape matrix letters, every statement."""
from __future__ import annotations

import importlib
import re
import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone

from compliance.core.accreditations import as_held
from compliance.core.actions import ActionItem
from compliance.core.matrix import OrgRow, build_matrix
from compliance.render.boardpack import render_board_pack
from tests.builders import FW, OTHER, ROWS, SECTORS, mapped_frameworks, signed


def _pack(tmp_path, statements, **options):
    matrix = build_matrix([FW, OTHER], ROWS, None, sectors=SECTORS, cycle="2025/26")
    data = render_board_pack(matrix, statements, partnership="Wolverhampton Domestic Violence Forum",
                             cycle_name="2025/26", **options)
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return data, path


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _sizes(path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


def test_the_pack_has_a_summary_a_landscape_matrix_and_every_statement(tmp_path):
    first = signed()
    second = replace(first, organisation="Bravo Police Service")
    seen = []
    _, path = _pack(tmp_path, [first, second], progress=lambda done, total: seen.append((done, total)))
    found = _text(path)
    for expected in ["Board pack: 2025/26", "Returns by status", "Submitted", "Accepted", "% met",
                     "Partnership matrix: 2025/26", "Alpha Police", "Delta Health",
                     "Haven Lane Women's Aid", "Bravo Police Service", "Declaration and signature"]:
        assert expected in found, expected
    matrix_page = found.split("Partnership matrix: 2025/26")[1].split("Annual statement of compliance")[0]
    for letter in ["G", "A", "R", "N/A", "–"]:
        assert re.search(rf"(^|\s){re.escape(letter)}(\s|$)", matrix_page, re.M), letter
    sizes = _sizes(path)
    assert sizes[0][0] < sizes[0][1], "the summary is portrait"
    assert any(w > h for w, h in sizes), "the matrix is landscape"
    assert sizes[-1][0] < sizes[-1][1], "the statements are portrait"
    assert f"Page 1 of {len(sizes)}" in found and f"Page {len(sizes)} of {len(sizes)}" in found
    assert seen == [(1, 2), (2, 2)]


def test_a_pack_without_statements_says_so_and_is_deterministic(tmp_path):
    data, path = _pack(tmp_path, [], invariant=True)
    assert "No return has been submitted in this cycle yet" in _text(path)
    assert data == _pack(tmp_path, [], invariant=True)[0]


def test_the_story_makes_each_statements_flowables_only_as_the_document_reaches_them():
    """ReportLab takes flowables from the front (del story[0]); parts are made a few at a time, in order."""
    story_module = importlib.import_module("compliance.render.boardpack")
    pulled = []

    def parts():
        for n in range(50):
            pulled.append(n)
            yield [f"statement {n}, flowable {k}" for k in range(10)]

    story = story_module._LazyStory(["head"], parts())
    assert 0 < len(pulled) < 50, "only the first few statements are made before drawing starts"
    drawn = []
    while len(story):
        drawn.append(story[0])
        del story[0]
    assert pulled == list(range(50))
    assert drawn == ["head"] + [f"statement {n}, flowable {k}" for n in range(50) for k in range(10)]


def test_the_pack_opens_as_a_board_paper_and_puts_each_organisations_summary_before_its_statement(tmp_path):
    """Cover, executive summary in words, the most red and amber with titles, and a summary page per organisation;
    people's text prints as typed."""
    hostile = "<b>Alpha</b> & Co"
    rows = [replace(ROWS[0], name=hostile), *ROWS[1:]]
    matrix = build_matrix([FW, OTHER], rows, None, sectors=SECTORS, cycle="2025/26")
    late = ActionItem("Bravo Police", "proto, r3. Title r3", "Write <the> policy & train", "Head of safeguarding",
                      "31 May 2026", "In progress", overdue=True)
    statement = replace(signed(), organisation="Bravo Police")
    data = render_board_pack(matrix, [statement], partnership="Wolverhampton Domestic Violence Forum",
                             cycle_name="2025/26", prepared=datetime(2026, 7, 1, 13, 7, tzinfo=timezone.utc),
                             actions=[late])
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    pages = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split("\f")
    first = " ".join(" ".join(pages[:2]).split())
    for expected in ["Board pack: 2025/26", "PROVISIONAL", "Prepared 1 July 2026 at 2:07pm (London time)",
                     "Executive summary", "3 of 4 organisations returned (not yet returned: 1 in progress).",
                     "Most red and amber: proto, r1. Title r1, 1 red and 0 amber",
                     "Most red: Bravo Police, 1 red answer;",
                     "1 improvement action of 1 is overdue, in 1 organisation.",
                     "Requirements with the most red and amber", "proto, r3. Title r3",
                     "Organisations with the most red", "Improvement actions overdue", "Write <the> policy & train"]:
        assert expected in first, expected
    text = " ".join(" ".join(pages).split())
    assert "Key: r1 Title r1 r2 Title r2 r3 Title r3" in text, "the matrix has a key of requirement titles"
    assert hostile in text, "an organisation's name prints as typed, markup and all"
    summary = text.index("Bravo Police: summary")
    assert summary < text.index("Annual statement of compliance", summary), "the summary comes before the statement"
    bravo = text[summary:text.index("Annual statement of compliance", summary)]
    for expected in ["Red: not met (1)", "proto, r3. Title r3 Not met", "Write <the> policy & train",
                     "Where auditors disagree with the self-assessed rating"]:
        assert expected in bravo, expected


def test_each_statement_in_the_pack_lists_the_accreditations_held_at_signing(tmp_path):
    """The pack draws each statement as its own PDF does: with the accreditations the signed document holds, judged
    on the day it was signed, and nothing of them for a version signed before they were recorded."""
    held = (as_held({"scheme_name": "White Ribbon", "awarded_on": "2025-06-01", "expires_on": "2026-08-01",
                     "reference": "WR-<b>7</b>", "evidence": {"title": "Award letter",
                                                              "url": "https://intranet.example/white-ribbon.pdf"}},
                    date(2026, 7, 1), at_signing=True),)
    first = replace(signed(), accreditations=held)
    second = replace(signed(), organisation="Bravo Police Service", accreditations=None)
    found = _text(_pack(tmp_path, [first, second])[1])
    statements = [" ".join(part.split()) for part in found.split("Annual statement of compliance")[1:]]
    haven = next(part for part in statements if "Haven Lane" in part.split("Reporting year")[0])
    bravo = next(part for part in statements if "Bravo Police Service" in part.split("Reporting year")[0])
    assert "Accreditations held at signing" in haven and "White Ribbon EXPIRES SOON" in haven
    assert "Reference WR-<b>7</b>" in haven and "Evidence: https://intranet.example/white-ribbon.pdf" in haven
    assert "Accreditations held" not in bravo


def test_the_packs_matrix_marks_an_answer_given_through_another_frameworks_requirement(tmp_path):
    protocol, standards = mapped_frameworks()
    signed_ratings = {(protocol.key, "lead"): "met", (standards.key, "leadership"): "met"}
    matrix = build_matrix([protocol, standards], [OrgRow(1, "Wrenfield Police", "police", 11, "submitted",
                                                         signed_ratings, 1)], None, sectors=SECTORS, cycle="2030/31")
    path = tmp_path / "mapped.pdf"
    path.write_bytes(render_board_pack(matrix, [], partnership="WDVF", cycle_name="2030/31"))
    found = " ".join(_text(path).split())
    assert "* Answered through another framework's requirement that asks the same" in found
    assert re.search(r"Organisation 1 2 3 Wrenfield Police G – –", found), "the answering cell has no mark"
    assert re.search(r"Organisation 1 2 3 4 Wrenfield Police G ?\* – –", found), "the answered-through cell has"
