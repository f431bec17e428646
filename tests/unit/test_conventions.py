"""Conventions as tests: layers as folders (checked by glob), declared access on every route, documented commands."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from compliance.cli import COMMANDS
from compliance.config import DEFAULTS, PREFIX, ROOT
from compliance.web.access import undeclared_endpoints

PACKAGE = ROOT / "compliance"
FLASK = {"flask", "flask_wtf", "flask_login", "govuk_frontend_wtf", "govuk_frontend_jinja", "wtforms"}
WERKZEUG = {"werkzeug"}  # Flask's toolkit: services may hash passwords with werkzeug.security, nothing below them
DATABASE = {"sqlite3", "sqlite_utils"}
FILES = {"os", "shutil", "tempfile"}  # the core reads files (framework files) but never writes, moves or deletes one
# What each layer may import: third-party roots it must not, and which of our layers it may.
LAYERS = {
    "core": (FLASK | WERKZEUG | DATABASE | FILES, {"core"}),
    "render": (FLASK | WERKZEUG | DATABASE, {"core", "render"}),
    "store": (FLASK | WERKZEUG, {"core", "store"}),
    "services": (FLASK, {"core", "render", "store", "services"}),
}
WRITES = {"write_text", "write_bytes", "mkdir", "unlink", "rename", "touch", "rmdir"}
# SQL runs in store/ alone; backup works on its own copy of the database with sqlite3 (its one justified exception).
SQL_EXCEPTIONS = {"services/backup.py"}
SQL_CALLS = {"execute", "executemany", "executescript", "query"}


def _imports(path: Path, *, root: Path = ROOT) -> set[str]:
    """Dotted names imported by a module, relative imports resolved against its package."""
    package = ".".join(path.relative_to(root).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names.add(module)  # and each name, which may be a submodule: `from compliance import store`
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _our_layers(imported: set[str]) -> set[str]:
    """The layers (core, store, web, ...) or top-level modules of ours that these imports reach."""
    return {name.split(".")[1] for name in imported if name.startswith("compliance.")}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_what_its_folder_allows(layer):
    forbidden, allowed = LAYERS[layer]
    files = _layer_files(layer)
    assert files, f"compliance/{layer}/ is empty"
    for path in files:
        imported = _imports(path)
        roots = {name.split(".")[0] for name in imported}
        assert not roots & forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(roots & forbidden)}"
        assert _our_layers(imported) <= allowed, \
            f"{path.relative_to(PACKAGE)} imports {sorted(_our_layers(imported) - allowed)}, outside what {layer}/ may"


def test_flask_is_imported_only_by_the_web_layer_the_app_factory_and_the_cli():
    shells = {PACKAGE / "__init__.py"} | set(PACKAGE.glob("cli*.py")) | set((PACKAGE / "cli").rglob("*.py"))
    for path in PACKAGE.rglob("*.py"):
        if path in shells or path.is_relative_to(PACKAGE / "web"):
            continue
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & FLASK, f"{path.relative_to(PACKAGE)} imports {sorted(roots & FLASK)}: only web/ may"


def _writes(path: Path) -> list[int]:
    """Lines that write, move or delete a file: Path's writers, or open() in a writing mode."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            found.append(node.lineno)
        elif isinstance(node.func, ast.Name) and node.func.id == "open":
            modes = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
            if any(not isinstance(m, ast.Constant) or set(str(m.value)) & set("wax+") for m in modes):
                found.append(node.lineno)
    return found


def test_the_core_writes_no_files():
    for path in _layer_files("core"):
        assert not _writes(path), f"{path.relative_to(PACKAGE)} writes files at lines {_writes(path)}"


def _sql_calls(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS]


def test_sql_runs_only_in_the_store():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("store/") or relative in SQL_EXCEPTIONS:
            continue
        assert not _sql_calls(path), f"{relative} runs SQL at lines {_sql_calls(path)}: move it into store/"


def _transactions(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "atomic"]


def test_views_and_commands_open_no_transaction_a_use_case_opens_its_own():
    for path in [*_layer_files("web"), *_layer_files("cli")]:
        relative = path.relative_to(PACKAGE).as_posix()
        assert not _transactions(path), (f"{relative} opens a transaction at lines {_transactions(path)}: "
                                         "make the steps one use case in services/")


def test_the_convention_checks_see_what_they_look_for(tmp_path):
    sample = tmp_path / "compliance" / "core" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from ..store import returns\nfrom . import scoring\nimport flask\n"
                      "db.execute('SELECT 1')\nPath('x').write_text('y')\nopen('x', 'wb')\nopen('x')\n"
                      "with db.atomic():\n    pass\n",
                      encoding="utf-8")
    imported = _imports(sample, root=tmp_path)
    assert {"compliance.store.returns", "compliance.core.scoring", "flask"} <= imported
    assert _our_layers(imported) == {"store", "core"}
    assert _sql_calls(sample) == [4]
    assert _writes(sample) == [5, 6]
    assert _transactions(sample) == [8]


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


def test_test_modules_import_builders_and_conftest_never_one_another():
    tests = ROOT / "tests"
    for path in tests.rglob("test_*.py"):
        others = {name for name in _imports(path) if re.match(r"tests\.\w+\.test_\w+", name)}
        assert not others, f"{path.relative_to(ROOT)} imports {sorted(others)}: share it through tests/builders.py"


def _programs_called(path: Path) -> set[str]:
    """Programs a test module runs: the first word of a subprocess call's argument list, and shutil.which()'s."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or not node.args:
            continue
        first = node.args[0]
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
        if owner == "subprocess" and isinstance(first, ast.List) and first.elts \
                and isinstance(first.elts[0], ast.Constant):
            found.add(first.elts[0].value)
        elif owner == "shutil" and node.func.attr == "which" and isinstance(first, ast.Constant):
            found.add(first.value)
    return found


def test_make_test_installs_every_program_the_tests_call():
    """A fresh Debian machine runs `make test` and nothing else: each program a test calls is in DEBIAN_TOOLS."""
    called = set().union(*(_programs_called(path) for path in (ROOT / "tests").rglob("*.py")))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    tools = re.search(r"^DEBIAN_TOOLS := (.*)$", makefile, re.M).group(1).split()
    installed = {pair.split(":")[0] for pair in tools}
    assert {"chromium", "pdftotext", "pdftoppm", "pdfinfo"} <= called, "the scan finds the programs the tests call"
    assert called <= installed, f"make test does not install {sorted(called - installed)}: add them to DEBIAN_TOOLS"
    assert re.search(r"^test: .*\bdebian-tools\b", makefile, re.M), "make test installs DEBIAN_TOOLS first"
