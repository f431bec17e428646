"""How the audit log reads to people: each kind of event as a sentence, and what it changed as "from … to …".

Pure: no Flask, no database. A stored entry comes in with the names the store found for its ids (the person
acting, the organisation, and the person, return, cycle, answer or evidence it is about); what the codes of
frameworks and organisations stand for comes in as a Lookup.

A new kind of event is one line in EVENTS: its name in the filter, and its sentence, a str.format template over
the phrases listed in PHRASES and over old[...] and new[...], the entry's values as people read them. A unit test
finds every action the package records and fails on one without its line here; an action with none (an old code)
still reads as a sentence: "<Kind> by <person>, about <organisation>".
"""
from __future__ import annotations

import json
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance.core.frameworks import Framework, Requirement
from compliance.core.plan import ACTION_STATUSES as PLAN_ACTION_STATUSES
from compliance.core.plan import DIRECTIONS, FIGURE_SOURCES, PROGRESS_WORDS, RULES, UNITS
from compliance.core.returns import ACTION_STATUSES, RETURN_STATUSES
from compliance.core.roles import ROLES
from compliance.core.text import file_size, long_date, plural, shorten
from compliance.core.verification import STATUSES as VERIFICATION_STATUSES

# A stored audit log row with the names the store joined to it (store.search_audit says which).
Row = Mapping[str, Any]
SYSTEM = "system"  # the actor label of what the service did by itself (the demo, start-up)


@dataclass(frozen=True)
class Field:
    """A stored value's name as people read it, and how its values read (a key of READERS)."""

    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Event:
    """One kind of event: its name in the filter, its sentence, and how its stored values read.

    fields: this event's own names or kinds for some values (a status is a return's, an action's or a check's).
    context: values the sentence already says, or ids that mean nothing to people: not listed as changes.
    """

    label: str
    sentence: str
    fields: Mapping[str, Field] = field(default_factory=dict)
    context: frozenset[str] = frozenset()


_ANSWER = frozenset({"framework", "requirement"})
_LINK = frozenset({"answer", "evidence", "title", "framework", "requirement"})
_QUERY = frozenset({"framework", "requirement", "query", "sha256"})
_ACTION = {"status": Field("Status", "action-status")}
_ORGANISATION = {"active": Field("Status", "organisation-active")}
_ACCREDITATION = {"scheme": Field("Scheme"), "level": Field("Level"), "awarded_on": Field("Awarded", "date"),
                  "expires_on": Field("Expires", "date"), "reference": Field("Reference"),
                  "evidence": Field("Evidence")}
_STRATEGY = {"active": Field("Current strategy", "yes-no"), "first_year": Field("First year (April)", "number"),
             "last_year": Field("Last year (March)", "number"), "themes": Field("Themes", "list")}
_THEME = {"title": Field("Name"), "position": Field("Place in the strategy's order", "number")}
_PLAN_ACTION = {"status": Field("Status", "plan-action-status"), "note": Field("Progress note"),
                "rag": Field("Progress", "plan-progress"), "due_date": Field("Due by", "date")}
_MEASURE = {"unit": Field("Unit", "plan-unit"), "direction": Field("Which is better", "plan-direction"),
            "rule_kind": Field("Rated", "plan-rule"), "source": Field("Figures from", "plan-source"),
            "targets": Field("Targets", "list"), "value": Field("Figure")}
_RISK = {"likelihood": Field("Likelihood (1 to 5)", "number"), "impact": Field("Impact (1 to 5)", "number"),
         "actions": Field("Mitigating actions", "list")}

