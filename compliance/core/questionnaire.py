"""A printable questionnaire: every question of one framework version (for one sector, or for all), with its
guidance, suggested evidence and the rating scale, for collecting answers from colleagues before anyone types them
into the return.

Pure: a framework and the partnership's sectors in, plain data out. Its web page and its PDF both show this, so
they cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.core.frameworks import Framework, Level, Requirement
from compliance.core.mappings import Suggestion, cross_reference, mapped_to
from compliance.core.sectors import Sectors
from compliance.core.text import long_date, plural, slug


@dataclass(frozen=True)
class ScaleLevel:
    label: str
    definition: str
    asks: str  # what choosing it asks for, in words ("Needs an improvement action"), or ""


@dataclass(frozen=True)
class Question:
    ref: str
    title: str
    text: str
    good: str  # what good looks like
    evidence: str  # how it is evidenced
    suggested_evidence: tuple[str, ...]
    applies_to: str  # "All sectors", or the sectors it is for, by name
    optional: bool
    linked: tuple[str, ...] = ()  # other frameworks' requirements mapped to it: "West Midlands DV Standards,
    # Standard 3 asks the same as this requirement"

    @property
    def heading(self) -> str:
        """"1. Named lead", "Standard 3: Safe practice", or the ref alone when the title repeats it."""
        if self.title == self.ref:
            return self.ref
        return f"{self.ref}{'.' if self.ref.isdigit() else ':'} {self.title}"


@dataclass(frozen=True)
class Questionnaire:
    partnership: str
    framework_id: str
    title: str
    version: str
    published: str
    source: str
    draft: bool
    notice: str
    description: str
    sector: str | None  # the sector's id, or None for every sector
    sector_name: str  # "Police", or "All sectors"
    scale: tuple[ScaleLevel, ...]
    questions: tuple[Question, ...]
    instructions: tuple[str, ...]

    @property
    def running_head(self) -> str:
        """What every printed page carries: the framework, its version and the sector."""
        return f"{self.title}, version {self.version}: {self.sector_name.lower() if self.sector else 'all sectors'}"

    @property
    def filename(self) -> str:
        """questionnaire-wdvf-overarching-protocol-2018-v2-police.pdf"""
        return f"questionnaire-{self.framework_id}-v{slug(self.version)}-{self.sector or 'all-sectors'}.pdf"


def build_questionnaire(framework: Framework, sectors: Sectors, *, sector: str | None, partnership: str,
                        service: str, others: Sequence[Framework] = ()) -> Questionnaire:
    """The questionnaire of one framework version; sector None gives every requirement, each saying who answers it.
    service names where answers are entered, as people should read it: "the Domestic abuse compliance returns
    service at https://compliance.example.org". others: the newest version of each other framework, so that each
    question names the requirements mapped to it (core/mappings.mapped_to)."""
    asked = framework.requirements_for(sector) if sector else framework.requirements
    links = mapped_to(framework, others, sector=sector)
    sector_name = sectors.name(sector) if sector else "All sectors"
    return Questionnaire(
        partnership=partnership, framework_id=framework.id, title=framework.title, version=framework.version,
        published=long_date(framework.published), source=framework.source, draft=framework.status == "draft",
        notice=framework.notice, description=framework.description, sector=sector, sector_name=sector_name,
        scale=tuple(ScaleLevel(level.label, level.definition, _asks(level)) for level in framework.scale),
        questions=tuple(_question(requirement, sectors, links.get(requirement.id, ())) for requirement in asked),
        instructions=_instructions(framework, len(asked), sector_name if sector else None, partnership, service,
                                   linked=bool(links)))


def _more(framework: Framework) -> tuple[str, ...]:
    """The step about what some ratings need beside the rating, naming only what this scale asks for."""
    asks = [words for flag, words in (
        (any(level.needs_action for level in framework.scale), "an improvement action (what you will do, who owns it "
                                                               "and by when)"),
        (any(level.needs_reason for level in framework.scale), "the reason"),
        (any(level.needs_evidence for level in framework.scale), "at least one piece of evidence")) if flag]
    if not asks:
        return ()
    listed = asks[0] if len(asks) == 1 else ", ".join(asks[:-1]) + " or " + asks[-1]
    return (f"Some ratings need more: {listed}. The scale below says which.",)


def _asks(level: Level) -> str:
    asks = [words for flag, words in ((level.needs_action, "an improvement action"),
                                      (level.needs_reason, "the reason"),
                                      (level.needs_evidence, "at least one piece of evidence")) if flag]
    if not asks:
        return ""
    return "Needs " + (asks[0] if len(asks) == 1 else ", ".join(asks[:-1]) + " and " + asks[-1])


def _question(requirement: Requirement, sectors: Sectors, links: tuple[Suggestion, ...]) -> Question:
    applies = ", ".join(sectors.name(code) for code in requirement.sectors) if requirement.sectors else "All sectors"
    return Question(requirement.ref, requirement.title, requirement.text, requirement.guidance.good,
                    requirement.guidance.evidence, requirement.suggested_evidence, applies, not requirement.mandatory,
                    tuple(f"{cross_reference(link.framework, link.requirement)} {link.words}" for link in links))


def _instructions(framework: Framework, count: int, sector_name: str | None, partnership: str,
                  service: str, *, linked: bool) -> tuple[str, ...]:
    who = f"{sector_name.lower()} organisations" if sector_name else "member organisations"
    return (
        f"This questionnaire lists the {plural(count, 'requirement')} of the {framework.title} that {partnership} "
        f"asks of {who}, version {framework.version}. Use it to collect answers from colleagues on paper or by "
        "email before anyone types them in.",
        "Send it to the colleagues who know how your organisation works in practice. They do not need to sign in "
        "to anything.",
        "For each requirement, read the wording, what good looks like and how it is evidenced. Tick the one rating "
        "from the scale that describes your organisation now, and write down why: what you have in place, how you "
        "know it works, and any gaps.",
        *_more(framework),
        *(("Some requirements are linked to another framework's, as each says under “In other frameworks”. Where "
           "your organisation's return asks both frameworks, two that ask the same are answered once, and that "
           "answer counts for both; for one that is part of or related to another, the other's answer may be a "
           "place to start.",) if linked else ()),
        "List the documents that show it, such as policies, procedures, training records, minutes and figures. "
        "Never send case files or anything that could identify someone who has experienced abuse.",
        f"Your organisation's editor then enters the answers and uploads the evidence in {service}. "
        "Nothing on paper is submitted: only what is entered there counts, once your signatory signs it.",
    )
