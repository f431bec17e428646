"""Command-line export of the partnership matrix: flask --app wsgi export-matrix --cycle NAME --format csv|xlsx."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from compliance import store
from compliance.render import exports
from compliance.services import matrix as matrix_service
from compliance.store import db


@click.command("export-matrix")
@with_appcontext
@click.option("--cycle", "cycle_name", required=True, help="The cycle's name, like 2025/26.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def export_matrix_command(cycle_name: str, file_format: str, out: Path):
    """Write a cycle's partnership matrix to a CSV or XLSX file (the same as the download on the matrix page)."""
    database = db.connect(current_app.config["DATABASE"])
    found = next((c for c in store.cycles(database) if c["name"] == cycle_name), None)
    if found is None:
        names = ", ".join(c["name"] for c in store.cycles(database)) or "none"
        raise click.ClickException(f"There is no cycle called {cycle_name}; the cycles are: {names}")
    matrix = matrix_service.cycle_matrix(database, found, sectors=current_app.extensions["sectors"])
    if file_format == "csv":
        out.write_text(exports.matrix_csv(matrix), encoding="utf-8", newline="")
    else:
        out.write_bytes(exports.matrix_xlsx(matrix, partnership=current_app.config["PARTNERSHIP_NAME"],
                                            prepared=datetime.now(timezone.utc)))
    click.echo(f"Matrix of {cycle_name}: {len(matrix.rows)} organisations, {len(matrix.columns)} requirements, "
               f"written to {out}")
