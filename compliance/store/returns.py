"""SQL for cycles, returns, answers and improvement actions."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from compliance.core.returns import SIGNED, sql_list
from compliance.store._common import iso, keyed_lists, row, rows, rows_in_one_step, several_in_one_step
from compliance.store.accounts import USER_FOR_SESSION, token_hash
from compliance.store.audit import Actor, changed_fields, record
from compliance.store.evidence import EVIDENCE_OF_RETURN, evidence_order

__all__ = [
    "create_cycle", "cycles", "cycle", "cycle_framework_keys", "cycle_framework_rows", "open_cycle", "close_cycle",
    "previous_cycle",
    "return_row", "return_and_contents", "person_and_return", "returns_for_cycle", "returns_for_organisation",
    "answers_for_return", "answer",
    "save_answer", "confirm_answer", "actions_for_return", "actions_for_answer", "action", "save_action",
    "remove_action", "ensure_answer", "set_return_status",
]

_RETURNS = (
    "SELECT r.*, o.name AS organisation_name, c.name AS cycle_name, c.due_date, c.open_date, c.declaration,"
    " c.status AS cycle_status FROM returns r JOIN organisations o ON o.id = r.organisation_id"
    " JOIN cycles c ON c.id = r.cycle_id"
)


# Cycles -----------------------------------------------------------------------------------------


def create_cycle(db: Database, *, name: str, open_date: str, due_date: str, declaration: str,
                 framework_keys: list[str], actor: Actor, now: datetime) -> int:
    """A draft cycle with its framework versions, in the order given."""
    values = {"name": name, "open_date": open_date, "due_date": due_date, "declaration": declaration}
    with db.atomic():
        cycle_id = db["cycles"].insert({**values, "status": "draft", "created_at": iso(now)}).last_pk
        for position, key in enumerate(framework_keys):
            db["cycle_frameworks"].insert({"cycle_id": cycle_id, "framework_key": key, "position": position})
        record(db, actor, action="cycle-created", object_type="cycle", object_id=cycle_id,
               new={**values, "frameworks": framework_keys}, now=now)
    return cycle_id


def cycles(db: Database) -> list[dict]:
    """Every cycle, newest first, with how many returns it has and how many are submitted (withdrawn returns are
    in neither count)."""
    return rows(db, f"""
        SELECT c.*, COUNT(r.id) AS returns,
               SUM(r.status IN {sql_list(SIGNED)}) AS submitted
        FROM cycles c LEFT JOIN returns r ON r.cycle_id = c.id AND r.withdrawn_at IS NULL
        GROUP BY c.id ORDER BY c.open_date DESC, c.id DESC""")  # nosec B608: a fixed list of statuses


def cycle(db: Database, cycle_id: int) -> dict | None:
    return row(db, "SELECT * FROM cycles WHERE id = ?", [cycle_id])


def previous_cycle(db: Database, cycle_id: int) -> dict | None:
    """The cycle that opened before this one, if any."""
    return row(db, """SELECT p.* FROM cycles p, cycles c WHERE c.id = ? AND p.id != c.id AND p.status != 'draft'
                      AND p.open_date <= c.open_date ORDER BY p.open_date DESC, p.id DESC LIMIT 1""", [cycle_id])


def cycle_framework_keys(db: Database, cycle_id: int) -> list[str]:
    found = db.execute("SELECT framework_key FROM cycle_frameworks WHERE cycle_id = ? ORDER BY position", [cycle_id])
    return [key for (key,) in found.fetchall()]


_CYCLE_FRAMEWORKS = ("SELECT f.key, f.sha256, c.position FROM cycle_frameworks c"
                     " JOIN frameworks f ON f.key = c.framework_key WHERE c.cycle_id = ")


def cycle_framework_rows(db: Database, cycle_id: int) -> list[dict]:
    """The key and SHA-256 of each framework version a cycle asks, in the cycle's order."""
    return rows(db, f"{_CYCLE_FRAMEWORKS}? ORDER BY c.position", [cycle_id])


