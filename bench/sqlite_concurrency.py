"""The default deployment under load (issue 14, item 1): a real ``councilflow serve`` on a
fresh SQLite file, 200 concurrent readers and 20 concurrent writers for 30 seconds.

Readers alternate ``GET /api/v1/me`` and ``GET /api/v1/cases`` (20 drafts, each answered in
full); each writer amends its own draft with ``PATCH /api/v1/cases/{id}`` (a new title) as
fast as it is answered. Every client is a coroutine on one event loop in this process, with
a keep-alive connection of its own. Counted: answers by status, transport errors, and p50/p99
of each kind of request. An error is anything but a 2xx (a 503 with ``Retry-After`` included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from workflow.demo import sefton_case_in


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()

    def report(self, seconds: float) -> dict[str, Any]:
        ok = sum(n for s, n in self.statuses.items() if s.startswith("2"))
        return {
            "requests": sum(self.statuses.values()),
            "per_second": round(sum(self.statuses.values()) / seconds, 1),
            "errors": sum(self.statuses.values()) - ok,
            "statuses": dict(sorted(self.statuses.items())),
            "p50_ms": _percentile(self.latencies, 0.50),
            "p99_ms": _percentile(self.latencies, 0.99),
            "max_ms": _percentile(self.latencies, 1.0),
        }


async def _timed(tally: Tally, call: Any) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        answer: httpx.Response = await call
    except httpx.HTTPError as exc:
        tally.statuses[type(exc).__name__] += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[str(answer.status_code)] += 1
    return answer


async def _reader(base: str, token: str, until: float, tallies: dict[str, Tally]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        n = 0
        while time.monotonic() < until:
            path = "/api/v1/me" if n % 2 == 0 else "/api/v1/cases"
            await _timed(tallies[path], client.get(path))
            n += 1


async def _writer(base: str, token: str, case_id: int, until: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        n = 0
        while time.monotonic() < until:
            n += 1
            body = {"title": f"Day Opportunities, amendment {n}"}
            await _timed(tally, client.patch(f"/api/v1/cases/{case_id}", json=body))


def _prepare(base: str, admin_token: str, drafts: int) -> tuple[str, str, list[int]]:
    """A viewer to read, an officer to write, and one draft per writer."""
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"})

    def person(name: str, email: str, roles: list[str]) -> str:
        body = {"name": name, "email": email, "roles": roles, "directorate": "Adult Social Care"}
        answer = admin.post("/api/v1/users", json=body)
        answer.raise_for_status()
        return str(answer.json()["token"])

    viewer = person("Val Viewer", "val@bench.example.gov.uk", ["viewer"])
    officer = person("Sam Officer", "sam@bench.example.gov.uk", ["officer"])
    writes = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {officer}"})
    agreement = writes.post(
        "/api/v1/agreements",
        json={
            "reference": "BENCH-01",
            "title": "Day Opportunities",
            "kind": "contract",
            "counterparty": "Autism Initiatives",
            "directorate": "Adult Social Care",
            "annual_value_pence": 19_500_000,
            "start_date": "2019-10-01",
            "end_date": "2024-09-30",
        },
    )
    agreement.raise_for_status()
    case = sefton_case_in([agreement.json()["id"]]).model_dump(mode="json")
    ids = []
    for _ in range(drafts):
        created = writes.post("/api/v1/cases", json=case)
        created.raise_for_status()
        ids.append(int(created.json()["id"]))
    return viewer, officer, ids


async def _load(base: str, viewer: str, officer: str, ids: list[int], args: Any) -> Any:
    until = time.monotonic() + args.seconds
    tallies = {"/api/v1/me": Tally(), "/api/v1/cases": Tally(), "PATCH": Tally()}
    started = time.monotonic()
    await asyncio.gather(
        *(_reader(base, viewer, until, tallies) for _ in range(args.readers)),
        *(_writer(base, officer, case_id, until, tallies["PATCH"]) for case_id in ids),
    )
    return tallies, time.monotonic() - started


def run(args: Any) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="councilflow-sqlite-bench-"))
    port, token = _free_port(), secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCILFLOW_")}
    env.update(
        COUNCILFLOW_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        COUNCILFLOW_ADMIN_TOKEN=token,
        COUNCILFLOW_NOW="2024-08-01T09:00:00+01:00",
        COUNCILFLOW_RUN_SCHEDULER_IN_SERVE="false",
    )
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"councilflow serve did not start; see {workdir}/serve.log")
            time.sleep(0.2)
        viewer, officer, ids = _prepare(base, token, args.writers)
        tallies, seconds = asyncio.run(_load(base, viewer, officer, ids, args))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    reports = {name: tally.report(seconds) for name, tally in tallies.items()}
    reads = Tally()
    for name in ("/api/v1/me", "/api/v1/cases"):
        reads.latencies += tallies[name].latencies
        reads.statuses += tallies[name].statuses
    return {
        "readers": args.readers,
        "writers": args.writers,
        "seconds": round(seconds, 1),
        "reads": reads.report(seconds),
        "writes": reports["PATCH"],
        "by_request": {
            "GET /api/v1/me": reports["/api/v1/me"],
            "GET /api/v1/cases": reports["/api/v1/cases"],
            "PATCH /api/v1/cases/{id}": reports["PATCH"],
        },
        "log": str(workdir / "serve.log"),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench sqlite", description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load runs")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--writers", type=int, default=20)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    report.update(run(args))
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report
