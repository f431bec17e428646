"""A return as a workbook (render/return_workbook.py) and read back (core/return_workbook.py): what goes out comes
back unchanged, each row is checked by the requirement page's rules with its place, and a change made on the website
since the download is a conflict, not overwritten."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from compliance.core import return_workbook as layout
from compliance.core.return_workbook import plan_upload, read_return_workbook
from compliance.core.returns import ReturnContext, ReturnRow
from compliance.render.return_workbook import return_workbook
from tests.builders import STATEMENT_BVPI, STATEMENT_PROTOCOL, mapped_context, mapped_frameworks

DOWNLOADED = datetime(2026, 12, 3, 14, 15, tzinfo=timezone.utc)
P, B = STATEMENT_PROTOCOL, STATEMENT_BVPI
FIRST = layout.ANSWERS.header_row + 1  # the first requirement's row
COLUMN = {name: chr(ord("A") + index) for index, name in enumerate(layout.COLUMNS)}


def _context(answers=None, *, actions=None, organisation_id=5, return_id=7) -> ReturnContext:
    ret = ReturnRow(id=return_id, cycle_id=3, organisation_id=organisation_id, sector="local-authority",
                    status="in-progress", version=1, started_from_previous=0, updated_at="2026-12-01T10:00:00+00:00",
                    organisation_name="Brackenford Council", cycle_name="2026/27", cycle_status="open",
                    open_date="2026-04-01", due_date="2027-03-31", declaration="I confirm.")
    return ReturnContext(ret, (P, B), dict(answers or {}), dict(actions or {}), {})


def _answer(rating, narrative="", reason="", *, revision=1, carried_forward=0):
    return {"id": revision, "rating": rating, "narrative": narrative, "reason": reason, "revision": revision,
            "carried_forward": carried_forward, "updated_by": 9, "updated_at": "2026-12-01T10:00:00+00:00"}


def _download(context) -> bytes:
    return return_workbook(context, partnership="WDVF", names={9: "Dana Hollis"}, downloaded_by="Dana Hollis",
                           downloaded_at=DOWNLOADED)


def _edited(data: bytes, **cells) -> bytes:
    """The workbook with cells changed as a person would in a spreadsheet program (F5="Met")."""
    book = load_workbook(io.BytesIO(data))
    for place, value in cells.items():
        book[layout.ANSWERS.name][place] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes, context, *, organisation_id=5):
    return read_return_workbook(data, "return.xlsx", context, organisation_id=organisation_id)


def _messages(upload) -> list[str]:
    return [str(problem) for problem in upload.problems]


STORED = {(P.key, "p01"): _answer("met", "=cmd|' /C calc'!A0 <script>alert(1)</script>"),
          (P.key, "p02"): _answer("n-a", "Not for us", "We run no such service", revision=3)}


def test_a_workbook_read_back_as_it_was_written_changes_nothing():
    context = _context(STORED)
    data = _download(context)
    assert data == _download(context)  # the same return, the same bytes
    upload = _read(data, context)
    assert upload.problems == ()
    assert [row.number for row in upload.rows] == list(range(FIRST, FIRST + 15))
    assert not any(row.changed for row in upload.rows)
    assert upload.rows[0].answer["narrative"] == STORED[(P.key, "p01")]["narrative"]  # written inert, read as typed
    plan = plan_upload(context, upload.rows)
    assert (plan.changes, plan.conflicts, plan.kept, plan.unchanged, plan.missing) == ((), (), (), 15, 0)
    assert "Dana Hollis" in upload.downloaded and "3 December 2026 at 2:15pm" in upload.downloaded


def test_the_written_workbook_is_laid_out_to_fill_in():
    book = load_workbook(io.BytesIO(_download(_context(STORED))))
    assert book.sheetnames == ["Help", "Answers", "About", "Lists"]
    assert book["Lists"].sheet_state == "hidden" and book.security.lockStructure
    help_text = " ".join(str(cell.value) for row in book["Help"].iter_rows() for cell in row if cell.value)
    for said in ("Evidence files and improvement actions stay on the website", "How to upload it back",
                 "What not to touch", "do not use formulas"):
        assert said in help_text
    sheet = book["Answers"]
    assert [cell.value for cell in sheet[layout.ANSWERS.header_row]] == list(layout.COLUMNS)
    assert sheet.freeze_panes == f"D{FIRST}" and sheet.protection.sheet
    assert sheet.column_dimensions["G"].width == 60 and sheet[f"D{FIRST}"].alignment.wrap_text
    assert all(sheet.column_dimensions[COLUMN[name]].hidden for name in layout.HIDDEN)
    assert sheet.row_dimensions[FIRST].height >= 90
    first = sheet[f"A{FIRST}"]
    assert first.protection.locked and not sheet[f"F{FIRST}"].protection.locked
    assert not sheet[f"G{FIRST}"].protection.locked and not sheet[f"H{FIRST}"].protection.locked
    bvpi_row = FIRST + len(P.requirements)
    assert sheet[f"H{bvpi_row}"].protection.locked  # BVPI has no rating that needs a reason
    assert sheet[f"B{FIRST}"].value == "1" and sheet[f"F{FIRST}"].value == "Met"
    assert sheet[f"G{FIRST}"].value.startswith("'=cmd") and sheet[f"G{FIRST}"].data_type == "s"
    lists = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert lists[f"F{FIRST}:F{bvpi_row - 1}"].type == "list" and lists[f"F{bvpi_row}:F{bvpi_row + 10}"].type == "list"
    assert [c.value for c in book["Lists"]["B"] if c.value] == ["Yes", "No"]
    assert any(rule.type == "textLength" and rule.formula1 == "5000" for rule in lists.values())
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=3)}
    assert about[layout.RETURN_NUMBER] == 7 and about[layout.ORGANISATION_NUMBER] == 5
    assert book["About"].protection.sheet


def test_changed_rows_are_planned_old_beside_new_and_labels_are_read_in_any_case():
    context = _context(STORED)
    data = _edited(_download(context), **{f"F{FIRST}": "partially MET", f"G{FIRST}": "Rolling out\r\nslowly",
                                          f"F{FIRST + 4}": "  yes "})
    upload = _read(data, context)
    assert upload.problems == ()
    plan = plan_upload(context, upload.rows)
    assert [(item.requirement.id, item.before and item.before["rating"], item.after["rating"])
            for item in plan.changes] == [("p01", "met", "partially-met"), (B.requirements[0].id, None, "yes")]
    assert plan.changes[0].after["narrative"] == "Rolling out\nslowly"
    assert plan.changes[0].still_needed == ("Add an improvement action: a rating of “Partially met” needs one",)
    assert plan.unchanged == 13
    assert plan.conflicts == () and plan.kept == ()


def test_a_row_changed_in_the_file_and_on_the_website_is_a_conflict_and_one_changed_only_there_is_kept():
    context = _context(STORED)
    data = _edited(_download(context), **{f"G{FIRST}": "Our answer, typed offline"})
    since = _context({**STORED, (P.key, "p01"): _answer("not-met", "Changed on the website", revision=2),
                      (P.key, "p02"): _answer("met", "Also changed there", revision=4),
                      (P.key, "p03"): _answer("met", "Answered there first", revision=1)})
    plan = plan_upload(since, _read(data, since).rows)
    assert [item.requirement.id for item in plan.conflicts] == ["p01"]
    assert plan.conflicts[0].before["narrative"] == "Changed on the website"
    assert plan.conflicts[0].after["narrative"] == "Our answer, typed offline"
    assert sorted(item.requirement.id for item in plan.kept) == ["p02", "p03"]
    assert plan.changes == ()
    assert plan.digest != plan_upload(context, _read(data, context).rows).digest


@pytest.mark.parametrize(("cells", "expected"), [
    ({f"F{FIRST}": "Meets"}, f"Sheet Answers, row {FIRST}, column F (Rating): Select one of the ratings listed: "
                             "“Meets” is not one of protocol's ratings. Choose Met, Partially met, Not met or Not "
                             "applicable from the drop-down"),
    ({f"F{FIRST + 2}": "Not applicable"}, f"Sheet Answers, row {FIRST + 2}, column H (Reason, if the rating needs "
                                          "one): Give the reason for “Not applicable” in this column, or choose "
                                          "another rating"),
    ({f"G{FIRST}": "x" * 5001}, f"Sheet Answers, row {FIRST}, column G (Explain your rating): Your explanation must "
                                "be 5,000 characters or fewer. Shorten it, or put the detail in a document and upload "
                                "it as evidence (it has 5,001)"),
    ({f"H{FIRST + 1}": "y" * 2001}, f"Sheet Answers, row {FIRST + 1}, column H (Reason, if the rating needs one): "
                                    "The reason must be 2,000 characters or fewer (it has 2,001): shorten it"),
    ({f"N{FIRST}": "p99"}, f"Sheet Answers, row {FIRST}, column N (Requirement id): this row is not one of this "
                           "return's requirements"),
    ({f"N{FIRST + 1}": "p01"}, f"Sheet Answers, row {FIRST + 1}, column N (Requirement id): this requirement (1) is "
                               f"also in row {FIRST}: keep one row for it and delete the other"),
    ({f"O{FIRST}": "two"}, f"Sheet Answers, row {FIRST}, column O (Answer version): the hidden columns O and P"),
    ({f"P{FIRST}": "0" * 15}, f"Sheet Answers, row {FIRST}, column O (Answer version): the hidden columns O and P"),
])
def test_each_row_is_checked_by_the_requirement_pages_rules_with_its_place(cells, expected):
    context = _context(STORED)
    upload = _read(_edited(_download(context), **cells), context)
    assert upload.rows == ()
    assert len(upload.problems) == 1 and str(upload.problems[0]).startswith(expected), _messages(upload)


def test_an_unchanged_row_is_not_held_to_what_a_changed_one_must_have():
    """An answer of Not applicable saved without its reason on the website (allowed there, as in progress) does not
    stop the rest of the file being saved: only a row changed offline must give its reason."""
    context = _context({(P.key, "p03"): _answer("n-a", "No reason yet")})
    upload = _read(_edited(_download(context), **{f"F{FIRST}": "Met"}), context)
    assert upload.problems == () and [r.requirement.id for r in upload.rows if r.changed] == ["p01"]


@pytest.mark.parametrize(("organisation_id", "return_id", "user_organisation"), [(6, 7, 6), (5, 8, 5), (5, 7, 6)])
def test_a_file_for_another_return_or_organisation_is_refused_before_its_rows_are_read(organisation_id, return_id,
                                                                                       user_organisation):
    theirs = _context(STORED, organisation_id=organisation_id, return_id=return_id)
    ours = _context(STORED)
    upload = _read(_edited(_download(theirs), **{f"F{FIRST}": "Meets"}), ours, organisation_id=user_organisation)
    assert _messages(upload) == [
        "Sheet About: this file was made for another return (Brackenford Council, 2026/27 return to WDVF), not "
        "Brackenford Council's return for 2026/27, or its About sheet has been changed. Download this return's own "
        "file from this page, copy your answers into it and upload that"]


def test_a_requirement_left_out_of_the_file_stays_as_it_is():
    context = _context(STORED)
    book = load_workbook(io.BytesIO(_download(context)))
    book["Answers"].delete_rows(FIRST + 1)
    out = io.BytesIO()
    book.save(out)
    plan = plan_upload(context, _read(out.getvalue(), context).rows)
    assert (plan.missing, plan.unchanged) == (1, 14)


# --- requirements answered through another framework's (core/mappings.AnswerPlan) ------------------------------------
# The fixture frameworks, protocol first, for the police: rows 4 to 6 the protocol's Named lead, Training and Policy,
# rows 7 to 9 the standards' Leadership (answered through Named lead), Induction training (part of Training) and
# Policies (related to Policy).
PROTOCOL, STANDARDS = mapped_frameworks()
MAPPED = {(PROTOCOL.key, "lead"): _answer("met", "Dana Hollis leads it", revision=2),
          (PROTOCOL.key, "training"): _answer("partially-met", "Half the staff trained")}
LINKED = {name: chr(ord("A") + index) for index, name in enumerate(layout.LINKED_COLUMNS)}
LEAD, LEADERSHIP = FIRST, FIRST + 3


def _mapped(answers=MAPPED):
    return mapped_context((PROTOCOL, STANDARDS), answers)


def _read_mapped(data: bytes, context):
    return _read(data, context, organisation_id=context.ret.organisation_id)


def test_a_requirement_answered_through_another_is_shown_read_only_and_the_answering_one_says_so():
    context = _mapped()
    book = load_workbook(io.BytesIO(_download(context)))
    sheet = book["Answers"]
    assert [cell.value for cell in sheet[layout.ANSWERS.header_row]] == list(layout.LINKED_COLUMNS)
    assert LINKED[layout.LINKED] == "I" and all(sheet.column_dimensions[LINKED[c]].hidden for c in layout.HIDDEN)
    row = {column: sheet[f"{letter}{LEADERSHIP}"] for column, letter in LINKED.items()}
    assert (row[layout.REF].value, row[layout.RATING].value, row[layout.NARRATIVE].value) == (
        "Standard 1", "Fully met", "Dana Hollis leads it")  # the protocol's answer, in the standards' own label
    assert all(row[column].protection.locked and row[column].fill.fgColor.rgb == "FFF3F2F1"
               for column in (layout.RATING, layout.NARRATIVE, layout.REASON))
    assert row[layout.LINKED].value == (
        f"Answered through Mapped fixture protocol, requirement 1 (row {LEAD}), which asks the same: your "
        f"organisation answers the two once, there, and this row shows that answer. To change it, change row {LEAD}. "
        "Its rating is given there as “Met”.")
    assert row[layout.STATUS].value.startswith("In progress. Still to do: answered through Mapped fixture protocol, "
                                               "requirement 1: add evidence")
    assert sheet[f"I{LEAD}"].value == ("This answer also counts for Mapped fixture standards, Standard 1 "
                                       f"(row {LEADERSHIP}), which asks the same.")
    assert not sheet[f"F{LEAD}"].protection.locked and not sheet[f"G{LEADERSHIP + 1}"].protection.locked
    assert sheet[f"I{LEAD + 1}"].value == (f"Mapped fixture standards, Standard 2 (row {LEADERSHIP + 1}) asks part "
                                           "of what this requirement asks: its answer may be a place to start.")
    assert sheet[f"I{LEADERSHIP + 2}"].value == (f"Mapped fixture protocol, requirement 3 (row {LEAD + 2}) asks "
                                                 "something related to this requirement: its answer may be a place "
                                                 "to start.")
    help_text = " ".join(str(cell.value) for row in book["Help"].iter_rows() for cell in row if cell.value)
    assert "the hidden columns N to Q" in help_text and "“Answered through” that requirement" in help_text
    upload = _read_mapped(_download(context), context)
    assert upload.problems == ()
    assert [row.requirement.id for row in upload.rows] == ["lead", "training", "policy", "induction", "policies"]
    plan = plan_upload(context, upload.rows)
    assert (plan.changes, plan.unchanged, plan.missing, plan.through) == ((), 5, 0, 1)


def test_a_return_without_mappings_keeps_its_columns():
    assert layout.answer_columns(_context().plan) == layout.COLUMNS
    assert layout.LINKED not in [c.value for c in load_workbook(io.BytesIO(_download(_context())))["Answers"][3]]


@pytest.mark.parametrize(("cells", "column"), [
    ({f"G{LEADERSHIP}": "Typed into the wrong row"}, "G (Explain your rating)"),
    ({f"F{LEADERSHIP}": "Not met", f"H{LEADERSHIP}": "Why"}, "F (Rating)"),
    ({f"F{LEADERSHIP}": "Meets"}, "F (Rating)"),
])
def test_a_change_to_an_answered_through_row_is_refused_by_row_and_column_and_saves_nothing(cells, column):
    context = _mapped()
    upload = _read_mapped(_edited(_download(context), **{f"G{LEAD}": "A new answer", **cells}), context)
    assert upload.rows == ()
    assert _messages(upload) == [
        f"Sheet Answers, row {LEADERSHIP}, column {column}: this requirement (Standard 1) is answered through Mapped "
        f"fixture protocol, requirement 1, which asks the same, so your organisation answers the two once, in row "
        f"{LEAD}; nothing in this row is saved. Put the answer in row {LEAD}, then undo your change to this row or "
        "delete the row"]


def test_an_answered_through_row_is_never_saved_and_follows_the_answer_it_shows():
    """The answering row changed in the file, or the answer changed on the website since the download: the row
    answered through it, left as downloaded, is no problem and is not saved."""
    context = _mapped()
    data = _edited(_download(context), **{f"F{LEAD}": "Partially met", f"G{LEAD}": "A deputy is needed"})
    since = _mapped({**MAPPED, (PROTOCOL.key, "lead"): _answer("not-met", "Changed on the website", revision=3)})
    for now in (context, since):
        upload = _read_mapped(data, now)
        assert upload.problems == () and "leadership" not in [row.requirement.id for row in upload.rows]
    assert [item.requirement.id for item in plan_upload(context, _read_mapped(data, context).rows).changes] == ["lead"]
    assert [item.requirement.id for item in plan_upload(since, _read_mapped(data, since).rows).conflicts] == ["lead"]


def test_an_answered_through_row_left_out_of_the_file_is_not_missing_and_its_answering_row_is_named_on_the_website():
    context = _mapped()
    book = load_workbook(io.BytesIO(_download(context)))
    book["Answers"][f"G{LEADERSHIP}"] = "Changed"
    book["Answers"].delete_rows(LEAD)
    out = io.BytesIO()
    book.save(out)
    assert _messages(_read_mapped(out.getvalue(), context)) == [
        f"Sheet Answers, row {LEADERSHIP - 1}, column G (Explain your rating): this requirement (Standard 1) is "
        "answered through Mapped fixture protocol, requirement 1, which asks the same, so your organisation answers "
        "the two once, in its own row (it is not in this file: change it on the website); nothing in this row is "
        "saved. Put the answer in that requirement, then undo your change to this row or delete the row"]
    book["Answers"].delete_rows(LEADERSHIP - 1)
    out = io.BytesIO()
    book.save(out)
    plan = plan_upload(context, _read_mapped(out.getvalue(), context).rows)
    assert (plan.missing, plan.through, plan.unchanged) == (1, 1, 4)
