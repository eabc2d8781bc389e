"""Real ``councilflow scheduler`` processes against a scratch PostgreSQL database.

Imported as ``processes`` (pytest puts this directory on ``sys.path``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from workflow.db import make_engine
from workflow.schema import create_all

COUNCILFLOW = Path(sys.executable).parent / "councilflow"


@contextmanager
def scratch_database(base_url: str, name: str) -> Iterator[tuple[Engine, str]]:
    """A fresh database with the schema; answers an engine and its ``postgresql://`` URL.

    Unreachable PostgreSQL raises here: a configured database that is down fails the test.
    """
    base = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    create_all(engine)
    try:
        yield engine, url.replace("postgresql+psycopg://", "postgresql://", 1)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Schedulers:
    """A few ``councilflow scheduler`` processes with the same settings."""

    env: dict[str, str]
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, n: int) -> None:
        for i in range(len(self.procs), len(self.procs) + n):
            log = open(self.logs / f"scheduler-{i}.log", "wb")  # noqa: SIM115 (closed with the process)
            self.procs.append(
                subprocess.Popen(
                    [str(COUNCILFLOW), "scheduler"], env=self.env, stdout=log, stderr=log
                )
            )

    def signal(self, index: int, signum: signal.Signals) -> None:
        self.procs[index].send_signal(signum)

    def stop_all(self, timeout: float = 30.0) -> list[int | None]:
        """SIGTERM every process still running; answers every exit status."""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        return [p.wait(timeout=timeout) for p in self.procs]

    def kill_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    def log(self, index: int) -> str:
        return (self.logs / f"scheduler-{index}.log").read_text(errors="replace")

    def not_delivered(self) -> dict[str, list[str]]:
        """Every ``reminder N not delivered: why`` any of them logged, by reminder id."""
        failures: dict[str, list[str]] = defaultdict(list)
        for i in range(len(self.procs)):
            for rid, why in NOT_DELIVERED.findall(self.log(i)):
                failures[rid].append(why)
        return dict(failures)

    def tails(self, lines: int = 40) -> str:
        """The last ``lines`` of each log, for a failure message."""
        return "\n".join(
            f"--- scheduler-{i}.log\n" + "\n".join(self.log(i).splitlines()[-lines:])
            for i in range(len(self.procs))
        )

    @contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        """A failed assertion in the block carries every scheduler's log tail."""
        try:
            yield
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tails()}") from exc


# What ``scheduler.dispatch`` logs for each delivery that failed (and will be retried).
NOT_DELIVERED = re.compile(r"reminder (\d+) not delivered: (.*)")


def scheduler_env(
    database_url: str, now: datetime, webhook_url: str, secret: str, **settings: object
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCILFLOW_")}
    env.update(
        COUNCILFLOW_DATABASE_URL=database_url,
        COUNCILFLOW_NOW=now.isoformat(),
        COUNCILFLOW_WEBHOOK_URL=webhook_url,
        COUNCILFLOW_WEBHOOK_SECRET=secret,
    )
    env.update({f"COUNCILFLOW_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)
