"""The audit trail as CSV: one row per event, its sentence and every change in full, safe to open in a spreadsheet.

Pure: imports no Flask and touches no database. Every cell is neutralised as the matrix exports' are, so text a
person typed (a name, a narrative) never runs as a formula.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from compliance.core.audit_events import Described
from compliance.core.text import when
from compliance.render.workbooks import neutralise

COLUMNS = ("When (London time)", "Who", "Email address", "Organisation", "What happened", "Changes", "Kind",
           "Recorded at (UTC)", "Record", "Action code", "Old values as stored", "New values as stored", "IP address")


def trail_csv(events: Iterable[Described]) -> str:
    """A header row, then one row per event; its changes one to a line, never shortened."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        writer.writerow([neutralise(cell) for cell in (
            when(event.at), event.actor, event.actor_email, event.organisation, event.sentence,
            "\n".join(change.text() for change in event.changes), event.kind, event.at, event.object, event.action,
            event.old_value, event.new_value, event.address)])
    return out.getvalue()
