"""Shared fixtures: every database test runs on SQLite and, when
``COUNCILFLOW_TEST_DATABASE_URL`` is set (CI sets it), on PostgreSQL too.

A PostgreSQL that is configured but unreachable fails the run: nothing here skips.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.schema import create_all, seed
from workflow.settings import Settings, get_settings

PG_URL = os.environ.get("COUNCILFLOW_TEST_DATABASE_URL")
DATABASES = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]

Work = Callable[[], AbstractContextManager[Ctx]]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    """One scratch database per test process (xdist worker), created fresh and dropped after,
    so parallel runs on one server never share or drop each other's tables."""
    if not PG_URL:
        yield None
        return
    base = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"councilflow_test_{_worker()}_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    create_all(engine)
    yield engine
    engine.dispose()
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    from sqlmodel import SQLModel

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    seed(engine)


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path, pg_engine) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'councilflow.db'}")
        create_all(eng)
        yield eng
        eng.dispose()
    else:
        assert pg_engine is not None
        _truncate(pg_engine)
        yield pg_engine


@pytest.fixture
def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


START = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, reminder_channels=["log"])


@pytest.fixture
def work(engine: Engine, clock: FrozenClock, settings: Settings) -> Work:
    """``with work() as ctx:`` is one unit of work: it commits at the end of the block."""

    @contextmanager
    def _work() -> Iterator[Ctx]:
        with unit_of_work(engine) as session:
            yield Ctx(session, clock, settings)

    return _work


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """The command reads its database from the environment, through the cached settings."""
    monkeypatch.setenv("COUNCILFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
