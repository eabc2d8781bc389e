"""Fixtures for the HTTP tests: the real app over the shared ``engine``, ``clock`` and
``settings`` fixtures (so each test runs on SQLite and, when configured, PostgreSQL), with
the in-process scheduler off and clock travel on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, Caller, MakeClient, make_people
from sqlalchemy.engine import Engine

from api.app import create_app
from workflow.clock import Clock
from workflow.settings import Settings


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"admin_token": ADMIN_TOKEN, "run_scheduler_in_serve": False, "clock_travel": True}
    )


@pytest.fixture
def make_client(engine: Engine, clock: Clock, api_settings: Settings) -> Iterator[MakeClient]:
    """``make_client(clock=..., **settings)``: an app with its lifespan running."""
    with ExitStack() as stack:

        def make(clock: Clock = clock, **overrides: Any) -> TestClient:
            app = create_app(
                settings=api_settings.model_copy(update=overrides), clock=clock, engine=engine
            )
            return stack.enter_context(TestClient(app))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def people(client: TestClient) -> dict[str, Caller]:
    return make_people(client)
