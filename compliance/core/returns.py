"""The rules of a return: answer states, what is still missing, due dates, and the canonical signed form.

Pure: no Flask, no database; dates and data come in as arguments.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from compliance.core import limits
from compliance.core.frameworks import Framework, Level, Requirement
from compliance.core.limits import too_long
from compliance.core.mappings import AnswerPlan, answer_plan, cross_reference, translated
from compliance.core.text import long_date

RETURN_STATUSES = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "submitted": "Submitted",
    "returned": "Returned for amendment",
    "accepted": "Accepted",
}
# The one definition of what may still be changed and what has been signed. The store's SQL uses the same sets,
# written out by sql_list(); a migration's triggers keep their own frozen copy, as shipped migrations must.
EDITABLE = frozenset({"not-started", "in-progress", "returned"})
SIGNED = frozenset({"submitted", "accepted"})  # a signed version stands: waiting for the coordinator, or accepted
ANSWER_STATES = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "completed": "Completed",
    "carried-forward": "Carried forward - check",
}
ACTION_STATUSES = {"not-started": "Not started", "in-progress": "In progress", "done": "Done"}

# A stored row as the store gives it, column name -> value (text, number or None): a return with its
# organisation's and cycle's columns, an answer, an action or a piece of evidence.
Row = dict[str, Any]
# What is kept per requirement of a return, keyed by (framework key, requirement id).
Key = tuple[str, str]


@dataclass(frozen=True)
class Problem:
    framework: Framework
    requirement: Requirement
    message: str


def answer_gaps(framework: Framework, requirement: Requirement, answer: Row | None, *, actions: int,
                evidence: int = 0) -> dict[str, str]:
    """What stops this answer being complete, keyed by what is missing ("rating", "reason", "action", "evidence",
    "check"), each said as what to do (actions and evidence: how many it has)."""
    if not answer or not answer.get("rating"):
        return {"rating": "Select a rating"} if requirement.mandatory else {}
    level = framework.level(answer["rating"])
    gaps: dict[str, str] = {}
    if level.needs_reason and not (answer.get("reason") or "").strip():
        gaps["reason"] = f"Give the reason for “{level.label}”"
    if level.needs_action and actions == 0:
        gaps["action"] = f"Add an improvement action: a rating of “{level.label}” needs one"
    if level.needs_evidence and evidence == 0:
        gaps["evidence"] = f"Add evidence: a rating of “{level.label}” needs at least one document or link"
    if answer.get("carried_forward"):
        gaps["check"] = "Check the answer carried forward from last year, then confirm it"
    return gaps


def answer_problems(framework: Framework, requirement: Requirement, answer: Row | None, *, actions: int,
                    evidence: int = 0) -> list[str]:
    """What stops this answer being complete, each said as what to do (actions and evidence: how many it has)."""
    return list(answer_gaps(framework, requirement, answer, actions=actions, evidence=evidence).values())


def keeps_reason(level: Level | None) -> bool:
    """A reason is kept while no rating is chosen or the chosen level asks for one; any other rating drops it."""
    return level is None or level.needs_reason


def typed_answer_problems(framework: Framework, *, rating: str | None, narrative: str,
                          reason: str) -> dict[str, str]:
    """What stops an answer as typed being saved, by field ("rating", "narrative", "reason"): a rating the scale
    does not have, or text over its limit. The requirement page and a return completed offline both ask this."""
    level = framework.level_or_none(rating or None)
    problems: dict[str, str] = {}
    if rating and level is None:
        problems["rating"] = "Select one of the ratings listed"
    if len(narrative) > limits.NARRATIVE:
        problems["narrative"] = (too_long("Your explanation", limits.NARRATIVE)
                                 + ". Shorten it, or put the detail in a document and upload it as evidence")
    if keeps_reason(level) and len(reason) > limits.REASON:
        problems["reason"] = too_long("The reason", limits.REASON)
    return problems


EMPTY_ANSWER: Row = {"rating": None, "narrative": "", "reason": "", "carried_forward": 0}


def changes_nothing(current: Row | None, values: Row) -> bool:
    """Whether saving these values over the answer as it stands (None: no answer yet) would change nothing."""
    before = {key: (current or {}).get(key) for key in values}
    return before == values or (current is None and values == EMPTY_ANSWER)


def typed_answer(framework: Framework, *, rating: str | None, narrative: str, reason: str,
                 carried_forward: int) -> Row:
    """An answer as typed, in the form it is saved: the rating's code (None for none or one the scale does not
    have), the narrative, the reason only where it is kept, and whether it is still carried forward unchecked."""
    level = framework.level_or_none(rating or None)
    return {"rating": level.code if level else None, "narrative": narrative,
            "reason": reason if keeps_reason(level) else "", "carried_forward": int(carried_forward)}


def answer_state(framework: Framework, requirement: Requirement, answer: Row | None, *, actions: int,
                 evidence: int = 0) -> str:
    """Not started, in progress, completed, or carried forward and not yet checked."""
    if answer and answer.get("carried_forward"):
        return "carried-forward"
    touched = answer and (answer.get("rating") or answer.get("narrative") or answer.get("reason"))
    if not touched and actions == 0:
        return "not-started"
    if answer and answer.get("rating") and not answer_problems(framework, requirement, answer, actions=actions,
                                                               evidence=evidence):
        return "completed"
    return "in-progress"


def answered_by(plan: AnswerPlan, framework: Framework, requirement: Requirement, answers: Mapping[Key, Row]
                ) -> tuple[Key, Row | None]:
    """What answers this requirement: the key of the answer that stands for it (its own, or the requirement's it
    is answered through, see core/mappings.py) and that answer as this requirement's, its rating translated."""
    source = plan.source(framework, requirement)
    if source is None:
        key = (framework.key, requirement.id)
        return key, answers.get(key)
    key = (source[0].key, source[1].id)
    return key, translated(answers.get(key), source[0], framework)


