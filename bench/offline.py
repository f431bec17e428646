"""make bench: a return completed offline round-trips (download, upload, preview) beside openpyxl writing and reading
the same cells, its floor.

One local-authority organisation answers the newest version of each shipped framework (38 requirements), every
answer saved with an explanation; its editor, signed in through the Flask test client, downloads the spreadsheet,
uploads it back with ten answers changed, and opens the page showing what would change (the upload is checked and
kept, the page checks the kept file again). The floor (bench/floors.workbook_round_trip) writes every cell of the
downloaded workbook with openpyxl in write-only mode, as plain values, and reads them all back in read-only mode.
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import load_workbook

from bench import floors
from compliance import create_app, store
from compliance.core import return_workbook as layout
from compliance.core.frameworks import newest_versions
from compliance.services import returns as return_service
from compliance.services.passwords import hash_password
from compliance.web.requests import get_db

NOW = datetime.now(timezone.utc)
EDITOR = ("editor@bench.example", "bench-password-not-secret")
CHANGED = 10  # answers changed in the spreadsheet uploaded back


def build(folder: Path):
    """An app whose one open return (38 requirements, all answered) an editor may change; (app, return id)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "DATABASE": str(folder / "offline.sqlite"), "EVIDENCE_DIR": str(folder / "evidence"),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db = get_db()
        organisation = store.upsert_organisation(db, name="Brackenford Council", sector="local-authority", now=NOW)
        editor = store.create_user(db, email=EDITOR[0], name="Dana Hollis", role="editor",
                                   organisation_id=organisation, password_hash=hash_password(EDITOR[1]),
                                   actor=store.SYSTEM, now=NOW)
        keys = [row["key"] for row in newest_versions(store.framework_rows(db))]
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2099-06-30",
                                      declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
        context = return_service.load_return(db, store.returns_for_cycle(db, cycle_id)[0]["id"])
        actor = store.Actor(editor, EDITOR[0])
        for number, (framework, requirement) in enumerate(context.requirements()):
            level = next(level for level in framework.scale if not level.needs_reason)
            store.save_answer(db, context.ret.id, framework.key, requirement.id,
                              {"rating": level.code, "narrative": f"What we have in place for {requirement.ref}. "
                                                                   * (8 + number % 5), "reason": ""},
                              revision=0, actor=actor, now=NOW)
    assert len(context.requirements()) == 38, len(context.requirements())
    return app, context.ret.id


def _changed(data: bytes) -> bytes:
    """The workbook as an editor sends it back: ten explanations rewritten."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.ANSWERS.name]
    column = layout.COLUMNS.index(layout.NARRATIVE) + 1
    for row in range(layout.ANSWERS.header_row + 1, layout.ANSWERS.header_row + 1 + CHANGED):
        sheet.cell(row, column).value = f"Typed offline by a colleague, row {row}. " * 6
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def round_trip(folder: Path):
    """(the round trip, its floor), each a function of no arguments, ready to be timed in turns."""
    app, return_id = build(folder)
    client = app.test_client()
    assert client.post("/sign-in", data={"email": EDITOR[0], "password": EDITOR[1]}).status_code == 302
    page = f"/returns/{return_id}/offline"
    downloaded = client.get(page + ".xlsx").data
    upload = _changed(downloaded)

    def ours():
        assert client.get(page + ".xlsx").status_code == 200
        sent = client.post(page, data={"file": (io.BytesIO(upload), "return.xlsx")},
                           content_type="multipart/form-data")
        assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
        shown = client.get(page + "/check")
        assert shown.status_code == 200 and re.search(rf"{CHANGED} answers will change", shown.get_data(as_text=True))

    cells = floors.workbook_values(downloaded)
    return ours, lambda: floors.workbook_round_trip(cells)
