"""``councilflow serve`` on SQLite answers 45 concurrent readers (issue 14, item 1): before,
26 of them got 500 and 14 got 503, because every read queued for the write lock and the
pool's timeout was not translated. How fast is measured in ``bench/``, not here.

And it refuses to start with settings that would make it unsafe (item 4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from test_http_serve import free_port

TOKEN = "cf_load_test_admin_token_Hq4Tn8Vw2Zp6"


def _serve(tmp_path: Path, port: int, *extra: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port), *extra],
        env={
            **os.environ,
            "COUNCILFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'load.db'}",
            "COUNCILFLOW_ADMIN_TOKEN": TOKEN,
            "COUNCILFLOW_RUN_SCHEDULER_IN_SERVE": "false",
            **env,
        },
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_45_concurrent_readers_all_get_200(tmp_path: Path) -> None:
    port = free_port()
    server = _serve(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)

        start = threading.Barrier(45)
        statuses: list[int] = []

        def read() -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                start.wait()
                answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {TOKEN}"})
                statuses.append(answer.status_code)

        threads = [threading.Thread(target=read) for _ in range(45)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200] * 45, sorted(statuses)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise


def test_serve_refuses_shipped_secrets_where_others_can_reach(tmp_path: Path) -> None:
    server = _serve(tmp_path, free_port(), "--host", "0.0.0.0")
    _out, err = server.communicate(timeout=60)
    assert server.returncode == 2, err
    assert "COUNCILFLOW_SESSION_SECRET is still the shipped default" in err


def test_serve_refuses_a_weak_admin_token(tmp_path: Path) -> None:
    server = _serve(tmp_path, free_port(), COUNCILFLOW_ADMIN_TOKEN="s3cret-admin")
    _out, err = server.communicate(timeout=60)
    assert server.returncode == 2, err
    assert "COUNCILFLOW_ADMIN_TOKEN is weak" in err
