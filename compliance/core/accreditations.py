"""Accreditations an organisation holds: when one is expired or expiring, and how it reads on pages and statements.

Pure: imports no Flask and touches no database; the day to judge by always comes in as an argument.

Decisions a reader needs:
- An accreditation is "expired" once its expiry date has passed (it holds on the expiry date itself), and
  "expiring" from EXPIRING_WITHIN (90 days) before it: long enough to prepare a renewal, which for these schemes
  means an assessment. One with no expiry date does not expire.
- The words always say it ("Expired on 3 March 2026"), and a tag repeats it ("Expired", "Expires soon"): colour
  is never the only signal.
- A statement records the accreditations as they stood when it was signed (the signed document holds a copy, see
  `record`), and judges them against the day it was signed, so a signed statement never changes afterwards. A
  draft statement judges them against today.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from compliance.core.text import long_date, plural

EXPIRING_WITHIN = timedelta(days=90)
EXPIRED, EXPIRING, CURRENT, NO_EXPIRY = "expired", "expiring", "current", "no-expiry"
TAGS = {EXPIRED: "Expired", EXPIRING: "Expires soon", CURRENT: "Current", NO_EXPIRY: "Does not expire"}
FLAGGED = frozenset({EXPIRED, EXPIRING})

# An accreditation as stored, or as a signed document holds it: field name -> value.
Record = Mapping[str, Any]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def expiry_state(expires_on: date | str | None, today: date) -> str:
    """Expired, expiring (within EXPIRING_WITHIN of today), current, or no-expiry when it has no expiry date."""
    if not expires_on:
        return NO_EXPIRY
    expires = _day(expires_on)
    if expires < today:
        return EXPIRED
    return EXPIRING if expires <= today + EXPIRING_WITHIN else CURRENT


def expiry_text(expires_on: date | str | None, today: date, *, at_signing: bool = False) -> str:
    """The expiry in words, judged against today (or, at_signing, against the day a statement was signed)."""
    state = expiry_state(expires_on, today)
    if state == NO_EXPIRY or not expires_on:
        return "Does not expire"
    expires = _day(expires_on)
    shown = long_date(expires)
    if state == EXPIRED:
        return f"Expired on {shown}" + (", before the statement was signed" if at_signing else "")
    left = (expires - today).days
    if state == EXPIRING:
        if left == 0:
            return f"Expires on {shown}, the day the statement was signed" if at_signing else \
                f"Expires today, {shown}"
        return f"Expires on {shown}, {plural(left, 'day')} " + ("after the statement was signed" if at_signing
                                                                 else "from today")
    return f"Expires on {shown}"


@dataclass(frozen=True)
class Held:
    """One accreditation as people read it, judged on a given day."""

    scheme: str  # the scheme's name
    level: str
    awarded: str  # 14 May 2025
    expires: str  # 13 May 2028, or "" when it does not expire
    reference: str
    state: str  # expired, expiring, current or no-expiry
    state_text: str  # "Expired on 3 March 2026"
    evidence_title: str = ""
    evidence_location: str = ""  # the web address or the file name
    evidence_sha256: str = ""

    @property
    def tag(self) -> str:
        """The word of the tag beside it: Expired, Expires soon, Current or Does not expire."""
        return TAGS[self.state]

    @property
    def flagged(self) -> bool:
        return self.state in FLAGGED

    @property
    def name(self) -> str:
        """"Respect accreditation (Full accreditation)", or the scheme's name alone when it has no level."""
        return f"{self.scheme} ({self.level})" if self.level else self.scheme


def record(accreditation: Record, *, scheme_name: str) -> dict[str, Any]:
    """An accreditation (a stored row, with its evidence's columns as evidence_*) in the form a signed document
    keeps it: plain JSON values, the scheme's name as it read then, and its evidence's fingerprint."""
    evidence = None
    if accreditation.get("evidence_id"):
        evidence = {key: accreditation.get(f"evidence_{key}") for key in ("kind", "title", "url", "filename",
                                                                           "sha256")}
    return {"scheme": accreditation["scheme"], "scheme_name": scheme_name, "level": accreditation.get("level") or "",
            "awarded_on": str(accreditation["awarded_on"])[:10],
            "expires_on": str(accreditation["expires_on"])[:10] if accreditation.get("expires_on") else None,
            "reference": accreditation.get("reference") or "", "evidence": evidence}


def held_on(records: Iterable[Record], day: date) -> list[dict[str, Any]]:
    """The records (in a signed document's form) of accreditations awarded by this day, by scheme name and then
    the newest award first: what a statement signed that day holds."""
    found = [dict(r) for r in records if _day(r["awarded_on"]) <= day]
    found.sort(key=lambda r: r["awarded_on"], reverse=True)
    found.sort(key=lambda r: str(r["scheme_name"]).casefold())
    return found


def as_held(accreditation: Record, day: date | None, *, at_signing: bool = False) -> Held:
    """A record (a signed document's form) as people read it, judged against the day given; with no day, nothing
    is judged (it reads as current until its expiry date)."""
    evidence = accreditation.get("evidence") or {}
    expires_on = accreditation.get("expires_on")
    if day is None:
        state = CURRENT if expires_on else NO_EXPIRY
        text = f"Expires on {long_date(expires_on)}" if expires_on else "Does not expire"
    else:
        state, text = expiry_state(expires_on, day), expiry_text(expires_on, day, at_signing=at_signing)
    return Held(scheme=str(accreditation.get("scheme_name") or accreditation.get("scheme") or ""),
                level=str(accreditation.get("level") or ""), awarded=long_date(accreditation.get("awarded_on")),
                expires=long_date(expires_on), reference=str(accreditation.get("reference") or ""),
                state=state, state_text=text,
                evidence_title=str(evidence.get("title") or ""),
                evidence_location=str(evidence.get("url") or evidence.get("filename") or ""),
                evidence_sha256=str(evidence.get("sha256") or ""))


def flags_text(held: Iterable[Held]) -> str:
    """"1 has expired and 2 expire within 90 days", or "" when none is flagged."""
    states = [h.state for h in held]
    expired, expiring = states.count(EXPIRED), states.count(EXPIRING)
    parts = []
    if expired:
        parts.append(f"{expired} {'has' if expired == 1 else 'have'} expired")
    if expiring:
        parts.append(f"{expiring} {'expires' if expiring == 1 else 'expire'} within {EXPIRING_WITHIN.days} days")
    return " and ".join(parts)
