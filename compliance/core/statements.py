"""The annual statement of compliance as plain data: what the statement page and its PDF both show.

Pure: built from a return's canonical document (a signed version, or the live answers for a draft) and the
framework versions it was answered against; no Flask, no database. Every text is final here, so the page and
the PDF cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.core.accreditations import Held, as_held, flags_text
from compliance.core.frameworks import Framework
from compliance.core.mappings import named
from compliance.core.returns import ReturnContext, action_overdue, signed_document
from compliance.core.scoring import BLANK, format_percent, overall, rag, rag_text
from compliance.core.text import london, long_date, slug, when
from compliance.core.verification import EXPIRY_TEXT, Outcome, Record, Summary, evidence_expiry, outcome, summarise

# A return's canonical document (signed_document's shape), or a part of it: JSON as it was signed.
Document = dict[str, Any]

RULES = {"worst-rating-wins": "The worst rating given wins",
         "percentage-met": "Percentage of applicable requirements met"}


@dataclass(frozen=True)
class Evidence:
    title: str
    location: str  # the link or the file name, as signed
    effective: str
    valid_until: str
    sha256: str
    expiry: str | None = None  # "expired" or "expiring" on the day the statement is looked at

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    @property
    def expiry_text(self) -> str:
        return EXPIRY_TEXT.get(self.expiry or "", "")


@dataclass(frozen=True)
class Action:
    what: str
    owner: str
    due: str
    status: str
    overdue: bool = False  # not done by its due date (known only when the statement is built with today's date)


@dataclass(frozen=True)
class Item:
    """One requirement's answer."""

    ref: str
    title: str
    rating: str  # the level's label, or "Not answered"
    rag: str  # green, amber, red, grey or blank
    rag_text: str  # the colour in words: colour is never the only signal
    narrative: str
    reason: str
    evidence: tuple[Evidence, ...]
    actions: tuple[Action, ...]
    verification: Outcome | None = None  # the auditor's check, recorded after signing
    anchor: str = ""  # the item's id on the page: answer-<framework id>-<requirement id>
    through: str = ""  # answered through another framework's requirement: its name, e.g. "WDVF protocol, 3"
    through_anchor: str = ""  # that requirement's item on the page

    @property
    def heading(self) -> str:
        return self.ref if self.title == self.ref else f"{self.ref}. {self.title}"


@dataclass(frozen=True)
class Section:
    """One framework: its version, the overall result by its rule, and the answers."""

    key: str
    title: str
    version: str
    status: str
    notice: str
    rule: str
    result: str
    result_rag: str
    detail: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Attestation:
    name: str
    job_title: str
    declaration: str
    signed_at: str  # as people read it: 5 March 2025 at 2:07pm UTC


@dataclass(frozen=True)
class Statement:
    partnership: str
    organisation: str
    cycle: str
    sector: str
    return_id: int
    version: int | None  # None for a draft
    submitted: bool
    sha256: str | None
    declaration: str
    attestation: Attestation | None  # None until signed
    sections: tuple[Section, ...]
    intact: bool = True
    verification: Summary | None = None  # None for a draft
    # As they stood when it was signed (a draft: as they stand), judged on that day; None when the document holds
    # no record of them (signed before accreditations were recorded).
    accreditations: tuple[Held, ...] | None = None

    @property
    def accreditations_flagged(self) -> str:
        """"1 has expired and 1 expires within 90 days", or "" when none is flagged."""
        return flags_text(self.accreditations or ())

    @property
    def expired_evidence(self) -> int:
        """How many pieces of evidence, counted once per answer they back, are past or near their valid-until."""
        return sum(e.expiry is not None for s in self.sections for i in s.items for e in i.evidence)

    @property
    def draft(self) -> bool:
        return not self.submitted

    @property
    def title(self) -> str:
        return "Annual statement of compliance"

    @property
    def frameworks_text(self) -> str:
        return "; ".join(f"{s.title} (version {s.version})" for s in self.sections)


