"""A return completed offline: the workbook's sheets and columns (defined once here, written by
render/return_workbook.py and read back here), and what an uploaded workbook would change.

Pure: the workbook's bytes and the return as it stands come in; rows, problems and a plan come out. Every rule an
answer meets is the requirement page's own (core.returns: typed_answer_problems, typed_answer, answer_gaps,
changes_nothing); what this module adds is where a problem is (sheet, row, column) and how each row is matched to
its requirement and to the answer that was downloaded.

How a change made on the website meanwhile is found: each row carries, in hidden locked columns, the answer's
revision when the file was made and a fingerprint of the answer as written into the file. A row whose answer still
matches its fingerprint was not changed offline and is never saved (the website's answer stays, whatever happened
to it). A row changed offline whose answer has a newer revision on the website is a conflict: listed with both
versions and not saved, as on the requirement page.

A requirement answered through another framework's (a `same` mapping: core/mappings.AnswerPlan, the one rule) is not
answered in its own row: the row shows that answer, locked, and a change to it is refused by row and column, saying
where the answer is given. Refused rather than ignored because the upload's rule is that every problem is listed and
nothing is saved (an ignored change would read as saved), and because the requirement page refuses the same save.
A return with any mapping between its requirements has one more column, Other frameworks, saying how each row is
linked (answered through, also counts for, or related and a place to start).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from compliance.core.frameworks import Framework, Requirement
from compliance.core.mappings import AnswerPlan, cross_reference
from compliance.core.returns import (
    Key,
    ReturnContext,
    Row,
    answer_gaps,
    changes_nothing,
    typed_answer,
    typed_answer_problems,
)
from compliance.core.text import shorten
from compliance.core.workbook import MAX_BYTES, Problem, Sheet, SheetSpec, read_workbook
from compliance.core.workbook import Row as SheetRow

# The Answers sheet's columns, in order. The three to fill in are Rating, Explain your rating and Reason; the last
# four are hidden and locked: which requirement a row is, and the answer it held when the file was made. A return whose
# requirements are mapped to each other's has Other frameworks after Reason (answer_columns).
FRAMEWORK, REF, TITLE, TEXT, GUIDANCE = "Framework", "Ref", "Requirement", "What it asks", "Guidance"
RATING, NARRATIVE, REASON = "Rating", "Explain your rating", "Reason, if the rating needs one"
LINKED = "Other frameworks"
STATUS, SAVED, EVIDENCE, ACTIONS = ("Status on the website", "Last saved on the website", "Evidence (on the website)",
                                    "Improvement actions (on the website)")
KEY, ID, REVISION, CHECK = "Framework key", "Requirement id", "Answer version", "Answer check"
COLUMNS = (FRAMEWORK, REF, TITLE, TEXT, GUIDANCE, RATING, NARRATIVE, REASON, STATUS, SAVED, EVIDENCE, ACTIONS, KEY,
           ID, REVISION, CHECK)
LINKED_COLUMNS = (*COLUMNS[:COLUMNS.index(STATUS)], LINKED, *COLUMNS[COLUMNS.index(STATUS):])
HIDDEN = (KEY, ID, REVISION, CHECK)
MAX_ROWS = 500  # more requirements than any return asks; a sheet of 10,000 rows is refused before it is read

ANSWERS = SheetSpec("Answers", COLUMNS, max_rows=MAX_ROWS, header_row=3)
ABOUT = SheetSpec("About", ("Item", "Value"), max_rows=20, header_row=2)
OTHER_SHEETS = ("Help", "Lists")  # written for people (the help, the drop-downs' options), never read back
# The About sheet's items: which return the file is for (checked on upload, never trusted) and when it was made.
ORGANISATION, ORGANISATION_NUMBER = "Organisation", "Organisation number"
RETURN, RETURN_NUMBER = "Return", "Return number"
DOWNLOADED, DOWNLOADED_BY = "Downloaded", "Downloaded by"
_CHECK = re.compile(r"[0-9a-f]{16}")


def linked(plan: AnswerPlan) -> bool:
    """Whether any requirement of the return is mapped to another of its requirements: then the Answers sheet has
    the Other frameworks column."""
    return bool(plan.sources or plan.answers_too or plan.suggestions)


def answer_columns(plan: AnswerPlan) -> tuple[str, ...]:
    """The Answers sheet's columns for a return with this plan (core/mappings.py)."""
    return LINKED_COLUMNS if linked(plan) else COLUMNS


