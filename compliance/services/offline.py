"""A return completed offline: its workbook to download, an uploaded one checked and kept for its person until they
save it (or for a day), and the save, which changes the answers exactly as the requirement page would.

No Flask: the database, time and the acting person come in as arguments. The workbook is checked again, whole,
each time it is shown and when it is saved; nothing the file says about itself is trusted (core/return_workbook).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.filetypes import clean_filename
from compliance.core.return_workbook import Item, Plan, Upload, plan_upload, read_return_workbook
from compliance.core.returns import Key, ReturnContext
from compliance.render.return_workbook import return_workbook
from compliance.services import returns as return_service
from compliance.store import Actor

PURPOSE = "return-workbook"  # what the pending upload is, in store.pending
VIA = "a spreadsheet"  # how the answers came, in the audit log


def workbook(db: Database, context: ReturnContext, *, partnership: str, downloaded_by: str,
             now: datetime) -> bytes:
    """The return as it stands, as a workbook to fill in."""
    ids = {answer["updated_by"] for answer in context.answers.values() if answer.get("updated_by")}
    people = (store.user_by_id(db, person) for person in sorted(ids))
    names = {person["id"]: person["name"] for person in people if person}
    return return_workbook(context, partnership=partnership, names=names, downloaded_by=downloaded_by,
                           downloaded_at=now)


@dataclass(frozen=True)
class Checked:
    """An uploaded workbook checked against the return as it stands: its problems, or what saving it would do."""

    upload: Upload
    plan: Plan | None  # None when the file has problems
    filename: str


def check(db: Database, context: ReturnContext, data: bytes, filename: str, *, user_id: int, organisation_id: int,
          now: datetime) -> Checked:
    """Check an uploaded workbook; one without problems is kept for this person and return, to be saved."""
    name = clean_filename(filename)
    upload = read_return_workbook(data, name, context, organisation_id=organisation_id)
    if upload.problems:
        return Checked(upload, None, name)
    store.keep_upload(db, PURPOSE, user_id, context.ret.id, filename=name, sha256=_sha256(data), data=data, now=now)
    return Checked(upload, plan_upload(context, upload.rows), name)


def kept(db: Database, context: ReturnContext, *, user_id: int, organisation_id: int,
         now: datetime) -> Checked | None:
    """The workbook this person uploaded for this return and has not saved, checked again against the return as it
    stands now; None when there is none (or it is more than a day old)."""
    found = store.kept_upload(db, PURPOSE, user_id, context.ret.id, now=now)
    if found is None:
        return None
    upload = read_return_workbook(found["data"], found["filename"], context, organisation_id=organisation_id)
    plan = None if upload.problems else plan_upload(context, upload.rows)
    return Checked(upload, plan, found["filename"])


@dataclass(frozen=True)
class Saved:
    saved: tuple[Item, ...]
    not_saved: tuple[Item, ...]  # conflicts: changed on the website since the download, and not replaced


def save(db: Database, context: ReturnContext, checked: Checked, *, seen: str, replace: set[Key], actor: Actor,
         now: datetime) -> Saved | None:
    """Save the changes of a checked workbook, and the conflicts its person chose to replace, as the requirement
    page saves an answer (each audited, "via a spreadsheet"); None, saving nothing, when what it would do is not
    what its person saw (`seen`: the plan's digest), because an answer changed on the website meanwhile."""
    plan = checked.plan
    if plan is None or plan.digest != seen:
        return None
    chosen = [item for item in plan.conflicts if _key(item) in replace]
    saved, not_saved = [], [item for item in plan.conflicts if _key(item) not in replace]
    with db.atomic():
        for item in (*plan.changes, *chosen):
            done, _ = return_service.save_answer(db, context, item.framework, item.requirement.id, item.after,
                                                 revision=plan.revisions.get(_key(item), 0), actor=actor, now=now,
                                                 via=VIA)
            (saved if done else not_saved).append(item)
        if saved:
            store.record(db, actor, action="answers-uploaded", object_type="return", object_id=context.ret.id,
                         organisation_id=context.ret.organisation_id,
                         new={"answers": len(saved), "conflicts": len(not_saved), "filename": checked.filename},
                         now=now)
        store.drop_upload(db, PURPOSE, actor.id or 0, context.ret.id)
    return Saved(tuple(saved), tuple(not_saved))


def _key(item: Item) -> Key:
    return (item.framework.key, item.requirement.id)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
