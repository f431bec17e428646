"""Command-line tasks: flask --app wsgi migrate | frameworks check|list | demo."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import catalogue, db, demo, store
from .auth import ROLES
from . import frameworks as fw


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _database():
    return db.connect(current_app.config["DATABASE"])


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Create or migrate the database, then load new framework files from the questionnaires folder."""
    database = _database()
    applied = db.migrate(database)
    click.echo(f"Database: {current_app.config['DATABASE']}")
    click.echo("Migrations applied: " + (", ".join(applied) if applied else "none (already up to date)"))
    result = catalogue.sync_folder(database, current_app.config["QUESTIONNAIRES"], now=_now())
    current_app.extensions["framework_errors"] = result.errors
    click.echo("Framework versions added: " + (", ".join(result.added) if result.added else "none"))
    for error in result.errors:
        click.echo(error, err=True)
    if result.errors:
        raise SystemExit(1)


@click.group("frameworks")
def frameworks_group():
    """Check and list framework files."""


@frameworks_group.command("check")
@with_appcontext
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(paths: tuple[Path, ...]):
    """Validate framework files (default: every file in the questionnaires folder); exit 1 on any error."""
    folder_files = fw.framework_files(current_app.config["QUESTIONNAIRES"])
    named = list(paths) or folder_files
    # Mappings in a named file may point at frameworks in the folder, so those count as known.
    known = fw.load_all([p for p in folder_files if p.resolve() not in {n.resolve() for n in named}]).frameworks
    result = fw.load_all(named, known=known)
    for error in result.errors:
        click.echo(error, err=True)
    for framework in result.frameworks:
        click.echo(f"ok  {framework.path}: {framework.key} ({len(framework.requirements)} requirements)")
    click.echo(f"{len(named)} file(s) checked, {len(result.frameworks)} valid, {len(result.errors)} error(s)")
    if result.errors:
        raise SystemExit(1)


@frameworks_group.command("list")
@with_appcontext
def list_command():
    """List the loaded framework versions: id, version, status, title, number of requirements."""
    database = _database()
    db.migrate(database)
    result = catalogue.sync_folder(database, current_app.config["QUESTIONNAIRES"], now=_now())
    for error in result.errors:
        click.echo(error, err=True)
    rows = store.framework_rows(database)
    widths = [max([len(str(row[key])) for row in rows] + [len(key)]) for key in ("id", "version", "status")]
    header = ("id", "version", "status", "requirements", "title")
    click.echo(f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]:<{widths[2]}}  {header[3]}  {header[4]}")
    for row in rows:
        click.echo(
            f"{row['id']:<{widths[0]}}  {row['version']:<{widths[1]}}  {row['status']:<{widths[2]}}  "
            f"{row['requirement_count']:>12}  {row['title']}"
        )


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the fictional demo partnership (safe to run again: nothing is duplicated)."""
    database = _database()
    db.migrate(database)
    summary = demo.load_demo(database, now=_now())
    click.echo(f"Demo partnership: {summary['organisations']} fictional organisations loaded.")
    click.echo(f"Demo sign-ins (password for all: {summary['password']}):")
    for person in summary["people"]:
        where = f", {person['organisation']}" if person.get("organisation") else ""
        click.echo(f"  {person['email']:<34} {ROLES[person['role']]}{where}")


from .cli_exports import export_matrix_command  # noqa: E402  (its own module, kept out of this one)
COMMANDS = (migrate_command, frameworks_group, demo_command, export_matrix_command)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
