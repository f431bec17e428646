"""The coordinator's home page: what waits on them in the open cycle, each with links to act on it, and an empty
state; other roles' home pages are as they were."""
from __future__ import annotations

from datetime import timedelta

from compliance import store
from compliance.core.text import london, long_date, when
from compliance.store._common import iso
from compliance.web.requests import get_db
from tests.builders import NOW, db_of, signed_in

TODAY = london(NOW).date()  # the app reads today in London, as due and expiry dates mean it


def _home(app) -> str:
    return signed_in(app, "coordinator@demo.example").get("/home").get_data(as_text=True)


def _open_cycle_returns(app) -> tuple[dict, dict[str, dict]]:
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        return cycle, {r["organisation_name"]: r for r in store.returns_for_cycle(db, cycle["id"])}


def test_returns_waiting_for_review_and_sent_back_are_listed_with_links(demo_app):
    cycle, returns = _open_cycle_returns(demo_app)
    html = _home(demo_app)
    waiting = [name for name, r in returns.items() if r["status"] == "submitted"]
    assert len(waiting) == 3 and "3 returns waiting for your review" in html
    for name in waiting:
        assert f'href="/returns/{returns[name]["id"]}">{name.replace(chr(39), "&#39;")}' in html
    adults = returns["Brackenford Council Adult Social Care"]
    assert "1 return sent back for amendment" in html and f'href="/returns/{adults["id"]}"' in html
    assert "No overdue returns" in html, f"{cycle['name']} is due in 30 days"
    assert "No evidence expired or expiring within 60 days" in html
    assert f"No board pack has been prepared for {cycle['name']} yet" in html
    assert f'href="/cycles/{cycle["id"]}/matrix"' in html


def test_overdue_returns_are_listed_once_the_due_date_has_passed(demo_app):
    cycle, returns = _open_cycle_returns(demo_app)
    due = TODAY - timedelta(days=3)
    db_of(demo_app).execute("UPDATE cycles SET due_date = ? WHERE id = ?", [due.isoformat(), cycle["id"]])
    html = _home(demo_app)
    late = [name for name, r in returns.items() if r["status"] in ("not-started", "in-progress", "returned")]
    assert f"{len(late)} overdue returns" in html and len(late) == 8
    police = returns["Brackenford Police"]
    assert f'href="/returns/{police["id"]}">Brackenford Police' in html
    assert f"Returns were due on {long_date(due)}. These have not been submitted:" in html
    assert 'Brackenford Police<span class="govuk-visually-hidden">: overdue return</span></a>, in progress' in html
    assert f'href="/cycles/{cycle["id"]}/progress"' in html, "reminders are one click away"


def test_evidence_used_this_year_that_has_expired_or_expires_within_60_days_is_listed(demo_app):
    _, returns = _open_cycle_returns(demo_app)
    with demo_app.app_context():
        db = get_db()
        police = returns["Brackenford Police"]
        last_year = next(r for r in store.returns_for_organisation(db, police["organisation_id"])
                         if r["cycle_status"] == "closed")
        answer = next(iter(store.answers_for_return(db, police["id"]).values()))
        old_answer = next(iter(store.answers_for_return(db, last_year["id"]).values()))

        def item(title: str, days: int, answer_id: int | None) -> None:
            values = {"kind": "link", "title": title, "url": "https://example.org/" + title.replace(" ", "-"),
                      "effective_date": (TODAY - timedelta(days=400)).isoformat(),
                      "valid_until": (TODAY + timedelta(days=days)).isoformat()}
            store.add_evidence(db, police["organisation_id"], values, answer_id=answer_id, actor=store.SYSTEM, now=NOW)

        # Last year's return is accepted, so frozen: opened here only to give last year's answer an item.
        db.execute("UPDATE returns SET status = 'in-progress' WHERE id = ?", [last_year["id"]])
        item("Training record", 10, answer["id"])
        item("Old audit", -1, answer["id"])
        item("Partnership policy", 90, answer["id"])
        item("Unused leaflet", 5, None)
        item("Last year's plan", 5, old_answer["id"])
    html = _home(demo_app)
    assert "2 evidence items expired or expiring within 60 days" in html
    assert "Training record, used by" in html and f"valid until {long_date(TODAY + timedelta(days=10))}" in html
    assert "Old audit, used by" in html
    assert f"expired: it was valid until {long_date(TODAY - timedelta(days=1))}" in html
    assert html.index("Old audit") < html.index("Training record"), "soonest to expire first"
    for later_or_unused in ("Partnership policy", "Unused leaflet", "Last year&#39;s plan"):
        assert later_or_unused not in html


def test_withdrawn_returns_wait_on_nobody_and_an_empty_queue_says_so(demo_app):
    cycle, _ = _open_cycle_returns(demo_app)
    assert f"{cycle['name']}</a>: 5 of 13 returns submitted" in _home(demo_app)
    db_of(demo_app).execute("UPDATE returns SET withdrawn_at = ? WHERE cycle_id = ?", [iso(NOW), cycle["id"]])
    html = _home(demo_app)
    assert "Nothing is waiting for you" in html
    assert f"{cycle['name']}</a>: 0 of 0 returns submitted" in html, "nor in the cycle's counts"
    assert "waiting for your review" not in html and "sent back for amendment</h3>" not in html


def test_the_latest_board_pack_is_one_click_away_and_a_failed_one_says_so(demo_app):
    cycle, _ = _open_cycle_returns(demo_app)
    with demo_app.app_context():
        db = get_db()
        job_id = store.create_job(db, kind="board-pack", cycle_id=cycle["id"], created_by=None, now=NOW)
        finished = NOW + timedelta(minutes=2)
        store.finish_job(db, job_id, result_path="/nowhere/board-pack.pdf", now=finished)
    html = _home(demo_app)
    assert f"The latest board pack for {cycle['name']} was prepared on {when(finished)}" in html
    assert f'href="/board-pack/jobs/{job_id}/download"' in html
    with demo_app.app_context():
        failed = store.create_job(get_db(), kind="board-pack", cycle_id=cycle["id"], created_by=None, now=finished)
        store.fail_job(get_db(), failed, "RuntimeError: disk full", now=finished)
    assert f"The latest board pack for {cycle['name']} could not be prepared" in _home(demo_app)


def test_with_no_open_cycle_nothing_waits(demo_app):
    cycle, _ = _open_cycle_returns(demo_app)
    with demo_app.app_context():
        store.close_cycle(get_db(), cycle["id"], actor=store.SYSTEM, now=NOW)
    html = _home(demo_app)
    assert "No cycle is open, so nothing is waiting for you" in html and "Board pack" not in html


def test_other_roles_home_pages_have_no_work_queue(demo_app):
    for email in ("board@demo.example", "auditor@demo.example", "editor.police@demo.example"):
        html = signed_in(demo_app, email).get("/home").get_data(as_text=True)
        assert "Waiting for you" not in html and "waiting for your review" not in html, email
