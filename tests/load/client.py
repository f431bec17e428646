"""The load tests' clients: each one person's browser, signing in, saving answers and uploading evidence, and a
ledger of everything it was answered.

Standard library only (http.client), so `make bench` can use it without the test requirements.
"""
from __future__ import annotations

import hashlib
import http.client
import http.cookies
import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.builders import minimal_pdf
from tests.load.server import PASSWORD, Seat, Site, Task

LOCKED = "database is locked"
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
_REVISION = re.compile(r'<input[^>]*name="revision"[^>]*value="(\d+)"')


# A client: one person's browser ------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str


class Client:
    """A keep-alive connection to the server with its cookies; reconnects after the server closes it."""

    def __init__(self, port: int, *, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]]) -> Response:
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, fields: list[tuple[str, str]], name: str, filename: str, data: bytes) -> Response:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in fields]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            answer = self.connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for header in answer.msg.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if answer.will_close:
            self.close()
        return Response(answer.status, answer.getheader("Location") or "", data.decode("utf-8", "replace"))

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        token = csrf_token(self.get("/sign-in"))
        response = self.post("/sign-in", [("csrf_token", token), ("email", email), ("password", password)])
        if response.status != 302:
            raise RuntimeError(f"{email} could not sign in: {response.status}")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def csrf_token(response: Response) -> str:
    found = _CSRF.search(response.body)
    if found is None:
        raise RuntimeError(f"no CSRF token on the page ({response.status})")
    return found.group(1)


# Writing: what each client does, and what it was told --------------------------------------------


@dataclass(frozen=True)
class Save:
    task: Task
    revision: int  # the answer's revision on the page the save was made from
    narrative: str
    status: int
    location: str
    seconds: float

    @property
    def acknowledged(self) -> bool:
        """The server said it saved: the redirect to the next requirement that only a save gives."""
        return self.status == 302 and self.location == self.task.next_path


@dataclass(frozen=True)
class Upload:
    task: Task
    title: str
    sha256: str
    status: int
    location: str

    @property
    def acknowledged(self) -> bool:
        return self.status == 302 and self.location == self.task.path + "#evidence"


@dataclass
class Ledger:
    """Everything one client asked and was answered; merged across clients afterwards."""

    saves: list[Save] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # 5xx, "database is locked", unexpected pages
    broken: int = 0  # requests that got no answer (the server was killed)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def note(self, what: str, response: Response, *, expected: tuple[int, ...]) -> Response:
        self.statuses[response.status] += 1
        if response.status >= 500 or response.status not in expected or LOCKED in response.body:
            self.problems.append(f"{what}: {response.status} {response.location} "
                                 f"{'(database is locked)' if LOCKED in response.body else ''}".rstrip())
        return response

    def merge(self, other: "Ledger") -> None:
        self.saves += other.saves
        self.uploads += other.uploads
        self.statuses += other.statuses
        self.problems += other.problems
        self.broken += other.broken


def write(client: Client, seat: Seat, ledger: Ledger, *, iterations: int, deadline: float,
          upload_every: int = 0, stop: threading.Event | None = None, seed: int = 0) -> None:
    """Loop: read a requirement page, save a unique narrative from it, and every n-th time upload a small PDF."""
    rng = random.Random(seed)
    for number in range(iterations):
        if time.monotonic() > deadline or (stop is not None and stop.is_set()):
            return
        task = rng.choice(seat.tasks)
        try:
            _save_and_upload(client, seat, task, ledger, number, rng,
                             upload=bool(upload_every) and number % upload_every == upload_every - 1)
        except (OSError, http.client.HTTPException) as error:
            ledger.broken += 1
            if stop is None:  # nobody is killing the server: a dropped request is a failure
                ledger.problems.append(f"{task.path}: {type(error).__name__}: {error}")
            time.sleep(0.02)


def _save_and_upload(client: Client, seat: Seat, task: Task, ledger: Ledger, number: int, rng: random.Random, *,
                     upload: bool) -> None:
    page = ledger.note("GET " + task.path, client.get(task.path), expected=(200,))
    if page.status != 200:
        return
    token, revision = csrf_token(page), int(_REVISION.search(page.body).group(1))
    narrative = f"Load check {seat.email} {number} {uuid.uuid4().hex}"
    started = time.perf_counter()
    response = client.post(task.path, [("csrf_token", token), ("revision", str(revision)),
                                       ("rating", rng.choice(task.ratings)), ("narrative", narrative),
                                       ("reason", ""), ("then", "continue")])
    save = Save(task, revision, narrative, response.status, response.location, time.perf_counter() - started)
    ledger.saves.append(save)
    ledger.note("POST " + task.path, response, expected=(302, 409))
    if response.status == 302 and not save.acknowledged:
        ledger.problems.append(f"POST {task.path}: redirected to {response.location}, not {task.next_path}")
    if upload and response.status in (302, 409):  # either way the answer exists now
        title = f"Load evidence {uuid.uuid4().hex}"
        data = minimal_pdf(title)
        response = client.post_file(task.path + "/evidence/upload", [
            ("csrf_token", token), ("title", title), ("effective_date", "1"), ("effective_date", "4"),
            ("effective_date", "2025"), ("valid_until", ""), ("valid_until", ""), ("valid_until", "")],
            "file", "Policy.pdf", data)
        ledger.uploads.append(Upload(task, title, hashlib.sha256(data).hexdigest(), response.status,
                                     response.location))
        ledger.note("POST upload " + task.path, response, expected=(302,))


def signed_in_clients(port: int, site: Site) -> list[Client]:
    clients = []
    for seat in site.seats:
        client = Client(port)
        client.sign_in(seat.email)
        clients.append(client)
    return clients


def run_writers(clients: list[Client], site: Site, *, iterations: int, seconds: float, upload_every: int = 0,
                stop: threading.Event | None = None) -> list[Ledger]:
    """Every client writing in its own thread at once, each at most `iterations` times and `seconds` long."""
    ledgers = [Ledger() for _ in clients]
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=write, args=(client, seat, ledger), daemon=True, kwargs={
        "iterations": iterations, "deadline": deadline, "upload_every": upload_every, "stop": stop, "seed": number})
        for number, (client, seat, ledger) in enumerate(zip(clients, site.seats, ledgers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return ledgers


def summary(ledger: Ledger, seconds: float | None = None) -> str:
    acknowledged = sum(save.acknowledged for save in ledger.saves)
    conflicts = sum(save.status == 409 for save in ledger.saves)
    uploaded = sum(upload.acknowledged for upload in ledger.uploads)
    rate = f" in {seconds:.1f} s ({ledger.requests / seconds:.0f}/s)" if seconds else ""
    return (f"{ledger.requests} requests{rate}: "
            f"{len(ledger.saves)} saves ({acknowledged} acknowledged, {conflicts} conflicts), "
            f"{uploaded} of {len(ledger.uploads)} uploads acknowledged; statuses {dict(ledger.statuses)}; "
            f"{ledger.broken} without an answer")
