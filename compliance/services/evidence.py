"""Evidence: storing an uploaded file and recording it against a requirement of a return."""
from __future__ import annotations

import errno
import logging
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core.filetypes import Accepted
from compliance.core.returns import ReturnContext
from compliance.store import files

OUT_OF_SPACE = (errno.ENOSPC, errno.EDQUOT)
OUT_OF_STORAGE = ("The service has run out of storage space, so the file was not uploaded. Your answer is saved; "
                  "try the upload again later or tell the partnership coordinator")
log = logging.getLogger(__name__)


class OutOfStorage(Exception):
    """The evidence folder's disk is full: nothing of the upload was kept."""


def add_file(db: Database, evidence_dir: str | Path, context: ReturnContext, framework_key: str, requirement_id: str,
             accepted: Accepted, data: bytes, *, title: str, dates: dict, actor: store.Actor, now: datetime) -> int:
    """Store the checked file under its SHA-256, then record it as evidence backing this requirement; its id.

    The file goes first: a crash between the two leaves a file no row names, which start-up sweeps away, never a
    row whose file is missing.
    """
    store_upload(db, evidence_dir, accepted, data, action="upload-refused-storage-full", object_type="return",
                 object_id=context.ret.id, organisation_id=context.ret.organisation_id, actor=actor, now=now)
    with db.atomic():
        answer_id = store.ensure_answer(db, context.ret.id, framework_key, requirement_id)["id"]
        return store.add_evidence(db, context.ret.organisation_id, {
            "kind": "file", "title": title, "filename": accepted.filename, "content_type": accepted.content_type,
            "size": accepted.size, "sha256": accepted.sha256, **dates}, answer_id=answer_id, actor=actor, now=now)


def store_upload(db: Database, evidence_dir: str | Path, accepted: Accepted, data: bytes, *, action: str,
                 object_type: str, object_id: int, organisation_id: int, actor: store.Actor, now: datetime) -> None:
    """Store a checked upload's file under its SHA-256, before any row names it; OutOfStorage when the disk is
    full, recorded in the audit trail as `action` against what it was for (object_type and object_id)."""
    try:
        files.store_file(evidence_dir, data, accepted.sha256)
    except OSError as error:
        if error.errno not in OUT_OF_SPACE:
            raise
        log.error("the evidence folder %s is full: an upload of %s bytes was refused", evidence_dir, accepted.size)
        with db.atomic():  # where the coordinator will see it: the audit trail
            store.record(db, actor, action=action, object_type=object_type,
                         object_id=object_id, organisation_id=organisation_id,
                         new={"file": accepted.filename, "size": accepted.size}, now=now)
        raise OutOfStorage(OUT_OF_STORAGE) from error


def add_link(db: Database, context: ReturnContext, framework_key: str, requirement_id: str, *, title: str,
             url: str, dates: dict, actor: store.Actor, now: datetime) -> int:
    """Record a web address as evidence backing this requirement, in one transaction with its answer; its id."""
    with db.atomic():
        answer_id = store.ensure_answer(db, context.ret.id, framework_key, requirement_id)["id"]
        return store.add_evidence(db, context.ret.organisation_id, {"kind": "link", "title": title, "url": url,
                                                                     **dates},
                                  answer_id=answer_id, actor=actor, now=now)


def attach(db: Database, context: ReturnContext, framework_key: str, requirement_id: str, evidence_ids: list[int],
           *, actor: store.Actor, now: datetime) -> None:
    """Back this requirement with items already in the organisation's evidence library, all or none."""
    with db.atomic():
        answer_id = store.ensure_answer(db, context.ret.id, framework_key, requirement_id)["id"]
        for evidence_id in evidence_ids:
            store.link_evidence(db, answer_id, evidence_id, actor=actor, now=now)
