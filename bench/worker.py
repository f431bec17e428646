"""make bench: a server worker's peak memory while it does the heaviest things a board member can ask of it.

The synthetic partnerships that bench/__main__.py builds, served by waitress in its own process (as `make run`
serves them): the board signs in, opens the matrix page five times and prepares the board pack, which the worker
draws on its background thread, then downloads it. The figure is the process's peak resident memory (VmHWM in
/proc), read once it has done all of that: what one worker needs, without the benchmark's own data around it.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from tests.load.client import Client, csrf_token
from tests.load.server import Server, Site

BOARD = ("board@bench.example", "bench-password-not-secret")


def peak_memory_mb(pid: int) -> float:
    """The peak resident set of a process, from /proc/<pid>/status (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: peak memory is measured on Linux only")


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far, user and system (/proc/<pid>/stat, Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_and_measure(folder: Path, database: Path, evidence: Path, cycle_id: int, *, secret: str,
                      board_pack: bool = True) -> dict:
    """Serve the database, drive the matrix (and the board pack) through HTTP, and return the worker's figures."""
    env = {**os.environ, "COMPLIANCE_DATABASE": str(database), "COMPLIANCE_EVIDENCE_DIR": str(evidence),
           "COMPLIANCE_SECRET_KEY": secret}
    site = Site(folder, database, evidence, env, [])
    with Server(site, threads=4) as server:
        client = Client(server.port, timeout=600)
        page = client.get("/sign-in")
        signed = client.post("/sign-in", [("csrf_token", csrf_token(page)), ("email", BOARD[0]),
                                          ("password", BOARD[1])])
        if signed.status != 302:
            raise RuntimeError(f"the board could not sign in: {signed.status}")
        for _ in range(5):
            matrix = client.get(f"/cycles/{cycle_id}/matrix")
            if matrix.status != 200:
                raise RuntimeError(f"the matrix page answered {matrix.status}")
        if not board_pack:
            return {"peak_mb": peak_memory_mb(server.process.pid), "board_pack_seconds": None}
        started = time.monotonic()
        job = client.post(f"/cycles/{cycle_id}/board-pack", [("csrf_token", csrf_token(matrix))])
        if job.status != 302:
            raise RuntimeError(f"the board pack did not start: {job.status}")
        path = "/" + job.location.split("/", 3)[-1] if job.location.startswith("http") else job.location
        while "Download the board pack" not in (progress := client.get(path)).body:
            if "could not be prepared" in progress.body or time.monotonic() - started > 600:
                raise RuntimeError("the board pack failed or took over 10 minutes")
            time.sleep(0.5)
        seconds = time.monotonic() - started
        download = client.get(path.rstrip("/") + "/download")
        if download.status != 200:
            raise RuntimeError(f"the board pack download answered {download.status}")
        client.close()
        return {"peak_mb": peak_memory_mb(server.process.pid), "board_pack_seconds": seconds}


def report(figures: list[tuple[str, dict]]) -> None:
    print("\n| Worker (waitress, 4 threads): what it served | Board pack, end to end | Peak memory (VmHWM) |")
    print("|---|---|---|")
    for what, found in figures:
        seconds = "" if found["board_pack_seconds"] is None else f"{found['board_pack_seconds']:.1f} s"
        print(f"| {what} | {seconds} | {found['peak_mb']:.0f} MB |")
    print("Target: a worker's peak memory under 200 MB.")
