"""Who may be assigned a requirement of a return, how an assignment reads, and the task list filtered to one
person's requirements. Pure: people and assignments come in as rows (dicts)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Key = tuple[str, str]  # (framework key, requirement id)


def assignee_problem(person: Mapping[str, Any] | None, *, organisation_id: int, organisation_name: str) -> str | None:
    """Why this person cannot be assigned requirements of the organisation's return; None when they can.

    Only an active editor of the same organisation can; a person of another organisation is not named.
    """
    if person is None or person["organisation_id"] != organisation_id:
        return f"Select an editor of {organisation_name}: only its own editors can be assigned its requirements"
    if person["role"] != "editor":
        return (f"{person['name']} is not an editor, so cannot answer requirements. Select an editor of "
                f"{organisation_name}")
    if not person["active"]:
        return f"{person['name']}'s account is no longer active. Select an active editor of {organisation_name}"
    return None


def assignee_text(assignment: Mapping[str, Any]) -> str:
    """Dana Hollis; Dana Hollis (no longer active) when the account was deactivated or is no longer an editor's."""
    if not assignment["active"]:
        return f"{assignment['name']} (no longer active)"
    if assignment["role"] != "editor":
        return f"{assignment['name']} (no longer an editor)"
    return str(assignment["name"])


def groups_assigned_to(groups: list[dict[str, Any]], assignments: Mapping[Key, Mapping[str, Any]],
                       user_id: int) -> list[dict[str, Any]]:
    """The task list's groups with only the requirements assigned to this person, counted again; empty ones left out."""
    shown = []
    for group in groups:
        key = group["framework"].key
        tasks = [task for task in group["tasks"]
                 if (assignments.get((key, task["requirement"].id)) or {}).get("user_id") == user_id]
        if tasks:
            shown.append({**group, "tasks": tasks, "total": len(tasks),
                          "completed": sum(task["state"] == "completed" for task in tasks)})
    return shown
