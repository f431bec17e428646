"""The evidence register as CSV: one row per item of evidence and an answer it backs, as the register page lists it.

Pure: imports no Flask and touches no database. Names rather than ids, dates as people read them, and every text
cell neutralised (workbooks.neutralise) so that a spreadsheet never runs it as a formula.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from compliance.core.text import long_date, when
from compliance.render.workbooks import neutralise

Item = Mapping[str, Any]
# (header, value): the page's columns first, in its order, then what only a spreadsheet has room for.
REGISTER_COLUMNS: tuple[tuple[str, Callable[[Item], str]], ...] = (
    ("Organisation", lambda item: item["organisation_name"]),
    ("Evidence", lambda item: item["title"]),
    ("Type", lambda item: item["kind_label"]),
    ("Requirement", lambda item: item["requirement_label"] or "Not used in a return"),
    ("Requirement title", lambda item: item["requirement_title"]),
    ("Cycle", lambda item: item["cycle_name"] or ""),
    ("Took effect", lambda item: long_date(item["effective_date"]) or "Not given"),
    ("Valid until", lambda item: long_date(item["valid_until"]) or "No end date"),
    ("Expiry", lambda item: item["expiry_label"]),
    ("Verification status", lambda item: item["verification_label"]),
    ("SHA-256", lambda item: item["sha256"] if item["kind"] == "file" else ""),
    ("File name", lambda item: item["filename"] if item["kind"] == "file" else ""),
    ("Link", lambda item: item["url"] if item["kind"] != "file" else ""),
    ("Added", lambda item: when(item["created_at"])),
)


def register_csv(items: Iterable[Item]) -> str:
    """A header row, then one row per item as the register shows it (labels already worked out by the caller)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for header, _value in REGISTER_COLUMNS])
    for item in items:
        writer.writerow([neutralise(value(item) or "") for _header, value in REGISTER_COLUMNS])
    return out.getvalue()
