"""Auditors' verification of answers: the outcomes, the rules of the form, disagreements, and evidence expiry.

Pure: imports no Flask and touches no database.

Decisions a reader needs:
- A verification is kept apart from the answer: the organisation's own (self-assessed) rating is never changed.
- Only an answered requirement of a signed version that stands (submitted or accepted) can be verified.
- "Verified" means the evidence backs the organisation's own rating, so its validated rating is that rating.
  "Partly verified" and "Not verified" need the rating the evidence does support, and a comment saying why.
  "Not checked" has no validated rating: it undoes a check recorded by mistake.
- The validated view shows a checked answer's validated rating; an answer not yet checked shows "Not checked"
  and counts as not met there, because nothing has been validated.
- A disagreement is an answer whose validated rating differs from its self-assessed rating.
- Evidence is "expired" once its valid-until date has passed and "expiring" within EXPIRY_WARNING of today.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from compliance.core import limits
from compliance.core.frameworks import Framework, Level
from compliance.core.limits import too_long
from compliance.core.text import long_date

STATUSES = {
    "verified": "Verified",
    "partly-verified": "Partly verified",
    "not-verified": "Not verified",
    "not-checked": "Not checked",
}
STATUS_HINTS = {
    "verified": "The evidence backs the organisation's own rating",
    "partly-verified": "The evidence backs some of it: give the rating it does support",
    "not-verified": "The evidence does not back the rating: give the rating it does support",
    "not-checked": "Not looked at yet, or a check recorded by mistake",
}
STATUS_TAGS = {"verified": "govuk-tag--green", "partly-verified": "govuk-tag--yellow",
               "not-verified": "govuk-tag--red", "not-checked": "govuk-tag--grey"}
VIEWS = {"self-assessed": "Self-assessed", "validated": "Validated by auditors"}
EXPIRY_WARNING = timedelta(days=60)

# A stored verification, or an answer of a signed document: field name -> value, as the database or JSON gives it.
Record = Mapping[str, Any]


def validated_code(verification: Record | None) -> str | None:
    """The validated rating code of a stored verification; None when there is none or it was not checked."""
    if not verification or verification.get("status") == "not-checked":
        return None
    code: str | None = verification.get("validated_rating")
    return code


def disagrees(self_code: str | None, verification: Record | None) -> bool:
    """Whether the auditor's validated rating differs from the organisation's own."""
    validated = validated_code(verification)
    return validated is not None and self_code is not None and validated != self_code


def check(framework: Framework, self_code: str | None, status: str, validated: str, comment: str
          ) -> tuple[dict[str, str], str | None]:
    """({field: message}, the validated rating to store) for what an auditor entered; no errors means it is fine."""
    errors: dict[str, str] = {}
    validated = (validated or "").strip()
    codes = {level.code: level for level in framework.scale}
    if self_code is None:
        errors["status"] = "This requirement was not answered, so there is no rating to verify"
        return errors, None
    if status not in STATUSES:
        errors["status"] = "Select whether the evidence verifies the organisation's rating"
        return errors, None
    if len(comment) > limits.COMMENT:
        errors["comment"] = f"{too_long('Comment', limits.COMMENT)}; it has {len(comment):,}"
    if validated and validated not in codes:
        errors["validated_rating"] = "Select a validated rating from the list"
        return errors, None
    own = codes[self_code].label if self_code in codes else self_code
    if status == "not-checked":
        if validated:
            errors["validated_rating"] = ("Leave the validated rating empty for “Not checked”, or choose whether the "
                                          "evidence verifies the rating")
        return errors, None
    if status == "verified":
        if validated and validated != self_code:
            errors["validated_rating"] = (f"“Verified” means the evidence backs the organisation's own rating "
                                          f"(“{own}”). Choose that rating, or choose “Partly verified” or “Not "
                                          f"verified” to give a different one")
        return errors, self_code
    if not validated:
        errors["validated_rating"] = "Select the rating the evidence supports"
    if not comment.strip():
        errors["comment"] = f"Say what the evidence does not show: a comment is needed for “{STATUSES[status]}”"
    return errors, validated or None


@dataclass(frozen=True)
class Outcome:
    """One answer's verification as people read it."""

    status: str
    status_label: str
    validated_label: str  # empty when not checked
    validated_rag: str | None
    comment: str
    disagrees: bool
    version: int
    by: str
    at: str


def outcome(framework: Framework, self_code: str | None, verification: Record | None, *, by: str = "",
            at: str = "") -> Outcome | None:
    """The verification of one answer for display; None when nobody has recorded one. by defaults to the name
    the stored row carries (verified_by_name)."""
    if not verification:
        return None
    by = by or verification.get("verified_by_name") or ""
    code = validated_code(verification)
    level = _level(framework, code)
    return Outcome(verification["status"], STATUSES[verification["status"]], level.label if level else "",
                   level.rag if level else None, verification.get("comment") or "",
                   disagrees(self_code, verification), verification.get("version") or 0, by, at)


