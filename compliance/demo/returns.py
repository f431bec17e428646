"""Demo cycles: last year's, closed with every return accepted, and this year's with returns in every status.

Ratings and narratives are invented, deterministically (the same every time), for fictional organisations.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from compliance import store
from compliance.core.frameworks import Framework, Level, newest_versions
from compliance.core.returns import ReturnRow, financial_year
from compliance.services import returns as return_service
from compliance.store import Actor

# This year's status for each demo organisation; organisations not listed are in progress.
THIS_YEAR = {
    "Brackenford Police": "in-progress",
    "Haven Lane Women's Aid": "not-started",
    "Brackenford Council Adult Social Care": "returned",
    "Brackenford Probation Delivery Unit": "submitted",
    "Larkhill Hospitals NHS Trust": "submitted",
    "Greenway Homes": "accepted",
    "Brackenford Council Children's Services": "accepted",
    "Kestrel Support for Men": "not-started",
    "Brackenford College": "submitted",
}
NARRATIVES = {
    "green": "Our {topic} is in place, approved by the senior leadership team and reviewed every year. "
             "Managers check it is followed through supervision and audit.",
    "amber": "We have made a start on {topic}, but it is not yet consistent across every team. "
             "The improvement action below sets out how we will close the gap.",
    "red": "We do not yet have {topic} in place. This is a priority for the coming year.",
}


def _pick(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16) % 100


def _level(framework: Framework, organisation: str, requirement: str, year: str) -> Level:
    roll = _pick(organisation, requirement, year)
    applicable = [level for level in framework.scale if level.applicable]
    grey = [level for level in framework.scale if not level.applicable]
    if grey and roll < 5:
        return grey[0]
    if roll < 72 or len(applicable) == 1:
        return applicable[0]
    return applicable[1] if roll < 92 or len(applicable) < 3 else applicable[2]


def load_demo_cycles(db: Database, *, password_hash: str, today: date, now: datetime,
                     framework_order: list[str] | tuple[str, ...] = ()) -> None:
    """Create both demo cycles once, their frameworks in framework_order (by framework id; any other after);
    a second load finds them and changes nothing."""
    names = {c["name"] for c in store.cycles(db)}
    current, previous = financial_year(today), financial_year(today - timedelta(days=365))
    if current in names or previous in names:
        return
    admin = store.user_by_email(db, "coordinator@demo.example")
    actor = Actor(admin["id"], admin["email"])
    # Draft frameworks have no wording yet, so the demo does not ask anyone to rate against them; of a
    # framework with several published versions, a cycle takes one: the newest. The demo's order puts the
    # partnership's own protocol first.
    published = newest_versions(row for row in store.framework_rows(db) if row["status"] == "published")
    order = list(framework_order)
    keys = [row["key"] for row in sorted(published, key=lambda row: order.index(row["id"]) if row["id"] in order
                                         else len(order))]
    declaration = ("I confirm that, to the best of my knowledge, this return is a true and complete account of how "
                   "my organisation meets the requirements listed.")
    earlier = store.create_cycle(db, name=previous, open_date=(today - timedelta(days=420)).isoformat(),
                                 due_date=(today - timedelta(days=330)).isoformat(), declaration=declaration,
                                 framework_keys=keys, actor=actor, now=now)
    return_service.open_cycle(db, earlier, actor=actor, now=now)
    for ret in store.returns_for_cycle(db, earlier):
        _fill_and_sign(db, ret["id"], previous, actor=actor, now=now, password_hash=password_hash)
        store.accept_return(db, ret["id"], actor=actor, now=now)
    _audit_last_year(db, earlier, now=now)
    store.close_cycle(db, earlier, actor=actor, now=now)
    this = store.create_cycle(db, name=current, open_date=(today - timedelta(days=60)).isoformat(),
                              due_date=(today + timedelta(days=30)).isoformat(), declaration=declaration,
                              framework_keys=keys, actor=actor, now=now)
    return_service.open_cycle(db, this, actor=actor, now=now)
    for ret in store.returns_for_cycle(db, this):
        _bring_to(db, ret, THIS_YEAR.get(ret["organisation_name"], "in-progress"), current, actor=actor, now=now,
                  password_hash=password_hash)


def _bring_to(db: Database, ret: dict, status: str, year: str, *, actor: Actor, now: datetime,
              password_hash: str) -> None:
    if status == "not-started":
        return
    if status == "in-progress":
        _fill(db, ret["id"], year, actor=actor, now=now, share=60)
        return
    _fill_and_sign(db, ret["id"], year, actor=actor, now=now, password_hash=password_hash)
    if status == "returned":
        store.return_for_amendment(db, ret["id"], "Please attach your current domestic abuse policy for service "
                                   "users and explain who your nominated VAWG champions are.", actor=actor, now=now)
    elif status == "accepted":
        store.accept_return(db, ret["id"], actor=actor, now=now)


def _fill(db: Database, return_id: int, year: str, *, actor: Actor, now: datetime, share: int = 100) -> None:
    context = return_service.load_return(db, return_id)
    organisation = context.ret.organisation_name
    for framework, requirement in context.requirements():
        if _pick(organisation, requirement.id, "share") >= share:
            continue
        level = _level(framework, organisation, requirement.id, year)
        topic = requirement.title[0].lower() + requirement.title[1:]
        narrative = "" if not level.applicable else NARRATIVES[level.rag].format(topic=topic)
        reason = "We do not run or commission this kind of service." if level.needs_reason else ""
        store.save_answer(db, return_id, framework.key, requirement.id,
                          {"rating": level.code, "narrative": narrative, "reason": reason},
                          revision=0, actor=actor, now=now)
        answer = store.answer(db, return_id, framework.key, requirement.id)
        if level.needs_action:
            store.save_action(db, answer["id"], {"what": f"Put {topic} in place across every team", "owner":
                                                 "Safeguarding lead", "due_date": f"{int(year[:4]) + 1}-03-31",
                                                 "status": "in-progress"}, actor=actor, now=now)
        if level.counts_as_met or level.needs_evidence:
            store.add_evidence(db, context.ret.organisation_id, {
                "kind": "link", "title": f"{requirement.title} ({year})", "url": "https://intranet.example/policies",
                "effective_date": f"{year[:4]}-04-01", "valid_until": f"{int(year[:4]) + 2}-03-31"},
                answer_id=answer["id"], actor=actor, now=now)


def _fill_and_sign(db: Database, return_id: int, year: str, *, actor: Actor, now: datetime,
                   password_hash: str) -> None:
    _fill(db, return_id, year, actor=actor, now=now)
    context = return_service.load_return(db, return_id)
    signatory = _signatory(db, context.ret, password_hash=password_hash, now=now)
    return_service.submit(db, context, partnership="Wolverhampton Domestic Violence Forum",
                          signatory_name=signatory["name"], job_title=signatory["job_title"] or "Chief executive",
                          actor=Actor(signatory["id"], signatory["email"]), now=now)


def _signatory(db: Database, ret: ReturnRow, *, password_hash: str, now: datetime) -> dict:
    """The organisation's demo signatory, made for the demo when it has none listed."""
    found = [p for p in store.users(db, organisation_id=ret.organisation_id) if p["role"] == "signatory"]
    if found:
        return found[0]
    slug = "".join(c for c in ret.organisation_name.lower() if c.isalnum())[:24]
    user_id = store.create_user(db, email=f"signatory.{slug}@demo.example", name="Demo Signatory",
                                job_title="Director", role="signatory", organisation_id=ret.organisation_id,
                                password_hash=password_hash, demo=True,
                                actor=store.SYSTEM, now=now)
    return store.user_by_id(db, user_id)