def open_cycle(db: Database, cycle_id: int, organisations: list[dict], *, actor: Actor, now: datetime) -> int:
    """Open a draft cycle: one return for each organisation given; returns how many were made."""
    with db.atomic():
        db["cycles"].update(cycle_id, {"status": "open", "opened_at": iso(now)})
        for organisation in organisations:
            insert_return(db, cycle_id, organisation, now=now)
        record(db, actor, action="cycle-opened", object_type="cycle", object_id=cycle_id,
               old={"status": "draft"}, new={"status": "open", "returns": len(organisations)}, now=now)
    return len(organisations)


def insert_return(db: Database, cycle_id: int, organisation: dict, *, now: datetime) -> int:
    """A new, not started return of this organisation (its id and sector) in a cycle; its id. Not logged here."""
    return db["returns"].insert({"cycle_id": cycle_id, "organisation_id": organisation["id"],
                                 "sector": organisation["sector"], "status": "not-started", "version": 1,
                                 "updated_at": iso(now)}).last_pk


def close_cycle(db: Database, cycle_id: int, *, actor: Actor, now: datetime) -> None:
    with db.atomic():
        db["cycles"].update(cycle_id, {"status": "closed", "closed_at": iso(now)})
        record(db, actor, action="cycle-closed", object_type="cycle", object_id=cycle_id,
               old={"status": "open"}, new={"status": "closed"}, now=now)


# Returns ----------------------------------------------------------------------------------------


def return_row(db: Database, return_id: int) -> dict | None:
    """A return with its organisation's name and its cycle's name, dates and declaration."""
    return row(db, f"{_RETURNS} WHERE r.id = ?", [return_id])


def return_and_contents(db: Database, return_id: int) -> tuple[dict, list[dict], dict, dict, dict, int] | None:
    """What every page of a return reads, in one statement: return_row, its cycle's cycle_framework_rows, and
    answers_for_return, actions_for_return and evidence_for_return, as those give them, and how many items its
    organisation's evidence library holds; None for no such return."""
    return _contents(several_in_one_step(db, *_contents_queries(return_id)))


def person_and_return(db: Database, user_id: int, key: str, return_id: int
                      ) -> tuple[dict | None, tuple[dict, list[dict], dict, dict, dict, int] | None]:
    """user_for_session and return_and_contents, read by one statement: a return's page checks who is signed in
    and reads the return it shows together, one hand-over between server threads fewer. Both as those give them."""
    person, *contents = several_in_one_step(db, (USER_FOR_SESSION, [token_hash(key), user_id], None),
                                            *_contents_queries(return_id))
    return (person[0] if person else None), _contents(contents)


def _contents_queries(return_id: int) -> tuple[tuple[str, list, Callable[[dict], Any] | None], ...]:
    # bandit B608: the queries are this module's constants
    return ((f"{_RETURNS} WHERE r.id = ?", [return_id], None),  # nosec B608
            (f"{_CYCLE_FRAMEWORKS}(SELECT cycle_id FROM returns WHERE id = ?)", [return_id],  # nosec B608
             itemgetter("position")),
            (_ANSWERS, [return_id], None), (_ACTIONS, [return_id], itemgetter("id")),
            (EVIDENCE_OF_RETURN, [return_id], evidence_order), (_LIBRARY_SIZE, [return_id], None))


def _contents(found: list[list[dict]]) -> tuple[dict, list[dict], dict, dict, dict, int] | None:
    ret, frameworks, answers, actions, evidence, library = found
    if not ret:
        return None
    return (ret[0], frameworks, _keyed_answers(answers), keyed_lists(actions), keyed_lists(evidence),
            library[0]["items"])


_LIBRARY_SIZE = ("SELECT COUNT(*) AS items FROM evidence"
                 " WHERE organisation_id = (SELECT organisation_id FROM returns WHERE id = ?)")


def returns_for_cycle(db: Database, cycle_id: int) -> list[dict]:
    return rows(db, f"{_RETURNS} WHERE r.cycle_id = ? ORDER BY o.name COLLATE NOCASE", [cycle_id])


def returns_for_organisation(db: Database, organisation_id: int) -> list[dict]:
    return rows(db, f"{_RETURNS} WHERE r.organisation_id = ? ORDER BY c.open_date DESC", [organisation_id])


