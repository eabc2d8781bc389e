"""Reminder delivery: throughput with 1 and 3 scheduler processes, and peak memory with a
million reminders waiting.

Throughput is reminders delivered per second to a loopback webhook receiver (in its own
process, checking every signature), timed from its first delivery to its last, so process
start-up is not counted. Memory is each dispatcher's peak RSS while it works through a table
of a million due reminders, next to the same for ten thousand and for an idle dispatcher: flat
means the dispatcher's memory does not grow with the backlog.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench import processes, seed
from bench.receiver import Receiver

NOW = datetime(2024, 8, 22, 9, 0, tzinfo=UTC)
SECRET = "bench-secret"
DB = "councilflow_bench"
IDLE_SECONDS = 5.0


def _sent(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM reminders WHERE status = 'sent'")).scalar_one()
        )


def throughput(base_url: str, n: int, workers: int, logs: Path) -> dict[str, Any]:
    engine, url = seed.scratch_database(base_url, DB)
    try:
        seed.fill(engine, n, NOW)
        with Receiver(SECRET) as receiver:
            env = processes.scheduler_env(url, NOW, receiver.url, SECRET)
            started = time.monotonic()
            procs = [
                processes.start(env, logs / f"throughput-{workers}-{i}.log") for i in range(workers)
            ]
            while receiver.counters.distinct.value < n:
                time.sleep(0.05)
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"a scheduler exited early; see {logs}")
            wall = time.monotonic() - started
            ended = [processes.stop(p) for p in procs]
            c = receiver.counters
            span = c.last.value - c.first.value
            result = {
                "processes": workers,
                "reminders": n,
                "delivered": c.deliveries.value,
                "distinct": c.distinct.value,
                "bad_signatures": c.bad.value,
                "seconds_first_to_last": round(span, 2),
                "per_second": round(n / span, 1),
                "seconds_including_startup": round(wall, 2),
                "exit_statuses": [e.status for e in ended],
                "peak_rss_mib": [round(e.peak_rss_kib / 1024, 1) for e in ended],
            }
        result["marked_sent"] = _sent(engine)
        return result
    finally:
        engine.dispose()
        seed.drop_database(base_url, DB)


def memory(base_url: str, rows: int, deliver: int, logs: Path) -> dict[str, Any]:
    """One dispatcher against ``rows`` due reminders, stopped after ``deliver`` deliveries."""
    engine, url = seed.scratch_database(base_url, DB)
    try:
        t0 = time.monotonic()
        seed.fill(engine, rows, NOW)
        seeded = time.monotonic() - t0
        with Receiver(SECRET) as receiver:
            env = processes.scheduler_env(url, NOW, receiver.url, SECRET)
            proc = processes.start(env, logs / f"memory-{rows}.log")
            if rows == 0:
                time.sleep(IDLE_SECONDS)  # the baseline: started, one empty pass or more
            while receiver.counters.distinct.value < deliver:
                time.sleep(0.05)
                if proc.poll() is not None:
                    raise RuntimeError(f"the scheduler exited early; see {logs}")
            span = receiver.counters.last.value - receiver.counters.first.value
            ended = processes.stop(proc)
            delivered = receiver.counters.distinct.value
        return {
            "rows": rows,
            "seed_seconds": round(seeded, 1),
            "delivered_before_stop": delivered,
            "per_second": round(delivered / span, 1) if span else None,
            "peak_rss_mib": round(ended.peak_rss_kib / 1024, 1),
            "exit_status": ended.status,
        }
    finally:
        engine.dispose()
        seed.drop_database(base_url, DB)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "COUNCILFLOW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server to create the scratch database councilflow_bench on",
    )
    parser.add_argument("--reminders", type=int, default=20_000, help="for the throughput runs")
    parser.add_argument("--processes", default="1,3", help="comma-separated process counts")
    parser.add_argument("--memory-rows", default="0,10000,1000000", help="0: idle baseline")
    parser.add_argument("--memory-deliver", type=int, default=20_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="councilflow-bench-"))
    report: dict[str, Any] = {
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "logs": str(logs),
        "throughput": [],
        "memory": [],
    }
    for workers in (int(w) for w in args.processes.split(",")):
        report["throughput"].append(throughput(args.database_url, args.reminders, workers, logs))
        print(json.dumps(report["throughput"][-1]), flush=True)
    if not args.skip_memory:
        for rows in (int(r) for r in args.memory_rows.split(",")):
            deliver = min(args.memory_deliver, rows)
            report["memory"].append(memory(args.database_url, rows, deliver, logs))
            print(json.dumps(report["memory"][-1]), flush=True)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report