def requirement_state(plan: AnswerPlan, framework: Framework, requirement: Requirement, answers: Mapping[Key, Row],
                      actions: Mapping[Key, int], evidence: Mapping[Key, int]) -> str:
    """answer_state of whatever answers the requirement, with that answer's actions and evidence (counts)."""
    key, answer = answered_by(plan, framework, requirement, answers)
    return answer_state(framework, requirement, answer, actions=actions.get(key, 0), evidence=evidence.get(key, 0))


def requirement_problems(plan: AnswerPlan, framework: Framework, requirement: Requirement,
                         answers: Mapping[Key, Row], actions: Mapping[Key, int], evidence: Mapping[Key, int]
                         ) -> list[str]:
    """answer_problems of whatever answers the requirement. An answered-through requirement names only what its
    own framework's rules ask beyond the answering requirement's (which lists its own), said as where to do it."""
    key, answer = answered_by(plan, framework, requirement, answers)
    backed, evidenced = actions.get(key, 0), evidence.get(key, 0)
    found = answer_problems(framework, requirement, answer, actions=backed, evidence=evidenced)
    source = plan.source(framework, requirement)
    if source is None or not found:
        return found
    theirs = answer_problems(*source, answers.get(key), actions=backed, evidence=evidenced)
    return [f"Answered through {cross_reference(*source)}: {problem[0].lower()}{problem[1:]}"
            for problem in found if problem not in theirs]


def return_problems(frameworks: list[Framework], sector: str, answers: Mapping[Key, Row], actions: Mapping[Key, int],
                    evidence: Mapping[Key, int] | None = None, *, plan: AnswerPlan | None = None) -> list[Problem]:
    """Everything still missing across a return. answers, actions and evidence (counts) are keyed by (framework
    key, requirement id); plan says which requirements are answered through others (by default worked out from
    the frameworks, in the cycle's order)."""
    plan = answer_plan(frameworks, sector) if plan is None else plan
    found: list[Problem] = []
    for framework in frameworks:
        for requirement in framework.requirements_for(sector):
            for message in requirement_problems(plan, framework, requirement, answers, actions, evidence or {}):
                found.append(Problem(framework, requirement, message))
    return found


def financial_year(day: date) -> str:
    """The UK financial year a day falls in, as "2025/26" (April to March)."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def current_cycle(cycles: list[Row]) -> Row | None:
    """The cycle people mean by "this year's": the open one (the latest to open, if several), else the latest
    that has opened and closed, else the latest draft; None when there is no cycle at all."""
    def latest(found: list[Row]) -> Row | None:
        return max(found, key=lambda cycle: (cycle["open_date"] or "", cycle["id"]), default=None)

    return (latest([c for c in cycles if c["status"] == "open"])
            or latest([c for c in cycles if c["status"] != "draft"]) or latest(cycles))


def days_left(due: date, today: date) -> int:
    return (due - today).days


def due_text(due: date, today: date) -> str:
    """What people read about a due date: days left, due today, or overdue."""
    left = days_left(due, today)
    when = long_date(due)
    if left > 1:
        return f"Due {when}: {left} days left"
    if left == 1:
        return f"Due {when}: 1 day left"
    if left == 0:
        return f"Due today, {when}"
    return f"Overdue: it was due {when}, {-left} day{'s' if left < -1 else ''} ago"


DEFAULT_REMINDER_DAYS = (14, 7, 1)
DEFAULT_OVERDUE_EVERY = 7


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """"14, 7, 1" as (14, 7, 1): days before the due date, largest first; ValueError says what is wrong."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise ValueError("Enter whole numbers of days separated by commas, for example 14, 7, 1")
    days = sorted({int(part) for part in parts}, reverse=True)
    if any(day > 365 for day in days):
        raise ValueError("Enter days before the due date of 365 or fewer")
    return tuple(days)