# The sentence of each action code. Phrases: see PHRASES below; old[...] and new[...] are the stored values.
EVENTS: dict[str, Event] = {
    # Signing in and accounts
    "signed-in": Event("Signed in", "{actor} signed in"),
    "signed-out": Event("Signed out", "{actor} signed out"),
    "signed-out-elsewhere": Event("Signed out everywhere else", "{actor} signed out on every other device",
                                  fields={"sessions": Field("Sessions ended", "number")}),
    "sign-in-failed": Event("Sign-in failed", "Someone tried to sign in as {actor}, without success"),
    "sign-in-throttled": Event("Sign-in paused after too many tries",
                               "Someone tried to sign in as {actor} too many times and was asked to wait"),
    "password-reset-requested": Event("Password reset link asked for",
                                      "Someone asked for a link to reset the password of {actor}"),
    "password-reset": Event("Password reset", "{actor} set a new password with a reset link"),
    "invitation-sent": Event("Invitation sent", "{actor} sent {person} an invitation to the service"),
    "invitation-accepted": Event("Invitation accepted", "{actor} accepted their invitation and set a password"),
    "person-added": Event("Person added", "{actor} added {person}", context=frozenset({"name"})),
    "person-changed": Event("Person's details changed", "{actor} changed {person's} details"),
    "role-changed": Event("Role changed", "{actor} changed {person's} role"),
    "person-deactivated": Event("Account deactivated", "{actor} deactivated {person's} account",
                                context=frozenset({"active"})),
    "person-reactivated": Event("Account reactivated", "{actor} reactivated {person's} account",
                                context=frozenset({"active"})),
    # Organisations and frameworks
    "organisation-added": Event("Organisation added", "{actor} added the organisation {organisation}",
                                fields=_ORGANISATION, context=frozenset({"name"})),
    "organisation-changed": Event("Organisation changed", "{actor} changed {organisation's} details",
                                  fields=_ORGANISATION),
    "organisations-imported": Event("Organisations imported", "{actor} imported {organisations} from a CSV file",
                                    context=frozenset({"count"})),
    "framework-loaded": Event("Framework loaded", "{actor} loaded version {new[version]} of {framework}",
                              fields={"status": Field("Status", "framework-status")},
                              context=frozenset({"id", "version", "title"})),
    # Accreditations an organisation holds
    "accreditation-added": Event("Accreditation recorded", "{actor} recorded {organisation's} {new[scheme]}",
                                 fields=_ACCREDITATION),
    "accreditation-changed": Event("Accreditation changed",
                                   "{actor} changed the record of {organisation's} {new[accreditation]}",
                                   fields=_ACCREDITATION, context=frozenset({"accreditation"})),
    "accreditation-removed": Event("Accreditation removed",
                                   "{actor} removed {organisation's} {old[scheme]} from its accreditations",
                                   fields=_ACCREDITATION),
    "accreditation-upload-refused": Event("Accreditation upload refused: storage full",
                                          "The service refused {actor}'s upload of evidence for {organisation's} "
                                          "accreditations: its storage is full",
                                          fields={"size": Field("Size", "size")}),
    # Cycles and returns
    "cycle-created": Event("Cycle created", "{actor} created {cycle}", context=frozenset({"name"})),
    "cycle-opened": Event("Cycle opened", "{actor} opened {cycle}", context=frozenset({"status"})),
    "cycle-closed": Event("Cycle closed", "{actor} closed {cycle}", context=frozenset({"status"})),
    "return-status-changed": Event("Return status changed",
                                   "{actor} moved {return} from “{old[status]}” to “{new[status]}”",
                                   context=frozenset({"status"})),
    "return-started-from-last-year": Event("Return started from last year",
                                           "{actor} started {return} from last year's answers, copying {answers}",
                                           context=frozenset({"from_return", "answers"})),
    "return-submitted": Event("Return submitted", "{actor} submitted version {new[version]} of {return}",
                              fields={"job_title": Field("Signatory's job title")}, context=frozenset({"version"})),
    "return-returned": Event("Return returned for amendment",
                             "{actor} returned version {new[version]} of {return} for amendment",
                             context=frozenset({"version"})),
    "return-accepted": Event("Return accepted", "{actor} accepted version {new[version]} of {return}",
                             context=frozenset({"version"})),
    "return-added-late": Event("Return added to an open cycle", "{actor} gave {organisation} a return in {cycle}",
                               context=frozenset({"status"})),
    "return-withdrawn": Event("Return withdrawn",
                              "{actor} withdrew {return}, as the organisation was archived: it is kept, and left "
                              "out of every figure", fields={"status": Field("Status when withdrawn", "return-status")},
                              context=frozenset({"withdrawn_at"})),
    "return-reinstated": Event("Withdrawn return brought back",
                               "{actor} brought back {return}, withdrawn earlier, as the organisation is active again",
                               context=frozenset({"withdrawn_at"})),
    "reminder-sent": Event("Reminder sent", "{actor} sent a reminder about {return} to {recipients}"),
    "notification-sent": Event("Email sent about a return", "An email about {return} went to {recipients}",
                               fields={"about": Field("About")}),
    "scheduled-reminder-sent": Event("Scheduled reminder sent",
                                     "{actor} sent the scheduled reminder about {return} to {recipients}",
                                     fields={"days_to_due": Field("Days before the due date", "number")}),
    "reminder-schedule-changed": Event("Reminder days changed", "{actor} changed when reminders go out for {cycle}",
                                       fields={"reminder_days": Field("Days before the due date"),
                                               "overdue_every_days": Field("Overdue reminders every (days)",
                                                                           "number")}),
    "requirements-assigned": Event("Requirements assigned",
                                   "{actor} assigned requirements of {return} to one of its editors",
                                   fields={"assignee": Field("Assigned to"),
                                           "requirements": Field("Requirements", "list"),
                                           "assigned_before": Field("Assigned before to", "list")}),
    "requirements-unassigned": Event("Requirements unassigned",
                                     "{actor} took requirements of {return} off the people they were assigned to",
                                     fields={"requirements": Field("Requirements", "list"),
                                             "assigned_before": Field("Assigned before to", "list")}),
    # Answers, improvement actions and evidence
    "answer-changed": Event("Answer changed", "{actor} changed {answer}", context=_ANSWER),
    "answers-uploaded": Event("Answers saved from a spreadsheet",
                              "{actor} saved {answers} to {return} from a spreadsheet",
                              fields={"conflicts": Field("Not saved: changed on the website since the download",
                                                         "number")}, context=frozenset({"answers"})),
    "answer-confirmed": Event("Carried-forward answer confirmed",
                              "{actor} confirmed {answer}, carried forward from last year",
                              context=frozenset({"carried_forward"})),
    "answer-verified": Event("Evidence checked", "{actor} checked the evidence behind {answer}",
                             fields={"status": Field("Outcome", "verification-status"),
                                     "version": Field("Version checked", "number")},
                             context=_ANSWER),
    "action-added": Event("Improvement action added", "{actor} added an improvement action to {answer}",
                          fields=_ACTION),
    "action-changed": Event("Improvement action changed", "{actor} changed an improvement action on {answer}",
                            fields=_ACTION),
    "action-removed": Event("Improvement action removed", "{actor} removed an improvement action from {return}",
                            fields=_ACTION),
    "upload-refused-storage-full": Event("Upload refused: storage full",
                                         "The service refused {actor}'s upload to {return}: its storage is full",
                                         fields={"size": Field("Size", "size")}),
    "evidence-added": Event("Evidence added", "{actor} added {evidence} to {organisation's} evidence",
                            context=frozenset({"title", "content_type"})),
    "evidence-linked": Event("Evidence used for an answer", "{actor} used {evidence} as evidence for {answer}",
                             context=_LINK),
    # Auditors' queries on a requirement of a signed return
    "query-raised": Event("Query raised", "{actor} asked a question about {answer}",
                          fields={"version": Field("Signed version", "number")}, context=_QUERY),
    "query-replied": Event("Query replied to", "{actor} replied to a question about {answer}", context=_QUERY),
    "query-resolved": Event("Query resolved", "{actor} resolved a question about {answer}", context=_QUERY),
    "evidence-unlinked": Event("Evidence taken off an answer",
                               "{actor} took {evidence} off the evidence for {answer}", context=_LINK),
    # The partnership's own plan: strategy, themes, actions and their progress, measures and figures, risks
    "plan-strategy-added": Event("Strategy added", "{actor} added the strategy “{new[title]}”", fields=_STRATEGY,
                                 context=frozenset({"title"})),
    "plan-strategy-changed": Event("Strategy changed", "{actor} changed the strategy “{new[title]}”",
                                   fields=_STRATEGY),
    "plan-theme-added": Event("Strategy theme added", "{actor} added the theme “{new[title]}” to a strategy",
                              fields=_THEME, context=frozenset({"title", "strategy"})),
    "plan-theme-changed": Event("Strategy theme changed", "{actor} changed the theme “{new[title]}”", fields=_THEME),
    "plan-theme-removed": Event("Strategy theme removed", "{actor} removed the theme “{old[title]}”", fields=_THEME,
                                context=frozenset({"title"})),
    "plan-action-added": Event("Plan action added", "{actor} added the action “{new[title]}” to the action plan",
                               fields=_PLAN_ACTION, context=frozenset({"title"})),
    "plan-action-changed": Event("Plan action changed", "{actor} changed the action “{new[title]}”",
                                 fields=_PLAN_ACTION, context=frozenset({"title"})),
    "plan-action-updated": Event("Progress update added",
                                 "{actor} added a progress update to the action “{new[title]}”",
                                 fields=_PLAN_ACTION, context=frozenset({"title"})),
    "plan-measure-added": Event("Measure added", "{actor} added the measure “{new[name]}”", fields=_MEASURE,
                                context=frozenset({"name"})),
    "plan-measure-changed": Event("Measure changed", "{actor} changed the measure “{new[name]}”", fields=_MEASURE),
    "plan-figure-entered": Event("Measure's figure entered", "{actor} entered a figure for the measure “{new[name]}”",
                                 fields=_MEASURE, context=frozenset({"name"})),
    "plan-risk-added": Event("Risk added", "{actor} added the risk “{new[title]}” to the register", fields=_RISK,
                             context=frozenset({"title"})),
    "plan-risk-changed": Event("Risk changed", "{actor} changed the risk “{new[title]}”", fields=_RISK,
                               context=frozenset({"title"})),
    "plan-risk-closed": Event("Risk closed", "{actor} closed the risk “{new[title]}”: it has left the register",
                              fields=_RISK, context=frozenset({"title"})),
    "plan-risk-bands-changed": Event("Risk bands changed", "{actor} changed the partnership's risk bands",
                                     fields={"bands": Field("Bands", "list")}),
    "plan-imported": Event("Plan loaded from a spreadsheet",
                           "{actor} loaded actions and measures into the strategy “{new[title]}” from a spreadsheet",
                           fields={"added": Field("Added"), "filename": Field("File")}, context=frozenset({"title"})),
}