def _audit_last_year(db: Database, cycle_id: int, *, now: datetime) -> None:
    """The demo auditor's checks of last year's first three returns: the first four answers of each, all verified
    but one in each return, which is partly verified a level lower, so the validated matrix has disagreements."""
    auditor = store.user_by_email(db, "auditor@demo.example")
    actor = Actor(auditor["id"], auditor["email"])
    for number, ret in enumerate(store.returns_for_cycle(db, cycle_id)[:3]):
        context = return_service.load_return(db, ret["id"])
        version, answers = return_service.standing_answers(db, ret["id"])
        checked = [(f, r) for f, r in context.requirements() if (answers.get((f.key, r.id)) or {}).get("rating")][:4]
        for position, (framework, requirement) in enumerate(checked):
            own = answers[(framework.key, requirement.id)]["rating"]
            lower = [level.code for level in framework.scale if level.applicable]
            values = {"status": "verified", "validated_rating": own, "comment": ""}
            if position == number and own in lower and lower.index(own) + 1 < len(lower):
                values = {"status": "partly-verified", "validated_rating": lower[lower.index(own) + 1],
                          "comment": "The policy was seen, but the training records cover one site only."}
            store.save_verification(db, ret["id"], framework.key, requirement.id, values, version=version["version"],
                                    self_rating=own, revision=0, actor=actor, now=now)
