"""``councilflow serve --workers 2``: two real API processes answer, and the scheduler runs in
exactly one process of the command (the parent), or in none with ``--no-scheduler``.

On SQLite and, when ``COUNCILFLOW_TEST_DATABASE_URL`` is set, on a scratch PostgreSQL
database of its own; the command creates the schema itself, as in production.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from councilflow.serving import no_delay
from workflow.db import make_engine
from workflow.demo import sefton_case_in

PG_URL = os.environ.get("COUNCILFLOW_TEST_DATABASE_URL")
TOKEN = "cf_workers_test_admin_token_Lp4Vx9Qe2Mk"
NOW = "2024-07-01T09:00:00+01:00"
DUE = "2024-07-01 07:00:00+00"  # before NOW: a reminder at this instant is due at once

pytestmark = pytest.mark.xdist_group("serve-workers")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database nobody has created tables in: ``serve`` must do it, once."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    assert PG_URL is not None
    base = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"councilflow_workers_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Served:
    proc: subprocess.Popen[str]
    base: str
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def start(database_url: str, tmp_path: Path, *flags: str) -> Served:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COUNCILFLOW_")},
        "COUNCILFLOW_DATABASE_URL": database_url,
        "COUNCILFLOW_ADMIN_TOKEN": TOKEN,
        "COUNCILFLOW_NOW": NOW,
        "COUNCILFLOW_DISPATCH_INTERVAL_SECONDS": "0.2",
        "COUNCILFLOW_REMINDER_CHANNELS": '["log"]',
    }
    command = [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port), *flags]
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=out, text=True)
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while served.text().count("Application startup complete") < 2:
        assert proc.poll() is None, served.text()
        assert time.monotonic() < deadline, f"two workers did not start:\n{served.text()}"
        time.sleep(0.2)
    return served


def stop(served: Served) -> int:
    served.proc.send_signal(signal.SIGTERM)
    try:
        return served.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        raise


def a_case_with_reminders(base: str) -> int:
    """An officer drafts the Sefton case over HTTP; its deadlines bring reminders."""
    admin = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {TOKEN}"})
    person = {
        "name": "Sam Officer",
        "email": "sam@example.gov.uk",
        "roles": ["officer"],
        "directorate": "Adult Social Care",
    }
    token = admin.post("/users", json=person).json()["token"]
    officer = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"})
    agreement = officer.post(
        "/agreements",
        json={
            "reference": "SEFTON-DAYOPS-01",
            "title": "Day Opportunities",
            "kind": "contract",
            "counterparty": "Autism Initiatives",
            "directorate": "Adult Social Care",
            "annual_value_pence": 19_500_000,
            "start_date": "2019-10-01",
            "end_date": "2024-09-30",
        },
    ).json()
    created = officer.post("/cases", json=sefton_case_in([agreement["id"]]).model_dump(mode="json"))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def many_reads(base: str, case_id: int, n: int = 40) -> list[int]:
    """Concurrent reads, so both workers take some."""
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def one(_: int) -> int:
        return httpx.get(f"{base}/api/v1/cases/{case_id}", headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def make_all_due(engine: Engine) -> int:
    with engine.begin() as conn:
        made = conn.execute(
            text("UPDATE reminders SET fire_at = :due WHERE status = 'pending'"), {"due": DUE}
        ).rowcount
    assert made > 0, "the case brought no reminders"
    return made


def by_status(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM reminders GROUP BY status"))
        return {str(s): int(n) for s, n in rows}


def worker_pids(log: str) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", log))


def test_two_workers_answer_and_one_scheduler_dispatches(database: str, tmp_path: Path) -> None:
    served = start(database, tmp_path, "--workers", "2")
    engine = make_engine(database)
    try:
        case_id = a_case_with_reminders(served.base)
        assert many_reads(served.base, case_id) == [200] * 40
        due = make_all_due(engine)
        deadline = time.monotonic() + 60
        # Settled: each due reminder sent, or cancelled as superseded by a later one of its
        # deadline (the dispatcher sends the latest only).
        while (settled := by_status(engine)).keys() - {"sent", "cancelled"}:
            assert time.monotonic() < deadline, f"{settled}\n{served.text()}"
            time.sleep(0.2)
        assert settled["sent"] >= 1 and sum(settled.values()) == due
        with engine.connect() as conn:
            claimers = conn.execute(text("SELECT DISTINCT claimed_by FROM reminders")).scalars()
            dispatchers = {c.split(":")[1] for c in claimers if c}
    finally:
        code = stop(served)
        engine.dispose()
    log = served.text()
    assert code == 0, log
    workers = worker_pids(log)
    assert len(workers) == 2 and str(served.proc.pid) not in workers, log
    # One scheduler, in the parent: it alone claimed every reminder, and it started once.
    assert dispatchers == {str(served.proc.pid)}
    assert log.count("started in-process") == 1, log
    assert f"scheduler {socket.gethostname()}:{served.proc.pid}:" in log
    assert "stopped" in log.split("Stopping parent process")[-1]


def test_no_scheduler_means_none_in_any_process(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    served = start(database, tmp_path, "--workers", "2", "--no-scheduler")
    engine = make_engine(database)
    try:
        case_id = a_case_with_reminders(served.base)
        assert many_reads(served.base, case_id, 10) == [200] * 10
        due = make_all_due(engine)
        time.sleep(1.5)  # several dispatch intervals: a scheduler anywhere would have sent them
        statuses = by_status(engine)
    finally:
        code = stop(served)
        engine.dispose()
    log = served.text()
    assert code == 0, log
    assert statuses == {"pending": due}
    assert len(worker_pids(log)) == 2
    assert "started in-process" not in log


def test_no_delay_turns_nagle_off_where_asyncio_left_it_on() -> None:
    """A listener bound with ``proto`` 0, as uvicorn's supervisor binds its workers' socket:
    asyncio leaves Nagle's algorithm on for what it accepts, and ``no_delay`` turns it off."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: dict[str, int] = {}

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen["before"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            no_delay(transport)
            seen["after"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            transport.close()

    async def connect_once() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        await reader.read()  # until the server closes it
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(connect_once())
    assert seen == {"before": 0, "after": 1}
