"""Read a framework from an uploaded spreadsheet, checked by the one parser every framework file goes through.

The workbook is read with the shared kit (core/workbook.py: the upload checks, the sheets and columns, no formulas,
the row limits). Its cells are turned into the dict a framework file parses to, noting which cell each field came
from; that dict is written as TOML and parsed by core/frameworks.parse, with the same rules as a file. Every error
the parser gives (`requirements[1].guidance.good: is empty; ...`) is put back in the cell it came from, in a
spreadsheet's words ("Sheet Requirements, row 2, column E (What good looks like): is empty; ..."). A workbook without
problems gives the framework and its canonical TOML (core/framework_toml.py), which is what is stored.

Pure: bytes in, values out.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from compliance.core import frameworks as fw
from compliance.core.framework_sheets import (
    ABOUT,
    ABOUT_FIELDS,
    LIST_SEPARATOR,
    OTHER_SHEETS,
    SPECS,
    TABLES,
    Column,
)
from compliance.core.framework_toml import canonical_toml, dumps
from compliance.core.sectors import Sectors
from compliance.core.workbook import Problem, Row, Sheet, Value, as_date, column_place, read_workbook

NAME = "workbook"  # the name the parser gives the workbook's TOML in its errors, taken off again here
_OMIT = object()  # a blank cell whose field is left out of the file, so that its default applies
_FRAGMENT = re.compile(r"(is|has|holds|must|applies|cannot) ")  # a message that starts with its verb


@dataclass(frozen=True)
class Place:
    """Where a field of the framework file came from: a sheet, a row (None for the whole sheet) and a column."""

    sheet: str
    row: int | None = None
    column: Column | None = None
    about: bool = False  # a field of the About sheet, named in the message since its column is only "Value"

    def problem(self, message: str) -> Problem:
        """The message in this place; one that starts with its verb ("is empty; ...") says what it is about."""
        fragment = _FRAGMENT.match(message) is not None
        if self.column is None:
            return Problem(f"The sheet {message}" if fragment and self.row is None else message, self.sheet,
                           self.row)
        if self.about:
            return Problem(f"{self.column.heading} {message}", self.sheet, self.row, column_place(ABOUT, "Value"))
        spec = next(spec for spec, _, _ in TABLES if spec.name == self.sheet)
        return Problem(f"{self.column.heading} {message}" if fragment else message, self.sheet, self.row,
                       column_place(spec, self.column.heading))


@dataclass(frozen=True)
class Checked:
    """A checked workbook: the framework and its canonical TOML, or every problem (then framework is None)."""

    framework: fw.Framework | None
    toml: str = ""
    problems: tuple[Problem, ...] = ()
    places: dict[str, Place] | None = None


def read_framework(data: bytes, filename: str, *, sectors: Sectors, known: Iterable[fw.Framework] = ()) -> Checked:
    """The framework in an uploaded workbook, checked as a framework file is (mappings resolved against `known`),
    or every problem with its sheet, row and column."""
    book = read_workbook(data, filename, SPECS, allow_other_sheets=OTHER_SHEETS)
    if book.problems:
        return Checked(None, problems=book.problems)
    document, places, problems = _document(book.sheets, sectors)
    reported = {(problem.sheet, problem.row, problem.column) for problem in problems}
    try:
        framework = fw.parse(dumps(document), name=NAME, sectors=sectors)
        errors = fw.unresolved_mappings(framework, known)
    except fw.FrameworkError as refused:
        errors = refused.errors
    found = list(problems)
    for error in errors:
        problem = _in_words(*_locate(error, places), sectors)
        if (problem.sheet, problem.row, problem.column) not in reported:  # said already, as the cell was read
            found.append(problem)
    if found:
        return Checked(None, problems=tuple(sorted(found, key=_reading_order)), places=places)
    canonical = canonical_toml(framework)
    return Checked(fw.parse(canonical, name=NAME, sectors=sectors), canonical, places=places)


def _document(sheets: dict[str, Sheet], sectors: Sectors
              ) -> tuple[dict[str, Any], dict[str, Place], list[Problem]]:
    """The TOML-shaped dict of the workbook, where each field came from, and the cells that could not be read."""
    document: dict[str, Any] = {}
    places: dict[str, Place] = {}
    problems: list[Problem] = []
    for key, place, value, problem in _about(sheets["About"], sectors):
        places[key] = place
        if problem:
            problems.append(place.problem(problem))
        elif value is not _OMIT:
            _put(document, key, value)
    places["overall"] = places["overall.rule"]
    for spec, columns, path in TABLES:
        places[path] = Place(spec.name)
        items = []
        for index, row in enumerate(sheets[spec.name].rows, 1):
            item: dict[str, Any] = {}
            places[f"{path}[{index}]"] = Place(spec.name, row.number)
            for column in columns:
                key, place = f"{path}[{index}].{column.key}", Place(spec.name, row.number, column)
                places[key] = place
                value, problem = _value(column, row.get(column.heading), sectors)
                if problem:
                    problems.append(place.problem(problem))
                elif value is not _OMIT:
                    _put(item, column.key, value)
            items.append(item)
        if items:
            _put(document, path, items)
    return document, places, problems


def _about(sheet: Sheet, sectors: Sectors) -> Iterable[tuple[str, Place, Any, str | None]]:
    """Each About field: its key, its place, its value and any problem with it; rows found by the field's name."""
    rows: dict[str, Row] = {}
    for row in sheet.rows:
        name = row.text("Field").strip()
        field = next((f for f in ABOUT_FIELDS if f.heading.casefold() == name.casefold()), None)
        if field is None:
            yield f"(about row {row.number})", Place("About", row.number), _OMIT, (
                f"column A holds {name!r}, which is not a field of a framework: the fields are "
                + ", ".join(f.heading for f in ABOUT_FIELDS) + ". Put back the name that was there, or delete the "
                "row")
        elif field.heading in rows:
            yield f"(about row {row.number})", Place("About", row.number), _OMIT, (
                f"{field.heading} is also on row {rows[field.heading].number}: keep one of the two rows")
        else:
            rows[field.heading] = row
    for field in ABOUT_FIELDS:
        found = rows.get(field.heading)
        place = Place("About", found.number if found else None, field, about=True)
        if found is None:
            yield field.key, place, _OMIT, (f"there is no row for {field.heading}: add it back, with "
                                            f"{field.heading} in column A and its value in column B")
            continue
        value, problem = _value(field, found.get("Value"), sectors)
        yield field.key, place, value, problem