# The phrases a sentence may use, each as it reads in the middle of a sentence.
PHRASES = {
    "actor": "the person who acted, by name (the service itself: the service)",
    "person": "the person the event is about", "person's": "the same, possessive",
    "organisation": "the organisation", "organisation's": "the same, possessive",
    "return": "Brackenford Police's 2026/27 return", "cycle": "the 2026/27 cycle",
    "answer": "Brackenford Police's answer to WDVF protocol 2018 requirement 3 (Routine question)",
    "requirement": "WDVF protocol 2018 requirement 3 (Routine question)",
    "evidence": "the evidence's title, in quotes", "framework": "the framework's title, in quotes",
    "organisations": "3 organisations (a count)", "recipients": "2 people (a count)", "answers": "12 answers",
}

FIELDS: dict[str, Field] = {
    "name": Field("Name"), "email": Field("Email address"), "signatory": Field("Signed by"),
    "job_title": Field("Job title"), "role": Field("Role", "role"),
    "organisation_id": Field("Organisation", "organisation"), "active": Field("Account", "person-active"),
    "sector": Field("Sector", "sector"), "contact_name": Field("Main contact"),
    "contact_email": Field("Main contact's email address"),
    "status": Field("Status", "return-status"), "rating": Field("Rating", "rating"),
    "self_rating": Field("Self-assessed rating", "rating"), "validated_rating": Field("Validated rating", "rating"),
    "narrative": Field("Explanation"), "reason": Field("Reason"), "comment": Field("Comment"),
    "carried_forward": Field("Carried forward from last year, not yet checked", "yes-no"),
    "what": Field("What will be done"), "owner": Field("Owner"), "open_date": Field("Opens", "date"),
    "due_date": Field("Due date", "date"), "declaration": Field("Declaration"),
    "frameworks": Field("Frameworks", "frameworks"), "returns": Field("Returns made", "number"),
    "kind": Field("Kind", "evidence-kind"), "title": Field("Title"), "url": Field("Web address"),
    "filename": Field("File name"), "size": Field("Size", "size"), "effective_date": Field("Took effect", "date"),
    "valid_until": Field("Valid until", "date"), "file": Field("File"), "requirements": Field("Requirements", "number"),
    "sha256": Field("SHA-256 fingerprint"), "answers": Field("Answers copied", "number"),
    "recipients": Field("Sent to", "list"), "names": Field("Organisations", "list"), "count": Field("Count", "number"),
    "asked": Field("Changes asked for", "list"),
    "version": Field("Version", "number"), "content_type": Field("Content type"),
    "from_return": Field("From return", "number"),
    "question": Field("Question"), "reply": Field("Reply"), "note": Field("Closing note"),
    "via": Field("Saved from"),
    "outcome": Field("Outcome sought"), "lead_organisation": Field("Lead organisation"),
    "lead_partner": Field("Lead partner (not a member)"), "lead": Field("Lead"), "partners": Field("Partners"),
    "resources": Field("Resources"), "due_period": Field("Due by the end of"), "theme": Field("Theme"),
    "definition": Field("Definition"), "baseline_period": Field("Baseline year"), "baseline_value": Field("Baseline"),
    "tolerance": Field("Tolerance (% of the target)"), "source_framework": Field("Framework"),
    "period": Field("Period"), "description": Field("Description"), "cause": Field("Cause"),
    "consequence": Field("Consequence"), "review_by": Field("Review by", "date"),
    "raised_from": Field("Raised from the measure"),
}

