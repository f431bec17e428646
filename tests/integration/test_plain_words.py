"""No page a board member, auditor or coordinator reads on the demo shows Python's "None" as a word: an empty
value is said in plain English ("No evidence", "Not checked yet", "No comparison")."""
from __future__ import annotations

import re

from compliance import store
from compliance.web.requests import get_db
from tests.builders import build_plan, signed_in


def _words(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_no_page_says_none(demo_app):
    with demo_app.app_context():
        db = get_db()
        cycles = store.cycles(db)
        signed = [r for c in cycles for r in store.returns_for_cycle(db, c["id"])
                  if r["status"] in ("submitted", "accepted")]
        organisation = signed[0]["organisation_id"]
    pages = [f"/cycles/{c['id']}/{page}" for c in cycles for page in ("matrix", "charts", "board-paper", "actions")]
    pages += [f"/cycles/{c['id']}/matrix?view=validated" for c in cycles]
    for ret in signed:
        pages += [f"/returns/{ret['id']}/statement", f"/returns/{ret['id']}/verification",
                  f"/returns/{ret['id']}/audit-summary", f"/returns/{ret['id']}/versions/1"]
    pages += [f"/organisations/{organisation}", "/frameworks/wdvf-overarching-protocol-2018/2",
              "/frameworks/spreadsheets", "/frameworks/upload-spreadsheet"]
    with demo_app.app_context():  # the demo's plan, and one with an action, a measure and a risk
        demo = store.plan_strategies(get_db())[0]["id"]
        themes = [theme["id"] for theme in store.plan_themes(get_db(), demo)]
        measures = [measure["id"] for measure in store.plan_measures(get_db(), strategy_id=demo)]
        lead = store.user_by_email(get_db(), "editor.police@demo.example")
        plan = build_plan(get_db(), lead_id=lead["id"], organisation_id=lead["organisation_id"], first_year=2025)
    pages += ["/plan/strategies", f"/plan/{plan['strategy_id']}", f"/plan/{plan['strategy_id']}/risks",
              f"/plan/{plan['strategy_id']}/themes/{plan['theme_id']}", f"/plan/actions/{plan['plan_action_id']}",
              f"/plan/measures/{plan['measure_id']}", f"/plan/measures/{plan['measure_id']}/edit",
              f"/plan/actions/{plan['plan_action_id']}/edit", f"/plan/risks/{plan['risk_id']}/edit",
              f"/plan/{plan['strategy_id']}/import", f"/plan/{demo}", f"/plan/{demo}/risks"]
    pages += [f"/plan/{demo}/themes/{theme}" for theme in themes] + [f"/plan/measures/{m}" for m in measures]
    coordinator = signed_in(demo_app, "coordinator@demo.example")
    for page in pages:
        response = coordinator.get(page)
        assert response.status_code == 200, page
        words = _words(response.get_data(as_text=True))
        # "None of the 13 actions is overdue" and "None given" are English; a bare "None" is Python's
        found = re.search(r"\bNone\b(?! of\b| given\b| yet\b)", words)
        assert not found, f"{page}: …{words[max(0, found.start() - 80):found.start() + 80]}…"