def set_return_status(db: Database, return_id: int, status: str, *, actor: Actor, now: datetime,
                      version: int | None = None) -> None:
    before = row(db, "SELECT status, version, organisation_id FROM returns WHERE id = ?", [return_id])
    after = before["version"] if version is None else version
    db.execute("UPDATE returns SET status = ?, version = ?, updated_at = ? WHERE id = ?",
               [status, after, iso(now), return_id])
    record(db, actor, action="return-status-changed", object_type="return", object_id=return_id,
           organisation_id=before["organisation_id"], old={"status": before["status"], "version": before["version"]},
           new={"status": status, "version": after}, now=now)


# Answers ----------------------------------------------------------------------------------------

_AUDITED_ANSWER = ("rating", "narrative", "reason", "carried_forward")


_ANSWERS = "SELECT * FROM answers WHERE return_id = ?"


def answers_for_return(db: Database, return_id: int) -> dict[tuple[str, str], dict]:
    """Every answer of a return, keyed by (framework key, requirement id)."""
    return _keyed_answers(rows_in_one_step(db, _ANSWERS, [return_id]))


def _keyed_answers(found: list[dict]) -> dict[tuple[str, str], dict]:
    return {(a["framework_key"], a["requirement_id"]): a for a in found}


def answer(db: Database, return_id: int, framework_key: str, requirement_id: str) -> dict | None:
    return row(db, "SELECT * FROM answers WHERE return_id = ? AND framework_key = ? AND requirement_id = ?",
               [return_id, framework_key, requirement_id])


def ensure_answer(db: Database, return_id: int, framework_key: str, requirement_id: str) -> dict:
    """The answer row, made empty if there is none yet (actions and evidence hang from it)."""
    found = answer(db, return_id, framework_key, requirement_id)
    if found is None:
        # OR IGNORE: two people's first upload to the same requirement at once must both find the one row.
        db.execute("INSERT OR IGNORE INTO answers (return_id, framework_key, requirement_id, revision)"
                   " VALUES (?, ?, ?, 0)", [return_id, framework_key, requirement_id])
        found = answer(db, return_id, framework_key, requirement_id)
    return found


def save_answer(db: Database, return_id: int, framework_key: str, requirement_id: str, values: dict, *,
                revision: int, actor: Actor, now: datetime, via: str = "", known: dict | None = None
                ) -> tuple[bool, dict]:
    """Save if nobody else saved since `revision` was read. Returns (saved, the answer as it now stands).

    via: how it came, when not typed on the requirement page ("a spreadsheet"), for the audit log.
    known: the answer's row as the caller read it. While the row's revision is still the one read, it holds what
    was read (every change to an answer adds one to its revision), so at that revision it is not read again: the
    update, made only at that revision, says whether it still is."""
    with db.atomic():
        current = known if known is not None and known["revision"] == revision else None
        if current is None or not _update_answer(db, current, revision, values, actor=actor, now=now):
            current = ensure_answer(db, return_id, framework_key, requirement_id)
            if current["revision"] != revision or not _update_answer(db, current, revision, values, actor=actor,
                                                                     now=now):
                return False, current
        old, new = changed_fields({k: current[k] for k in _AUDITED_ANSWER}, values)
        organisation_id = _touch_return(db, return_id, actor=actor, now=now)
        if new:
            record(db, actor, action="answer-changed", object_type="answer", object_id=current["id"],
                   organisation_id=organisation_id, old=old,
                   new={**new, "requirement": requirement_id, "framework": framework_key,
                        **({"via": via} if via else {})}, now=now)
    return True, {**current, **values, "carried_forward": int(values.get("carried_forward", 0)),
                  "revision": revision + 1, "updated_by": actor.id, "updated_at": iso(now)}


def _update_answer(db: Database, row: dict, revision: int, values: dict, *, actor: Actor, now: datetime) -> bool:
    """Write the answer (this row, of its return and requirement) if its revision is still `revision`; whether it
    was."""
    return db.execute(
        "UPDATE answers SET rating = ?, narrative = ?, reason = ?, carried_forward = ?, revision = revision + 1,"
        " updated_by = ?, updated_at = ? WHERE id = ? AND return_id = ? AND framework_key = ? AND requirement_id = ?"
        " AND revision = ?",
        [values["rating"], values["narrative"], values["reason"], int(values.get("carried_forward", 0)),
         actor.id, iso(now), row["id"], row["return_id"], row["framework_key"], row["requirement_id"],
         revision]).rowcount == 1


