"""Frameworks as data: load and validate questionnaires/*.toml into frozen dataclasses.

Pure: imports no Flask and touches no database.
"""
from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

RAG_COLOURS = ("green", "amber", "red", "grey")
STATUSES = ("published", "draft")
OVERALL_RULES = ("worst-rating-wins", "percentage-met")
ROUNDING_RULES = ("half-up",)
THRESHOLD_RAGS = ("green", "amber", "red")
RELATIONS = ("related", "same", "part-of")
SHORT_TITLE_MAX = 40
# A table of a parsed file, as tomllib gives it: its values are whatever the file holds, checked as they are read.
TomlTable = dict[str, Any]
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
VERSION_PATTERN = re.compile(r"[A-Za-z0-9]+([.-][A-Za-z0-9]+)*")

# Allowed fields of each table, in the README's order because error messages list them.
FIELDS = {
    "top": ("id", "version", "title", "short_title", "published", "source", "status", "notice", "description",
            "scale", "overall", "requirements", "mappings"),
    "scale": ("code", "label", "definition", "rag", "score", "counts_as_met", "needs_action", "needs_reason",
              "needs_evidence"),
    "overall": ("rule", "decimals", "rounding", "thresholds"),
    "thresholds": ("min_percent", "label", "rag"),
    "requirements": ("id", "ref", "title", "text", "mandatory", "sectors", "tags", "suggested_evidence",
                     "guidance"),
    "guidance": ("good", "evidence"),
    "mappings": ("requirement", "framework", "target", "relation"),
}


@dataclass(frozen=True)
class Level:
    """One level of a framework's rating scale."""

    code: str
    label: str
    definition: str
    rag: str  # one of RAG_COLOURS; "grey" means not applicable
    score: int | None  # higher is better; None only for grey (not applicable) levels
    counts_as_met: bool
    needs_action: bool
    needs_reason: bool
    needs_evidence: bool = False  # an answer at this level is complete only with at least one item of evidence

    @property
    def applicable(self) -> bool:
        """False for a not-applicable level: it is left out of every denominator."""
        return self.rag != "grey"


@dataclass(frozen=True)
class Guidance:
    good: str  # what good looks like
    evidence: str  # how it is evidenced


@dataclass(frozen=True)
class Requirement:
    id: str  # stable, never reused
    ref: str  # what people see, e.g. "1" or "Standard 3"
    title: str
    text: str  # verbatim wording from the source
    guidance: Guidance
    suggested_evidence: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # empty: applies to every sector
    mandatory: bool = True
    tags: tuple[str, ...] = ()

    def applies_to(self, sector: str) -> bool:
        """Whether an organisation of this sector answers this requirement."""
        return not self.sectors or sector in self.sectors


@dataclass(frozen=True)
class Threshold:
    min_percent: Decimal
    label: str
    rag: str


@dataclass(frozen=True)
class OverallRule:
    kind: str  # one of OVERALL_RULES
    decimals: int = 0
    rounding: str = "half-up"
    thresholds: tuple[Threshold, ...] = ()  # highest min_percent first


@dataclass(frozen=True)
class Mapping:
    requirement: str  # id of a requirement in this framework
    framework: str  # id of the other framework
    target: str  # id of a requirement in the other framework
    relation: str = "related"


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    short_title: str
    published: date
    source: str
    status: str  # one of STATUSES
    notice: str
    scale: tuple[Level, ...]
    requirements: tuple[Requirement, ...]
    overall: OverallRule
    mappings: tuple[Mapping, ...] = ()
    description: str = ""
    sha256: str = ""  # of the file's bytes
    path: str = field(default="", compare=False)

    # Worked out once for each framework (a matrix of 1,000 organisations looks levels up 150,000 times).
    @functools.cached_property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @functools.cached_property
    def _levels(self) -> dict[str, Level]:
        return {level.code: level for level in self.scale}

    @functools.cached_property
    def _requirements(self) -> dict[str, Requirement]:
        return {requirement.id: requirement for requirement in self.requirements}

    def level(self, code: str) -> Level:
        """The scale's level with this code; KeyError if there is none."""
        return self._levels[code]

    def level_or_none(self, code: str | None) -> Level | None:
        """The scale's level with this code; None for no code or one the scale does not have."""
        return None if code is None else self._levels.get(code)

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id; KeyError if there is none."""
        return self._requirements[requirement_id]

    def requirements_for(self, sector: str) -> tuple[Requirement, ...]:
        """The requirements asked of organisations of a sector."""
        found = self._for_sector.get(sector)
        if found is None:
            found = self._for_sector[sector] = tuple(r for r in self.requirements if r.applies_to(sector))
        return found

    @functools.cached_property
    def _for_sector(self) -> dict[str, tuple[Requirement, ...]]:
        return {}


class FrameworkError(Exception):
    """Framework content that could not be loaded; `errors` holds one line per problem."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class LoadResult:
    frameworks: tuple[Framework, ...]
    errors: tuple[str, ...]


