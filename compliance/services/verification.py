"""An auditor's check of one answer of a signed return: what there is to check, and saving the check.

The answer itself is never changed: checks live in their own table, against the signed version that stands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from compliance import store
from compliance.core.frameworks import Framework, Requirement
from compliance.core.returns import ReturnContext
from compliance.core.verification import check
from compliance.services.returns import standing_answers


@dataclass(frozen=True)
class AnswerToCheck:
    """One requirement of a return as an auditor checks it: the signed answer that stands, its evidence, the check."""
    context: ReturnContext
    framework: Framework
    requirement: Requirement
    version: dict | None  # the signed version that stands, or None when nothing signed stands
    answers: dict  # every signed answer of that version, keyed by (framework key, requirement id)
    current: dict | None  # the check as it stands
    evidence: list[dict] = field(default_factory=list)

    @property
    def signed(self) -> dict | None:
        """This requirement's signed answer; None when the signed version has none (nothing to check)."""
        return self.answers.get((self.framework.key, self.requirement.id)) if self.version else None


@dataclass(frozen=True)
class Saved:
    """What saving a check did: problems to fix (nothing saved), saved, or refused for someone else's newer check."""
    errors: dict[str, str]
    saved: bool
    standing: dict | None


def answer_to_check(db: Database, context: ReturnContext, framework_id: str,
                    requirement_id: str) -> AnswerToCheck | None:
    """The answer, its evidence and its check; None when the return has no such requirement."""
    found = context.find(framework_id, requirement_id)
    if found is None:
        return None
    framework, requirement = found
    version, answers = standing_answers(db, context.ret.id)
    key = (framework.key, requirement.id)
    return AnswerToCheck(context, framework, requirement, version, answers,
                         store.verifications_for_return(db, context.ret.id).get(key),
                         context.evidence.get(key, []))


def save_check(db: Database, found: AnswerToCheck, *, status: str, validated_rating: str, comment: str,
               revision: int, actor: store.Actor, now: datetime) -> Saved:
    """Check the values by the verification rules, then record them unless someone else checked meanwhile."""
    signed: dict[str, Any] = found.signed or {}
    errors, validated = check(found.framework, signed.get("rating"), status, validated_rating, comment)
    if errors:
        return Saved(errors, False, None)
    if found.version is None:  # the view shows "nothing to check" first; a check needs a signed version
        raise ValueError("nothing signed stands: there is nothing to check")
    saved, standing = store.save_verification(
        db, found.context.ret.id, found.framework.key, found.requirement.id,
        {"status": status, "validated_rating": validated, "comment": comment},
        version=found.version["version"], self_rating=signed.get("rating"), revision=revision, actor=actor, now=now)
    return Saved({}, saved, standing)
