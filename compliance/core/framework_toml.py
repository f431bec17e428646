"""A framework written as TOML in one canonical form: the form a version loaded from a spreadsheet is stored in.

Pure: values in, text out. `framework_document` turns a Framework into the TOML-shaped dict the parser reads
(fields in the order questionnaires/README.md lists them, fields at their default left out); `dumps` writes such a
dict for the fixed schema of a framework file; `canonical_toml` is the two together. Parsing the canonical text
gives the same framework back (tests/unit/test_framework_workbook.py proves it over generated frameworks and every
shipped file), so a file and a spreadsheet are two views of one thing.
"""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.core import frameworks as fw

HEADER = ("# {title}, version {version}.\n"
          "# Written in the service's canonical form; questionnaires/README.md describes every field.\n")


def canonical_toml(framework: fw.Framework) -> str:
    """The framework as TOML in the canonical form (the same framework, the same text)."""
    header = HEADER.format(title=_one_line(framework.title), version=framework.version)
    return header + "\n" + dumps(framework_document(framework))


def framework_document(framework: fw.Framework) -> dict[str, Any]:
    """The framework as the parser reads it: the TOML-shaped dict, defaults left out."""
    top: dict[str, Any] = {"id": framework.id, "version": framework.version, "title": framework.title,
                           "short_title": framework.short_title, "published": framework.published,
                           "source": framework.source, "status": framework.status}
    _put(top, "notice", framework.notice)
    _put(top, "description", framework.description)
    top["scale"] = [_level(level) for level in framework.scale]
    top["overall"] = _overall(framework.overall)
    top["requirements"] = [_requirement(requirement) for requirement in framework.requirements]
    if framework.mappings:
        top["mappings"] = [{"requirement": m.requirement, "framework": m.framework, "target": m.target,
                            "relation": m.relation} for m in framework.mappings]
    return top


def _put(table: dict[str, Any], key: str, value: Any, default: Any = "") -> None:
    if value != default:
        table[key] = value


def _level(level: fw.Level) -> dict[str, Any]:
    table: dict[str, Any] = {"code": level.code, "label": level.label, "definition": level.definition,
                             "rag": level.rag}
    _put(table, "score", level.score, None)
    for key in ("counts_as_met", "needs_action", "needs_reason", "needs_evidence"):
        _put(table, key, getattr(level, key), False)
    return table


def _overall(rule: fw.OverallRule) -> dict[str, Any]:
    table: dict[str, Any] = {"rule": rule.kind}
    if rule.kind == "worst-rating-wins":  # decimals, rounding and thresholds are errors with this rule
        return table
    table["decimals"] = rule.decimals
    _put(table, "rounding", rule.rounding, "half-up")
    if rule.thresholds:
        table["thresholds"] = [{"min_percent": t.min_percent, "label": t.label, "rag": t.rag}
                               for t in rule.thresholds]
    return table


def _requirement(requirement: fw.Requirement) -> dict[str, Any]:
    table: dict[str, Any] = {"id": requirement.id, "ref": requirement.ref, "title": requirement.title,
                             "text": requirement.text}
    _put(table, "mandatory", requirement.mandatory, True)
    for key in ("sectors", "tags", "suggested_evidence"):
        _put(table, key, list(getattr(requirement, key)), [])
    table["guidance"] = {"good": requirement.guidance.good, "evidence": requirement.guidance.evidence}
    return table


# --- writing ---------------------------------------------------------------------------------------------------

def dumps(document: dict[str, Any]) -> str:
    """A framework's TOML-shaped dict as TOML text: plain values first, then each table and array of tables, in
    the dict's order. Values may be text, true or false, whole numbers, numbers (float or Decimal), dates and
    arrays of those."""
    return "".join(_table(document, ""))


def _table(table: dict[str, Any], path: str) -> list[str]:
    lines = [f"{key} = {_value(value)}\n" for key, value in table.items() if not _is_table(value)]
    parts = ["".join(lines)]
    for key, value in table.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            parts.append(f"\n[{where}]\n")
            parts.extend(_table(value, where))
        elif _is_table(value):
            for item in value:
                parts.append(f"\n[[{where}]]\n")
                parts.extend(_table(item, where))
    return parts


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and bool(value)
                                       and all(isinstance(item, dict) for item in value))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"a framework file holds no {type(value).__name__}")


def _decimal(value: Decimal) -> str:
    """75 for 75.0, 58.8 for 58.80: the same number is written one way."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _escaped(text: str, *, newlines: bool) -> str:
    out = []
    for character in text:
        if character == "\n":
            out.append("\n" if newlines else "\\n")
        elif character in _ESCAPES:
            out.append(_ESCAPES[character])
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return "".join(out)


def _string(text: str) -> str:
    """A TOML basic string; text of several lines as a multi-line one, which reads as the text does."""
    if "\n" in text:
        # The line break after the opening quotes is not part of the value; the one before the closing quotes is,
        # and the parser trims it (every text value is stripped).
        return '"""\n' + _escaped(text, newlines=True) + '\n"""'
    return '"' + _escaped(text, newlines=False) + '"'


def _one_line(text: str) -> str:
    """Text fit for a comment: one line, without the control characters a comment may not hold."""
    return " ".join("".join(c for c in text if ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0).split())
