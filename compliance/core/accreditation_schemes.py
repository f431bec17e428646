"""The accreditation schemes an organisation can record that it holds (DAHA, SafeLives Leading Lights, ...).

The list is data, a TOML file (accreditations.toml, or the partnership's own named by
COMPLIANCE_ACCREDITATIONS_FILE) that config.read_accreditation_schemes reads at start-up and parse_schemes checks
here, as the sectors file is checked. Pure: the file's content comes in.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compliance.core.sectors import CONTROL_CHARACTERS, place_of, quoted, read_toml, text_field, unique_field

FIELDS = ("id", "name", "purpose", "levels", "expires", "years")
MAX_YEARS = 10
_HOW = "write each scheme as a [[schemes]] table with an id, a name, a purpose and whether it expires"
_WANTED = {"id": 'its id, e.g. id = "white-ribbon"', "name": 'the name people read, e.g. name = "White Ribbon '
           'accreditation"', "purpose": 'what it is for in a sentence, e.g. purpose = "White Ribbon UK\'s '
           'accreditation of ..."'}

Error = Callable[[str, str], None]


class SchemesError(Exception):
    """A schemes file that cannot be used; `errors` holds one line per problem, each naming the file."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    purpose: str
    levels: tuple[str, ...] = ()
    years: int | None = None  # how long an accreditation usually lasts; None when it does not expire

    @property
    def expires(self) -> bool:
        return self.years is not None

    @property
    def length_text(self) -> str:
        """"Usually lasts 3 years", or "Does not expire"."""
        if self.years is None:
            return "Does not expire"
        return f"Usually lasts {self.years} year{'' if self.years == 1 else 's'}"


class Schemes(Mapping[str, Scheme]):
    """The schemes by id, in the order people see them."""

    def __init__(self, schemes: Iterable[Scheme]) -> None:
        self._schemes = {scheme.id: scheme for scheme in schemes}

    def __getitem__(self, scheme_id: str) -> Scheme:
        return self._schemes[scheme_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._schemes)

    def __len__(self) -> int:
        return len(self._schemes)

    def __repr__(self) -> str:
        return f"Schemes({list(self._schemes.values())!r})"

    def name(self, scheme_id: str, stored: str = "") -> str:
        """The name people read: the list's, or (for a scheme the list no longer has) the name stored with the
        record, or its id."""
        found = self._schemes.get(scheme_id)
        return found.name if found else stored or scheme_id


def parse_schemes(data: bytes | str, *, name: str) -> Schemes:
    """Check a schemes file's content; raises SchemesError listing every problem, each with the file and place."""
    errors: list[str] = []

    def error(place: str, message: str) -> None:
        errors.append(f"{name}: {place}: {message}")

    document = read_toml(data.encode("utf-8") if isinstance(data, str) else data, error, how=_HOW)
    schemes = [] if document is None else _schemes(document, error)
    if errors:
        raise SchemesError(errors)
    return Schemes(schemes)


def _schemes(document: dict[str, Any], error: Error) -> list[Scheme]:
    for key in document:
        if key != "schemes":
            error(place_of("", key), f"is not part of a schemes file; it holds only [[schemes]] tables: {_HOW}")
    tables = document.get("schemes")
    if type(tables) is not list or not all(type(table) is dict for table in tables):
        how = "is missing" if tables is None else "must be written as [[schemes]] tables"
        error("schemes", f"{how}; {_HOW}")
        return []
    if not tables:
        error("schemes", f"has no schemes; {_HOW}")
    found: list[Scheme] = []
    taken: dict[str, str] = {}  # an id or name, case folded -> the place of the scheme that has it
    for place, table in ((f"schemes[{i}]", table) for i, table in enumerate(tables, 1)):
        for key in table:
            if key not in FIELDS:
                error(place_of(place, key), f"is not a field of a scheme; a scheme has only {', '.join(FIELDS)}")
        scheme_id = _unique(table, "id", place, taken, error)
        name = _unique(table, "name", place, taken, error)
        found.append(Scheme(scheme_id, name, _text(table, "purpose", place, error), _levels(table, place, error),
                            _years(table, place, error)))
    return found


def _unique(table: dict[str, Any], key: str, place: str, taken: dict[str, str], error: Error) -> str:
    """A scheme's id or name: text on one line, an id in the id pattern, neither used by another scheme."""
    return unique_field(table, key, place, taken, error, wanted=_WANTED, kind="scheme", example="white-ribbon")


def _text(table: dict[str, Any], key: str, place: str, error: Error) -> str:
    return text_field(table, key, place, error, wanted=_WANTED)


def _levels(table: dict[str, Any], place: str, error: Error) -> tuple[str, ...]:
    """A scheme's levels, lowest first: none, or two or more different names."""
    levels = table.get("levels")
    if levels is None:
        return ()
    how = 'list its levels in quotes, lowest first, e.g. levels = ["Bronze", "Silver", "Gold"]; or leave levels out'
    if type(levels) is not list or not all(type(level) is str for level in levels):
        error(f"{place}.levels", f"must be a list of text; {how}")
        return ()
    cleaned = [level.strip() for level in levels]
    if len(cleaned) < 2:
        error(f"{place}.levels", f"has {'no' if not cleaned else 'only one'} level; {how}")
    for number, level in enumerate(cleaned, 1):
        if not level or CONTROL_CHARACTERS.search(level):
            error(f"{place}.levels[{number}]", f"{quoted(level)} is empty or not on one line; give each level a name")
        elif level.casefold() in [other.casefold() for other in cleaned[:number - 1]]:
            error(f"{place}.levels[{number}]", f"{quoted(level)} is listed twice; give each level its own name")
    return tuple(cleaned)


def _years(table: dict[str, Any], place: str, error: Error) -> int | None:
    """How long it usually lasts: given, as a whole number of years, exactly when the scheme expires."""
    expires, years = table.get("expires"), table.get("years")
    if type(expires) is not bool:
        how = "is missing" if expires is None else "must be true or false, without quotes"
        error(f"{place}.expires", f"{how}; write expires = true if an accreditation runs out and must be renewed, "
                                  "or expires = false if it does not")
        return None
    if not expires:
        if years is not None:
            error(f"{place}.years", "is given, but the scheme does not expire; leave years out, or write "
                                    "expires = true")
        return None
    if years is None:
        error(f"{place}.years", "is missing; say how many years an accreditation usually lasts, e.g. years = 3")
    elif type(years) is not int or not 1 <= years <= MAX_YEARS:
        error(f"{place}.years", f"must be a whole number of years from 1 to {MAX_YEARS}, without quotes, e.g. "
                                "years = 3")
    else:
        return years
    return None
