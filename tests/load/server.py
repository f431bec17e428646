"""The load tests' server: the app served by waitress in its own process on loopback, as `make run` serves it, over
a temporary copy of the demo partnership with an editor account for each client.

Standard library only, so `make bench` can use it without the test requirements.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-partnership-2026"
SECRET_KEY = "load-test-secret-key-not-for-production"


# The site: a demo database with an editor for each client ----------------------------------------


@dataclass(frozen=True)
class Task:
    """One requirement of a return as a client sees it: its page, where "Save and continue" goes, its ratings."""

    return_id: int
    framework_key: str
    requirement_id: str
    path: str
    next_path: str
    ratings: tuple[str, ...]


@dataclass(frozen=True)
class Seat:
    """A client's editor account and the requirements of its organisation's return that it works on."""

    email: str
    tasks: tuple[Task, ...]


@dataclass
class Site:
    folder: Path
    database: Path
    evidence: Path
    env: dict[str, str]
    seats: list[Seat]


def prepare_site(folder: Path, *, clients: int, requirements_per_return: int) -> Site:
    """Migrate and load the demo with the CLI, then give each client its own editor of an editable return."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COMPLIANCE_DATABASE": str(folder / "compliance.sqlite"),
           "COMPLIANCE_EVIDENCE_DIR": str(folder / "evidence"), "COMPLIANCE_SECRET_KEY": SECRET_KEY}
    for command in ("migrate", "demo"):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    site = Site(folder, folder / "compliance.sqlite", folder / "evidence", env, [])
    site.seats.extend(_add_editors(site.database, clients, requirements_per_return))
    return site


def _add_editors(database: Path, clients: int, requirements_per_return: int) -> list[Seat]:
    from compliance import store
    from compliance.services import returns as return_service
    from compliance.services.passwords import hash_password
    from compliance.store import db

    connection = db.connect(database)
    try:
        returns = [context for (return_id,) in connection.execute("SELECT id FROM returns ORDER BY id")
                   if (context := return_service.load_return(connection, return_id)).editable]
        assert returns, "the demo has no editable return"
        password_hash, now, seats = hash_password(PASSWORD), datetime.now(timezone.utc), []
        for number in range(clients):
            context = returns[number % len(returns)]
            email = f"load.editor.{number:02d}@demo.example"
            store.create_user(connection, email=email, name=f"Load editor {number:02d}", role="editor",
                              organisation_id=context.ret.organisation_id, password_hash=password_hash,
                              demo=True, actor=store.SYSTEM, now=now)
            seats.append(Seat(email, _tasks(context)[:requirements_per_return]))
    finally:
        connection.close()
    return seats


def _tasks(context) -> tuple[Task, ...]:
    order = context.requirements()
    pages = [f"/returns/{context.ret.id}/{quote(f.id, safe='')}/{quote(r.id, safe='')}" for f, r in order]
    following = pages[1:] + [f"/returns/{context.ret.id}/check"]  # the last one goes on to checking the answers
    return tuple(Task(context.ret.id, framework.key, requirement.id, page, after,
                      tuple(level.code for level in framework.scale if not level.needs_reason))
                 for (framework, requirement), page, after in zip(order, pages, following))


# The server: waitress-serve, as `make run` starts it ---------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`waitress-serve --threads=8 wsgi:app` in its own process, its output appended to server.log."""

    def __init__(self, site: Site, *, threads: int = 8):
        self.site, self.threads, self.port = site, threads, free_port()
        self.log = site.folder / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 30) -> "Server":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{self.port}", f"--threads={self.threads}",
                 "wsgi:app"], cwd=ROOT, env=self.site.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                if _healthy(self.port):
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not answer /healthz within {timeout} s:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()




def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    finally:
        connection.close()