def build_statement(document: Document, frameworks: dict[str, Framework], *, submitted: bool, sha256: str | None,
                    version: int | None, intact: bool = True,
                    verifications: Mapping[tuple[str, str], Record] | None = None, today: date | None = None
                    ) -> Statement:
    """The statement for one canonical document; frameworks maps framework key to its version.

    verifications maps (framework key, requirement id) to an auditor's check; today flags expiring evidence.
    """
    sections: list[Section] = []
    checks = verifications or {}
    for entry in document["frameworks"]:
        framework = frameworks[entry["key"]]
        answers = [a for a in document["answers"] if a["framework"] == entry["key"]]
        if answers:
            sections.append(_section(framework, entry, answers, sector=document["sector"], checks=checks,
                                     today=today))
    signed = document.get("attestation") or {}
    attestation = None
    if submitted and signed.get("name"):
        attestation = Attestation(signed["name"], signed.get("job_title") or "", signed.get("declaration") or "",
                                  when(signed.get("submitted_at")))
    return Statement(
        partnership=document.get("partnership") or "", organisation=document["organisation"],
        cycle=document["cycle"], sector=document.get("sector") or "", return_id=document["return"],
        version=version if submitted else None, submitted=submitted, sha256=sha256 if submitted else None,
        declaration=signed.get("declaration") or "", attestation=attestation, sections=tuple(sections),
        intact=intact, verification=summarise({(a["framework"], a["requirement"]): a.get("rating")
                                               for a in document["answers"]}, checks) if submitted else None,
        accreditations=_accreditations(document, signed.get("submitted_at") if submitted else None, today))


def _accreditations(document: Document, signed_at: str | None, today: date | None) -> tuple[Held, ...] | None:
    """The accreditations the document holds, judged on the day it was signed (a draft: today)."""
    held = document.get("accreditations")
    if held is None:
        return None
    if signed_at:
        return tuple(as_held(a, london(signed_at).date(), at_signing=True) for a in held)
    return tuple(as_held(a, today) for a in held)


def _section(framework: Framework, entry: Document, answers: list[Document], *, sector: str,
             checks: Mapping[tuple[str, str], Record], today: date | None) -> Section:
    result = overall(framework, {a["requirement"]: a["rating"] for a in answers}, sector=sector)
    if framework.overall.kind == "percentage-met":
        shown = format_percent(result.percent, decimals=framework.overall.decimals)
        detail = f"{result.met} of {result.applicable} applicable requirements met: {shown}"
    else:
        detail = f"{result.answered} of {result.total} requirements answered"
    if result.state == "incomplete":
        detail += "; not every requirement is answered yet"
    return Section(key=framework.key, title=entry.get("title") or framework.title, version=framework.version,
                   status=entry.get("status") or framework.status, notice=framework.notice,
                   rule=RULES.get(framework.overall.kind, framework.overall.kind), result=result.label,
                   result_rag=result.rag, detail=detail,
                   items=tuple(_item(framework, a, checks.get((a["framework"], a["requirement"])), today)
                               for a in answers))


def _item(framework: Framework, answer: Document, check: Record | None, today: date | None) -> Item:
    colour = rag(framework, answer["rating"])
    source = answer.get("answered_through") or {}
    return Item(
        ref=answer["ref"], title=answer["title"],
        rating=answer.get("rating_label") or ("Not answered" if colour == BLANK else rag_text(colour)),
        rag=colour, rag_text=rag_text(colour) if colour != BLANK else "Not answered",
        narrative=answer.get("narrative") or "", reason=answer.get("reason") or "",
        evidence=tuple(Evidence(e.get("title") or "", e.get("url") or e.get("filename") or "",
                                long_date(e.get("effective_date")), long_date(e.get("valid_until")),
                                e.get("sha256") or "",
                                None if today is None else evidence_expiry(e.get("valid_until"), today))
                       for e in answer.get("evidence") or ()),
        actions=tuple(Action(a.get("what") or "", a.get("owner") or "", long_date(a.get("due_date")),
                             (a.get("status") or "").replace("-", " ").capitalize(),
                             overdue=today is not None and action_overdue(a, today))
                      for a in answer.get("actions") or ()),
        verification=outcome(framework, answer["rating"], check, at=when((check or {}).get("verified_at"))),
        anchor=f"answer-{framework.id}-{answer['requirement']}",
        through=named(source["framework_title"], source["ref"]) if source else "",
        through_anchor=f"answer-{source['framework'].split('@')[0]}-{source['requirement']}" if source else "")


def draft_document(context: ReturnContext, *, partnership: str = "") -> Document:
    """The live answers in the signed document's shape, unsigned: what a draft statement shows."""
    return signed_document(context, partnership=partnership, signatory_name="", job_title="", submitted_at="",
                           submitted_by="")


def filename(statement: Statement) -> str:
    """The PDF's file name, e.g. statement-2025-26-haven-lane-womens-aid-v2.pdf (or ...-draft.pdf)."""
    suffix = f"v{statement.version}" if statement.submitted else "draft"
    return f"statement-{slug(statement.cycle)}-{slug(statement.organisation)}-{suffix}.pdf"
