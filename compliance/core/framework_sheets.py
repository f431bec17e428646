"""A framework as a spreadsheet: its sheets, their columns and what each means, and the cells of a framework.

One table of columns serves both directions: render/framework_workbook.py lays the sheets out from it,
core/framework_workbook.py reads an uploaded one back with it, and the Help sheet and the help page explain it.
Every field of a framework file has a place: the top-level fields and the overall rule are rows of the About sheet;
the scale's levels, the thresholds, the requirements and the mappings are a row each on their own sheets.

Pure: values in, values out.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.core import frameworks as fw
from compliance.core.sectors import Sectors
from compliance.core.workbook import SheetSpec

YES, NO = "Yes", "No"
LIST_SEPARATOR = ","


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one field of the About sheet): its heading, the field of the framework file it
    holds (a dotted path within the row's table), what kind of value it holds and what a person should put in it.

    kind: text, choice (one of `choices`), yes-no, whole (a whole number), number, date, commas (a list of text,
    separated by commas), sectors (the same, by sector name) or lines (a list, one item a line).
    blank: what an empty cell gives the parser: "" (text; the parser says whether it may be empty), or None (the
    field is left out, so its default applies or the parser says it is missing)."""

    heading: str
    key: str
    kind: str
    want: str  # what to enter, as a phrase that follows "enter": "a whole number, like 3"
    meaning: str  # what it is for, in a sentence or two
    choices: tuple[str, ...] = ()
    blank: str | None = ""
    width: int = 20
    default: bool | None = None  # a yes-no column's value when the field is left out


def _text(heading: str, key: str, want: str, meaning: str, *, width: int = 30) -> Column:
    return Column(heading, key, "text", want, meaning, width=width)


def _yes_no(heading: str, key: str, meaning: str, *, empty: str = NO) -> Column:
    return Column(heading, key, "yes-no", "Yes or No", f"{meaning} Empty means {empty}.", (YES, NO), None, 16,
                  empty == YES)


_DEFAULT_RELATION = next(item.default for item in fields(fw.Mapping) if item.name == "relation")
ID_WANT = "lower case letters and digits, with single hyphens between them, like standard-1"

ABOUT_FIELDS = (
    _text("Framework id", "id", ID_WANT, "The framework's id, which never changes: every version of the framework "
          "has the same id. A new framework needs a new one."),
    _text("Version", "version", "a version, like 2 or 1.1 (letters and digits, with single dots or hyphens between "
          "them)", "This version's name. A version once loaded is never changed, so a changed framework needs a new "
          "version."),
    _text("Title", "title", "the framework's full title", "The full title people see."),
    _text("Short title", "short_title", "a short title of at most 40 characters",
          "A short title for column headings, at most 40 characters."),
    Column("Date published", "published", "date", "a date, like 01/06/2018",
           "When the source was published: a date the spreadsheet recognises, not text.", blank=None),
    _text("Source", "source", "where the wording comes from", "Where the wording comes from."),
    Column("Status", "status", "choice", "published or draft", "published, or draft while the wording is "
           "incomplete (a draft may leave wording and guidance empty).", fw.STATUSES),
    _text("Notice", "notice", "what is incomplete", "Shown wherever the framework appears. A draft needs one, "
          "saying what is incomplete; a published framework usually has none."),
    _text("Description", "description", "a paragraph about the framework",
          "A paragraph shown above the requirements. May be empty."),
    Column("Overall rule", "overall.rule", "choice", "worst-rating-wins or percentage-met",
           "How an organisation's overall result is worked out: worst-rating-wins (the lowest-scoring rating among "
           "its answers) or percentage-met (the share of answers that count as met).", fw.OVERALL_RULES),
    Column("Decimal places", "overall.decimals", "whole", "0, 1 or 2",
           "percentage-met only: the decimal places of the percentage, 0, 1 or 2. Leave it empty for "
           "worst-rating-wins.", ("0", "1", "2"), None),
    Column("Rounding", "overall.rounding", "choice", "half-up", "percentage-met only: how the percentage is "
           "rounded (half-up is the only rule). Empty means half-up; leave it empty for worst-rating-wins.",
           fw.ROUNDING_RULES, None),
)

