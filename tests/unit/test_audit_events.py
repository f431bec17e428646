"""The audit log in plain English (core/audit_events.py): a sentence for every action the package records."""
from __future__ import annotations

import ast
import json
import string

import pytest

from compliance.config import ROOT
from compliance.core.audit_events import EVENTS, PHRASES, Change, Lookup, describe, kind_label, possessive

PACKAGE = ROOT / "compliance"
# The function every audit entry goes through, and the name of its parameter holding the action code.
RECORD = ("record", "action")


def _parameters(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]


def _position(function: ast.FunctionDef, name: str) -> int:
    """Where a parameter may be passed by position; -1 for a keyword-only one."""
    positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    return positional.index(name) if name in positional else -1


def _called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _argument(call: ast.Call, name: str, position: int) -> ast.expr | None:
    """The expression passed for a parameter, by keyword or by position."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if 0 <= position < len(call.args) else None


def _functions() -> list[ast.FunctionDef]:
    trees = [ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(PACKAGE.rglob("*.py"))]
    return [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


def _recorders(functions: list[ast.FunctionDef]) -> dict[str, tuple[str, int, ast.FunctionDef | None]]:
    """Functions that pass one of their own parameters on as an action: record, update_user, set_password, ..."""
    found: dict[str, tuple[str, int, ast.FunctionDef | None]] = {RECORD[0]: (RECORD[1], -1, None)}
    changed = True
    while changed:  # a function passing its parameter to a recorder is a recorder too
        changed = False
        for function in functions:
            if function.name in found:
                continue
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                target = found.get(_called(call))
                value = _argument(call, target[0], target[1]) if target else None
                if isinstance(value, ast.Name) and value.id in _parameters(function):
                    found[function.name] = (value.id, _position(function, value.id), function)
                    changed = True
                    break
    return found


def _strings(value: ast.expr, function: ast.FunctionDef, forwarded: str | None) -> set[str]:
    """The action codes an expression can hold: literals, both sides of a conditional, a local's assignments."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    if isinstance(value, ast.IfExp):
        return _strings(value.body, function, forwarded) | _strings(value.orelse, function, forwarded)
    if isinstance(value, ast.Name) and value.id == forwarded:
        return set()  # a recorder passing its own parameter on: its callers are checked
    if isinstance(value, ast.Name):
        found: set[str] = set()
        for node in (n for n in ast.walk(function) if isinstance(n, ast.Assign)):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == value.id:
                    found |= _strings(node.value, function, forwarded)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for item, assigned in zip(target.elts, node.value.elts):
                        if isinstance(item, ast.Name) and item.id == value.id:
                            found |= _strings(assigned, function, forwarded)
        if found:
            return found
    raise AssertionError(f"{function.name} (line {value.lineno}) records an action this test cannot read: pass a "
                         "string literal, or a local variable assigned string literals")


def recorded_actions() -> set[str]:
    """Every action code the package can write to the audit log, found in its source."""
    functions = _functions()
    recorders = _recorders(functions)
    actions: set[str] = set()
    for parameter, _position, function in recorders.values():
        if function is not None:  # a recorder's default action is recorded too
            arguments = function.args
            defaults = {**dict(zip([a.arg for a in arguments.args][::-1], arguments.defaults[::-1])),
                        **{a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None}}
            default = defaults.get(parameter)
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                actions.add(default.value)
    for function in functions:
        forwarded = recorders.get(function.name, (None, 0, None))[0]
        for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
            target = recorders.get(_called(call))
            value = _argument(call, target[0], target[1]) if target else None
            if value is not None:
                actions |= _strings(value, function, forwarded)
    return actions


def test_the_scan_finds_actions_recorded_every_way_the_package_records_them():
    found = recorded_actions()
    assert {"return-submitted", "answer-changed"} <= found  # store.record(action="...")
    assert {"evidence-linked", "evidence-unlinked"} <= found  # passed to a helper that records
    assert {"action-added", "action-changed"} <= found  # a local variable
    assert {"person-deactivated", "person-reactivated", "invitation-accepted", "password-reset"} <= found
    assert "person-changed" in found  # update_user's default


