"""Fixtures for the domain tests: the cast of people every scenario acts as."""

from __future__ import annotations

import pytest
from casework import Work, make_people

from workflow.models import User


@pytest.fixture
def people(work: Work) -> dict[str, User]:
    """Admin, the Sefton and Oldham people, a few extra officers and executives, and the
    scheduler's own user, committed."""
    with work() as ctx:
        return make_people(ctx)
