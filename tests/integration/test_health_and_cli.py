"""The health check and the command-line tasks, on real files and a real database."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from compliance import YOUNG_COLLECTION_EVERY, store
from compliance.config import ROOT
from compliance.store import db
from tests.builders import make_app

SHIPPED = ROOT / "questionnaires"


def test_healthz_reports_database_and_frameworks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True, "pending_migrations": []}
    counts = {f["id"]: f["requirement_count"] for f in report["frameworks"]["loaded"]}
    assert counts == {"wdvf-overarching-protocol-2018": 16, "west-midlands-dv-standards-2014": 11, "bvpi-225": 11}
    assert report["frameworks"]["errors"] == []


def test_healthz_is_503_when_the_database_cannot_be_opened(tmp_path):
    app = make_app(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    app.config["DATABASE"] = str(blocker / "compliance.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_frameworks_list_shows_every_shipped_version(app):
    result = app.test_cli_runner().invoke(args=["frameworks", "list"])
    assert result.exit_code == 0, result.output
    lines = {tuple(line.split()[:2]): line.split() for line in result.output.splitlines()[1:]}
    assert lines[("wdvf-overarching-protocol-2018", "1")][1:4] == ["1", "published", "16"]
    assert lines[("wdvf-overarching-protocol-2018", "2")][1:4] == ["2", "published", "16"]
    assert lines[("west-midlands-dv-standards-2014", "1")][1:4] == ["1", "draft", "11"]
    assert lines[("bvpi-225", "1")][1:4] == ["1", "published", "11"]
    assert len(lines) == 4


def test_frameworks_check_passes_on_the_shipped_files(app):
    result = app.test_cli_runner().invoke(args=["frameworks", "check"])
    assert result.exit_code == 0, result.output
    assert "4 file(s) checked, 4 valid, 0 error(s)" in result.output


BROKEN = {
    "duplicate-id.toml": ('id = "wdvf-2018-02"', 'id = "wdvf-2018-01"', "requirements[2].id"),
    "unknown-field.toml": ('short_title =', 'titel = "typo"\nshort_title =', "titel"),
    "missing-level.toml": ('label = "Met"', '', "scale[1]"),
    "bad-toml.toml": ('title =', 'title = = ', "line"),
}


def _broken_file(folder: Path, name: str) -> tuple[Path, str]:
    old, new, place = BROKEN[name]
    text = (SHIPPED / "wdvf-overarching-protocol-2018--1.toml").read_text(encoding="utf-8")
    assert old in text, f"fixture needs {old!r} in the shipped file"
    text = text.replace(old, new, 1).replace('version = "1"', 'version = "99"', 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path, place


def test_frameworks_check_names_file_place_and_problem_and_exits_non_zero(app, tmp_path):
    for name in BROKEN:
        path, place = _broken_file(tmp_path, name)
        result = app.test_cli_runner().invoke(args=["frameworks", "check", str(path)])
        assert result.exit_code == 1, (name, result.output)
        errors = [line for line in result.output.splitlines() if line.startswith(str(path))]
        assert errors, (name, result.output)
        assert any(place in line for line in errors), (name, errors)


def test_a_broken_file_at_start_up_is_reported_and_nothing_of_it_loaded(tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(SHIPPED, folder)
    _broken_file(folder, "duplicate-id.toml")
    app = make_app(tmp_path, QUESTIONNAIRES=str(folder))
    report = app.test_client().get("/healthz").get_json()
    assert report["status"] == "degraded"
    assert any("duplicate-id.toml" in error and "requirements[2].id" in error
               for error in report["frameworks"]["errors"])
    database = db.connect(app.config["DATABASE"])
    keys = [row["key"] for row in store.framework_rows(database)]
    assert "wdvf-overarching-protocol-2018@99" not in keys
    assert len(keys) == 4


def test_a_changed_version_is_refused_ids_are_forever(tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(SHIPPED, folder)
    app = make_app(tmp_path, QUESTIONNAIRES=str(folder))
    path = folder / "bvpi-225--1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("BVPI 225", "BVPI 225 edited", 1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 1
    assert "never edited in place" in result.output
    database = db.connect(app.config["DATABASE"])
    titles = [row["title"] for row in store.framework_rows(database)]
    assert not any("edited" in title for title in titles)


def test_migrate_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["migrate"])
    second = runner.invoke(args=["migrate"])
    assert first.exit_code == second.exit_code == 0
    assert "Migrations applied: none (already up to date)" in second.output
    assert "Framework versions added: none" in second.output


def test_no_accounts_exist_until_the_demo_is_loaded(app):
    database = db.connect(app.config["DATABASE"])
    assert store.users(database) == []


def test_demo_is_idempotent_and_fictional(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert "coordinator@demo.example" in result.output and "demo-partnership-2026" in result.output
    database = db.connect(app.config["DATABASE"])
    first, first_people = store.organisations(database), store.users(database)
    assert runner.invoke(args=["demo"]).exit_code == 0
    second, second_people = store.organisations(database), store.users(database)
    assert first == second and first_people == second_people
    roles = {person["role"] for person in first_people}
    assert roles == {"admin", "board", "auditor", "editor", "signatory"}
    for role in ("editor", "signatory"):
        assert len({p["organisation_id"] for p in first_people if p["role"] == role}) >= 2
    assert all(person["email"].endswith("@demo.example") and person["demo"] for person in first_people)
    hashes = {row["password_hash"] for row in database.query("SELECT password_hash FROM users")}
    assert len(hashes) == 1 and hashes.pop().startswith("scrypt:32768:"), "one full-cost hash of the demo password"
    assert len(first) >= 12
    sectors = {org["sector"] for org in first}
    assert {"police", "probation", "health", "local-authority", "housing", "specialist", "education"} <= sectors
    for org in first:
        assert "Wolverhampton" not in org["name"] and "West Midlands" not in org["name"]
        assert org["contact_email"].endswith(".example")


def test_a_server_started_with_load_demo_serves_the_demo_at_once(tmp_path, capsys):
    """`make run` is one process: the app migrates, loads the demo and prints the sign-ins as it starts."""
    app = make_app(tmp_path, LOAD_DEMO=True)
    printed = capsys.readouterr().out
    assert "Demo sign-ins (password for all: demo-partnership-2026):" in printed
    assert "coordinator@demo.example" in printed
    client = app.test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"
    with app.app_context():
        assert store.user_by_email(db.connect(app.config["DATABASE"]), "coordinator@demo.example") is not None
    make_app(tmp_path, LOAD_DEMO=True)  # a restart refreshes the demo, and duplicates nothing
    with app.app_context():
        assert len(store.organisations(db.connect(app.config["DATABASE"]))) == 13


def test_without_load_demo_the_server_loads_no_demo(app):
    with app.app_context():
        assert store.organisations(db.connect(app.config["DATABASE"])) == []


def test_the_server_process_settles_its_garbage_collector_once_started(tmp_path):
    """wsgi.py freezes what start-up made and collects the youngest objects less often (see settle_collector)."""
    env = {**os.environ, "COMPLIANCE_DATABASE": str(tmp_path / "db.sqlite"),
           "COMPLIANCE_EVIDENCE_DIR": str(tmp_path / "evidence"), "COMPLIANCE_SECRET_KEY": "test-only"}
    script = "import gc, wsgi; print(gc.get_threshold()[0], gc.get_freeze_count())"
    shown = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
                           text=True).stdout.split()
    assert int(shown[0]) == YOUNG_COLLECTION_EVERY and int(shown[1]) > 10_000


def test_the_app_asks_once_whether_each_function_is_a_coroutine(tmp_path):
    """Flask asks before every view and hook it calls; web.App remembers the answer for each function."""
    app = make_app(tmp_path)

    def plain():
        return "plain"

    assert plain not in app._sync
    assert app.ensure_sync(plain) is plain and app._sync[plain] is plain and app.ensure_sync(plain) is plain
    with app.test_client() as client:
        assert client.get("/healthz").status_code == 200
    assert app.view_functions["pages.healthz"] in app._sync, "the view of a request served is remembered"
    for number in range(1500):  # functions made for one request each are not kept for good
        app.ensure_sync(lambda number=number: number)
    assert len(app._sync) <= 1000
