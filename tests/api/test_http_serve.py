"""``councilflow serve`` on a fresh SQLite file, as a new user would start it from the README:
the schema is created at start-up, the admin comes from ``COUNCILFLOW_ADMIN_TOKEN``, the
in-process scheduler runs, and a SIGTERM stops it all cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from workflow.demo import sefton_case_in

TOKEN = "cf_serve_test_admin_token_W8nZq3Jd5Hy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    database = tmp_path / "fresh.db"
    env = {
        **os.environ,
        "COUNCILFLOW_DATABASE_URL": f"sqlite:///{database}",
        "COUNCILFLOW_ADMIN_TOKEN": TOKEN,
        "COUNCILFLOW_NOW": "2024-07-01T09:00:00+01:00",
        "COUNCILFLOW_DISPATCH_INTERVAL_SECONDS": "0.5",
        "COUNCILFLOW_METRICS_PORT": str(metrics_port),
    }
    command = [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
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
        assert database.exists()
        admin = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        # The installation's own admin is also its platform operator (issue 10).
        assert admin.get("/me").json()["roles"] == ["admin", "platform_operator"]
        person = {
            "name": "Sam Officer",
            "email": "sam@example.gov.uk",
            "roles": ["officer"],
            "directorate": "Adult Social Care",
        }
        token = admin.post("/users", json=person).json()["token"]
        officer = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}
        )
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
        created = officer.post(
            "/cases", json=sefton_case_in([agreement["id"]]).model_dump(mode="json")
        )
        assert created.status_code == 201, created.text
        submitted = officer.post(
            f"/cases/{created.json()['id']}/events/submit",
            headers={"If-Match": created.headers["etag"]},
        )
        assert submitted.json()["state"] == "cabinet_consideration"
        # Behind a trusted proxy (127.0.0.1 by default) its X-Forwarded-Proto says HTTPS.
        plain = httpx.get(f"{base}/healthz")
        assert "strict-transport-security" not in plain.headers
        assert "frame-ancestors 'none'" in plain.headers["content-security-policy"]
        proxied = httpx.get(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"] == "max-age=31536000"
        # Metrics on their own loopback listener, not on the public port.
        assert httpx.get(f"{base}/metrics").status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert 'councilflow_transitions_total{event="submit"} 1.0' in scraped
        assert "councilflow_database_up 1.0" in scraped
        assert httpx.get(f"{base}/api/v1/openapi.json").json()["info"]["title"] == "CouncilFlow"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    log = server.stderr.read() if server.stderr else ""
    # uvicorn shuts down gracefully, then re-raises the signal it caught as its exit status.
    assert code in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log
    assert "started in-process" in log and "stopped" in log