def answers_spec(plan: AnswerPlan) -> SheetSpec:
    return replace(ANSWERS, columns=answer_columns(plan))


def column_letter(columns: tuple[str, ...], column: str) -> str:
    """A column's letter among these columns: "F" for Rating."""
    return get_column_letter(columns.index(column) + 1)


def hidden_columns(columns: tuple[str, ...]) -> str:
    """The hidden columns' letters, as the Help sheet and a problem name them: "M to P"."""
    return f"{column_letter(columns, KEY)} to {column_letter(columns, columns[-1])}"


def _stamp_columns(columns: tuple[str, ...]) -> str:
    return f"{column_letter(columns, REVISION)} and {column_letter(columns, CHECK)}"


def fingerprint(answer: Row | None) -> str:
    """The answer's rating, explanation and reason as a spreadsheet keeps them, in 16 hex digits: text a cell
    cannot hold (control characters) left out, Windows line endings as one, no space at either end."""
    answer = answer or {}
    parts = [answer.get("rating") or "", as_written(answer.get("narrative")), as_written(answer.get("reason"))]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def as_written(text: str | None) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text or "").replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class FileRow:
    """One requirement's row of an uploaded workbook, read and checked."""

    framework: Framework
    requirement: Requirement
    number: int  # as the spreadsheet numbers it
    answer: Row  # as typed, in the form it is saved (core.returns.typed_answer)
    revision: int  # the answer's revision when the file was made
    changed: bool  # changed since the file was made


@dataclass(frozen=True)
class Upload:
    problems: tuple[Problem, ...] = ()
    rows: tuple[FileRow, ...] = ()
    downloaded: str = ""  # when and by whom the file was made, as its About sheet says


def read_return_workbook(data: bytes, filename: str, context: ReturnContext, *, organisation_id: int,
                         max_bytes: int = MAX_BYTES) -> Upload:
    """The rows of a workbook made for this return and uploaded by a person of organisation_id, or every problem
    with it: a file that is not this return's is refused before any row is read."""
    answers = answers_spec(context.plan)
    book = read_workbook(data, filename, (answers, ABOUT), max_bytes=max_bytes, allow_other_sheets=OTHER_SHEETS)
    if book.problems:
        return Upload(problems=book.problems)
    about = {row.text("Item"): row for row in book[ABOUT.name].rows}
    wrong = _wrong_return(book[ABOUT.name], about, context, organisation_id)
    if wrong:
        return Upload(problems=(wrong,))
    problems: list[Problem] = []
    rows: list[FileRow] = []
    requirements = {(f.key, r.id): (f, r) for f, r in context.requirements()}
    seen: dict[Key, int] = {}
    sheet = book[answers.name]
    numbers = {(row.text(KEY), row.text(ID)): row.number for row in sheet.rows}  # where each requirement's row is
    for row in sheet.rows:
        found, stamp, said = _identify(sheet, row, requirements, seen)
        problems += said
        if found is None or stamp is None:
            continue
        if context.source(*found) is not None:
            problems += _through_problems(sheet, row, context, *found, stamp[1], numbers)
            continue
        checked, said = _checked(sheet, row, context, *found, stamp)
        problems += said
        if checked is not None:
            rows.append(checked)
    downloaded = shorten(" by ".join(filter(None, [about[item].text("Value") if item in about else ""
                                                   for item in (DOWNLOADED, DOWNLOADED_BY)])), 200)
    return Upload(problems=tuple(problems), rows=() if problems else tuple(rows), downloaded=downloaded)


