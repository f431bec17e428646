"""A return put together: its frameworks, answers, actions and evidence, the task list, and the signed form.

No Flask: the database, time and the acting person come in as arguments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from . import catalogue, store
from .frameworks import Framework, Requirement
from .returns import ANSWER_STATES, answer_problems, answer_state, canonical_json, digest, return_problems
from .store import Actor


@dataclass(frozen=True)
class ReturnContext:
    ret: dict
    frameworks: tuple[Framework, ...]
    answers: dict
    actions: dict
    evidence: dict

    @property
    def editable(self) -> bool:
        return self.ret["status"] in ("not-started", "in-progress", "returned") and self.ret["cycle_status"] == "open"

    def requirements(self) -> list[tuple[Framework, Requirement]]:
        """Every requirement this organisation answers, in order."""
        return [(f, r) for f in self.frameworks for r in f.requirements_for(self.ret["sector"])]

    def find(self, framework_id: str, requirement_id: str) -> tuple[Framework, Requirement] | None:
        for framework, requirement in self.requirements():
            if framework.id == framework_id and requirement.id == requirement_id:
                return framework, requirement
        return None

    def next_after(self, framework: Framework, requirement: Requirement) -> tuple[Framework, Requirement] | None:
        order = self.requirements()
        position = order.index((framework, requirement))
        return order[position + 1] if position + 1 < len(order) else None

    def state(self, framework: Framework, requirement: Requirement) -> str:
        key = (framework.key, requirement.id)
        return answer_state(framework, requirement, self.answers.get(key), actions=len(self.actions.get(key, [])))

    def problems_for(self, framework: Framework, requirement: Requirement) -> list[str]:
        key = (framework.key, requirement.id)
        return answer_problems(framework, requirement, self.answers.get(key), actions=len(self.actions.get(key, [])))

    def problems(self):
        counts = {key: len(items) for key, items in self.actions.items()}
        return return_problems(list(self.frameworks), self.ret["sector"], self.answers, counts)

    def task_groups(self) -> list[dict]:
        """For the task list: per framework, its requirements with their states, and counts."""
        groups = []
        for framework in self.frameworks:
            tasks = [{"requirement": r, "state": self.state(framework, r), "label": ANSWER_STATES[self.state(framework, r)]}
                     for r in framework.requirements_for(self.ret["sector"])]
            if tasks:
                done = sum(task["state"] == "completed" for task in tasks)
                groups.append({"framework": framework, "tasks": tasks, "completed": done, "total": len(tasks)})
        return groups


def cycle_frameworks(db: Database, cycle_id: int) -> tuple[Framework, ...]:
    """The framework versions a cycle opened with: old cycles keep theirs."""
    rows = {row["key"]: row for row in store.framework_rows(db)}
    return tuple(catalogue.framework(db, key, rows[key]["sha256"]) for key in store.cycle_framework_keys(db, cycle_id))


def load_return(db: Database, return_id: int) -> ReturnContext | None:
    ret = store.return_row(db, return_id)
    if ret is None:
        return None
    return ReturnContext(ret, cycle_frameworks(db, ret["cycle_id"]), store.answers_for_return(db, return_id),
                         store.actions_for_return(db, return_id), store.evidence_for_return(db, return_id))


def open_cycle(db: Database, cycle_id: int, *, actor: Actor, now: datetime) -> int:
    """One return for each active organisation that has at least one requirement to answer."""
    frameworks = cycle_frameworks(db, cycle_id)
    taking_part = [o for o in store.organisations(db, active=True)
                   if any(f.requirements_for(o["sector"]) for f in frameworks)]
    return store.open_cycle(db, cycle_id, taking_part, actor=actor, now=now)


def previous_return(db: Database, context: ReturnContext) -> dict | None:
    """The same organisation's return in the cycle before, if it has one."""
    before = store.previous_cycle(db, context.ret["cycle_id"])
    if before is None:
        return None
    return next((r for r in store.returns_for_cycle(db, before["id"])
                 if r["organisation_id"] == context.ret["organisation_id"]), None)


def start_from_last_year(db: Database, context: ReturnContext, *, today: date, actor: Actor, now: datetime) -> int:
    """Copy last year's answers into an untouched return; returns how many answers were copied."""
    previous = previous_return(db, context)
    if previous is None or context.ret["status"] != "not-started" or context.answers:
        return 0
    keys = {f.id: f.key for f in context.frameworks}
    return store.copy_previous_answers(db, context.ret["id"], previous["id"], keys, today=today.isoformat(),
                                       actor=actor, now=now)


def signed_document(context: ReturnContext, *, partnership: str, signatory_name: str, job_title: str,
                    submitted_at: str, submitted_by: str) -> dict:
    """The canonical content of a submission: answers, evidence hashes and attestation, exactly as signed."""
    ret = context.ret
    answers = []
    for framework, requirement in context.requirements():
        key = (framework.key, requirement.id)
        answer = context.answers.get(key) or {}
        rating = answer.get("rating")
        answers.append({
            "framework": framework.key, "requirement": requirement.id, "ref": requirement.ref,
            "title": requirement.title, "rating": rating,
            "rating_label": framework.level(rating).label if rating else None,
            "narrative": answer.get("narrative") or "", "reason": answer.get("reason") or "",
            "actions": [{k: a[k] for k in ("what", "owner", "due_date", "status")} for a in context.actions.get(key, [])],
            "evidence": [{k: e[k] for k in ("kind", "title", "url", "filename", "sha256", "effective_date", "valid_until")}
                         for e in context.evidence.get(key, [])],
        })
    return {
        "partnership": partnership, "cycle": ret["cycle_name"], "organisation": ret["organisation_name"],
        "return": ret["id"], "version": ret["version"], "sector": ret["sector"],
        "frameworks": [{"key": f.key, "title": f.title, "status": f.status} for f in context.frameworks],
        "answers": answers,
        "attestation": {"name": signatory_name, "job_title": job_title, "declaration": ret["declaration"],
                        "submitted_at": submitted_at, "submitted_by": submitted_by},
    }


def submit(db: Database, context: ReturnContext, *, partnership: str, signatory_name: str, job_title: str,
           actor: Actor, now: datetime) -> tuple[int, str]:
    """Freeze the return as signed; returns (version, SHA-256 of its canonical form)."""
    document = signed_document(context, partnership=partnership, signatory_name=signatory_name, job_title=job_title,
                               submitted_at=now.isoformat(timespec="seconds"), submitted_by=actor.label)
    text = canonical_json(document)
    sha = digest(text)
    version = store.submit_version(db, context.ret["id"], canonical=text, sha256=sha, signatory_name=signatory_name,
                                   signatory_job_title=job_title, actor=actor, now=now)
    return version, sha