_MISSING = object()
_KINDS = {str: "text", bool: "true or false", int: "a whole number", float: "a number", date: "a date",
          datetime: "a date and time", time: "a time", list: "an array", dict: "a table"}
_HINTS = {ID_PATTERN: ("id", 'use lower case letters and digits, with single hyphens between them, e.g. "standard-1"'),
          VERSION_PATTERN: ("version", 'use letters and digits, with single dots or hyphens between them, e.g. "1.1"')}
_WHY_DRAFT = 'a published framework needs it (only a status = "draft" framework may leave it empty)'


def _shown(text: str) -> str:
    """Text from the file in double quotes, escaped as TOML escapes it, so that every error stays one line."""
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029"
                      else "\\" + c if c in '"\\' else c for c in text)
    return f'"{escaped}"'


def _at(place: str, key: str) -> str:
    """A place in the file: a key that is not a plain word is quoted, as in TOML, so "a: b" cannot split it."""
    key = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _shown(key)
    return f"{place}.{key}" if place else key


class _Reader:
    """Reads one parsed file, collecting every error with its place rather than stopping at the first.

    sectors: the partnership's sector ids, which requirements' sectors must be among; None for a version already
    stored, which was checked when it was loaded and must stay readable if the list changes later."""

    def __init__(self, name: str, sectors: Collection[str] | None) -> None:
        self.name = name
        self.sectors = sectors
        self.errors: list[str] = []

    def error(self, place: str, message: str) -> None:
        self.errors.append(f"{self.name}: {place}: {message}")

    def table(self, value: Any, place: str, kind: str, *, fix: str = "") -> TomlTable | None:
        if value is None:  # TOML has no null, so None means the table was left out
            self.error(place, f"is missing; {fix}")
            return None
        if type(value) is not dict:
            self.error(place, f"must be a table, not {_KINDS.get(type(value), 'that')}")
            return None
        self._fields(value, place, kind)
        return value

    def _fields(self, table: TomlTable, place: str, kind: str) -> None:
        for key in table:
            if key not in FIELDS[kind]:
                self.error(_at(place, key),
                           f'unknown field {_shown(key)}; allowed fields are: {", ".join(FIELDS[kind])}')

    def tables(self, parent: TomlTable, key: str, place: str, *, need: int = 0, fix: str = ""
               ) -> list[tuple[str, TomlTable]]:
        where, items = _at(place, key), parent.get(key, [])
        if type(items) is not list or not all(type(item) is dict for item in items):
            self.error(where, f"must be an array of tables, each written [[{where}]]")
            return []
        if len(items) < need:
            self.error(where, f"{f'has {len(items)}' if key in parent else 'is missing'}; {fix}")
        found = [(f"{where}[{i}]", item) for i, item in enumerate(items, 1)]
        for item_place, item in found:  # each is a table (checked above), so only its fields need checking
            self._fields(item, item_place, key)
        return found

    def get(self, table: TomlTable, key: str, place: str, types: tuple[type, ...], want: str,
            default: object = _MISSING) -> Any:
        """table[key] if its type is exactly one of types (so a bool is not a number), else None.

        Typed Any because the value is the file's own: its type is checked here, at run time, against types."""
        value = table.get(key, default)
        if value is _MISSING:
            self.error(_at(place, key), f"is missing; add it ({want})")
            return None
        if key in table and type(value) not in types:
            self.error(_at(place, key), f"must be {want}, not {_KINDS.get(type(value), 'that')}")
            return None
        return value

    def text(self, table: TomlTable, key: str, place: str, *, default: object = _MISSING,
             empty_ok: bool = False, why: str = "enter some text", allowed: tuple[str, ...] = (),
             pattern: re.Pattern[str] | None = None) -> str:
        """A stripped string; with allowed it must be one of them, with pattern it must match it in full."""
        listed = ", ".join(allowed)
        found: str | None = self.get(table, key, place, (str,), f"one of: {listed}" if allowed else "text in quotes",
                                     default)
        value, where = (found or "").strip(), _at(place, key)
        if not value and not empty_ok and key in table and type(table[key]) is str:
            self.error(where, f"is empty; {f'use one of: {listed}' if allowed else why}")
        elif value and allowed and value not in allowed:
            self.error(where, f'{_shown(value)} is not allowed; use one of: {listed}')
        elif value and pattern and not pattern.fullmatch(value):
            self.error(where, f'{_shown(value)} is not a valid {_HINTS[pattern][0]}; {_HINTS[pattern][1]}')
            return ""
        return value

    def flag(self, table: TomlTable, key: str, place: str, default: bool = False) -> bool:
        """true or false; False when it is not (an error already recorded, so the file is rejected)."""
        value: bool | None = self.get(table, key, place, (bool,), "true or false, without quotes", default)
        return bool(value)

    def strings(self, table: TomlTable, key: str, place: str, *, once: bool = False,
                unknown: Callable[[str], str | None] = lambda item: None) -> tuple[str, ...]:
        """An array of non-blank strings; with once, each listed once; unknown(item) gives an error or None."""
        found: list[str] = []
        for i, item in enumerate(self.get(table, key, place, (list,), 'an array such as ["a", "b"]', []) or [], 1):
            where, item = f"{_at(place, key)}[{i}]", item.strip() if type(item) is str else None
            problem = unknown(item) if item else None
            if not item:
                self.error(where, "must be text in quotes, and not blank")
            elif problem:
                self.error(where, problem)
            elif once and item in found:
                self.error(where, f'{_shown(item)} is listed twice; list each {key[:-1]} once')
            else:
                found.append(item)
        return tuple(found)

    def unique(self, values: list[tuple[str, str]], what: str) -> None:
        seen: set[str] = set()
        for place, value in values:
            if value and value in seen:
                self.error(place, f'{_shown(value)} is used twice; each {what}')
            seen.add(value)


