"""PostgreSQL's row-level security, the second wall between councils (issue 10): a query that
forgets the council filter still sees only the council the transaction is for.

The tests connect as an ordinary role (no superuser, no BYPASSRLS), as the service must:
a superuser passes every policy. The demo gives two councils, Sefton and Oldham.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from roles import ROLE, as_ordinary_role
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, select

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.councils import walls
from workflow.db import enter_council, system_work, unit_of_work
from workflow.models import Agreement as AgreementRow
from workflow.models import (
    AuditEvent,
    Case,
    Deadline,
    Delegation,
    Reminder,
    Report,
    User,
)
from workflow.people.users import ensure_admin
from workflow.schema import seed
from workflow.settings import Settings

TABLES = [User, AgreementRow, Case, Deadline, Reminder, AuditEvent, Report]


START = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


def truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    seed(engine)


@pytest.fixture
def postgres(pg_engine: Engine | None) -> Engine:
    """PostgreSQL only (not parametrised over SQLite, which has no row-level security)."""
    if pg_engine is None:
        pytest.skip("needs PostgreSQL: set COUNCILFLOW_TEST_DATABASE_URL (CI always does)")
    truncate(pg_engine)
    return pg_engine


@pytest.fixture
def councils(postgres: Engine) -> dict[str, int]:
    """Sefton (the first council) and Oldham, loaded as the demo loads them."""
    with unit_of_work(postgres) as session:
        ctx = Ctx(session, FrozenClock(START), Settings(reminder_channels=["log"]))
        loaded = demo.load(ctx, ensure_admin(ctx, "cf_row_security_tests_admin_token"))
        return {key: c.id or 0 for key, c in loaded.councils.items()}


@pytest.fixture
def app_role(postgres: Engine, councils: dict[str, int]) -> Iterator[Engine]:
    """An engine whose connections act as an ordinary role, as the service's should."""
    with as_ordinary_role(postgres) as engine:
        yield engine


def councils_seen(session: Session) -> dict[str, set[int]]:
    """What each table shows, by council — read with no council filter at all."""
    seen: dict[str, set[int]] = {}
    for model in TABLES:
        if hasattr(model, "council_id"):
            rows = session.exec(select(model.council_id)).all()  # type: ignore[attr-defined]
        else:  # reports: only through their case
            rows = session.exec(
                select(Case.council_id).join(model, col(model.case_id) == col(Case.id))  # type: ignore[attr-defined]
            ).all()
        seen[model.__tablename__] = set(rows)  # type: ignore[attr-defined]
    return seen


def test_a_query_that_forgets_the_council_sees_only_its_own(
    app_role: Engine, councils: dict[str, int]
) -> None:
    sefton, oldham = councils["sefton"], councils["oldham"]
    with unit_of_work(app_role, tenant=True) as session:
        assert session.exec(text("SELECT current_user")).one()[0] == ROLE  # type: ignore[call-overload]
        enter_council(session, sefton)
        assert all(seen == {sefton} for seen in councils_seen(session).values())
        # Children of a case are behind their case: Oldham's delegations, reports, … none.
        assert session.exec(select(Delegation)).unique().all() == []
        oldham_case = session.exec(select(Case).where(Case.council_id == oldham)).first()
        assert oldham_case is None
        # Changing another council's rows changes nothing.
        changed = session.execute(
            update(Case).where(col(Case.council_id) == oldham).values(title="taken over")
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    with unit_of_work(app_role, tenant=True) as session:
        enter_council(session, oldham)
        assert all(seen == {oldham} for seen in councils_seen(session).values())


def test_a_row_cannot_be_written_into_another_council(
    app_role: Engine, councils: dict[str, int]
) -> None:
    refused = pytest.raises(DBAPIError, match="row-level security")
    with refused, unit_of_work(app_role, tenant=True) as session:
        enter_council(session, councils["sefton"])
        session.execute(text("UPDATE cases SET council_id = :other"), {"other": councils["oldham"]})


def test_before_sign_in_a_request_sees_nothing_and_system_work_sees_all(
    app_role: Engine, councils: dict[str, int]
) -> None:
    with unit_of_work(app_role, write=False, tenant=True) as session:
        assert all(seen == set() for seen in councils_seen(session).values())
        system_work(session)  # the sign-in lookup, and the scheduler's passes
        everyone = set(councils.values())
        assert all(seen == everyone for seen in councils_seen(session).values())
    # A unit of work that is not a request (the scheduler, the command line) is system work,
    # and SET LOCAL ended with the transaction before: a new one starts from its own.
    with unit_of_work(app_role) as session:
        assert councils_seen(session)["cases"] == set(councils.values())


def test_every_tenant_table_binds_its_owner_too(postgres: Engine) -> None:
    """FORCE ROW LEVEL SECURITY: a service connecting as the tables' owner is bound as well."""
    with postgres.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:names) AND relkind = 'r'"
            ),
            {"names": list(walls.OWNED)},
        ).all()
    assert {name for name, *_ in rows} == set(walls.OWNED)
    assert all(enabled and forced for _, enabled, forced in rows)