SCALE_COLUMNS = (
    _text("Code", "code", "a short code, like met", "The level's code, stored with every answer: keep it when you "
          "make a new version. A mapping whose Relation is same needs the other framework's scale to have the same "
          "Codes.", width=18),
    _text("Label", "label", "what people see, like Met", "What people see, like Met.", width=18),
    _text("Definition", "definition", "what the level means", "What the level means: the hint under the rating.",
          width=50),
    Column("Colour", "rag", "choice", "green, amber, red or grey", "green, amber or red; grey for a level meaning "
           "not applicable, which is left out of every percentage.", fw.RAG_COLOURS, width=12),
    Column("Score", "score", "whole", "a whole number, like 3", "A whole number; higher is better, each level "
           "scoring lower than the level above. Leave it empty on a grey level.", blank=None, width=10),
    _yes_no("Counts as met", "counts_as_met", "Yes if an answer at this level counts as met in % met."),
    _yes_no("Needs an improvement action", "needs_action", "Yes if an answer at this level needs an improvement "
            "action."),
    _yes_no("Needs a reason", "needs_reason", "Yes if an answer at this level needs a reason (usually the grey, "
            "not applicable, level)."),
    _yes_no("Needs evidence", "needs_evidence", "Yes if an answer at this level needs at least one item of "
            "evidence before the return can be signed. Not on a grey level."),
)

THRESHOLD_COLUMNS = (
    Column("Minimum percent", "min_percent", "number", "a number from 0 to 100, like 75",
           "percentage-met only: the lowest percentage that gives this result, a number from 0 to 100 (75, not "
           "75%). List the highest first.", blank=None, width=18),
    _text("Label", "label", "the overall result's name, like Compliant", "The overall result people see.",
          width=30),
    Column("Colour", "rag", "choice", "green, amber or red", "green, amber or red.", fw.THRESHOLD_RAGS, width=12),
)

REQUIREMENT_COLUMNS = (
    _text("Id", "id", ID_WANT, "The requirement's id, which never changes: keep it in every version, and never "
          "use it for a different requirement.", width=16),
    _text("Ref", "ref", "what people see, like 1 or Standard 3", "What people see, like 1 or Standard 3; each "
          "requirement its own.", width=12),
    _text("Title", "title", "a short title", "A short title.", width=28),
    _text("Text", "text", "the requirement's wording", "The requirement's wording, copied exactly from the "
          "source. Only a draft may leave it empty.", width=60),
    _text("What good looks like", "guidance.good", "what good looks like", "Guidance: what good looks like. Only "
          "a draft may leave it empty.", width=50),
    _text("How it is evidenced", "guidance.evidence", "how it is evidenced", "Guidance: how it is evidenced. Only "
          "a draft may leave it empty.", width=50),
    Column("Suggested evidence", "suggested_evidence", "lines", "examples of evidence, one a line",
           "Examples of evidence shown to the organisation, one a line (in the cell, start a new line with Alt+Enter, "
           "or Option+Enter on a Mac).", blank=None, width=40),
    Column("Sectors", "sectors", "sectors", "sector names separated by commas, like Housing, Police",
           "The sectors that answer it, by name, separated by commas, like Housing, Police; leave it empty for every "
           "sector. The list offers each sector; type more than one yourself.", blank=None, width=28),
    _yes_no("Mandatory", "mandatory", "No if the requirement is optional: an answer is needed before the return is "
            "submitted only when it is mandatory.", empty=YES),
    Column("Tags", "tags", "commas", "tags separated by commas, like policy, training",
           "Tags, separated by commas, like policy, training. May be empty.", blank=None, width=20),
)

# How the two requirements of a mapping relate, in the words of questionnaires/README.md ("One answer for mapped
# requirements"; the rule itself is core/mappings.py's AnswerPlan).
RELATION_MEANING = (
    "How the two requirements relate. same: they ask the same thing, so when a cycle asks both frameworks an "
    "organisation answers the two once and that one answer counts for both, its rating carried over by its Code: "
    "both frameworks' scales need the same Codes (a same mapping to a scale with other Codes is refused). part-of: "
    "this framework's requirement is part of the other's. related: the two overlap. With part-of or related each "
    f"requirement is answered on its own, and the other's answer is only a suggestion to start from. Empty means "
    f"{_DEFAULT_RELATION}.")

MAPPING_COLUMNS = (
    _text("Requirement id", "requirement", ID_WANT, "The Id of a requirement on the Requirements sheet.",
          width=22),
    _text("Other framework id", "framework", ID_WANT, "The id of another framework that is already loaded.",
          width=34),
    _text("Other requirement id", "target", ID_WANT, "The id of a requirement of that framework.", width=24),
    Column("Relation", "relation", "choice", " or ".join(fw.RELATIONS), RELATION_MEANING, fw.RELATIONS, None, 14),
)


def _headings(columns: Sequence[Column]) -> tuple[str, ...]:
    return tuple(column.heading for column in columns)