def parse(data: bytes | str, *, name: str, sectors: Collection[str] | None) -> Framework:
    """Parse and validate one framework file's content; raises FrameworkError listing every error.

    sectors: the partnership's sector ids; None only to read a version already stored (checked when loaded)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return _parse(raw, name, None if sectors is None else tuple(sectors))


@functools.lru_cache(maxsize=16)
def _parse(raw: bytes, name: str, sectors: tuple[str, ...] | None) -> Framework:
    """parse(), once per process for the same bytes, name and sectors: a framework is immutable, and a process
    parses the same few files each time an app starts (the shipped files and their stored copies)."""
    reader = _Reader(name, sectors)
    document = _decode(reader, raw)
    framework = None if document is None else _framework(reader, document, hashlib.sha256(raw).hexdigest(), name)
    if framework is None or reader.errors:  # no document: _decode has recorded why
        raise FrameworkError(reader.errors)
    return framework


def _decode(reader: _Reader, raw: bytes) -> TomlTable | None:
    try:
        # utf-8-sig: Windows editors often save a byte order mark, which TOML itself does not allow.
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        reader.error("(file)", f"byte {exc.start + 1} is not UTF-8 text; save the file as UTF-8")
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no line attributes; the place is only in its message.
        found = re.fullmatch(r"(.*) \(at (line \d+, column \d+|end of document)\)", str(exc), re.DOTALL)
        place, what = (found[2].replace("document", "file"), found[1]) if found else ("(file)", str(exc))
        reader.error(place, f"{what} (not valid TOML)")
    except RecursionError:
        # tomllib reads nested arrays and inline tables recursively: thousands of levels exhaust the stack.
        reader.error("(file)", "has arrays or tables nested too deeply to read; a framework file needs only a "
                               "few levels, as in questionnaires/README.md")
    return None


def _framework(reader: _Reader, top: TomlTable, sha256: str, path: str) -> Framework:
    reader.table(top, "", "top")
    values = {"id": reader.text(top, "id", "", pattern=ID_PATTERN),
              "version": reader.text(top, "version", "", pattern=VERSION_PATTERN),
              "title": reader.text(top, "title", ""), "short_title": reader.text(top, "short_title", ""),
              "published": reader.get(top, "published", "", (date,), "a date without quotes, e.g. 2018-06-01"),
              "source": reader.text(top, "source", ""), "status": reader.text(top, "status", "", allowed=STATUSES),
              "notice": reader.text(top, "notice", "", default="", empty_ok=True),
              "description": reader.text(top, "description", "", default="", empty_ok=True)}
    if len(values["short_title"]) > SHORT_TITLE_MAX:
        reader.error("short_title", f"has {len(values['short_title'])} characters; shorten it to {SHORT_TITLE_MAX}")
    draft = values["status"] == "draft"
    if draft and not values["notice"] and type(top.get("notice", "")) is str:
        reader.error("notice", 'a draft framework needs a notice saying what is incomplete; add notice = "..."')
    scale, overall = _scale(reader, top), _overall(reader, top)
    requirements = _requirements(reader, top, draft)
    return Framework(**values, scale=scale, overall=overall, requirements=requirements, sha256=sha256, path=path,
                     mappings=_mappings(reader, top, values["id"], {item.id for item in requirements}))


def _scale(reader: _Reader, top: TomlTable) -> tuple[Level, ...]:
    found = [(place, _level(reader, place, table)) for place, table in
             reader.tables(top, "scale", "", need=2, fix="add at least two [[scale]] levels, best level first")]
    reader.unique([(f"{place}.code", level.code) for place, level in found], "level needs its own code")
    scored = [(place, level.score) for place, level in found if level.score is not None]
    for (_, above), (place, score) in zip(scored, scored[1:]):
        if score >= above:
            reader.error(f"{place}.score", f"must be lower than {above}, the score of the level above; list levels "
                                           "best first, each scoring lower than the one before")
    if found and not any(level.counts_as_met for _, level in found):
        reader.error("scale", "no level counts as met; set counts_as_met = true on at least one level")
    return tuple(level for _, level in found)


def _level(reader: _Reader, place: str, table: TomlTable) -> Level:
    code, label = reader.text(table, "code", place), reader.text(table, "label", place)
    definition, rag = reader.text(table, "definition", place), reader.text(table, "rag", place, allowed=RAG_COLOURS)
    if rag == "grey" and "score" in table:
        reader.error(f"{place}.score", "a grey (not applicable) level must not have a score; remove it")
    score = None if rag == "grey" else reader.get(table, "score", place, (int,), "a whole number, without quotes")
    counts_as_met = reader.flag(table, "counts_as_met", place)
    if rag == "grey" and counts_as_met:
        reader.error(f"{place}.counts_as_met", "a grey (not applicable) level cannot count as met; remove it")
    needs_evidence = reader.flag(table, "needs_evidence", place)
    if rag == "grey" and needs_evidence:
        reader.error(f"{place}.needs_evidence", "a grey (not applicable) level cannot need evidence; remove it")
    return Level(code, label, definition, rag, score, counts_as_met,
                 reader.flag(table, "needs_action", place), reader.flag(table, "needs_reason", place), needs_evidence)


def _overall(reader: _Reader, top: TomlTable) -> OverallRule:
    table = reader.table(top.get("overall"), "overall", "overall",
                         fix=f'add an [overall] table with rule = one of: {", ".join(OVERALL_RULES)}')
    if table is None:
        return OverallRule("")
    kind = reader.text(table, "rule", "overall", allowed=OVERALL_RULES)
    for key in FIELDS["overall"][1:] if kind == "worst-rating-wins" else ():
        if key in table:
            reader.error(f"overall.{key}", 'applies only to rule = "percentage-met"; remove it')
    decimals = reader.get(table, "decimals", "overall", (int,), "a whole number from 0 to 2", 0)
    if decimals not in (None, 0, 1, 2):
        reader.error("overall.decimals", f"is {decimals}; use 0, 1 or 2")
    rounding = reader.text(table, "rounding", "overall", default="half-up", allowed=ROUNDING_RULES)
    return OverallRule(kind, decimals, rounding, _thresholds(reader, table))


def _thresholds(reader: _Reader, overall: TomlTable) -> tuple[Threshold, ...]:
    found: list[tuple[str, Decimal | None, Threshold]] = []
    for place, table in reader.tables(overall, "thresholds", "overall"):
        number: int | float | None = reader.get(table, "min_percent", place, (int, float), "a number from 0 to 100")
        if number is not None and not 0 <= number <= 100:  # this way round, nan fails too
            reader.error(f"{place}.min_percent", f"is {number}; use a number from 0 to 100")
            number = None
        # Via str(): Decimal(58.8) would keep the float's binary noise.
        percent = None if number is None else Decimal(str(number))
        # Without a percent an error is recorded and the file rejected, so the threshold's 0 is never used.
        found.append((place, percent, Threshold(Decimal(0) if percent is None else percent,
                                                reader.text(table, "label", place),
                                                reader.text(table, "rag", place, allowed=THRESHOLD_RAGS))))
    checked = [(place, percent) for place, percent, _ in found if percent is not None]
    for (_, above), (place, percent) in zip(checked, checked[1:]):
        if percent >= above:
            reader.error(f"{place}.min_percent", f"must be lower than {above}, the threshold above; list "
                                                 "thresholds highest first")
    return tuple(threshold for _, _, threshold in found)


def _requirements(reader: _Reader, top: TomlTable, draft: bool) -> tuple[Requirement, ...]:
    found = [(place, _requirement(reader, place, table, draft)) for place, table in
             reader.tables(top, "requirements", "", need=1, fix="add at least one [[requirements]] table")]
    reader.unique([(f"{place}.id", item.id) for place, item in found], "requirement needs its own id")
    reader.unique([(f"{place}.ref", item.ref) for place, item in found], "requirement needs its own ref")
    return tuple(item for _, item in found)


def _requirement(reader: _Reader, place: str, table: TomlTable, draft: bool) -> Requirement:
    values = {"id": reader.text(table, "id", place, pattern=ID_PATTERN), "ref": reader.text(table, "ref", place),
              "title": reader.text(table, "title", place),
              "text": reader.text(table, "text", place, empty_ok=draft, why=_WHY_DRAFT)}
    if table.get("sectors") == []:
        reader.error(f"{place}.sectors", "is empty; leave sectors out if every sector answers this requirement")
    return Requirement(**values, guidance=_guidance(reader, place, table, draft),
                       suggested_evidence=reader.strings(table, "suggested_evidence", place),
                       sectors=reader.strings(table, "sectors", place, once=True,
                                              unknown=lambda sector: _unknown_sector(reader, values["id"], sector)),
                       mandatory=reader.flag(table, "mandatory", place, True),
                       tags=reader.strings(table, "tags", place))


def _unknown_sector(reader: _Reader, requirement_id: str, sector: str) -> str | None:
    """Why a requirement cannot name this sector, in plain words; None when the partnership has it."""
    if reader.sectors is None or sector in reader.sectors:
        return None
    which = f"requirement {_shown(requirement_id)}" if requirement_id else "this requirement"
    return (f"{which} names the sector {_shown(sector)}, but the partnership has no such sector; use one of its "
            f"sector ids: {', '.join(reader.sectors)}")


def _guidance(reader: _Reader, place: str, requirement: TomlTable, draft: bool) -> Guidance:
    if draft and "guidance" not in requirement:
        return Guidance("", "")
    table = reader.table(requirement.get("guidance"), f"{place}.guidance", "guidance",
                         fix=f"add a [requirements.guidance] table with good and evidence; {_WHY_DRAFT}")
    if table is None:
        return Guidance("", "")
    return Guidance(*(reader.text(table, key, f"{place}.guidance", empty_ok=draft, why=_WHY_DRAFT)
                      for key in ("good", "evidence")))


def _mappings(reader: _Reader, top: TomlTable, own_id: str, requirement_ids: set[str]) -> tuple[Mapping, ...]:
    found: list[Mapping] = []
    for place, table in reader.tables(top, "mappings", ""):
        requirement, framework, target = (reader.text(table, key, place, pattern=ID_PATTERN)
                                          for key in ("requirement", "framework", "target"))
        found.append(Mapping(requirement, framework, target,
                             reader.text(table, "relation", place, default="related", allowed=RELATIONS)))
        if found[-1].requirement and found[-1].requirement not in requirement_ids:
            reader.error(f"{place}.requirement", f'"{found[-1].requirement}" is not a requirement id in this file; '
                                                 "use the id of one of its [[requirements]]")
        if found[-1].framework and found[-1].framework == own_id:
            reader.error(f"{place}.framework", "is this framework's own id; a mapping links to another framework")
    return tuple(found)


def load_file(path: str | Path, *, sectors: Collection[str]) -> Framework:
    """Read and parse one framework file, its requirements' sectors checked against the partnership's."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FrameworkError([f"{path}: (file): cannot be read ({exc.strerror}); check the path"]) from exc
    return parse(data, name=str(path), sectors=sectors)