_LABELS: dict[str, Mapping[str, str]] = {
    "return-status": RETURN_STATUSES,
    "action-status": ACTION_STATUSES,
    "verification-status": VERIFICATION_STATUSES,
    "framework-status": {"published": "Published", "draft": "Draft"},
    "role": ROLES,
    "evidence-kind": {"file": "File", "link": "Web link"},
    "person-active": {"1": "Active", "0": "Deactivated"},
    "organisation-active": {"1": "Active", "0": "Archived"},
    "yes-no": {"1": "Yes", "0": "No", "True": "Yes", "False": "No"},
    "plan-action-status": PLAN_ACTION_STATUSES,
    "plan-progress": {colour: f"{colour.capitalize()}: {words.lower()}" for colour, words in PROGRESS_WORDS.items()},
    "plan-unit": UNITS,
    "plan-direction": DIRECTIONS,
    "plan-rule": RULES,
    "plan-source": FIGURE_SOURCES,
}
_UNQUOTED = frozenset({"number", "size", "list"})


@dataclass(frozen=True)
class Lookup:
    """What ids and codes in stored values stand for: requirements, ratings, frameworks and organisations."""

    requirements: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (framework key, id) -> label
    ratings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # framework key -> code -> label
    frameworks: Mapping[str, str] = field(default_factory=dict)  # framework key -> title
    organisations: Mapping[int, str] = field(default_factory=dict)
    sectors: Mapping[str, str] = field(default_factory=dict)  # sector id -> name


