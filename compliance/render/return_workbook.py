"""A return as a workbook to fill in away from the website (and share with colleagues by email), then upload back.

Values in, bytes out: the sheets and columns are core/return_workbook's, which reads the file back. A Help sheet
in plain English; an Answers sheet with one row per requirement the organisation answers, its wording, guidance and
the answer as it stands, only Rating (a drop-down of the scale's labels), Explain your rating and Reason open to
change, the evidence and improvement actions listed read-only (they stay on the website); an About sheet saying
which return the file is for; the drop-downs' options on a hidden Lists sheet. Every text is neutralised.

A requirement answered through another framework's (core/mappings.AnswerPlan, the one rule) shows that answer in its
row, grey and locked, with "Answered through ..." in the Other frameworks column; the requirement where it is given
says what else its answer counts for, and a part-of or related one which row may be a place to start.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from compliance.core import limits
from compliance.core import return_workbook as layout
from compliance.core.frameworks import Framework, Requirement
from compliance.core.mappings import cross_reference
from compliance.core.returns import ACTION_STATUSES, ANSWER_STATES, Key, ReturnContext, Row
from compliance.core.text import long_date, when
from compliance.render.workbooks import (
    OPEN_FILL,
    cell_style,
    data_sheet,
    drop_down,
    help_sheet,
    lock_all_but,
    lock_structure,
    protect,
    saved,
    styled,
    text_limit,
)

WIDTHS = {layout.FRAMEWORK: 14, layout.REF: 8, layout.TITLE: 24, layout.TEXT: 48, layout.GUIDANCE: 48,
          layout.RATING: 18, layout.NARRATIVE: 60, layout.REASON: 32, layout.LINKED: 40, layout.STATUS: 26,
          layout.SAVED: 22,
          layout.EVIDENCE: 36, layout.ACTIONS: 40}
LINE = 15  # points a line of 11-point text takes
MAX_HEIGHT = 300  # points, about 20 lines: a row never taller than a screen (people may make one taller)
MIN_LINES = 6  # room to type in a row whose answer is still short
GREY = "FFF3F2F1"


def return_workbook(context: ReturnContext, *, partnership: str, names: Mapping[int, str], downloaded_by: str,
                    downloaded_at: datetime) -> bytes:
    """The workbook of a return as it stands: names are the people who last saved its answers, by id."""
    book = Workbook()
    book.remove(book.worksheets[0])
    ret = context.ret
    spec = layout.answers_spec(context.plan)
    help_sheet(book, f"How to fill in {ret.organisation_name}'s return for {ret.cycle_name} offline",
               _help(context, partnership, spec.columns), _columns(spec.columns))
    rows = {(f.key, r.id): number for number, (f, r) in enumerate(context.requirements(), start=spec.header_row + 1)}
    answers = data_sheet(book, spec, [_row(context, f, r, names, rows, spec.columns)
                                      for f, r in context.requirements()],
                         widths=[WIDTHS.get(column, 12) for column in spec.columns],
                         title_rows=[f"{ret.organisation_name}: return for {ret.cycle_name}",
                                     "Fill in the yellow cells: Rating, Explain your rating and, where the rating "
                                     "needs one, Reason. Evidence and improvement actions stay on the website. "
                                     "Read the Help sheet first."])
    about = data_sheet(book, layout.ABOUT, [
        [layout.ORGANISATION, ret.organisation_name], [layout.ORGANISATION_NUMBER, ret.organisation_id],
        [layout.RETURN, f"{ret.cycle_name} return to {partnership}"], [layout.RETURN_NUMBER, ret.id],
        [layout.DOWNLOADED, when(downloaded_at)], [layout.DOWNLOADED_BY, downloaded_by]],
        widths=[22, 60], title_rows=["Which return this file is for: the website checks it when the file is "
                                     "uploaded. Do not change this sheet."])
    lock_all_but(about, [])
    _shape(answers, context)  # after About, so that the drop-downs' hidden Lists sheet comes last
    lock_structure(book)
    return saved(book)


def _help(context: ReturnContext, partnership: str, columns: tuple[str, ...]) -> list[str]:
    ret = context.ret
    linked = [] if layout.LINKED not in columns else [
        "Some requirements are linked to another framework's requirement: the Other frameworks column says how. "
        "Where two ask the same, your organisation answers them once, in the row of the one listed first, and that "
        "answer counts for both: the other row shows it in grey, “Answered through” that requirement, and cannot be "
        "changed (a change to it is refused when the file is uploaded). Where one asks part of what another asks, "
        "or something related, each is answered in its own row, and the other's answer may be a place to start."]
    return [
        f"This spreadsheet is {ret.organisation_name}'s return for {ret.cycle_name} to {partnership}, as it stood "
        "when it was downloaded (the About sheet says when). Fill it in away from the website, or share it with "
        "colleagues, then upload it back to save the answers.",
        "What to fill in: on the Answers sheet, one row for each requirement, fill in the yellow cells only. Choose "
        "a Rating from the cell's drop-down, say why in Explain your rating, and give a Reason where the rating "
        "needs one (for example Not applicable). The other columns say what each requirement asks, the guidance, "
        "and what is on the website now.",
        *linked,
        "What not to touch: do not add, delete, move or rename sheets, rows or columns, and do not use formulas "
        f"(type the words themselves). The About sheet and the hidden columns {layout.hidden_columns(columns)} "
        "tell the "
        "website which return and which answers this file holds: if they are changed, the file is refused.",
        "Evidence files and improvement actions stay on the website: add, change or remove them there. The Answers "
        "sheet lists the ones each requirement had when the file was downloaded, so that you can see them; "
        "changing those lists here changes nothing.",
        f"An explanation can be up to {limits.NARRATIVE:,} characters long and a reason up to "
        f"{limits.REASON:,}. Do not name or describe anyone who has experienced abuse.",
        "How to upload it back: save the file as an Excel workbook (.xlsx). Sign in to the website, open the "
        "return, choose “Work on this return offline” and upload the file. Nothing is saved straight away: you see "
        "every answer the file would change, beside the answer on the website, then choose “Save these answers”. "
        "If anything in the file needs fixing, you are told the sheet, row and column, and nothing is saved.",
        "If someone changes an answer on the website after this file was downloaded, the file's answer to that "
        "requirement is not saved over theirs: you see both and choose. An answer you did not change in this file "
        "is never saved over the website's.",
        "Answers carried forward from last year stay marked “Carried forward - check” until someone confirms them "
        "on the website.",
    ]


def _columns(columns: tuple[str, ...]) -> list[tuple[str, str, str]]:
    sheet = layout.ANSWERS.name
    linked = [] if layout.LINKED not in columns else [
        (sheet, layout.LINKED, "How the requirement is linked to another framework's, with that one's row: "
                               "“Answered through” (answer it there: this row's yellow cells are grey and locked), "
                               "“This answer also counts for”, or a related requirement whose answer may be a place "
                               "to start. Read only.")]
    return [
        (sheet, layout.RATING, "Choose one from the drop-down: each framework has its own ratings. Leave it empty if "
                               "you have not decided."),
        (sheet, layout.NARRATIVE, "What your organisation has in place, how you know it works in practice, and any "
                                  f"gaps: up to {limits.NARRATIVE:,} characters."),
        (sheet, layout.REASON, "Only for a rating that needs one (Not applicable): why the requirement does not "
                               f"apply to your organisation, up to {limits.REASON:,} characters. It is grey where "
                               "the framework has no such rating."),
        *linked,
        (sheet, f"{layout.FRAMEWORK} to {layout.GUIDANCE}", "The requirement: read only."),
        (sheet, f"{layout.STATUS} to {layout.ACTIONS}", "The answer, evidence and improvement actions on the "
                                                        "website when the file was downloaded: read only."),
        (layout.ABOUT.name, "", "Which return this file is for. Do not change it."),
    ]


def _row(context: ReturnContext, framework: Framework, requirement: Requirement, names: Mapping[int, str],
         rows: Mapping[Key, int], columns: tuple[str, ...]) -> list[str | int | None]:
    key, found = context.answered_by(framework, requirement)  # its own, or the one it is answered through
    answer: Row = found or {}
    level = framework.level_or_none(answer.get("rating"))
    problems = context.problems_for(framework, requirement)
    status = ANSWER_STATES[context.state(framework, requirement)]
    if problems and context.state(framework, requirement) != "not-started":
        status += ". Still to do: " + "; ".join(problem[0].lower() + problem[1:] for problem in problems)
    saved_by = names.get(answer.get("updated_by") or 0, "")
    last = (f"{saved_by}, {when(answer['updated_at'])}" if saved_by else when(answer["updated_at"])) \
        if answer.get("updated_at") else "Not saved yet"
    linked = [_linked(context, framework, requirement, answer, rows)] if layout.LINKED in columns else []
    return [framework.short_title or framework.title, requirement.ref, requirement.title, requirement.text,
            _guidance(requirement), level.label if level else None, answer.get("narrative") or None,
            answer.get("reason") or None, *linked, status, last,
            "\n".join(_evidence(item) for item in context.evidence.get(key, [])) or "None",
            "\n".join(_action(item) for item in context.actions.get(key, [])) or "None",
            framework.key, requirement.id, int(answer.get("revision") or 0), layout.fingerprint(answer)]


def _linked(context: ReturnContext, framework: Framework, requirement: Requirement, answer: Row,
            rows: Mapping[Key, int]) -> str | None:
    """How the requirement is linked to others in this return, in the requirement page's words, with their rows."""
    def named(pair: tuple[Framework, Requirement]) -> str:
        return f"{cross_reference(*pair)} (row {rows[(pair[0].key, pair[1].id)]})"

    source = context.source(framework, requirement)
    if source is not None:
        given = source[0].level_or_none(answer.get("rating"))
        level = framework.level_or_none(answer.get("rating"))
        row = rows[(source[0].key, source[1].id)]
        said = (f"Answered through {named(source)}, which asks the same: your organisation answers the two once, "
                f"there, and this row shows that answer. To change it, change row {row}.")
        if given and level and given.label != level.label:
            said += f" Its rating is given there as “{given.label}”."
        return said
    lines = []
    also = context.plan.also_answers(framework, requirement)
    if also:
        lines.append(f"This answer also counts for {_listed([named(pair) for pair in also])}, which "
                     f"{'asks' if len(also) == 1 else 'ask'} the same.")
    lines += [f"{named((item.framework, item.requirement))} {item.words}: its answer may be a place to start."
              for item in context.plan.suggested(framework, requirement)]
    return "\n".join(lines) or None


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _guidance(requirement: Requirement) -> str:
    parts = [("What good looks like", requirement.guidance.good), ("How it is evidenced",
                                                                   requirement.guidance.evidence),
             ("Suggested evidence", "; ".join(requirement.suggested_evidence))]
    return "\n\n".join(f"{label}: {text.strip()}" for label, text in parts if text and text.strip())


