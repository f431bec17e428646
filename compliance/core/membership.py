"""Organisations joining and leaving an open cycle: who takes part, how a withdrawn return reads and is counted.

Pure: no Flask, no database. Decisions a reader needs:
- An organisation takes part in a cycle when at least one of the cycle's frameworks asks it something (as when
  the cycle opened). One that joins while the cycle is open gets its return then, with the cycle's due date.
- One that leaves (is archived) while a cycle is open has its return there withdrawn: kept whole, never deleted,
  read-only, and left out of every figure (matrix, charts, progress, reminders, board pack, exports, register).
  Coming back while the cycle is still open brings the same return back. Closed cycles are never touched.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.core.audit_events import possessive
from compliance.core.frameworks import Framework
from compliance.core.returns import RETURN_STATUSES
from compliance.core.text import long_date, plural

Row = dict[str, Any]
WITHDRAWN = "withdrawn"
# What a list of returns shows as a return's status: its stored status, or "Withdrawn" for a withdrawn one.
SHOWN_STATUSES = {**RETURN_STATUSES, WITHDRAWN: "Withdrawn"}
LEFT_OUT = "kept, but left out of every figure"


def takes_part(frameworks: Iterable[Framework], sector: str) -> bool:
    """Whether any of a cycle's frameworks asks an organisation of this sector anything."""
    return any(framework.requirements_for(sector) for framework in frameworks)


def withdrawn(ret: Row) -> bool:
    return bool(ret.get("withdrawn_at"))


def in_figures(returns: Iterable[Row]) -> list[Row]:
    """The returns that count in a cycle's figures: every one not withdrawn."""
    return [ret for ret in returns if not withdrawn(ret)]


def shown(ret: Row) -> Row:
    """A return as lists show it: a withdrawn one's status reads "withdrawn" (the stored status is kept)."""
    return {**ret, "status": WITHDRAWN} if withdrawn(ret) else ret


@dataclass(frozen=True)
class Joined:
    """A return an organisation was given in an open cycle: made new, or a withdrawn one brought back."""

    organisation: str
    cycle: str
    due_date: str
    reinstated: bool = False


@dataclass(frozen=True)
class Left:
    """A return withdrawn from an open cycle because its organisation left."""

    organisation: str
    cycle: str


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _due(due_date: str, today: date) -> str:
    due = date.fromisoformat(due_date)
    return f"due {long_date(due)}" if due >= today else f"which was due {long_date(due)}: it is overdue"


def joined_text(joined: Sequence[Joined], today: date, *, own: bool = False) -> str:
    """What the coordinator is told: "Greenway Homes has a return in the 2026/27 cycle, due 4 January 2027".

    own: said of the one organisation just added or changed ("It has a return ...").
    """
    sentences = []
    made = [item for item in joined if not item.reinstated]
    for cycle in dict.fromkeys(item.cycle for item in made):
        here = [item for item in made if item.cycle == cycle]
        names = [item.organisation for item in here]
        who = ("It has" if own else f"{names[0]} has") if len(names) == 1 else \
            f"{plural(len(names), 'organisation')} have"
        sentences.append(f"{who} a return in the {cycle} cycle, {_due(here[0].due_date, today)}"
                         + (f": {_listed(names)}" if len(names) > 1 else ""))
    for item in joined:
        if item.reinstated:
            whose = "Its" if own else possessive(item.organisation)
            sentences.append(f"{whose} return for {item.cycle} is back, with everything in it, "
                             f"{_due(item.due_date, today)}")
    return ". ".join(sentences)


@dataclass(frozen=True)
class Outcome:
    """What a change to one organisation did to the open cycles."""

    joined: tuple[Joined, ...] = ()
    left: tuple[Left, ...] = ()
    not_asked: tuple[str, ...] = ()  # open cycles whose frameworks ask its sector nothing: no return there

    def text(self, today: date) -> str:
        """The sentences that follow "Greenway Homes has been added" or "Changes to Greenway Homes saved"."""
        sentences = [joined_text(self.joined, today, own=True)] if self.joined else []
        if self.left:
            cycles = _listed([item.cycle for item in self.left])
            sentences.append(f"Its return for {cycles} {'has' if len(self.left) == 1 else 'have'} been withdrawn: "
                             f"{LEFT_OUT}")
        if self.not_asked:
            sentences.append(f"No framework in {_listed(list(self.not_asked))} asks anything of its sector, so it "
                             "has no return there")
        return ". ".join(sentences)


def leaving_hint(cycles: Sequence[str]) -> str:
    """The organisation form's hint under "Archived", when archiving would withdraw returns in open cycles."""
    if not cycles:
        return ""
    return f"Its return for {_listed(list(cycles))} will be withdrawn: {LEFT_OUT}."


def joining_hint(new: Sequence[Row], back: Sequence[Row]) -> str:
    """The hint under "Active", when making the organisation active gives it a return in open cycles (new: the
    cycles where one would be made; back: those where its withdrawn return would come back)."""
    hints = []
    if new:
        due = _listed([long_date(cycle["due_date"]) for cycle in new])
        hints.append(f"It will get a return in the open {_listed([c['name'] for c in new])} cycle, due {due}, "
                     "asking what applies to its sector.")
    if back:
        hints.append(f"Its withdrawn return for {_listed([c['name'] for c in back])} will come back, with "
                     "everything in it.")
    return " ".join(hints)