def _wrong_return(sheet: Sheet, about: dict[str, SheetRow], context: ReturnContext,
                  organisation_id: int) -> Problem | None:
    def number(item: str) -> int | None:
        value = about[item].get("Value") if item in about else None
        return int(value) if isinstance(value, (int, float)) and float(value).is_integer() else None

    ret = context.ret
    if (number(RETURN_NUMBER), number(ORGANISATION_NUMBER)) == (ret.id, ret.organisation_id) == (
            ret.id, organisation_id):
        return None
    named = ", ".join(filter(None, [about[item].text("Value")[:80] if item in about else ""
                                    for item in (ORGANISATION, RETURN)]))
    return sheet.problem(None, None, f"this file was made for another return{f' ({named})' if named else ''}, not "
                                     f"{ret.organisation_name}'s return for {ret.cycle_name}, or its About sheet has "
                                     "been changed. Download this return's own file from this page, copy your "
                                     "answers into it and upload that")


def _identify(sheet: Sheet, row: SheetRow, requirements: dict[Key, tuple[Framework, Requirement]],
              seen: dict[Key, int]) -> tuple[tuple[Framework, Requirement] | None, tuple[int, str] | None,
                                             list[Problem]]:
    """Which requirement a row is and the answer it was made with (revision, fingerprint), or what is wrong."""
    key = (row.text(KEY), row.text(ID))
    found = requirements.get(key)
    if found is None:
        return None, None, [sheet.problem(row, ID, "this row is not one of this return's requirements: rows "
                                                   "cannot be added, and the hidden columns "
                                                   f"{hidden_columns(sheet.spec.columns)} must "
                                                   "not be changed. Delete the row, or start again from a new "
                                                   "download")]
    if key in seen:
        return None, None, [sheet.problem(row, ID, f"this requirement ({found[1].ref}) is also in row "
                                                   f"{seen[key]}: keep one row for it and delete the other")]
    seen[key] = row.number
    revision, check = row.get(REVISION), row.text(CHECK)
    if not (isinstance(revision, (int, float)) and float(revision).is_integer() and revision >= 0
            and _CHECK.fullmatch(check)):
        return found, None, [sheet.problem(row, REVISION, f"the hidden columns {_stamp_columns(sheet.spec.columns)}, "
                                                          "which say which "
                                                          "answer you downloaded, have been changed: start again from "
                                                          "a new download")]
    return found, (int(revision), check), []


def _checked(sheet: Sheet, row: SheetRow, context: ReturnContext, framework: Framework, requirement: Requirement,
             stamp: tuple[int, str]) -> tuple[FileRow | None, list[Problem]]:
    """The row's answer checked by the requirement page's rules, or where each of them fails."""
    rating_text = row.text(RATING)
    codes = {_folded(level.label): level.code for level in framework.scale}
    rating = codes.get(_folded(rating_text), rating_text) if rating_text else None
    narrative, reason = _typed(row.text(NARRATIVE)), _typed(row.text(REASON))
    current = context.answers.get((framework.key, requirement.id))
    answer = typed_answer(framework, rating=rating, narrative=narrative, reason=reason,
                          carried_forward=(current or {}).get("carried_forward") or 0)
    changed = fingerprint(answer) != stamp[1]
    said = typed_answer_problems(framework, rating=rating, narrative=narrative, reason=reason)
    problems = []
    if "rating" in said:
        labels = [level.label for level in framework.scale]
        problems.append(sheet.problem(row, RATING, f"{said['rating']}: “{rating_text[:80]}” is not one of "
                                                   f"{framework.short_title}'s ratings. Choose "
                                                   f"{_either(labels)} from the drop-down"))
    if "narrative" in said:
        problems.append(sheet.problem(row, NARRATIVE, f"{said['narrative']} (it has {len(narrative):,})"))
    if "reason" in said:
        problems.append(sheet.problem(row, REASON, f"{said['reason']} (it has {len(reason):,}): shorten it"))
    missing = answer_gaps(framework, requirement, answer, actions=0, evidence=0).get("reason") if changed else None
    if missing and not said:
        problems.append(sheet.problem(row, REASON, f"{missing} in this column, or choose another rating"))
    if problems:
        return None, problems
    return FileRow(framework, requirement, row.number, answer, stamp[0], changed), []