ABOUT_HEADINGS = ("Field", "Value", "What to put in it")
ABOUT = SheetSpec("About", ABOUT_HEADINGS, max_rows=40)
SCALE = SheetSpec("Scale", _headings(SCALE_COLUMNS), max_rows=20)
THRESHOLDS = SheetSpec("Thresholds", _headings(THRESHOLD_COLUMNS), max_rows=20)
REQUIREMENTS = SheetSpec("Requirements", _headings(REQUIREMENT_COLUMNS), max_rows=1000)
MAPPINGS = SheetSpec("Mappings", _headings(MAPPING_COLUMNS), max_rows=1000)
SPECS = (ABOUT, SCALE, THRESHOLDS, REQUIREMENTS, MAPPINGS)
# Each sheet of rows: its spec, its columns, and where its rows go in the framework file.
TABLES = ((SCALE, SCALE_COLUMNS, "scale"), (THRESHOLDS, THRESHOLD_COLUMNS, "overall.thresholds"),
          (REQUIREMENTS, REQUIREMENT_COLUMNS, "requirements"), (MAPPINGS, MAPPING_COLUMNS, "mappings"))
OTHER_SHEETS = ("Help", "Lists")  # written, never read: the help, and the drop-downs' options

Cell = str | int | float | date | None


def about_rows(document: dict[str, Any] | None) -> list[list[Cell]]:
    """The About sheet's rows: each field's name, its value (empty in the template) and what to put in it."""
    return [[field.heading, None if document is None else cell(field, _get(document, field.key)), field.want]
            for field in ABOUT_FIELDS]


def table_rows(document: dict[str, Any], path: str, columns: Sequence[Column], sectors: Sectors) -> list[list[Cell]]:
    """One row a table of the framework file's array at `path` ("scale", "overall.thresholds", ...)."""
    items = _get(document, path)
    return [[cell(column, _get(item, column.key), sectors) for column in columns]
            for item in (items if isinstance(items, list) else [])]


def _get(table: dict[str, Any], path: str) -> object:
    value: object = table
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def cell(column: Column, value: object, sectors: Sectors | None = None) -> Cell:
    """A field's value as its cell shows it (the reverse of core/framework_workbook's reading)."""
    if column.kind == "yes-no":
        return YES if (column.default if value is None else value) else NO
    if value is None:
        return None
    if isinstance(value, list):
        if column.kind == "lines":
            return "\n".join(value)
        return f"{LIST_SEPARATOR} ".join(_sector_name(item, sectors) if column.kind == "sectors" else item
                                         for item in value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (str, int, float, date)):
        return value
    raise TypeError(f"no cell for {type(value).__name__}")


def _sector_name(sector_id: str, sectors: Sectors | None) -> str:
    """The sector's name, or its id when its name has a comma in it (which would split it in two)."""
    name = sectors.name(sector_id) if sectors is not None else sector_id
    return sector_id if LIST_SEPARATOR in name else name


# One example row for each sheet (the About sheet's as its values), as the help page shows them: the worked
# example of questionnaires/README.md, whose wording is invented.
EXAMPLES: dict[str, dict[str, str]] = {
    "About": {"Framework id": "example-standards", "Version": "1",
              "Title": "Example standards for partner organisations", "Short title": "Example standards",
              "Date published": "01/04/2024", "Source": "Written for this help page", "Status": "published",
              "Notice": "", "Description": "Answer every standard that applies to your organisation.",
              "Overall rule": "percentage-met", "Decimal places": "0", "Rounding": ""},
    "Scale": {"Code": "met", "Label": "Met", "Definition": "Fully in place, with evidence.", "Colour": "green",
              "Score": "2", "Counts as met": YES, "Needs an improvement action": NO, "Needs a reason": NO,
              "Needs evidence": NO},
    "Thresholds": {"Minimum percent": "75", "Label": "Compliant", "Colour": "green"},
    "Requirements": {"Id": "named-lead", "Ref": "1", "Title": "Named lead",
                     "Text": "Have a named lead for domestic abuse.",
                     "What good looks like": "Staff know who the lead is and how to reach them.",
                     "How it is evidenced": "A document naming the lead, and where staff are told.",
                     "Suggested evidence": "The lead's job description\nStaff intranet page naming the lead",
                     "Sectors": "Housing, Local authority", "Mandatory": YES, "Tags": "governance"},
    "Mappings": {"Requirement id": "named-lead", "Other framework id": "example-protocol",
                 "Other requirement id": "lead", "Relation": fw.RELATIONS[0]},
}