def version_order(version: str) -> tuple[tuple[int, int | str], ...]:
    """A version's place among its framework's versions: "2" after "1.1" after "1", "10" after "9", numbers
    before words ("1" before "1-rc1" is not assumed: parts compare number to number, else as text)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.-]", version))


def newest_versions(rows: Iterable[Any]) -> list[Any]:
    """Of rows (dicts with "id" and "version", such as stored framework rows), the highest version of each
    framework id, in the order each id first appears."""
    newest: dict[str, Any] = {}
    for row in rows:
        held = newest.get(row["id"])
        if held is None or version_order(row["version"]) > version_order(held["version"]):
            newest[row["id"]] = row
    return list(newest.values())


def framework_files(folder: str | Path) -> list[Path]:
    """The *.toml files in folder, sorted by name."""
    return sorted((path for path in Path(folder).glob("*.toml") if path.is_file()), key=lambda path: path.name)


def load_all(paths: Iterable[str | Path], *, sectors: Collection[str], known: Iterable[Framework] = ()) -> LoadResult:
    """Load every file, rejecting whole any file with an error (such as a sector the partnership does not have), a
    repeated id and version, or an unresolved mapping."""
    accepted: list[Framework] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], str | Path] = {}
    for path in paths:
        try:
            framework = load_file(path, sectors=sectors)
        except FrameworkError as exc:
            errors.extend(exc.errors)
            continue
        key = (framework.id, framework.version)
        if key in seen:
            errors.append(f'{path}: version: framework "{framework.id}" version "{framework.version}" is also in '
                          f"{seen[key]}; give a changed file a new version")
        else:
            seen[key] = path
            accepted.append(framework)
    return LoadResult(tuple(_resolve(accepted, tuple(known), errors)), tuple(errors))


def unresolved_mappings(framework: Framework, known: Iterable[Framework]) -> list[str]:
    """The errors, as load_all gives them, of the framework's mappings to frameworks and requirements that none of
    `known` (the stored versions) has."""
    errors: list[str] = []
    _resolve([framework], tuple(known), errors)
    return errors


def _resolve(accepted: list[Framework], known: tuple[Framework, ...], errors: list[str]) -> list[Framework]:
    rejected: set[str] = set()
    while True:  # rejecting one file can strand another's mappings, so repeat until none is rejected
        available: dict[str, set[str]] = {}
        versions: dict[str, list[Framework]] = {}
        for framework in (*known, *accepted):
            available.setdefault(framework.id, set()).update(item.id for item in framework.requirements)
            versions.setdefault(framework.id, []).append(framework)
        failed = {framework.key: _unresolved(framework, available, rejected) + _unequal(framework, versions)
                  for framework in accepted}
        if not any(failed.values()):
            return accepted
        errors.extend(error for framework in accepted for error in failed[framework.key])
        rejected.update(framework.id for framework in accepted if failed[framework.key])
        accepted = [framework for framework in accepted if not failed[framework.key]]


def _unresolved(framework: Framework, available: dict[str, set[str]], rejected: set[str]) -> list[str]:
    errors: list[str] = []
    for i, mapping in enumerate(framework.mappings, 1):
        place = f"{framework.path}: mappings[{i}]"
        if mapping.framework not in available:
            why = "its file was rejected" if mapping.framework in rejected else "no file with that id was loaded"
            errors.append(f'{place}.framework: framework "{mapping.framework}" is not loaded ({why}); load it too, '
                          "or remove this mapping")
        elif mapping.target not in available[mapping.framework]:
            errors.append(f'{place}.target: framework "{mapping.framework}" has no requirement "{mapping.target}" '
                          "in any loaded version; check the id")
    return errors


def _codes(framework: Framework) -> str:
    return ", ".join(sorted(level.code for level in framework.scale))


def _unequal(framework: Framework, versions: dict[str, list[Framework]]) -> list[str]:
    """A "same" mapping makes one answer stand for both requirements, its level translated by code: so the other
    framework's scale (each loaded version holding the target) must have exactly this file's level codes."""
    errors: list[str] = []
    for i, mapping in enumerate(framework.mappings, 1):
        if mapping.relation != "same":
            continue
        for other in versions.get(mapping.framework, []):
            if mapping.target in other._requirements and _codes(other) != _codes(framework):
                errors.append(
                    f'{framework.path}: mappings[{i}].relation: "same" makes one answer stand for both requirements, '
                    f"its rating carried over by its code, so both scales need the same codes: this file's are "
                    f'{_codes(framework)}, but version "{other.version}" of "{other.id}" has {_codes(other)}; give '
                    'the scales the same codes, or use relation = "related" or "part-of", which only suggest the '
                    "other answer")
    return errors
