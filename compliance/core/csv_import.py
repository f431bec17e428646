"""Read and check a CSV file of organisations: every row checked, nothing returned unless every row is valid.

Pure: takes the file's bytes, the names already in use and the partnership's sectors, returns values. No Flask, no
database.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from compliance.core.sectors import Sectors

COLUMNS = ("name", "sector", "contact_name", "contact_email")
COLUMN_LABELS = {"name": "Name", "sector": "Sector", "contact_name": "Contact name", "contact_email": "Contact email"}
MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
MAX_CELL = 200
# The same rule as the forms' email check (forms.py imports Flask, so it cannot be shared from there).
EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a row (numbered as in a spreadsheet, the column names being row 1) and column, or
    the whole file when row is None."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class ImportCheck:
    """The organisations to import, or the problems that stop the import (then `organisations` is empty)."""

    organisations: list[dict[str, str]] = field(default_factory=list)  # column -> value, sector as its id
    problems: list[Problem] = field(default_factory=list)

    @property
    def file_problem(self) -> Problem | None:
        return next((p for p in self.problems if p.row is None), None)

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})


def allowed_sectors(sectors: Sectors) -> str:
    """The sector values a file may use, for messages: the sectors' names (each one's id works too)."""
    return ", ".join(sectors.values()) + " (or the sector's id)"


def check_organisations(data: bytes, *, existing_names: Iterable[str], sectors: Sectors) -> ImportCheck:
    """Check every row of the file; return all its organisations only when every row is valid.

    A sector may be written as its name or its id, in any case; it is returned as its id."""
    text, problem = _text(data)
    if problem:
        return _file_problem(problem)
    try:
        records = [(line, cells) for line, cells in _records(text) if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        return _file_problem(f"The selected file is not a valid CSV file ({error}). Save it as CSV and try again")
    if not records:
        return _file_problem("The selected file is empty")
    header_problem = _header_problem(records[0][1])
    if header_problem:
        return _file_problem(header_problem)
    if len(records) - 1 > MAX_ROWS:
        return _file_problem(f"The selected file has {len(records) - 1:,} organisations. "
                             f"Import {MAX_ROWS:,} or fewer at a time: split the file into smaller files")
    if len(records) == 1:
        return _file_problem("The selected file has column names but no organisations. "
                             "Add one row for each organisation")
    return _check_rows(records, [cell.strip().lower() for cell in records[0][1]], existing_names, sectors)


def _file_problem(message: str) -> ImportCheck:
    return ImportCheck(problems=[Problem(None, "", message)])


def _text(data: bytes) -> tuple[str, str | None]:
    if len(data) > MAX_BYTES:
        return "", "The selected file must be smaller than 1 MB"
    if not data.strip():
        return "", "The selected file is empty"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "", "The selected file must be a CSV file saved as UTF-8 text (in Excel: Save as, CSV UTF-8)"
    if "\x00" in text:
        return "", "The selected file must be a CSV file saved as UTF-8 text (in Excel: Save as, CSV UTF-8)"
    return text, None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the spreadsheet row it is on (a quoted cell may span lines; rows are records)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for number, cells in enumerate(reader, start=1):
        yield number, cells


def _header_problem(cells: list[str]) -> str | None:
    names = [cell.strip().lower() for cell in cells]
    missing = [c for c in COLUMNS if c not in names]
    extra = [n or "(a column with no name)" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if not (missing or extra or repeated):
        return None
    parts = [f"The first row must hold the column names {', '.join(COLUMNS)}."]
    if missing:
        parts.append(f"Missing: {', '.join(missing)}.")
    if extra:
        parts.append(f"Not allowed: {', '.join(extra)}.")
    if repeated:
        parts.append(f"Repeated: {', '.join(repeated)}.")
    return " ".join(parts)


def _check_rows(records: list[tuple[int, list[str]]], columns: list[str], existing_names: Iterable[str],
                sectors: Sectors) -> ImportCheck:
    existing = {name.strip().casefold() for name in existing_names}
    seen: dict[str, int] = {}
    organisations: list[dict[str, str]] = []
    problems: list[Problem] = []
    for row_number, cells in records[1:]:
        if len(cells) != len(columns):
            problems.append(Problem(row_number, "", f"This row has {len(cells)} cells but there are {len(columns)} "
                                                    "columns. Put each value in its own column"))
            continue
        # As the form does: a quoted cell's line breaks and tabs become spaces (a name reaches mail headers).
        values = {column: " ".join(cell.split()) for column, cell in zip(columns, cells)}
        row_problems = _check_row(row_number, values, existing, seen, sectors)
        problems.extend(row_problems)
        sector_id = sectors.find(values["sector"])
        if not row_problems and sector_id is not None:
            organisations.append({**values, "sector": sector_id})
    return ImportCheck(problems=problems) if problems else ImportCheck(organisations=organisations)


def _check_row(row_number: int, values: dict[str, str], existing: set[str], seen: dict[str, int],
               sectors: Sectors) -> list[Problem]:
    problems = [Problem(row_number, column, f"{COLUMN_LABELS[column]} must be {MAX_CELL} characters or fewer")
                for column in COLUMNS if len(values[column]) > MAX_CELL]
    problems += [Problem(row_number, column, f"{COLUMN_LABELS[column]} must not include control characters. Type "
                                             "it again rather than pasting it")
                 for column in COLUMNS if CONTROL_CHARACTERS.search(values[column])]
    too_long = {p.column for p in problems}
    name, sector, email = values["name"], values["sector"], values["contact_email"]
    if not name:
        problems.append(Problem(row_number, "name", "Enter the organisation's name"))
    elif "name" not in too_long:
        key = name.casefold()
        if key in existing:
            problems.append(Problem(row_number, "name", f"An organisation called {name} already exists"))
        elif key in seen:
            problems.append(Problem(row_number, "name", f"{name} is also on row {seen[key]}. "
                                                        "Each organisation must appear once"))
        seen.setdefault(key, row_number)
    if not sector:
        problems.append(Problem(row_number, "sector", f"Enter the sector: one of {allowed_sectors(sectors)}"))
    elif sectors.find(sector) is None and "sector" not in too_long:
        problems.append(Problem(row_number, "sector", f"{sector} is not one of the partnership's sectors. Enter one "
                                                      f"of: {allowed_sectors(sectors)}"))
    if email and "contact_email" not in too_long and not EMAIL_PATTERN.match(email):
        problems.append(Problem(row_number, "contact_email",
                                "Enter the contact's email address in the correct format, like name@example.org"))
    return problems
