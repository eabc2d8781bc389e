"""``pgbench -b tpcb-like`` on the same server, in a scratch database of its own: what this
PostgreSQL on this machine does with a small write transaction (three updates, a select and
an insert) at the same numbers of clients, so CouncilFlow's figure can be read as a share.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from bench import seed


def executable() -> str:
    """``pgbench`` from PATH, or from PostgreSQL's own bin directory (Debian keeps it there)."""
    found = shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError("pgbench not found: install PostgreSQL's client tools")
    return found


@dataclass
class PgBench:
    base_url: str
    database: str
    scale: int

    def _args(self) -> list[str]:
        url = make_url(self.base_url)
        args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
        return [*args, "-U", url.username or "postgres", self.database]

    def _env(self) -> dict[str, str]:
        url = make_url(self.base_url)
        return {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}

    def initialise(self) -> None:
        seed.drop_database(self.base_url, self.database)
        engine, _ = seed.scratch_database(self.base_url, self.database, schema=False)
        engine.dispose()
        subprocess.run(
            [executable(), "-i", "-q", "-s", str(self.scale), *self._args()],
            env=self._env(),
            check=True,
            capture_output=True,
        )

    def run(self, clients: int, seconds: float) -> float:
        """Transactions per second, without the time spent connecting."""
        threads = max(1, min(clients, os.cpu_count() or 1))
        done = subprocess.run(
            [
                executable(),
                "-b",
                "tpcb-like",
                "-c",
                str(clients),
                "-j",
                str(threads),
                "-T",
                str(max(1, round(seconds))),
                "-n",  # no vacuum first: initialise did that
                *self._args(),
            ],
            env=self._env(),
            check=True,
            capture_output=True,
            text=True,
        )
        found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
        if found is None:
            raise RuntimeError(f"no TPS in pgbench's output:\n{done.stdout}\n{done.stderr}")
        return float(found.group(1))

    def drop(self) -> None:
        seed.drop_database(self.base_url, self.database)