def _through_problems(sheet: Sheet, row: SheetRow, context: ReturnContext, framework: Framework,
                      requirement: Requirement, check: str, numbers: dict[Key, int]) -> list[Problem]:
    """A row answered through another framework's requirement: nothing in it is read. Changed since the download
    (and not to the answer as it stands), it is refused at its first changed cell, saying where to answer."""
    codes = {_folded(level.label): level.code for level in framework.scale}
    typed = {"rating": codes.get(_folded(row.text(RATING)), row.text(RATING)) or None,
             "narrative": _typed(row.text(NARRATIVE)), "reason": _typed(row.text(REASON))}
    if fingerprint(typed) == check:
        return []
    _, current = context.answered_by(framework, requirement)
    changed = [column for column, key in ((RATING, "rating"), (NARRATIVE, "narrative"), (REASON, "reason"))
               if as_written(typed[key]) != as_written((current or {}).get(key))]
    if not changed:
        return []  # it reads as the answer given there now: nothing would change
    source = context.source(framework, requirement) or (framework, requirement)
    number = numbers.get((source[0].key, source[1].id))
    there = f"row {number}" if number else "its own row (it is not in this file: change it on the website)"
    return [sheet.problem(row, changed[0], f"this requirement ({requirement.ref}) is answered through "
                                           f"{cross_reference(*source)}, which asks the same, so your organisation "
                                           f"answers the two once, in {there}; nothing in this row is saved. Put "
                                           f"the answer in {f'row {number}' if number else 'that requirement'}, "
                                           "then undo your change to this row or delete the row")]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _typed(text: str) -> str:
    """Text from a cell as the requirement page keeps typed text: Windows line endings as one, trimmed."""
    return text.replace("\r\n", "\n").strip()


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


@dataclass(frozen=True)
class Item:
    """One requirement the upload would change, or could not: the answer on the website now (None: none yet), the
    answer in the file, and what the answer would still need on the website once saved."""

    framework: Framework
    requirement: Requirement
    number: int  # the row in the file
    before: Row | None
    after: Row
    still_needed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    changes: tuple[Item, ...] = ()
    conflicts: tuple[Item, ...] = ()  # changed in the file and on the website since the download: not saved
    kept: tuple[Item, ...] = ()  # changed on the website since the download, not in the file: the website's stays
    unchanged: int = 0  # rows that change nothing (the kept ones among them)
    missing: int = 0  # requirements of the return with no row in the file: left as they are
    revisions: dict[Key, int] = field(default_factory=dict)  # each requirement's answer's revision now
    through: int = 0  # requirements answered through another framework's: their rows are never saved

    @property
    def digest(self) -> str:
        """What this plan would do, in 16 hex digits: a save checks that it is the plan its person saw."""
        shown = [[kind, item.framework.key, item.requirement.id, item.number, fingerprint(item.after),
                  self.revisions.get((item.framework.key, item.requirement.id), 0)]
                 for kind, items in (("change", self.changes), ("conflict", self.conflicts)) for item in items]
        return hashlib.sha256(json.dumps(shown).encode("utf-8")).hexdigest()[:16]


def plan_upload(context: ReturnContext, rows: tuple[FileRow, ...]) -> Plan:
    """What saving these rows would do to the return as it stands."""
    changes, conflicts, kept, unchanged = [], [], [], 0
    revisions = {key: int(answer.get("revision") or 0) for key, answer in context.answers.items()}
    for row in rows:
        key = (row.framework.key, row.requirement.id)
        current = context.answers.get(key)
        item = Item(row.framework, row.requirement, row.number, current, row.answer)
        if not row.changed or changes_nothing(current, row.answer):
            unchanged += 1
            if not row.changed and revisions.get(key, 0) != row.revision:
                kept.append(item)
        elif revisions.get(key, 0) == row.revision:
            gaps = answer_gaps(row.framework, row.requirement, row.answer, actions=len(context.actions.get(key, [])),
                               evidence=len(context.evidence.get(key, [])))
            changes.append(replace(item, still_needed=tuple(gaps.values())))
        else:
            conflicts.append(item)
    through = sum(context.source(*pair) is not None for pair in context.requirements())
    missing = len(context.requirements()) - through - len(rows)
    return Plan(tuple(changes), tuple(conflicts), tuple(kept), unchanged, missing, revisions, through)
