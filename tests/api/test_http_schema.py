"""Schemathesis against the served OpenAPI schema: every documented operation, fed generated
requests as the admin (who here holds every role, so drafting and firing events are reached
too), must never answer 5xx, never answer a status or content type it does
not document, never break its own response schema, and must reject invalid input.

Schemathesis reads the schema from the app at import (``from_asgi``), so the app is built
here once; each test then points it at that test's database (the ``engine`` fixture), seeded
over HTTP with people, agreements and a case in delegated approval, so the ids 1, 2, … that
the generator tries exist and the deeper branches of the routes run too.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from httpcase import ADMIN_TOKEN, draft_case, make_people, to_delegated_approval
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.app import create_app
from workflow.clock import FrozenClock
from workflow.db import make_engine, unit_of_work
from workflow.models import Role, User
from workflow.people.users import ADMIN_EMAIL
from workflow.schema import create_all
from workflow.settings import Settings

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

_PLACEHOLDER = Path(tempfile.mkdtemp(prefix="councilflow-schema-")) / "schema.db"
APP = create_app(
    settings=Settings(
        database_url=f"sqlite:///{_PLACEHOLDER}",
        admin_token=ADMIN_TOKEN,
        run_scheduler_in_serve=False,
        clock_travel=True,
        reminder_channels=["log"],
    ),
    clock=FrozenClock(datetime(2024, 7, 1, 8, 0, tzinfo=UTC)),
    engine=make_engine(f"sqlite:///{_PLACEHOLDER}"),
)
# The admin's token as the schema's own bearer scheme, so schemathesis knows the requests
# are authenticated and its negative cases (a missing token among them) stay negative.
# An event's payload is read only after its If-Match (SPEC §3 and ``workflow.lifecycle.events``),
# so an
# invalid body sent with a stale If-Match is rightly refused 412, before the body is looked at.
# Schemathesis's own defaults (less 5xx, which not_a_server_error refuses anyway) and 412.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "auth": {"openapi": {"HTTPBearer": {"bearer": ADMIN_TOKEN}}},
        "checks": {"negative_data_rejection": {"expected-statuses": REJECTED}},
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=CONFIG)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """SQLite only, in place of the shared two-database fixture: on PostgreSQL too the run
    would take twice as long, and every route's SQL is already run there by the other tests."""
    sqlite = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    create_all(sqlite)
    yield sqlite
    sqlite.dispose()


@pytest.fixture
def served(engine: Engine, clock: FrozenClock, api_settings: Settings) -> Iterator[Counter[int]]:
    """Point the app at this test's database and clock, and seed it over HTTP."""
    state = APP.state
    saved = (state.engine, state.clock, state.settings)
    state.engine, state.clock = engine, clock
    state.settings = api_settings
    try:
        with TestClient(APP) as client:
            people = make_people(client)
            to_delegated_approval(people, draft_case(people["officer"])["id"])
        with unit_of_work(engine) as session:  # the admin holds every role, to reach deeper
            admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
            admin.roles = sorted(role.value for role in Role)
            session.add(admin)
        statuses: Counter[int] = Counter()
        yield statuses
        # Shown with ``-s``: what the generated requests met, per operation.
        print(f"\n{sum(statuses.values())} requests: {dict(sorted(statuses.items()))}")
        assert set(statuses) != {401}, "every request was refused: the token was not sent"
    finally:
        state.engine, state.clock, state.settings = saved


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case: Any, served: Counter[int]) -> None:
    response = case.call_and_validate(checks=CHECKS)
    served[response.status_code] += 1
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        assert response.status_code != 401, "a well-formed request went unauthenticated"
