"""Starting ``councilflow scheduler`` processes and reading their peak memory when they end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

COUNCILFLOW = Path(sys.executable).parent / "councilflow"


def scheduler_env(url: str, now: datetime, webhook_url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCILFLOW_")}
    env.update(
        COUNCILFLOW_DATABASE_URL=url,
        COUNCILFLOW_NOW=now.isoformat(),
        COUNCILFLOW_WEBHOOK_URL=webhook_url,
        COUNCILFLOW_WEBHOOK_SECRET=secret,
        COUNCILFLOW_DISPATCH_INTERVAL_SECONDS="0.5",
    )
    return env


@dataclass
class Ended:
    status: int
    peak_rss_kib: int


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([str(COUNCILFLOW), "scheduler"], env=env, stdout=out, stderr=out)


def stop(proc: subprocess.Popen[bytes]) -> Ended:
    """SIGTERM, then the exit status and the process's own peak RSS (``wait4``'s rusage:
    this child's high-water mark, not the sum of all children)."""
    proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Ended(proc.returncode, int(usage.ru_maxrss))
