"""Fixtures for the domain tests: the cast of people every scenario acts as, and the
environment a ``councilflow`` command reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from casework import Work, make_people

from workflow.models import User
from workflow.settings import get_settings


@pytest.fixture
def people(work: Work) -> dict[str, User]:
    """Admin, the Sefton and Oldham people, a few extra officers and executives, and the
    scheduler's own user, committed."""
    with work() as ctx:
        return make_people(ctx)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """The command reads its database from the environment, through the cached settings."""
    monkeypatch.setenv("COUNCILFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
