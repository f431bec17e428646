"""The partnership's sectors: every organisation is in one, and a framework's requirement may be for some only.

The list is data, a TOML file (sectors.toml, or the partnership's own named by COMPLIANCE_SECTORS_FILE) that
config.read_sectors reads at start-up and parse_sectors checks here. Pure: the file's content comes in.
"""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from compliance.core.frameworks import ID_PATTERN

FIELDS = ("id", "name")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WANTED = {"id": 'its id, e.g. id = "fire-and-rescue"', "name": 'the name people read, e.g. name = "Fire and rescue"'}


class SectorsError(Exception):
    """A sectors file that cannot be used; `errors` holds one line per problem, each naming the file."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class Sectors(Mapping[str, str]):
    """The partnership's sectors: id -> the name people read, in the order people see them."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._names = dict(pairs)
        self._positions = {sector_id: i for i, sector_id in enumerate(self._names)}
        self._found = {key.casefold(): sector_id for sector_id, name in self._names.items()
                       for key in (sector_id, name)}

    def __getitem__(self, sector_id: str) -> str:
        return self._names[sector_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Sectors({list(self._names.items())!r})"

    def name(self, sector_id: str) -> str:
        """The name people read; an id the list no longer has (stored before the list changed) as it is."""
        return self._names.get(sector_id, sector_id)

    def position(self, sector_id: str) -> int:
        """Where the sector comes in the list; an id the list does not have comes after every sector in it."""
        return self._positions.get(sector_id, len(self._names))

    def find(self, text: str) -> str | None:
        """The id of the sector written as its id or its name, in any case; None when no sector is."""
        return self._found.get(text.strip().casefold())


def parse_sectors(data: bytes | str, *, name: str) -> Sectors:
    """Check a sectors file's content; raises SectorsError listing every problem, each with the file and place."""
    errors: list[str] = []

    def error(place: str, message: str) -> None:
        errors.append(f"{name}: {place}: {message}")

    document = read_toml(data.encode("utf-8") if isinstance(data, str) else data, error,
                         how="write each sector as a [[sectors]] table with an id and a name")
    pairs = [] if document is None else _sectors(document, error)
    if errors:
        raise SectorsError(errors)
    return Sectors(pairs)


def read_toml(raw: bytes, error: Callable[[str, str], None], *, how: str) -> dict[str, Any] | None:
    """A list file's TOML as a dict; None, with the problem told to error(place, message), when it cannot be read.
    how says how the file's entries are written, for the message (the sectors file and the accreditation schemes
    file both read this way)."""
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        error("(file)", f"byte {exc.start + 1} is not UTF-8 text; save the file as UTF-8")
    except tomllib.TOMLDecodeError as exc:
        found = re.fullmatch(r"(.*) \(at (line \d+, column \d+|end of document)\)", str(exc), re.DOTALL)
        place, what = (found[2].replace("document", "file"), found[1]) if found else ("(file)", str(exc))
        error(place, f"{what} (not valid TOML); {how}")
    except RecursionError:
        error("(file)", f"has arrays or tables nested too deeply to read; {how}")
    return None


def _sectors(document: dict[str, Any], error: Callable[[str, str], None]) -> list[tuple[str, str]]:
    for key in document:
        if key != "sectors":
            error(place_of("", key), "is not part of a sectors file; it holds only [[sectors]] tables, each with an id "
                                "and a name")
    tables = document.get("sectors")
    if type(tables) is not list or not all(type(table) is dict for table in tables):
        how = "is missing" if tables is None else "must be written as [[sectors]] tables"
        error("sectors", f"{how}; add a [[sectors]] table for each sector, with its id and name")
        return []
    if not tables:
        error("sectors", "has no sectors; add a [[sectors]] table for each sector, with its id and name")
    pairs: list[tuple[str, str]] = []
    taken: dict[str, str] = {}  # an id or name, case folded -> the place of the sector that has it
    for place, table in ((f"sectors[{i}]", table) for i, table in enumerate(tables, 1)):
        for key in table:
            if key not in FIELDS:
                error(place_of(place, key), "is not a field of a sector; give each sector only an id and a name")
        pairs.append((_field(table, "id", place, taken, error), _field(table, "name", place, taken, error)))
    return pairs


def _field(table: dict[str, Any], key: str, place: str, taken: dict[str, str],
           error: Callable[[str, str], None]) -> str:
    """A sector's id or name: text, one line, an id in the id pattern, and neither used by another sector."""
    # a name may repeat its own sector's id ("police", "Police"), not another's
    return unique_field(table, key, place, taken, error, wanted=_WANTED, kind="sector", example="fire-and-rescue")


def unique_field(table: dict[str, Any], key: str, place: str, taken: dict[str, str],
                 error: Callable[[str, str], None], *, wanted: Mapping[str, str], kind: str, example: str) -> str:
    """An entry's id or name in a list file (sectors, accreditation schemes): text on one line, an id in the id
    pattern, and neither used by another entry (`taken`: casefolded value -> the place that has it)."""
    value = text_field(table, key, place, error, wanted=wanted)
    if key == "id" and value and not ID_PATTERN.fullmatch(value):
        error(f"{place}.id", f"{quoted(value)} is not a valid id; use lower case letters and digits, with single "
                             f'hyphens between them, e.g. "{example}"')
        return ""
    other = taken.setdefault(value.casefold(), place) if value else place
    if other != place:
        error(f"{place}.{key}", f"{quoted(value)} is used twice (also by {other}); give each {kind} its own {key}")
    return value


def text_field(table: dict[str, Any], key: str, place: str, error: Callable[[str, str], None], *,
               wanted: Mapping[str, str]) -> str:
    """A field of text on one line, stripped; "" after saying what is wrong (wanted[key]: what to write there)."""
    value = table.get(key)
    what = wanted[key]
    if value is None:
        error(f"{place}.{key}", f"is missing; add {what}")
    elif type(value) is not str:
        error(f"{place}.{key}", f"must be text in quotes; write {what}")
    elif not value.strip():
        error(f"{place}.{key}", f"is empty; write {what}")
    elif CONTROL_CHARACTERS.search(value.strip()):
        error(f"{place}.{key}", f"{quoted(value)} has a line break or other control character; keep it on one line")
    else:
        return value.strip()
    return ""


def place_of(place: str, key: str) -> str:
    """A place in the file; a key that is not a plain word is quoted, as in TOML."""
    key = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else quoted(key)
    return f"{place}.{key}" if place else key


def quoted(text: str) -> str:
    """Text from the file in double quotes, its control characters escaped, so that every error stays one line."""
    return json.dumps(text, ensure_ascii=False)
