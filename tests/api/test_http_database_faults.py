"""Faults that answered 500 (issue 14, items 1 and 6): a NUL character anywhere is a 422 on
both databases (PostgreSQL cannot store one and raised DataError), and a connection pool with
nothing free is a quick 503 with ``Retry-After``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, V1, Caller, MakeClient, one_agreement, problem_of
from sqlalchemy.engine import Engine

from api.app import create_app
from workflow.clock import Clock
from workflow.db import make_engine
from workflow.settings import Settings

People = dict[str, Caller]


def test_nul_in_a_query_or_path_is_a_422(people: People) -> None:
    officer = people["officer"]
    one_agreement(officer)
    for path in ("/agreements?q=%00", "/agreements?q=Day%00", "/cases/1%00", "/cases?state=%00"):
        refused = problem_of(officer.get(path), 422)
        assert "NUL" in refused["detail"], path
    assert officer.ok(officer.get("/agreements?q=Day"))["items"]


def test_nul_in_a_page_address_is_the_error_page(people: People) -> None:
    page = people["officer"].client.get("/agreements?q=%00")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "govuk-" in page.text


def test_a_value_the_database_refuses_is_a_422_not_a_500(engine: Engine, people: People) -> None:
    """On PostgreSQL a NUL in a body raised DataError, answered 500. (The input schemas may
    refuse it first; either way it is the caller's error and changes nothing.)"""
    officer = people["officer"]
    body = {
        "reference": "NUL-1",
        "title": "Day\u0000Opportunities",
        "kind": "contract",
        "counterparty": "Autism Initiatives",
        "directorate": "Adult Social Care",
        "annual_value_pence": 19_500_000,
        "start_date": "2019-10-01",
        "end_date": "2024-09-30",
    }
    answer = officer.post("/agreements", body)
    if engine.dialect.name == "postgresql":
        problem_of(answer, 422)
        assert not officer.ok(officer.get("/agreements?q=NUL-1"))["items"]
    else:
        assert answer.status_code != 500, answer.text


def test_no_free_connection_is_a_quick_503(
    engine: Engine, clock: Clock, api_settings: Settings, make_client: MakeClient
) -> None:
    make_client()  # the schema and the bootstrap admin
    url = engine.url.render_as_string(hide_password=False)
    tiny = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(settings=api_settings, clock=clock, engine=tiny)
    held = tiny.connect()  # the pool's only connection, taken
    try:
        client = TestClient(app)  # no lifespan: the admin exists, and start-up needs the pool
        answer = client.get(V1 + "/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    finally:
        held.close()
        tiny.dispose()
    refused = problem_of(answer, 503)
    assert answer.headers["retry-after"] == "1"
    assert "connection" in refused["detail"]
