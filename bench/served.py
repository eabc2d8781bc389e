"""A real ``councilflow serve --workers N --no-scheduler`` on a free port, as in production
(the production shape runs the schedulers apart; none runs here, so the figures are the API's
alone)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx

COUNCILFLOW = Path(sys.executable).parent / "councilflow"
ADMIN_TOKEN = "cf_bench_admin_token_Rz8Kd3Wq6Ty2Hn"
SESSION_SECRET = "bench-session-secret-not-the-shipped-one"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(database_url: str, now: datetime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCILFLOW_")}
    env.update(
        COUNCILFLOW_DATABASE_URL=database_url,
        COUNCILFLOW_NOW=now.isoformat(),
        COUNCILFLOW_ADMIN_TOKEN=ADMIN_TOKEN,
        COUNCILFLOW_SESSION_SECRET=SESSION_SECRET,
        COUNCILFLOW_REMINDER_CHANNELS='["log"]',
    )
    return env


@contextmanager
def serving(database_url: str, now: datetime, workers: int, log: Path) -> Iterator[str]:
    """The server's base URL once every worker answers; SIGTERM and a wait on the way out."""
    port = free_port()
    command = [
        str(COUNCILFLOW),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-scheduler",
    ]
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, env=serve_env(database_url, now), stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"councilflow serve did not start; see {log}")
            time.sleep(0.2)
        httpx.get(f"{base}/healthz/ready", timeout=30).raise_for_status()
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
