"""An existing action plan or measures list loaded from a workbook into a strategy: the template to fill in, an
uploaded one checked (and kept for its person until they add it, or for a day), and the rows added.

No Flask: the database, time and the acting person come in as arguments. The workbook is read by
core/plan_import.check_plan_workbook against the strategy as it stands, with the service's own organisations and
people as the leads it may name; a file with any problem is not kept. A clean one is kept as the offline return keeps
its workbook (store.pending), and is checked again, whole, each time it is shown and when it is added: what is added
is what the person saw in the preview (its digest), or nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.filetypes import clean_filename
from compliance.core.plan import Strategy
from compliance.core.plan_import import NewAction, NewMeasure, PlanImport, check_plan_workbook, preview
from compliance.render.plan_template import plan_template
from compliance.services import plan
from compliance.store import Actor

PURPOSE = "plan-workbook"  # what the pending upload is, in store.pending


@dataclass(frozen=True)
class Leads:
    """Who a workbook may name as a lead: member organisations and people (any active person but an auditor), by
    the words the template offers: a name, or for a name two people share, "name (organisation)"."""

    organisations: dict[str, int]
    people: dict[str, int]


def leads(db: Database) -> Leads:
    organisations = {row["name"]: row["id"] for row in store.organisations(db, active=True)}
    found = store.plan_people(db)
    shared = Counter(person["name"].casefold() for person in found)
    people: dict[str, int] = {}
    for person in found:
        label = person["name"]
        if shared[label.casefold()] > 1:
            label = f"{label} ({person['organisation_name'] or 'partnership'})"
        people.setdefault(label, person["id"])
    return Leads(organisations, people)


def template(db: Database, strategy: Strategy) -> bytes:
    """The workbook to fill in for the strategy, its leads offered from the service's organisations and people."""
    found = leads(db)
    return plan_template(strategy, organisations=list(found.organisations), people=list(found.people))


@dataclass(frozen=True)
class Checked:
    """An uploaded workbook checked against the strategy: its problems, or what adding it would add (and the
    preview's digest, which the person confirms)."""

    result: PlanImport
    filename: str
    actions: tuple[dict[str, str], ...] = ()  # the preview's rows, in words
    measures: tuple[dict[str, str], ...] = ()
    digest: str = ""


def _check(db: Database, strategy: Strategy, data: bytes, filename: str) -> Checked:
    found = leads(db)
    existing = [row["name"] for row in store.plan_measures(db, strategy_id=strategy.id)]
    result = check_plan_workbook(data, filename, strategy=strategy, organisations=list(found.organisations),
                                 people=list(found.people), existing_measures=existing)
    if result.problems:
        return Checked(result, filename)
    actions, measures = preview(result, strategy)
    digest = hashlib.sha256(json.dumps([actions, measures], sort_keys=True).encode()).hexdigest()
    return Checked(result, filename, tuple(actions), tuple(measures), digest)


def check(db: Database, strategy: Strategy, data: bytes, filename: str, *, user_id: int, now: datetime) -> Checked:
    """Check an uploaded workbook; one without problems is kept for this person and strategy, to be added. One with
    problems is not kept, and neither is anything this person uploaded for the strategy before it."""
    name = clean_filename(filename)
    checked = _check(db, strategy, data, name)
    if checked.result.problems:
        store.drop_upload(db, PURPOSE, user_id, strategy.id)
        return checked
    store.keep_upload(db, PURPOSE, user_id, strategy.id, filename=name, sha256=hashlib.sha256(data).hexdigest(),
                      data=data, now=now)
    return checked


def kept(db: Database, strategy: Strategy, *, user_id: int, now: datetime) -> Checked | None:
    """The workbook this person uploaded for this strategy and has not added, checked again against the strategy as
    it stands now; None when there is none (or it is more than a day old)."""
    found = store.kept_upload(db, PURPOSE, user_id, strategy.id, now=now)
    return _check(db, strategy, found["data"], found["filename"]) if found else None


def add(db: Database, strategy: Strategy, checked: Checked, *, seen: str, actor: Actor, now: datetime
        ) -> PlanImport | None:
    """Add every action (with its first update) and measure (with its targets and figures) of a checked workbook, in
    one transaction, each audited as the pages' changes are, then the load itself; None, adding nothing, when the
    check is not what its person saw (`seen`: the preview's digest) or has problems now."""
    result = checked.result
    if result.problems or checked.digest != seen:
        return None
    found = leads(db)
    with db.atomic():
        for action in result.actions:
            _add_action(db, strategy.id, action, found, actor=actor, now=now)
        for measure in result.measures:
            _add_measure(db, strategy, measure, found, actor=actor, now=now)
        store.record(db, actor, action="plan-imported", object_type="strategy", object_id=strategy.id,
                     new={"title": strategy.title, "added": result.summary, "filename": checked.filename}, now=now)
        store.drop_upload(db, PURPOSE, actor.id or 0, strategy.id)
    return result


def _add_action(db: Database, strategy_id: int, action: NewAction, found: Leads, *, actor: Actor,
                now: datetime) -> None:
    timescale = action.timescale
    action_id = store.add_plan_action(db, strategy_id, {
        "theme_id": action.theme_id, "action": action.action, "outcome": action.outcome,
        "lead_organisation_id": found.organisations[action.lead_organisation], "lead_partner": None,
        "lead_user_id": found.people[action.lead_person], "partners": action.partners,
        "resources": action.resources, "due_date": timescale.due.isoformat(),
        "due_period": str(timescale.period) if timescale.period else None, "status": action.status},
        actor=actor, now=now)
    if action.progress is not None:
        store.add_plan_action_update(db, {"id": action_id, "action": action.action, "status": action.status},
                                     note=action.note, rag=action.progress, status=action.status, actor=actor,
                                     now=now)


def _add_measure(db: Database, strategy: Strategy, new: NewMeasure, found: Leads, *, actor: Actor,
                 now: datetime) -> None:
    measure_id = plan.save_measure(db, strategy.id, None, new.measure, {
        "theme_id": new.theme_id, "definition": new.definition, "lead_user_id": found.people[new.lead],
        "source": None, "source_framework": None}, actor=actor, now=now)
    for period, value in new.actuals:
        store.add_plan_measure_actual(db, {"id": measure_id, "name": new.measure.name}, period=str(period),
                                      value=str(value), replaces=None, actor=actor, now=now)
