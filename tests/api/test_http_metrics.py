"""``/metrics`` (issues 13 and 14): off the public port unless a metrics token is configured,
readable only with it, or on a listener of its own; and it does not need the database, so the
request and error counters are there exactly when the database is down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, V1, MakeClient, problem_of

from api.app import create_app
from workflow.db import make_engine
from workflow.settings import Settings

TOKEN = "metrics-test-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_without_a_token_configured_there_are_no_metrics_on_the_public_port(
    make_client: MakeClient,
) -> None:
    client = make_client()
    problem_of(client.get("/metrics"), 404)
    problem_of(client.get("/metrics", headers=BEARER), 404)
    assert "/metrics" not in client.get(V1 + "/openapi.json").json()["paths"]


def test_with_a_token_only_its_bearer_reads_them(make_client: MakeClient) -> None:
    client = make_client(metrics_token=TOKEN)
    problem_of(client.get("/metrics"), 401)
    problem_of(client.get("/metrics", headers={"Authorization": "Bearer nope"}), 401)
    problem_of(client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}), 401)
    scraped = client.get("/metrics", headers=BEARER)
    assert scraped.status_code == 200
    assert "councilflow_database_up 1.0" in scraped.text


def test_a_listener_of_their_own_serves_them_without_a_token(make_client: MakeClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    client = make_client(metrics_port=port)
    client.get("/healthz")
    problem_of(client.get("/metrics"), 404)
    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'councilflow_http_requests_total{method="GET",route="/healthz",status="200"}' in scraped


def _dead_app(engine_url: str, **settings: object) -> TestClient:
    """No lifespan (it would fail first, on the schema): the app is up, the database is not."""
    engine = make_engine(engine_url)
    values = {"run_scheduler_in_serve": False, "admin_token": ADMIN_TOKEN, "metrics_token": TOKEN}
    app = create_app(settings=Settings(**{**values, **settings}), engine=engine)  # type: ignore[arg-type]
    return TestClient(app)


def _scrape_while_down(client: TestClient) -> str:
    for _ in range(3):
        problem_of(client.get(V1 + "/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}), 503)
    scraped = client.get("/metrics", headers=BEARER)
    assert scraped.status_code == 200, scraped.text
    text = scraped.text
    assert "councilflow_database_up 0.0" in text
    assert (
        'councilflow_http_requests_total{method="GET",route="/api/v1/me",status="503"} 3.0' in text
    )
    assert "councilflow_transitions_total" not in text
    assert "councilflow_reminders{" not in text
    return text


def test_metrics_answer_while_sqlite_is_unreachable(tmp_path: Path) -> None:
    _scrape_while_down(_dead_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"))


def test_metrics_answer_while_postgresql_refuses_connections() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])  # closed again: nothing listens there
    _scrape_while_down(_dead_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/gone"))


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections and never says a word: a database cut off by a proxy."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


def test_metrics_answer_while_postgresql_hangs(silent_server: int) -> None:
    """The scrape waits for the database's figures only within its budget, then goes on
    without them; a second scrape waits on the same stuck count rather than starting another."""
    client = _dead_app(
        f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/gone",
        metrics_database_timeout_seconds=0.2,
    )
    for _ in range(2):
        scraped = client.get("/metrics", headers=BEARER)
        assert scraped.status_code == 200
        assert "councilflow_database_up 0.0" in scraped.text
        assert "councilflow_reminders{" not in scraped.text
