"""Accreditations an organisation holds: recording, changing and removing one, with its evidence, and the copy a
statement keeps when it is signed.

No Flask: the database, the evidence folder, the day, the person acting and the schemes come in as arguments. Who
may do this is the caller's rule (the organisation's editors, and the coordinator for any organisation).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from compliance import store
from compliance.core.accreditation_schemes import Schemes
from compliance.core.accreditations import as_held, held_on, record
from compliance.core.filetypes import Accepted
from compliance.services.evidence import OutOfStorage, store_upload  # noqa: F401  (OutOfStorage re-exported)

KEEP, FILE, LINK, EXISTING = "keep", "file", "link", "existing"


class ChangedElsewhere(Exception):
    """Someone else changed or removed the accreditation after this person opened it: nothing was saved."""


@dataclass(frozen=True)
class Evidence:
    """How an accreditation is evidenced: keep what it has, a checked upload, a web address, or an item already
    in the organisation's evidence library."""

    how: str
    accepted: Accepted | None = None
    data: bytes = b""
    url: str = ""
    evidence_id: int | None = None


def listed(db: Database, organisation_id: int, schemes: Schemes, *, today: date) -> list[dict[str, Any]]:
    """The organisation's accreditations as stored, each with `held`: how it reads, judged against today."""
    found = []
    for row in store.organisation_accreditations(db, organisation_id):
        name = schemes.name(row["scheme"], row["scheme_name"])
        found.append({**row, "held": as_held(record(row, scheme_name=name), today)})
    return found


def held_at_signing(db: Database, organisation_id: int, day: date, schemes: Schemes | None = None
                    ) -> list[dict[str, Any]]:
    """The organisation's accreditations awarded by `day`, in the form the signed document keeps them; the
    schemes' names are the list's (or, without the list, as stored with each)."""
    return held_on([record(row, scheme_name=schemes.name(row["scheme"], row["scheme_name"]) if schemes
                           else row["scheme_name"])
                    for row in store.organisation_accreditations(db, organisation_id)], day)


def add(db: Database, evidence_dir: str | Path, organisation_id: int, values: Mapping[str, Any], evidence: Evidence,
        *, actor: store.Actor, now: datetime) -> int:
    """Record an accreditation with its evidence; its id. A file is stored before any row names it."""
    _store_file(db, evidence_dir, organisation_id, evidence, actor=actor, now=now)
    with db.atomic():
        evidence_id = _evidence_id(db, organisation_id, values, evidence, kept=None, actor=actor, now=now)
        return store.add_accreditation(db, organisation_id, {**values, "evidence_id": evidence_id}, actor=actor,
                                       now=now)


def change(db: Database, evidence_dir: str | Path, current: Mapping[str, Any], values: Mapping[str, Any],
           evidence: Evidence, *, revision: int, actor: store.Actor, now: datetime) -> None:
    """Save a change to an accreditation as it was at `revision`; ChangedElsewhere (nothing saved, no new evidence
    item) when someone else changed or removed it since."""
    organisation_id = current["organisation_id"]
    _store_file(db, evidence_dir, organisation_id, evidence, actor=actor, now=now)
    with db.atomic():
        evidence_id = _evidence_id(db, organisation_id, values, evidence, kept=current["evidence_id"], actor=actor,
                                   now=now)
        if not store.change_accreditation(db, current["id"], {**values, "evidence_id": evidence_id},
                                          revision=revision, actor=actor, now=now):
            raise ChangedElsewhere(current["id"])


def remove(db: Database, accreditation_id: int, *, actor: store.Actor, now: datetime) -> bool:
    """Remove an accreditation's record; its evidence stays in the library, and signed statements keep their copy."""
    return store.remove_accreditation(db, accreditation_id, actor=actor, now=now)


def evidence_title(values: Mapping[str, Any]) -> str:
    """The title of an evidence item added for an accreditation: "Evidence of Respect accreditation (Full ...)"."""
    level = values.get("level")
    return f"Evidence of {values['scheme_name']}" + (f" ({level})" if level else "")


def _store_file(db: Database, evidence_dir: str | Path, organisation_id: int, evidence: Evidence, *,
                actor: store.Actor, now: datetime) -> None:
    if evidence.how == FILE and evidence.accepted is not None:
        store_upload(db, evidence_dir, evidence.accepted, evidence.data, action="accreditation-upload-refused",
                     object_type="organisation", object_id=organisation_id, organisation_id=organisation_id,
                     actor=actor, now=now)


def _evidence_id(db: Database, organisation_id: int, values: Mapping[str, Any], evidence: Evidence, *,
                 kept: int | None, actor: store.Actor, now: datetime) -> int | None:
    """The evidence item the accreditation names: kept, chosen from the library, or added now (its dates the
    accreditation's: the certificate holds from the award to the expiry)."""
    if evidence.how == KEEP:
        return kept
    if evidence.how == EXISTING:
        return evidence.evidence_id
    dates = {"title": evidence_title(values), "effective_date": values["awarded_on"],
             "valid_until": values.get("expires_on")}
    if evidence.how == LINK:
        return store.add_evidence(db, organisation_id, {"kind": "link", "url": evidence.url, **dates}, actor=actor,
                                  now=now)
    accepted = evidence.accepted
    if accepted is None:
        raise ValueError("an uploaded file's evidence needs the checked file")
    return store.add_evidence(db, organisation_id, {
        "kind": "file", "filename": accepted.filename, "content_type": accepted.content_type, "size": accepted.size,
        "sha256": accepted.sha256, **dates}, actor=actor, now=now)