def _evidence(item: Row) -> str:
    where = item.get("filename") if item.get("kind") == "file" else item.get("url")
    until = f", valid until {long_date(item['valid_until'])}" if item.get("valid_until") else ""
    return f"• {item.get('title')} ({where}{until})"


def _action(item: Row) -> str:
    status = ACTION_STATUSES.get(item.get("status") or "", item.get("status"))
    return f"• {item.get('what')} (owner: {item.get('owner')}; due {long_date(item.get('due_date'))}; {status})"


def _shape(sheet: Worksheet, context: ReturnContext) -> None:
    """The Answers sheet's styles (read only; yellow and unlocked to fill in; grey where a framework asks no reason
    or the requirement is answered through another's), drop-downs, limits, hidden columns, heights and printing."""
    book: Any = sheet.parent
    columns = layout.answer_columns(context.plan)
    first = layout.ANSWERS.header_row + 1
    last = first + len(context.requirements()) - 1
    if last < first:
        return protect(sheet)
    rating, narrative, reason, final = (layout.column_letter(columns, c)
                                        for c in (layout.RATING, layout.NARRATIVE, layout.REASON, columns[-1]))
    styled(sheet, f"A{first}:{final}{last}", cell_style(book, "Read only"))
    styled(sheet, f"{rating}{first}:{narrative}{last}", cell_style(book, "To fill in", locked=False, fill=OPEN_FILL))
    row = first
    for framework in context.frameworks:
        count = len(framework.requirements_for(context.ret.sector))
        if not count:
            continue
        end = row + count - 1
        drop_down(sheet, f"{rating}{row}:{rating}{end}", [level.label for level in framework.scale],
                  prompt="Choose a rating: " + ", ".join(level.label for level in framework.scale))
        asks_reason = any(level.needs_reason for level in framework.scale)  # if not, the cells stay locked
        styled(sheet, f"{reason}{row}:{reason}{end}", cell_style(book, "To fill in", locked=False, fill=OPEN_FILL)
               if asks_reason else cell_style(book, "Not asked", fill=GREY))
        row = end + 1
    for number, pair in enumerate(context.requirements(), start=first):
        if context.source(*pair) is not None:  # answered in another row: its answer shown here, locked
            styled(sheet, f"{rating}{number}:{reason}{number}", cell_style(book, "Answered through", fill=GREY))
    text_limit(sheet, f"{narrative}{first}:{narrative}{last}", limits.NARRATIVE, what="An explanation")
    text_limit(sheet, f"{reason}{first}:{reason}{last}", limits.REASON, what="A reason")
    protect(sheet)
    for column in layout.HIDDEN:
        sheet.column_dimensions[layout.column_letter(columns, column)].hidden = True
    for number in range(first, last + 1):
        sheet.row_dimensions[number].height = _height(sheet, number, columns)
    sheet.row_dimensions[2].height = 2 * LINE
    sheet["A2"].font = Font(italic=True)
    sheet.freeze_panes = f"{layout.column_letter(columns, layout.TEXT)}{first}"  # headings, and which requirement
    sheet.print_title_rows = f"{layout.ANSWERS.header_row}:{layout.ANSWERS.header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _height(sheet: Worksheet, number: int, columns: tuple[str, ...]) -> float:
    """A row tall enough for its longest wrapped text, roughly (spreadsheet programs do not grow rows on opening)."""
    lines = MIN_LINES
    for column, width in WIDTHS.items():
        if column not in columns:
            continue
        text = str(sheet[f"{layout.column_letter(columns, column)}{number}"].value or "")
        lines = max(lines, sum(len(part) // max(1, width - 2) + 1 for part in text.split("\n")))
    return min(MAX_HEIGHT, lines * LINE)