def requirement_label(framework: Framework, requirement: Requirement) -> str:
    """A requirement as a sentence names it: WDVF protocol 2018 requirement 3 (Routine question)."""
    name = framework.short_title or framework.title
    ref = f"requirement {requirement.ref}" if requirement.ref.isdigit() else requirement.ref
    title = f" ({requirement.title})" if requirement.title and requirement.title != requirement.ref else ""
    return f"{name} {ref}{title}"


def lookup(frameworks: Iterable[Framework], organisations: Mapping[int, str],
           sectors: Mapping[str, str] | None = None) -> Lookup:
    """The Lookup of these framework versions, organisations (id -> name) and sectors (id -> name)."""
    versions = list(frameworks)
    return Lookup(
        requirements={(f.key, r.id): requirement_label(f, r) for f in versions for r in f.requirements},
        ratings={f.key: {level.code: level.label for level in f.scale} for f in versions},
        frameworks={f.key: f"{f.short_title or f.title} (version {f.version})" for f in versions},
        organisations=dict(organisations), sectors=dict(sectors or {}))


@dataclass(frozen=True)
class Change:
    """One stored value: before and after as people read them. None: the entry has no before (or after)."""

    label: str
    old: str | None
    new: str | None
    quoted: bool = True

    def text(self, shorten_to: int | None = None) -> str:
        """Rating: from “Partially met” to “Met”; a value added or removed reads as Label: “value”."""
        if self.old is not None and self.new is not None:
            return f"{self.label}: from {self._value(self.old, shorten_to)} to {self._value(self.new, shorten_to)}"
        return f"{self.label}: {self._value(self.new if self.new is not None else self.old or '', shorten_to)}"

    def _value(self, value: str, shorten_to: int | None) -> str:
        if value == "":
            return "blank"
        shown = shorten(value, shorten_to) if shorten_to else value
        return f"“{shown}”" if self.quoted else shown


