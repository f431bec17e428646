"""Stylesheets, scripts and images at addresses that name their version: /assets/v/<version>/css/app.css.

The version is a fingerprint of everything in static/, so a release that changes any file changes every address.
A browser keeps a file fetched at the current version for a year and never asks again; without this it asked
again for all seven files on every page (each "not modified", but each a request). The scripts' own imports are
relative, so they carry the same version. An address naming another version (a page open from before a release)
still gets today's file, not kept. /assets/<file> keeps working as before, asked again each time.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Flask, current_app

from compliance.web.access import public

KEPT_FOR = 365 * 24 * 60 * 60  # a year, in seconds: as long as Cache-Control's max-age is meant to be


@functools.cache
def fingerprint(folder: str) -> str:
    """Twelve hex digits of the SHA-256 of every file's path and bytes under folder (read once per process)."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(item for item in root.rglob("*") if item.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.config["ASSET_VERSION"] = fingerprint(str(app.static_folder))
    app.add_url_rule(f"{app.static_url_path}/v/<version>/<path:filename>", endpoint="asset", view_func=public(asset))
    app.jinja_env.globals["asset_url"] = asset_url


def asset_url(filename: str) -> str:
    """The address of a file in static/ at the current version, for templates: asset_url('css/app.css'). Built by
    the templates' url_for, which remembers the addresses it builds (web/templating.py)."""
    app = current_app._get_current_object()
    return app.jinja_env.globals["url_for"]("asset", version=app.config["ASSET_VERSION"], filename=filename)


def asset(version: str, filename: str):
    response = current_app.send_static_file(filename)
    if version == current_app.config["ASSET_VERSION"]:
        response.cache_control.public = True
        response.cache_control.max_age = KEPT_FOR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response
