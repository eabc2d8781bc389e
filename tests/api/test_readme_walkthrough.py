"""The README's curl walkthrough works as written: ``councilflow serve`` on a fresh SQLite file
with ``COUNCILFLOW_ADMIN_TOKEN`` set, then ``docs/sefton-walkthrough.sh`` drives Sefton to
active: Cabinet's own six months, then the delegate's further six. If the API and the README
drift apart, this fails."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
from test_http_serve import free_port

ADMIN_TOKEN = secrets.token_hex(24)  # the README makes one with openssl rand -hex 24
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "sefton-walkthrough.sh"


def test_the_readme_walkthrough_takes_sefton_to_active(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "COUNCILFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'councilflow.db'}",
        "COUNCILFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
        "COUNCILFLOW_NOW": "2024-08-01T08:00:00Z",
        "COUNCILFLOW_CLOCK_TRAVEL": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        run = subprocess.run(
            ["bash", str(SCRIPT)],
            check=False,  # the output is asserted below, with the script's own words
            env={**os.environ, "API": f"{base}/api/v1", "ADMIN_TOKEN": ADMIN_TOKEN},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[1:3] == ["cabinet_consideration", "delegated_approval"]
    assert "term_is_delegated" in lines[3] and "call_in_period_over" in lines[3]
    # Cabinet's own six months, started by the scheduler once call-in is over (issue 12).
    assert lines[4] == "active"
    assert lines[5] == "{'start_date': '2024-10-01', 'end_date': '2025-03-31'}"
    # The delegate's further six.
    assert lines[6:8] == ["delegated_approval", "active"]
    assert lines[8] == "{'start_date': '2025-04-01', 'end_date': '2025-09-30'}"
    assert "6 months from 2025-04-01 to 2025-09-30" in lines[9]