def test_every_action_the_package_records_has_its_own_sentence():
    missing = sorted(recorded_actions() - set(EVENTS))
    assert not missing, f"add a line to EVENTS in compliance/core/audit_events.py for: {', '.join(missing)}"


def _entry(action: str, **values) -> dict:
    """A stored audit row with every name the store joins to one, as search_audit gives it."""
    return {"id": 7, "at": "2026-06-30T13:07:00+00:00", "actor_id": 3, "actor": "priya.raman@police.example",
            "actor_name": "Priya Raman", "action": action, "object_type": "return", "object_id": "12",
            "organisation_id": 4, "organisation_name": "Brackenford Police", "person_name": "Sam Lee",
            "person_email": "sam.lee@greenway.example", "cycle_name": "2026/27", "framework_key": "wdvf@1",
            "requirement_id": "wdvf-03", "evidence_title": "Workplace policy", "address": "127.0.0.1",
            "old_value": None, "new_value": None, **values}


NAMES = Lookup(requirements={("wdvf@1", "wdvf-03"): "WDVF protocol 2018 requirement 3 (Routine question)"},
               ratings={"wdvf@1": {"met": "Met", "partially-met": "Partially met"}},
               frameworks={"wdvf@1": "WDVF protocol 2018 (version 1)"}, organisations={4: "Brackenford Police"},
               sectors={"fire-and-rescue": "Fire and rescue", "police": "Police"})
SAMPLE = {"version": 2, "status": "submitted", "count": 3, "answers": 12, "recipients": ["a@x.example"],
          "title": "Workplace policy", "name": "2026/27", "framework": "wdvf@1", "requirement": "wdvf-03",
          "scheme": "White Ribbon accreditation", "accreditation": "White Ribbon accreditation"}


@pytest.mark.parametrize("action", sorted(EVENTS))
def test_each_sentence_names_only_phrases_and_values_there_are(action):
    about = "person" if "{person" in EVENTS[action].sentence else "return"
    entry = _entry(action, object_type=about, old_value=json.dumps({**SAMPLE, "status": "in-progress", "version": 1}),
                   new_value=json.dumps(SAMPLE))
    said = describe(entry, NAMES).sentence
    assert said != f"{EVENTS[action].label} by Priya Raman, about Brackenford Police"  # not the fallback
    assert "{" not in said and "None" not in said and "wdvf-03" not in said and "someone" not in said


def test_the_phrases_a_sentence_may_use_are_documented():
    entry = describe(_entry("signed-in"), NAMES)
    assert entry.sentence == "Priya Raman signed in"
    for action, kind in EVENTS.items():
        for _text, name, _spec, _conversion in string.Formatter().parse(kind.sentence):
            if name:
                root = name.split("[")[0]
                assert root in PHRASES or root in ("old", "new"), f"{action}: {{{name}}} is not a phrase"


def test_a_submission_reads_as_a_sentence_with_names():
    entry = _entry("return-submitted", new_value=json.dumps(
        {"version": 2, "signatory": "Priya Raman", "job_title": "Head of safeguarding", "sha256": "ab" * 32}))
    found = describe(entry, NAMES)
    assert found.sentence == "Priya Raman submitted version 2 of Brackenford Police's 2026/27 return"
    assert found.actor == "Priya Raman" and found.actor_email == "priya.raman@police.example"
    assert [c.text() for c in found.changes] == [
        "Signed by: “Priya Raman”", "Signatory's job title: “Head of safeguarding”",
        f"SHA-256 fingerprint: “{'ab' * 32}”"]