def confirm_answer(db: Database, answer_id: int, *, actor: Actor, now: datetime) -> None:
    """Mark a carried-forward answer as checked."""
    found = row(db, "SELECT * FROM answers WHERE id = ?", [answer_id])
    db.execute("UPDATE answers SET carried_forward = 0, revision = revision + 1, updated_by = ?, updated_at = ?"
               " WHERE id = ?", [actor.id, iso(now), answer_id])
    record(db, actor, action="answer-confirmed", object_type="answer", object_id=answer_id,
           organisation_id=_organisation_of(db, found["return_id"]), old={"carried_forward": 1},
           new={"carried_forward": 0}, now=now)


def _touch_return(db: Database, return_id: int, *, actor: Actor, now: datetime) -> int:
    """Note a change to the return (the first makes it in progress); its organisation's id, for the audit log."""
    touched = db.execute("UPDATE returns SET updated_at = ? WHERE id = ? AND status != 'not-started'"
                         " RETURNING organisation_id", [iso(now), return_id]).fetchone()
    if touched is not None:
        return int(touched[0])
    set_return_status(db, return_id, "in-progress", actor=actor, now=now)
    return _organisation_of(db, return_id)


def _organisation_of(db: Database, return_id: int) -> int:
    return db.execute("SELECT organisation_id FROM returns WHERE id = ?", [return_id]).fetchone()[0]


# Improvement actions ----------------------------------------------------------------------------

_ACTION_FIELDS = ("what", "owner", "due_date", "status")


_ACTIONS = ("SELECT a.*, n.framework_key, n.requirement_id FROM actions a JOIN answers n ON n.id = a.answer_id"
            " WHERE n.return_id = ?")


def actions_for_return(db: Database, return_id: int) -> dict[tuple[str, str], list[dict]]:
    """Every action of a return, keyed by (framework key, requirement id), oldest first."""
    return keyed_lists(rows(db, f"{_ACTIONS} ORDER BY a.id", [return_id]))


def actions_for_answer(db: Database, answer_id: int) -> list[dict]:
    return rows(db, "SELECT * FROM actions WHERE answer_id = ? ORDER BY id", [answer_id])


def action(db: Database, action_id: int) -> dict | None:
    return row(db, """SELECT a.*, n.return_id, n.framework_key, n.requirement_id FROM actions a
                      JOIN answers n ON n.id = a.answer_id WHERE a.id = ?""", [action_id])


def save_action(db: Database, answer_id: int, values: dict, *, action_id: int | None = None, actor: Actor,
                now: datetime) -> int:
    """Add an action to an answer, or change one; logged with old and new values."""
    values = {key: values[key] for key in _ACTION_FIELDS}
    return_id = db.execute("SELECT return_id FROM answers WHERE id = ?", [answer_id]).fetchone()[0]
    with db.atomic():
        if action_id is None:
            action_id = db["actions"].insert({**values, "answer_id": answer_id, "created_at": iso(now),
                                              "updated_at": iso(now)}).last_pk
            old, new, verb = None, values, "action-added"
        else:
            before = action(db, action_id)
            old, new = changed_fields({k: before[k] for k in _ACTION_FIELDS}, values)
            db["actions"].update(action_id, {**values, "updated_at": iso(now)})
            verb = "action-changed"
        organisation_id = _touch_return(db, return_id, actor=actor, now=now)
        record(db, actor, action=verb, object_type="action", object_id=action_id,
               organisation_id=organisation_id, old=old, new=new, now=now)
    return action_id


def remove_action(db: Database, action_id: int, *, actor: Actor, now: datetime) -> None:
    before = action(db, action_id)
    with db.atomic():
        db.execute("DELETE FROM actions WHERE id = ?", [action_id])
        # The action is gone, so the return keeps the time of its last change (its last activity).
        db.execute("UPDATE returns SET updated_at = ? WHERE id = ?", [iso(now), before["return_id"]])
        record(db, actor, action="action-removed", object_type="action", object_id=action_id,
               organisation_id=_organisation_of(db, before["return_id"]),
               old={k: before[k] for k in _ACTION_FIELDS}, now=now)
