"""The floor under make bench's saving figure: a bare Flask + SQLite app doing one write per request.

The same database settings as the service (WAL, synchronous FULL, a busy timeout, BEGIN IMMEDIATE), the same
waitress, the same 16 keep-alive clients on loopback, each looping as a person saving answers does: read a
page with a form, post the form. The app does nothing else: no sign-in, no templates, no audit. What the service
needs beyond this is its own work, so the ratio of the two figures, measured in the same run on the same busy
machine, says more than either figure alone.

Run as the WSGI app `bench.floor:app` with FLOOR_DATABASE set to a file it may create.
"""
from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask import Flask, g, request

from bench.worker import cpu_seconds
from tests.load.client import Client
from tests.load.server import ROOT, _healthy, free_port

app = Flask(__name__)
ROWS = 16


def _db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(os.environ["FLOOR_DATABASE"], timeout=15, isolation_level=None)
        g.db.execute("PRAGMA busy_timeout = 15000")
        g.db.execute("PRAGMA journal_mode = WAL")
        g.db.execute("PRAGMA synchronous = FULL")
    return g.db


@app.teardown_appcontext
def _close(_exc):
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/item/<int:item>")
def read(item: int):
    text, revision = _db().execute("SELECT text, revision FROM items WHERE id = ?", [item]).fetchone()
    return (f'<form method="post"><input name="revision" value="{revision}">'
            f'<textarea name="text">{text}</textarea><button>Save</button></form>')


@app.post("/item/<int:item>")
def write(item: int):
    connection = _db()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE items SET text = ?, revision = revision + 1 WHERE id = ?", [request.form["text"], item])
    connection.execute("COMMIT")
    return "", 303, {"Location": f"/item/{item}"}


def _prepare(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, text TEXT NOT NULL, revision INTEGER NOT NULL)")
    connection.executemany("INSERT INTO items VALUES (?, '', 0)", [(n,) for n in range(1, ROWS + 1)])
    connection.commit()
    connection.close()


def measure(*, clients: int, seconds: float, threads: int) -> dict:
    """Serve the floor app from waitress in its own process; `clients` threads read and post for `seconds`."""
    with tempfile.TemporaryDirectory() as temp:
        database = Path(temp) / "floor.sqlite"
        _prepare(database)
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={threads}", "bench.floor:app"],
            cwd=ROOT, env={**os.environ, "FLOOR_DATABASE": str(database)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if _healthy(port):
                        break
                except OSError:
                    time.sleep(0.05)
            warm = Client(port)  # each page read once before the clock, as ours are (bench/concurrency.py)
            for item in range(1, ROWS + 1):
                warm.get(f"/item/{item}")
            results = [{"requests": 0, "errors": 0, "saves": []} for _ in range(clients)]
            stop_at = time.monotonic() + seconds
            cpu = cpu_seconds(process.pid)
            workers = [threading.Thread(target=_loop, args=(port, n % ROWS + 1, stop_at, results[n]))
                       for n in range(clients)]
            started = time.monotonic()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(seconds + 60)
            elapsed, cpu = time.monotonic() - started, cpu_seconds(process.pid) - cpu
        finally:
            process.terminate()
            process.wait(timeout=10)
    requests = sum(r["requests"] for r in results)
    times = sorted(t * 1000 for r in results for t in r["saves"])
    return {"requests_per_second": requests / elapsed, "p50_ms": statistics.median(times),
            "p95_ms": statistics.quantiles(times, n=20)[-1], "errors": sum(r["errors"] for r in results),
            "cpu_ms": cpu * 1000 / requests}


def _loop(port: int, item: int, stop_at: float, result: dict) -> None:
    client = Client(port)
    number = 0
    while time.monotonic() < stop_at:
        page = client.get(f"/item/{item}")
        started = time.monotonic()
        saved = client.post(f"/item/{item}", [("revision", "0"), ("text", f"Saved {number}")])
        result["saves"].append(time.monotonic() - started)
        result["requests"] += 2
        result["errors"] += (page.status != 200) + (saved.status != 303)
        number += 1
