"""Conventions as tests: a pure core, declared access on every route, documented commands."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from compliance.auth import undeclared_endpoints
from compliance.cli import COMMANDS
from compliance.config import DEFAULTS, PREFIX, ROOT

PURE_MODULES = ["frameworks", "scoring", "sectors", "csv_import", "uploads", "returns", "charts", "matrix", "exports",
                "pdf", "statements", "boardpack", "verification", "audit_pdf"]
# Modules of ours that touch the database, the request or the outside world: the pure core never imports them.
SHELL_MODULES = {"store", "db", "catalogue", "return_service", "matrix_service", "web", "views", "accounts", "mail",
                 "jobs", "demo", "demo_returns", "cli", "cli_exports", "auth"}


def _imports(path: Path) -> set[str]:
    """Top-level packages imported, and our own modules as ".name" for relative imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            modules = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
            names.update(f".{module}" for module in modules)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_core_modules_import_no_flask_and_no_database(module):
    imported = _imports(ROOT / "compliance" / f"{module}.py")
    assert not imported & {"flask", "flask_wtf", "flask_login", "sqlite_utils", "sqlite3", "werkzeug"}
    assert not imported & {f".{name}" for name in SHELL_MODULES}, f"{module} imports the shell"


def test_the_convention_check_sees_a_relative_import_of_the_shell(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from .return_service import ReturnContext\nfrom . import store\n", encoding="utf-8")
    assert {".return_service", ".store"} <= _imports(sample)


def test_every_route_declares_who_may_use_it(app):
    assert undeclared_endpoints(app) == []


def test_the_check_notices_an_undeclared_route(app):
    app.add_url_rule("/undeclared", "undeclared", lambda: "hello")
    assert undeclared_endpoints(app) == ["undeclared"]


def _command_names(command, prefix=""):
    name = f"{prefix}{command.name}"
    subcommands = getattr(command, "commands", {})
    if not subcommands:
        return [name]
    return [n for sub in subcommands.values() for n in _command_names(sub, prefix=f"{name} ")]


def test_every_cli_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        for name in _command_names(command):
            assert f"flask --app wsgi {name}" in readme, f"README does not document `flask --app wsgi {name}`"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*DEFAULTS, "SECRET_KEY"]:
        assert f"{PREFIX}{name}" in readme, f"README does not document {PREFIX}{name}"


def test_no_requirement_id_appears_in_code():
    ids = set()
    for path in (ROOT / "questionnaires").glob("*.toml"):
        ids.update(re.findall(r'^id = "([a-z0-9-]+)"', path.read_text(encoding="utf-8"), flags=re.M))
    framework_ids = {i for i in ids if not re.search(r"-\d\d$", i)}
    requirement_ids = ids - framework_ids
    assert requirement_ids, "expected requirement ids in the shipped files"
    for path in (ROOT / "compliance").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for requirement_id in requirement_ids:
            assert requirement_id not in text, f"{path} names requirement {requirement_id}"