@dataclass(frozen=True)
class Described:
    """An audit log entry as people read it."""

    id: int
    at: str  # as stored: ISO 8601 in UTC
    actor: str  # the person's name, or what they typed (a sign-in), or "The service"
    actor_email: str
    organisation: str
    action: str
    kind: str
    sentence: str
    changes: tuple[Change, ...]
    object: str  # the stored record it is about: type and id, for auditors who go to the database
    old_value: str
    new_value: str
    address: str


def event(action: str) -> Event:
    """The event of an action code; an unknown code gets a label made from it, and the fallback sentence."""
    return EVENTS.get(action) or Event(action.replace("-", " ").replace("_", " ").strip().capitalize() or "Change",
                                       "")


def kind_label(action: str) -> str:
    return event(action).label


def possessive(name: str) -> str:
    """Brackenford Police's, Greenway Homes'."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _values(text: str | None) -> dict[str, Any] | None:
    """Stored JSON as a dict; None when nothing was stored; anything else as a single value."""
    if text is None or text == "":
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return {"value": text}
    return found if isinstance(found, dict) else {"value": found}


def _framework_key(entry: Row, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    return str(new.get("framework") or old.get("framework") or entry.get("framework_key") or "")


def _read(kind: str, value: Any, names: Lookup, framework_key: str) -> str:
    """A stored value as people read it."""
    if value is None:
        return ""
    if kind in _LABELS:
        key = str(int(value)) if isinstance(value, bool) else str(value)
        return _LABELS[kind].get(key, key)
    if kind == "rating":
        return names.ratings.get(framework_key, {}).get(str(value), str(value))
    if kind == "date":
        try:
            return long_date(str(value))
        except ValueError:
            return str(value)
    if kind == "organisation":
        return names.organisations.get(value, str(value)) if isinstance(value, int) else str(value)
    if kind == "sector":
        return names.sectors.get(str(value), str(value))
    if kind == "size":
        return file_size(value) if isinstance(value, int) else str(value)
    if kind == "frameworks" and isinstance(value, list):
        return ", ".join(names.frameworks.get(str(key), str(key)) for key in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _field(name: str, kinds: Event) -> Field:
    return kinds.fields.get(name) or FIELDS.get(name) or Field(name.replace("_", " ").capitalize())


def _readable(values: Mapping[str, Any], kinds: Event, names: Lookup, framework_key: str) -> dict[str, str]:
    return {key: _read(_field(key, kinds).kind, value, names, framework_key) for key, value in values.items()}


_POSITIONS = {name: position for position, name in enumerate(FIELDS)}


def _order(key: str) -> tuple[int, str]:
    return (_POSITIONS.get(key, len(_POSITIONS)), key)


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, kinds: Event, names: Lookup,
            framework_key: str) -> tuple[Change, ...]:
    """Each value the entry holds, as "from … to …" where it holds both; values it did not change left out."""
    before = _readable(old or {}, kinds, names, framework_key)
    after = _readable(new or {}, kinds, names, framework_key)
    found = []
    for key in sorted(set(before) | set(after), key=_order):
        if key in kinds.context:
            continue
        described = _field(key, kinds)
        quoted = described.kind not in _UNQUOTED
        if old is not None and new is not None and key in before and key in after:
            if before[key] != after[key]:
                found.append(Change(described.label, before[key], after[key], quoted))
        elif key in after and after[key]:  # a value added: leave out the empty ones
            found.append(Change(described.label, None, after[key], quoted))
        elif key in before and before[key]:  # a value removed
            found.append(Change(described.label, before[key], None, quoted))
    return tuple(found)


def _actor(entry: Row) -> str:
    label = str(entry.get("actor") or "")
    if label == SYSTEM and entry.get("actor_id") is None:
        return "the service"
    return str(entry.get("actor_name") or label or "someone")


def _phrases(entry: Row, old: Mapping[str, Any], new: Mapping[str, Any], names: Lookup) -> dict[str, Any]:
    values = {**old, **new}
    organisation = str(entry.get("organisation_name") or "")
    organisations = possessive(organisation) if organisation else "an organisation's"
    person = "someone"
    if entry.get("object_type") == "person":
        person = str(entry.get("person_name") or values.get("name") or entry.get("person_email") or "someone")
    cycle = entry.get("cycle_name") or (values.get("name") if entry.get("object_type") == "cycle" else None)
    framework_key = _framework_key(entry, old, new)
    requirement_id = str(new.get("requirement") or old.get("requirement") or entry.get("requirement_id") or "")
    requirement = names.requirements.get((framework_key, requirement_id)) or (
        f"requirement {requirement_id}" if requirement_id else "a requirement")
    title = values.get("title") or entry.get("evidence_title")
    framework = values.get("title") or names.frameworks.get(str(entry.get("object_id") or ""))
    return {
        "actor": _actor(entry),
        "person": person, "person's": possessive(person) if person != "someone" else "someone's",
        "organisation": organisation or "an organisation", "organisation's": organisations,
        "return": f"{organisations} {cycle} return" if cycle else f"{organisations} return",
        "cycle": f"the {cycle} cycle" if cycle else "a cycle",
        "requirement": requirement, "answer": f"{organisations} answer to {requirement}",
        "evidence": f"“{title}”" if title else "an item of evidence",
        "framework": f"“{framework}”" if framework else "a framework",
        "organisations": plural(_count(values.get("count")), "organisation"),
        "recipients": plural(len(values.get("recipients") or []), "person", "people"),
        "answers": plural(_count(values.get("answers")), "answer"),
    }


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _say(template: str, phrases: Mapping[str, Any]) -> str:
    """The template filled in; "" when it names a phrase or value this entry lacks."""
    try:
        said = string.Formatter().vformat(template, (), phrases)
    except (KeyError, IndexError, AttributeError, ValueError, TypeError):
        return ""
    return said[:1].upper() + said[1:] if said.startswith("the service") else said


def describe(entry: Row, names: Lookup | None = None) -> Described:
    """An entry as people read it: who, what happened as a sentence, and each value it changed.

    For example "Priya Raman submitted version 2 of Brackenford Police's 2026/27 return".
    """
    names = names or Lookup()
    action = str(entry.get("action") or "")
    kinds = event(action)
    old, new = _values(entry.get("old_value")), _values(entry.get("new_value"))
    framework_key = _framework_key(entry, old or {}, new or {})
    phrases = _phrases(entry, old or {}, new or {}, names)
    phrases["old"] = _readable(old or {}, kinds, names, framework_key)
    phrases["new"] = _readable(new or {}, kinds, names, framework_key)
    organisation = str(entry.get("organisation_name") or "")
    fallback = f"{kinds.label} by {phrases['actor']}" + (f", about {organisation}" if organisation else "")
    said = (_say(kinds.sentence, phrases) if kinds.sentence else "") or fallback
    actor_label = str(entry.get("actor") or "")
    return Described(
        id=int(entry.get("id") or 0), at=str(entry.get("at") or ""),
        actor=_say("{actor}", phrases) or actor_label,
        actor_email=actor_label if "@" in actor_label else "",
        organisation=organisation, action=action, kind=kinds.label, sentence=said,
        changes=changes(old, new, kinds, names, framework_key),
        object=" ".join(filter(None, [str(entry.get("object_type") or ""), str(entry.get("object_id") or "")])),
        old_value=str(entry.get("old_value") or ""), new_value=str(entry.get("new_value") or ""),
        address=str(entry.get("address") or ""))
