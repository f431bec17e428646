"""make bench: sixteen editors saving answers at once, through waitress on loopback (figures, not a test).

The demo partnership in a temporary database, with one editor per client spread over the editable returns. Each
client signs in before the clock starts (scrypt is slow on purpose), then for SECONDS loops: read a requirement
page, save a new explanation from it. Prints the requests per second (pages and saves) and the median and 95th
percentile time of the save POSTs, as the client sees them.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import floor
from bench.worker import cpu_seconds
from tests.load.client import LOCKED, Ledger, run_writers, signed_in_clients
from tests.load.server import Server, prepare_site

CLIENTS = 16
SECONDS = 15.0
THREADS = (8, 4)  # waitress threads: 8 as `make run` serves them, and 4: on 2 cores, less waiting for the GIL
TARGETS = {"requests_per_second": 100, "p95_ms": 150}
RATIO_TARGET = 3  # within 3x of the bare Flask + SQLite floor, for throughput and for the 95th percentile


def measure(*, clients: int = CLIENTS, seconds: float = SECONDS, threads: int = 8) -> dict:
    """Serve a fresh demo database, run the clients for `seconds`, and return the figures."""
    with tempfile.TemporaryDirectory() as temp:
        site = prepare_site(Path(temp), clients=clients, requirements_per_return=1_000)
        with Server(site, threads=threads) as server:
            signed_in = signed_in_clients(server.port, site)
            started, cpu = time.monotonic(), cpu_seconds(server.process.pid)
            ledgers = run_writers(signed_in, site, iterations=1_000_000, seconds=seconds)
            elapsed, cpu = time.monotonic() - started, cpu_seconds(server.process.pid) - cpu
        ledger = Ledger()
        for each in ledgers:
            ledger.merge(each)
        locked = LOCKED in server.log_text()
    times = sorted(save.seconds * 1000 for save in ledger.saves)
    return {"seconds": elapsed, "requests": ledger.requests, "saves": len(ledger.saves),
            "acknowledged": sum(save.acknowledged for save in ledger.saves),
            "conflicts": sum(save.status == 409 for save in ledger.saves),
            "errors": len(ledger.problems) + (1 if locked else 0),
            "requests_per_second": ledger.requests / elapsed, "saves_per_second": len(ledger.saves) / elapsed,
            "p50_ms": statistics.median(times), "p95_ms": statistics.quantiles(times, n=20)[-1],
            "cpu_ms": cpu * 1000 / ledger.requests}


def main() -> None:
    runs, floors, before = [], [], f"{os.getloadavg()[0]:.1f}"
    for threads in THREADS:
        print(f"saving answers: {CLIENTS} clients for {SECONDS:.0f} s, waitress with {threads} threads...",
              file=sys.stderr)
        runs.append(measure(threads=threads))
        print(f"the floor (bare Flask + SQLite, one write a request), {threads} threads...", file=sys.stderr)
        floors.append(floor.measure(clients=CLIENTS, seconds=SECONDS, threads=threads))
    for figures, base in zip(runs, floors):
        figures["floor_rps"], figures["floor_p95_ms"] = base["requests_per_second"], base["p95_ms"]
        figures["floor_cpu_ms"], figures["cpu_ratio"] = base["cpu_ms"], figures["cpu_ms"] / base["cpu_ms"]
        figures["rps_ratio"] = base["requests_per_second"] / figures["requests_per_second"]
        figures["p95_ratio"] = figures["p95_ms"] / base["p95_ms"]
        figures["errors"] += base["errors"]
    rows = [
        ("Requests (page reads and saves)", lambda f: f"{f['requests']:,}"),
        (f"Requests per second (target {TARGETS['requests_per_second']} or more)",
         lambda f: f"{f['requests_per_second']:.0f}"),
        ("Floor: a bare Flask + SQLite app, requests per second", lambda f: f"{f['floor_rps']:.0f}"),
        (f"Floor's throughput / ours (target {RATIO_TARGET}x or less)", lambda f: f"{f['rps_ratio']:.1f}x"),
        ("Saves per second", lambda f: f"{f['saves_per_second']:.0f}"),
        ("Save POST, median", lambda f: f"{f['p50_ms']:.0f} ms"),
        (f"Save POST, 95th percentile (target under {TARGETS['p95_ms']} ms)", lambda f: f"{f['p95_ms']:.0f} ms"),
        ("Floor's POST, 95th percentile", lambda f: f"{f['floor_p95_ms']:.0f} ms"),
        (f"Our 95th percentile / the floor's (target {RATIO_TARGET}x or less)", lambda f: f"{f['p95_ratio']:.1f}x"),
        # The server process's own CPU time (user and system) per request: what the ratios above approximate on a
        # quiet machine, and much less moved by other processes on a busy one.
        ("Server CPU per request, ours / the floor's",
         lambda f: f"{f['cpu_ms']:.2f} ms / {f['floor_cpu_ms']:.2f} ms = {f['cpu_ratio']:.1f}x"),
        ("Saves acknowledged / conflicts / errors",
         lambda f: f"{f['acknowledged']:,} / {f['conflicts']:,} / {f['errors']:,}"),
    ]
    print(f"\n| {CLIENTS} clients saving answers, {SECONDS:.0f} s each | "
          + " | ".join(f"waitress, {threads} threads" for threads in THREADS) + " |")
    print("|---|" + "---|" * len(THREADS))
    for name, shown in rows:
        print(f"| {name} | " + " | ".join(shown(figures) for figures in runs) + " |")
    met = ["met" if f["requests_per_second"] >= TARGETS["requests_per_second"] and f["p95_ms"] < TARGETS["p95_ms"]
           and f["rps_ratio"] <= RATIO_TARGET and f["p95_ratio"] <= RATIO_TARGET and f["errors"] == 0
           else "MISSED" for f in runs]
    print(f"Load average before and after: {before}, {os.getloadavg()[0]:.1f} (figures drift when it is over "
          f"{os.cpu_count()})")
    print("\nTargets: " + ", ".join(f"{verdict} with {threads} threads" for verdict, threads in zip(met, THREADS))
          + f"; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
