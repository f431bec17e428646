"""Command-line tasks: flask --app wsgi migrate | frameworks check|list | demo | backup | restore |
send-due-reminders | send-queued-mail."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from compliance import demo, store
from compliance.core import frameworks as fw
from compliance.services import backup, catalogue
from compliance.store import db, migrations


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _database():
    return db.connect(current_app.config["DATABASE"])


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Create or migrate the database, then load new framework files from the questionnaires folder."""
    database = _database()
    applied = migrations.migrate(database)
    click.echo(f"Database: {current_app.config['DATABASE']}")
    click.echo("Migrations applied: " + (", ".join(applied) if applied else "none (already up to date)"))
    result = catalogue.sync_folder(database, current_app.config["QUESTIONNAIRES"], now=_now(),
                                   sectors=current_app.extensions["sectors"])
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
    sectors = current_app.extensions["sectors"]
    known = fw.load_all([p for p in folder_files if p.resolve() not in {n.resolve() for n in named}],
                        sectors=sectors).frameworks
    result = fw.load_all(named, sectors=sectors, known=known)
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
    migrations.migrate(database)
    result = catalogue.sync_folder(database, current_app.config["QUESTIONNAIRES"], now=_now(),
                                   sectors=current_app.extensions["sectors"])
    for error in result.errors:
        click.echo(error, err=True)
    rows = store.framework_rows(database)
    widths = [max([len(str(row[key])) for row in rows] + [len(key)]) for key in ("id", "version", "status")]
    header = ("id", "version", "status", "requirements", "title")
    click.echo(f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]:<{widths[2]}}  "
               f"{header[3]}  {header[4]}")
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
    migrations.migrate(database)
    for line in demo.summary_lines(demo.load_demo(database, now=_now(), sectors=current_app.extensions["sectors"],
                                                  schemes=current_app.extensions["accreditation_schemes"])):
        click.echo(line)


def _counts_text(counts: dict[str, int]) -> str:
    files = counts.get("evidence_files", 0)
    return (f"{counts.get('organisations', 0)} organisations, {counts.get('returns', 0)} returns, "
            f"{counts.get('evidence', 0)} evidence items ({files} stored file{'' if files == 1 else 's'})")


def _refused(refused: backup.Refused, summary: str) -> NoReturn:
    for problem in refused.problems:
        click.echo(f"Error: {problem}", err=True)
    click.echo(summary, err=True)
    raise SystemExit(1)


@click.command("backup")
@with_appcontext
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest: Path):
    """Copy the database (SQLite's online backup, safe while the server runs) and its evidence files into
    DEST, a new or empty folder, with a manifest of every file's SHA-256."""
    database, evidence = Path(current_app.config["DATABASE"]), Path(current_app.config["EVIDENCE_DIR"])
    click.echo(f"Backing up {database} and {evidence} to {dest}")
    try:
        manifest = backup.backup(database, evidence, dest, now=_now())
    except backup.Refused as refused:
        _refused(refused, "No usable backup was made.")
    click.echo(f"Database copied: {manifest.database.path} ({manifest.database.size} bytes, integrity ok)")
    click.echo(f"Evidence files copied: {len(manifest.files)}")
    click.echo("Migrations: " + (", ".join(manifest.migrations) or "none"))
    click.echo(f"Counts: {_counts_text(manifest.counts)}")
    click.echo(f"Backup complete: {dest / backup.MANIFEST} lists every file and its SHA-256.")


@click.command("restore")
@with_appcontext
@click.argument("src", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data; it is moved aside, not deleted.")
def restore_command(src: Path, force: bool):
    """Check the backup in SRC, then put its database and evidence files in place. Stop the server first."""
    database, evidence = Path(current_app.config["DATABASE"]), Path(current_app.config["EVIDENCE_DIR"])
    try:
        result = backup.restore(src, database, evidence, force=force, now=_now())
    except backup.Refused as refused:
        _refused(refused, "Restore refused: nothing has been changed.")
    click.echo(f"Backup checked: {src}, made {result.manifest.created_at}; every file is present and matches "
               f"its SHA-256.")
    for path, aside in result.moved_aside:
        click.echo(f"Moved aside: {path} -> {aside}")
    click.echo(f"Database restored: {database} (integrity check: {result.integrity})")
    if result.integrity != "ok":
        click.echo(f"Error: the restored database fails SQLite's integrity check. The one it replaced is kept "
                   f"beside it as {database.name}.before-restore-<time>.", err=True)
        raise SystemExit(1)
    click.echo(f"Evidence files restored: {len(result.manifest.files)} in {evidence}")
    click.echo(f"Counts: {_counts_text(result.counts)}")
    click.echo("Restore complete. Start the server: it applies any newer migrations as it starts.")


from compliance.cli.exports import export_matrix_command  # noqa: E402  (its own module, kept out of this one)
from compliance.cli.schedule import send_due_reminders_command, send_queued_mail_command  # noqa: E402

COMMANDS = (migrate_command, frameworks_group, demo_command, export_matrix_command, backup_command,
            restore_command, send_due_reminders_command, send_queued_mail_command)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
