"""Roles, and the one permission table that says who may do what."""
from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "Partnership admin",
    "editor": "Organisation editor",
    "signatory": "Organisation signatory",
    "board": "Executive Board member",
    "auditor": "Auditor",
}
ROLE_HINTS: dict[str, str] = {
    "admin": "Manages organisations, people and the yearly cycle for the whole partnership.",
    "editor": "Fills in their organisation's return.",
    "signatory": "Checks and signs their organisation's annual statement.",
    "board": "Sees every organisation's ratings and statements, and changes nothing.",
    "auditor": "Checks the evidence behind every organisation's ratings.",
}
ORGANISATION_ROLES = frozenset({"editor", "signatory"})

# The one place that says who may do what.
PERMISSIONS: dict[str, frozenset[str]] = {
    "manage_partnership": frozenset({"admin"}),
    "view_partnership": frozenset({"admin", "board", "auditor"}),
    "view_own_organisation": frozenset({"editor", "signatory"}),
    "edit_return": frozenset({"editor"}),
    # record the accreditations an organisation holds: its own editors, and the coordinator for any organisation
    "manage_accreditations": frozenset({"editor", "admin"}),
    "sign_return": frozenset({"signatory"}),
    "verify_evidence": frozenset({"auditor", "admin"}),  # also raise and resolve queries on signed answers
    "reply_to_query": frozenset({"auditor", "admin", "editor", "signatory"}),
    "view_evidence_register": frozenset({"admin", "auditor"}),
    "view_audit_trail": frozenset({"admin", "auditor"}),
}