def reminder_due(today: date, due: date, days_before: tuple[int, ...], overdue_every: int) -> int | None:
    """Whether scheduled reminders go out today: the days left until the due date (negative when overdue) if so.

    They go on each of days_before before the due date (0 is the due date itself); once overdue, the day after
    the due date and then every overdue_every days (0: never while overdue).
    """
    left = (due - today).days
    if left >= 0:
        return left if left in days_before else None
    late = -left
    if overdue_every > 0 and (late - 1) % overdue_every == 0:
        return left
    return None


def next_reminder_date(today: date, due: date, days_before: tuple[int, ...], overdue_every: int) -> date | None:
    """The first day from today on which scheduled reminders go out, or None if they never will again."""
    for ahead in range(0, 400):
        day = date.fromordinal(today.toordinal() + ahead)
        if reminder_due(day, due, days_before, overdue_every) is not None:
            return day
    return None


def cadence_text(days_before: tuple[int, ...], overdue_every: int) -> str:
    """When scheduled reminders go out, in words: "14, 7 and 1 days before the due date, then ..."."""
    def listed(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    pieces = []
    before = [n for n in days_before if n > 0]
    if before:
        pieces.append(f"{listed([str(n) for n in before])} day{'s' if before != [1] else ''} before the due date")
    if 0 in days_before:
        pieces.append("on the due date")
    if overdue_every:
        every = {1: "every day", 7: "every week"}.get(overdue_every, f"every {overdue_every} days")
        after = "the day after it" if pieces else "the day after the due date"
        pieces.append(f"{after} and then {every} while a return is overdue")
    if not pieces:
        return "No reminders go out on their own for this cycle"
    return "Reminders go out on their own " + ", then ".join(pieces)


def action_overdue(action: Mapping[str, Any], today: date) -> bool:
    """An improvement action not done by its due date (a London date) is overdue."""
    due = action.get("due_date")
    return bool(due) and action.get("status") != "done" and date.fromisoformat(str(due)) < today


def is_overdue(status: str, due: date, today: date) -> bool:
    return status in EDITABLE and today > due


def sql_list(statuses: frozenset[str]) -> str:
    """A set of statuses as an SQL list, in a fixed order: ('accepted', 'submitted')."""
    return "(" + ", ".join(f"'{status}'" for status in sorted(statuses)) + ")"


def canonical_json(document: dict[str, Any]) -> str:
    """One text for one content: sorted keys, no spaces, Unicode kept."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reference(cycle_name: str, return_id: int, version: int, sha256: str) -> str:
    """The reference a signatory is given, e.g. 2025/26-0007-v2-3f9a1c2b."""
    return f"{cycle_name}-{return_id:04d}-v{version}-{sha256[:8]}"


@dataclass(frozen=True)
class ReturnRow:
    """A return as the pages read it: its own columns, with its organisation's name and its cycle's columns."""

    id: int
    cycle_id: int
    organisation_id: int
    sector: str
    status: str
    version: int
    started_from_previous: int
    updated_at: str
    organisation_name: str
    cycle_name: str
    cycle_status: str
    open_date: str
    due_date: str
    declaration: str
    withdrawn_at: str | None = None  # set when its organisation left while the cycle was open: see core.membership

    @classmethod
    def from_row(cls, row: Row) -> ReturnRow:
        """The typed row from the store's columns (any column not named here is left out)."""
        return cls(**{field.name: row[field.name] for field in fields(cls)})


@dataclass(frozen=True)
class ReturnContext:
    ret: ReturnRow
    frameworks: tuple[Framework, ...]
    answers: dict[Key, Row]
    actions: dict[Key, list[Row]]  # oldest first
    evidence: dict[Key, list[Row]]
    library_items: int = 0  # how many items the organisation's evidence library held when the return was read

    def has_evidence_besides(self, key: Key) -> bool:
        """Whether the organisation's library holds items this requirement's answer does not already use."""
        own = {item["id"] for item in self.evidence.get(key, []) if item["organisation_id"] == self.ret.organisation_id}
        return self.library_items > len(own)

    @property
    def editable(self) -> bool:
        """Open to change: not signed, its cycle open, and not withdrawn (a withdrawn return is kept as it was)."""
        return self.ret.status in EDITABLE and self.ret.cycle_status == "open" and not self.ret.withdrawn_at

    @property
    def signed(self) -> bool:
        """A signed version stands: the return is submitted or accepted."""
        return self.ret.status in SIGNED

    def requirements(self) -> list[tuple[Framework, Requirement]]:
        """Every requirement this organisation answers, in order."""
        return [(f, r) for f in self.frameworks for r in f.requirements_for(self.ret.sector)]

    def find(self, framework_id: str, requirement_id: str) -> tuple[Framework, Requirement] | None:
        for framework, requirement in self.requirements():
            if framework.id == framework_id and requirement.id == requirement_id:
                return framework, requirement
        return None

    def next_after(self, framework: Framework, requirement: Requirement) -> tuple[Framework, Requirement] | None:
        order = self.requirements()
        position = order.index((framework, requirement))
        return order[position + 1] if position + 1 < len(order) else None

    @functools.cached_property
    def plan(self) -> AnswerPlan:
        """Which of this return's requirements are answered through another's (core/mappings.py)."""
        return answer_plan(self.frameworks, self.ret.sector)

    @functools.cached_property
    def _counts(self) -> tuple[dict[Key, int], dict[Key, int]]:
        return ({key: len(items) for key, items in self.actions.items()},
                {key: len(items) for key, items in self.evidence.items()})

    def answered_by(self, framework: Framework, requirement: Requirement) -> tuple[Key, Row | None]:
        """The key of the answer that stands for this requirement, and that answer (see answered_by)."""
        return answered_by(self.plan, framework, requirement, self.answers)

    def source(self, framework: Framework, requirement: Requirement) -> tuple[Framework, Requirement] | None:
        """The requirement this one is answered through, or None when it is answered on its own page."""
        return self.plan.source(framework, requirement)

    def state(self, framework: Framework, requirement: Requirement) -> str:
        return requirement_state(self.plan, framework, requirement, self.answers, *self._counts)

    def problems_for(self, framework: Framework, requirement: Requirement) -> list[str]:
        return requirement_problems(self.plan, framework, requirement, self.answers, *self._counts)

    def problems(self) -> list[Problem]:
        return return_problems(list(self.frameworks), self.ret.sector, self.answers, *self._counts, plan=self.plan)

    def task_groups(self) -> list[dict[str, Any]]:
        """For the task list: per framework, its requirements with their states, and counts."""
        groups: list[dict[str, Any]] = []
        for framework in self.frameworks:
            tasks = [{"requirement": r, "state": (state := self.state(framework, r)), "label": ANSWER_STATES[state],
                      "through": cross_reference(*source) if (source := self.source(framework, r)) else ""}
                     for r in framework.requirements_for(self.ret.sector)]
            if tasks:
                done = sum(task["state"] == "completed" for task in tasks)
                groups.append({"framework": framework, "tasks": tasks, "completed": done, "total": len(tasks)})
        return groups


def signed_document(context: ReturnContext, *, partnership: str, signatory_name: str, job_title: str,
                    submitted_at: str, submitted_by: str) -> dict[str, Any]:
    """The canonical content of a submission: answers, evidence hashes and attestation, exactly as signed."""
    ret = context.ret
    answers: list[dict[str, Any]] = []
    for framework, requirement in context.requirements():
        key, found = context.answered_by(framework, requirement)
        answer = found or {}
        rating = answer.get("rating")
        source = context.source(framework, requirement)
        answers.append({
            "framework": framework.key, "requirement": requirement.id, "ref": requirement.ref,
            "title": requirement.title, "rating": rating,
            "rating_label": framework.level(rating).label if rating else None,
            "narrative": answer.get("narrative") or "", "reason": answer.get("reason") or "",
            # an answered-through requirement's actions stay with the answer's own requirement, listed once
            "actions": [] if source else [{k: a[k] for k in ("what", "owner", "due_date", "status")}
                                          for a in context.actions.get(key, [])],
            "evidence": [{k: e[k] for k in ("kind", "title", "url", "filename", "sha256", "effective_date",
                                            "valid_until")}
                         for e in context.evidence.get(key, [])],
            **({"answered_through": {"framework": source[0].key, "framework_title": source[0].title,
                                     "requirement": source[1].id, "ref": source[1].ref, "title": source[1].title}}
               if source else {}),
        })
    return {
        "partnership": partnership, "cycle": ret.cycle_name, "organisation": ret.organisation_name,
        "return": ret.id, "version": ret.version, "sector": ret.sector,
        "frameworks": [{"key": f.key, "title": f.title, "status": f.status} for f in context.frameworks],
        "answers": answers,
        "attestation": {"name": signatory_name, "job_title": job_title, "declaration": ret.declaration,
                        "submitted_at": submitted_at, "submitted_by": submitted_by},
    }