def test_a_status_change_reads_from_label_to_label():
    entry = _entry("return-status-changed", old_value=json.dumps({"status": "in-progress", "version": 1}),
                   new_value=json.dumps({"status": "submitted", "version": 1}))
    found = describe(entry, NAMES)
    assert found.sentence == "Priya Raman moved Brackenford Police's 2026/27 return from “In progress” to “Submitted”"
    assert found.changes == ()  # the status is in the sentence; the version did not change
    returned = describe(_entry("return-status-changed", old_value=json.dumps({"status": "submitted", "version": 1}),
                               new_value=json.dumps({"status": "returned", "version": 2})), NAMES)
    assert "to “Returned for amendment”" in returned.sentence
    assert [c.text() for c in returned.changes] == ["Version: from 1 to 2"]


def test_an_answer_change_names_the_organisation_and_requirement_and_reads_ratings_by_their_labels():
    entry = _entry("answer-changed", object_type="answer", organisation_name="Greenway Homes", actor_name="Sam Lee",
                   old_value=json.dumps({"rating": "partially-met", "narrative": ""}),
                   new_value=json.dumps({"rating": "met", "narrative": "We ask everyone.", "framework": "wdvf@1",
                                         "requirement": "wdvf-03"}))
    found = describe(entry, NAMES)
    assert found.sentence == ("Sam Lee changed Greenway Homes' answer to WDVF protocol 2018 requirement 3 "
                              "(Routine question)")
    assert [c.text() for c in found.changes] == ["Rating: from “Partially met” to “Met”",
                                                 "Explanation: from blank to “We ask everyone.”"]


def test_long_text_is_shortened_only_when_asked():
    narrative = "We ask about domestic abuse routinely. " * 20 + "THE END"
    change = Change("Explanation", "", narrative)
    assert change.text().endswith("THE END”") and len(change.text()) > 800
    short = change.text(160)
    assert short.endswith("…”") and "THE END" not in short and len(short) < 220


def test_an_unknown_action_still_reads_as_a_sentence():
    entry = _entry("parcel-posted", new_value=json.dumps({"to": "sam.lee@greenway.example"}))
    found = describe(entry, NAMES)
    assert found.kind == "Parcel posted" == kind_label("parcel-posted")
    assert found.sentence == "Parcel posted by Priya Raman, about Brackenford Police"
    assert [c.text() for c in found.changes] == ["To: “sam.lee@greenway.example”"]


def test_what_the_service_did_itself_and_what_someone_typed_at_sign_in():
    added = describe(_entry("person-added", actor_id=None, actor="system", actor_name=None, object_type="person",
                            new_value=json.dumps({"name": "Sam Lee", "role": "editor", "organisation_id": 4})),
                     NAMES)
    assert added.sentence == "The service added Sam Lee" and added.actor == "The service" and not added.actor_email
    assert [c.text() for c in added.changes] == ["Role: “Organisation editor”", "Organisation: “Brackenford Police”"]
    typed = describe(_entry("sign-in-failed", actor_id=None, actor="nobody@example.org", actor_name=None,
                            object_type="sign-in", organisation_name=None), NAMES)
    assert typed.sentence == "Someone tried to sign in as nobody@example.org, without success"


def test_a_value_that_is_not_json_or_not_an_object_is_shown_as_it_is():
    found = describe(_entry("organisation-changed", old_value="not json", new_value="[1, 2]"), NAMES)
    assert [c.text() for c in found.changes] == ["Value: from “not json” to “1, 2”"]


def test_possessives():
    assert possessive("Brackenford Police") == "Brackenford Police's"
    assert possessive("Greenway Homes") == "Greenway Homes'"



def test_a_sector_reads_by_the_partnerships_name_for_it():
    entry = _entry("organisation-changed", old_value=json.dumps({"sector": "police"}),
                   new_value=json.dumps({"sector": "fire-and-rescue"}))
    assert [c.text() for c in describe(entry, NAMES).changes] == ["Sector: from “Police” to “Fire and rescue”"]
