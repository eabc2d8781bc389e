"""Migration 0012 (issue 10, part 6): an installation's data from before councils becomes the
first council's, with nothing lost — people still sign in, their agreements and cases are
theirs, the audit trail still verifies, and a second council can be added beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from workflow import audit, migrate
from workflow.audit.chain import GENESIS, digest
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.councils.councils import create_council, enter
from workflow.db import make_engine
from workflow.lifecycle.cases import list_cases
from workflow.models import FIRST_COUNCIL, Agreement, Council
from workflow.people.users import authenticate, create_user, hash_token
from workflow.register.agreements import create_agreement, list_agreements
from workflow.schemas import AgreementIn, CouncilIn, UserIn
from workflow.settings import Settings, get_settings

KEY = "an installation's audit key"
AT = datetime(2024, 9, 2, 9, tzinfo=UTC)
TOKEN = "cf_token_from_before_councils"
TABLES = ("users", "agreements", "cases", "deadlines", "reminders", "audit_events")


@pytest.fixture
def audit_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("COUNCILFLOW_AUDIT_KEY", KEY)
    get_settings.cache_clear()
    yield KEY
    get_settings.cache_clear()


Upgrade = Callable[[str], None]


@pytest.fixture
def at_0005(engine: Engine, tmp_path: Path) -> Iterator[tuple[Connection, Upgrade]]:
    """A connection on an empty database at revision 0005, and how to upgrade it. On SQLite
    a file of its own, upgraded as ``councilflow db upgrade`` does (``migrate.upgrade``);
    on PostgreSQL a scratch schema, upgraded on the connection."""
    if engine.dialect.name == "sqlite":
        old = make_engine(f"sqlite:///{tmp_path / 'before-councils.db'}")
        migrate.upgrade(old, "0005")
        with old.connect() as conn:
            conn.commit()

            def upgrade_sqlite(revision: str) -> None:
                conn.commit()
                migrate.upgrade(old, revision)

            yield conn, upgrade_sqlite
        old.dispose()
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS council_mig CASCADE"))
        conn.execute(text("CREATE SCHEMA council_mig"))
        conn.execute(text("SET search_path TO council_mig"))

        def upgrade_pg(revision: str) -> None:
            config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

        upgrade_pg("0005")
        yield conn, upgrade_pg
        conn.execute(text("SET search_path TO public"))
        conn.execute(text("DROP SCHEMA council_mig CASCADE"))


def write_as_0005(conn: Connection) -> dict[str, int]:
    """One installation's rows as 0005 held them: two people, an agreement, a case with a
    deadline and its reminder, and the case's and the council's audit chains."""
    meta = sa.MetaData()
    meta.reflect(conn, only=TABLES)
    t = meta.tables
    times = {"created_at": AT}
    both = times | {"updated_at": AT}
    person = {"roles": ["officer"], "is_system": False, "active": True, "session_generation": 0}
    officer = conn.execute(
        t["users"].insert().values(
            name="Sam Officer", email="sam@council.example.gov.uk",
            token_hash=hash_token(TOKEN), **person, **times,
        )
    ).inserted_primary_key[0]  # fmt: skip
    conn.execute(
        t["users"]
        .insert()
        .values(name="Vic", email="vic@council.example.gov.uk", **person, **times)
    )
    agreement = conn.execute(
        t["agreements"].insert().values(
            reference="REF-1", title="Day services", kind="contract", counterparty="Provider",
            directorate="Adult Social Care", annual_value_pence=100_000,
            start_date=date(2020, 1, 1), end_date=date(2024, 12, 31), **both,
        )
    ).inserted_primary_key[0]  # fmt: skip
    case = conn.execute(
        t["cases"].insert().values(
            kind="extension", title="Day services: extension", directorate="Adult Social Care",
            author_id=officer, state="drafted", version=1, key_decision=False, **both,
        )
    ).inserted_primary_key[0]  # fmt: skip
    deadline = conn.execute(
        t["deadlines"].insert().values(
            case_id=case, kind="agreement_end", due_on=date(2024, 12, 31), is_duty=False,
            status="open", recipients=["sam@council.example.gov.uk"], **both,
        )
    ).inserted_primary_key[0]  # fmt: skip
    conn.execute(
        t["reminders"].insert().values(
            deadline_id=deadline, case_id=case, deadline_kind="agreement_end",
            due_on=date(2024, 12, 31), purpose="reminder", fire_at=AT, channel="log",
            recipients=["sam@council.example.gov.uk"], status="pending", attempts=0, **both,
        )
    )  # fmt: skip
    for chain, case_id, event in (("case:" + str(case), case, "create"), ("council", None, "x")):
        link = SimpleNamespace(
            chain=chain, seq=1, case_id=case_id, event=event, from_state=None,
            to_state=None, actor_id=officer, at=AT, data={}, prev_hash=GENESIS,
        )  # fmt: skip
        conn.execute(
            t["audit_events"].insert().values(**vars(link), hash=digest(link, KEY))  # type: ignore[arg-type]
        )
    return {"officer": officer, "agreement": agreement, "case": case}


def counts(conn: Connection) -> dict[str, int]:
    return {
        name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in TABLES
    }


def test_everything_before_councils_becomes_the_first_councils(
    at_0005: tuple[Connection, Upgrade], audit_key: str
) -> None:
    conn, upgrade = at_0005
    ids = write_as_0005(conn)
    before = counts(conn)
    upgrade("head")

    assert counts(conn) == before  # nothing lost
    for name in TABLES:
        owners = conn.execute(text(f"SELECT DISTINCT council_id FROM {name}")).scalars().all()
        assert owners == [FIRST_COUNCIL], name
    clock = FrozenClock(datetime(2024, 10, 1, 9, tzinfo=UTC))
    settings = Settings(audit_key=audit_key)
    session = Session(bind=conn)
    ctx = Ctx(session, clock, settings)
    [first] = session.exec(select(Council)).all()
    assert (first.id, first.slug, first.settings) == (FIRST_COUNCIL, "first", {})

    # The people sign in as before, into the first council, which holds their work.
    officer = authenticate(ctx, TOKEN)
    assert officer.id == ids["officer"]
    enter(ctx, first)
    assert [c.id for c in list_cases(ctx)[0]] == [ids["case"]]
    assert [a.id for a in list_agreements(ctx)[0]] == [ids["agreement"]]
    assert audit.verify(ctx).ok  # the chains written before still verify

    # A second council beside it: its own people and the same agreement reference.
    ctx = Ctx(session, clock, settings)
    council, admin, _ = create_council(ctx, CouncilIn(name="Second", slug="second"), None)
    inside = enter(Ctx(session, clock, settings), council)
    same = UserIn(name="Sam", email="sam@council.example.gov.uk", roles=["officer"])  # type: ignore[list-item]
    sam, _ = create_user(inside, same, admin)
    body: dict[str, Any] = {
        "reference": "REF-1", "title": "Other", "kind": "contract", "counterparty": "P",
        "directorate": "Adult Social Care", "annual_value_pence": 1,
        "start_date": "2020-01-01", "end_date": "2025-01-01",
    }  # fmt: skip
    create_agreement(inside, AgreementIn(**body), sam)
    assert [a.council_id for a in session.exec(select(Agreement)).all()] == [1, council.id]
    assert list_cases(inside)[0] == []