def outcomes_of(frameworks: Iterable[Framework], answers: list[Record], checks: Mapping[tuple[str, str], Record]
                ) -> dict[tuple[str, str], Outcome | None]:
    """The outcome of each signed answer (framework key, requirement id), for the frameworks known."""
    known = {f.key: f for f in frameworks}
    found: dict[tuple[str, str], Outcome | None] = {}
    for answer in answers:
        key = (answer["framework"], answer["requirement"])
        if answer["framework"] in known:
            found[key] = outcome(known[answer["framework"]], answer.get("rating"), checks.get(key))
    return found


def _level(framework: Framework, code: str | None) -> Level | None:
    try:
        return None if code is None else framework.level(code)
    except KeyError:  # a code the framework's scale no longer has
        return None


@dataclass(frozen=True)
class Summary:
    """What was checked of one return, and how it came out."""

    answered: int
    counts: dict[str, int]  # status -> how many answers
    disagreements: int

    @property
    def checked(self) -> int:
        return self.answered - self.counts.get("not-checked", 0)


def summarise(self_codes: Mapping[tuple[str, str], str | None], verifications: Mapping[tuple[str, str], Record]
              ) -> Summary:
    """Counts over the answered requirements of a return; an answer with no verification is not checked."""
    counts = dict.fromkeys(STATUSES, 0)
    disagreements = 0
    answered = 0
    for key, code in self_codes.items():
        if code is None:
            continue
        answered += 1
        found = verifications.get(key)
        counts[found["status"] if found else "not-checked"] += 1
        disagreements += disagrees(code, found)
    return Summary(answered, counts, disagreements)


def evidence_expiry(valid_until: str | None, today: date) -> str | None:
    """ "expired" once valid-until has passed, "expiring" within EXPIRY_WARNING of today, else None."""
    if not valid_until:
        return None
    if valid_until[:10] < today.isoformat():
        return "expired"
    return "expiring" if valid_until[:10] <= (today + EXPIRY_WARNING).isoformat() else None


EXPIRY_TEXT = {"expired": "Expired", "expiring": "Expires soon"}


@dataclass(frozen=True)
class SummaryItem:
    ref: str
    title: str
    own_label: str
    own_rag: str
    outcome: Outcome | None  # None: not checked

    @property
    def heading(self) -> str:
        return self.ref if self.title == self.ref else f"{self.ref}. {self.title}"


@dataclass(frozen=True)
class SummarySection:
    title: str
    version: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class QueryLine:
    """One auditor's query on the return, as the summary lists it: a line each."""

    requirement: str  # as a sentence names it
    status: str  # "Open" or "Resolved"
    raised: str  # who asked, and on which date
    replies: int
    note: str = ""  # the closing note, if any

    @property
    def text(self) -> str:
        replies = "no replies" if self.replies == 0 else f"{self.replies} repl{'y' if self.replies == 1 else 'ies'}"
        said = f"{self.requirement}: asked by {self.raised}; {replies}; {self.status.lower()}"
        return f"{said}. Closing note: {self.note}" if self.note else said


@dataclass(frozen=True)
class AuditSummary:
    """One organisation's return as the auditors found it: what was checked, outcomes, disagreements, comments."""

    organisation: str
    cycle: str
    version: int | None  # the signed version that stands; None when nothing submitted stands
    totals: Summary
    sections: tuple[SummarySection, ...]
    queries: tuple[QueryLine, ...] = ()

    @property
    def disagreements(self) -> list[tuple[SummarySection, SummaryItem]]:
        return [(s, i) for s in self.sections for i in s.items if i.outcome and i.outcome.disagrees]

    @property
    def comments(self) -> list[tuple[SummarySection, SummaryItem]]:
        return [(s, i) for s in self.sections for i in s.items if i.outcome and i.outcome.comment]


def build_summary(*, organisation: str, cycle: str, version: int | None, frameworks: Iterable[Framework],
                  sector: str, answers: Mapping[tuple[str, str], Record],
                  verifications: Mapping[tuple[str, str], Record]) -> AuditSummary:
    """The audit summary of a return from its signed answers (keyed by framework key and requirement id)."""
    sections: list[SummarySection] = []
    for framework in frameworks:
        items: list[SummaryItem] = []
        for requirement in framework.requirements_for(sector):
            signed = answers.get((framework.key, requirement.id))
            if signed is None or not signed.get("rating"):
                continue
            level = _level(framework, signed["rating"])
            found = verifications.get((framework.key, requirement.id))
            items.append(SummaryItem(requirement.ref, requirement.title,
                                     level.label if level else signed["rating"], level.rag if level else "blank",
                                     outcome(framework, signed["rating"], found,
                                             at=long_date((found or {}).get("verified_at")))))
        if items:
            sections.append(SummarySection(framework.title, framework.version, tuple(items)))
    own = {key: a.get("rating") for key, a in answers.items()}
    return AuditSummary(organisation, cycle, version, summarise(own, verifications), tuple(sections))