_SHEET_ORDER = {spec.name: index for index, spec in enumerate(SPECS)}


def _reading_order(problem: Problem) -> tuple[int, int, str]:
    """Sheet by sheet in the workbook's order, then row by row, then column by column; the same cell's problems
    in the order they were found (sorted() keeps it)."""
    return (_SHEET_ORDER.get(problem.sheet or "", -1), problem.row or 0, problem.column or "")


def _put(table: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        table = table.setdefault(key, {})
    table[last] = value


def _text(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(column: Column, value: Value, sectors: Sectors) -> tuple[Any, str | None]:
    """A cell's value as the framework file holds it, or what is wrong with it; _OMIT for a field left out."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return (_OMIT if column.blank is None else column.blank), None
    kind, text = column.kind, _text(value).strip()
    if kind == "text":
        return _text(value), None
    if kind == "choice":
        return text.casefold(), None
    if kind == "yes-no":
        found = {"yes": True, "no": False}.get(text.casefold())
        return (_OMIT, f"holds {text!r}: choose Yes or No from the list") if found is None else (found, None)
    if kind in ("whole", "number"):
        return _number(value, text, whole=kind == "whole", want=column.want)
    if kind == "date":
        found_date, problem = as_date(value)
        return (_OMIT, problem) if problem else (found_date, None)
    if kind == "lines":
        return [line.strip() for line in _text(value).splitlines() if line.strip()], None
    items = [item.strip() for item in _text(value).split(LIST_SEPARATOR) if item.strip()]
    if kind == "sectors":
        items = [sectors.find(item) or item for item in items]
    return items, None


def _number(value: Value, text: str, *, whole: bool, want: str) -> tuple[Any, str | None]:
    number: int | float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        number = float(text) if "." in text else int(text)
    if number is None or (whole and not float(number).is_integer()):
        return _OMIT, f"holds {text!r}: enter {want}"
    if isinstance(number, float) and number.is_integer() and (whole or abs(number) < 2 ** 53):
        number = int(number)
    return number, None


# --- the parser's errors in a spreadsheet's words ----------------------------------------------------------

_LAST_STEP = re.compile(r"^(.*)(?:\.[A-Za-z0-9_-]+|\[\d+\])$")


def _locate(error: str, places: dict[str, Place]) -> tuple[Place | None, str]:
    """The parser's "workbook: place: message" as the place in the workbook (None for the whole) and the message."""
    rest = error[len(NAME) + 2:] if error.startswith(f"{NAME}: ") else error
    key, _, message = rest.partition(": ")
    if not message:
        return None, key
    while key:
        if key in places:
            return places[key], message
        found = _LAST_STEP.match(key)
        if not found:
            break
        key = found[1]
    return None, message


# The parser speaks of a file; in a workbook the same rule reads in the spreadsheet's terms.
_WORDS: Sequence[tuple[str, str]] = (
    (r'a status = "draft" framework', "a framework whose Status (on the About sheet) is draft"),
    (r'add notice = "\.\.\."', "fill in the Notice"),
    (r"^is missing; add at least two \[\[scale\]\] levels, best level first",
     "has no levels; add at least two, one a row, best level first"),
    (r"^has (\d+); add at least two \[\[scale\]\] levels, best level first",
     r"has \1 level; add at least two, one a row, best level first"),
    (r"^is missing; add at least one \[\[requirements\]\] table", "has no requirements; add at least one, one a row"),
    (r"set counts_as_met = true on at least one level", "set Counts as met to Yes on at least one level"),
    (r'applies only to rule = "percentage-met"', "applies only when the Overall rule (on the About sheet) is "
                                                 "percentage-met"),
    (r"is not a requirement id in this file; use the id of one of its \[\[requirements\]\]",
     "is not the Id of a requirement on the Requirements sheet; use one of those Ids"),
    (r"\(no file with that id was loaded\); load it too, or remove this mapping",
     "(no framework with that id is loaded); load it first, or delete this row"),
    (r"this file's are", "the Codes on the Scale sheet are"),
    (r'use relation = "related" or "part-of"', "set Relation to related or part-of"),
)


def _in_words(place: Place | None, message: str, sectors: Sectors) -> Problem:
    """A parser error as a Problem in its cell, said as a spreadsheet would say it."""
    column = place.column if place else None
    for pattern, words in _WORDS:
        message = re.sub(pattern, words, message)
    if column is not None:
        message = re.sub(r"^is missing; add it \(.*\)$", f"is empty; enter {column.want}", message)
        message = re.sub(r"^is empty; enter some text$", f"is empty; enter {column.want}", message)
        message = re.sub(r"^must be .*, not .*$", f"must be {column.want}", message)
        message = re.sub(r"; remove it$", "; set it to No" if column.kind == "yes-no" else "; empty the cell", message)
    elif place is not None:
        message = re.sub(r"; remove it$", f"; delete the rows of the {place.sheet} sheet", message)
    message = re.sub(r"use one of its sector ids: .*$", "use the names of the partnership's sectors, separated by "
                     f"commas ({', '.join(sectors.values())}), or leave the cell empty for every sector", message)
    return place.problem(message) if place else Problem(message)


def about_problem(checked: Checked, key: str, message: str) -> Problem:
    """A problem with an About field of a checked workbook ("version"), in that field's cell."""
    place = (checked.places or {}).get(key)
    return Problem(message, ABOUT.name, place.row if place else None, column_place(ABOUT, "Value"))
