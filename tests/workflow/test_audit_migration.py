"""Migration 0002 carries a trail written under 0001 (one global SHA-256 chain, serialised on
``audit_head``) over to per-case keyed chains with a first checkpoint, and it verifies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, col, select

from workflow import audit, migrate
from workflow.audit import verify
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.dbtypes import UTCDateTime
from workflow.models import AuditCheckpoint, AuditEvent
from workflow.settings import Settings, get_settings

KEY = "the council's audit key"

# The events of a small run as 0001 wrote them: two cases (one exempt) and a case-less import,
# interleaved as they were in time.
RUN: list[dict[str, Any]] = [
    {"case_id": 1, "event": "create", "from_state": None, "to_state": "drafted"},
    {"case_id": None, "event": "agreement_created", "data": {"agreement_id": 1}},
    {"case_id": 2, "event": "create", "from_state": None, "to_state": "drafted",
     "data": {"exempt_paragraph": 3}},
    {"case_id": 1, "event": "submit", "from_state": "drafted", "to_state": "submitted"},
    {"case_id": 2, "event": "submit", "from_state": "drafted", "to_state": "submitted",
     "data": {"payload": {}, "exempt_paragraph": 3}},
    {"case_id": 1, "event": "defer", "from_state": "submitted", "to_state": "submitted",
     "data": {"payload": {"reason": "Item 10 first."}}},
    {"case_id": None, "event": "agreements_imported", "data": {"rows": 3}},
    {"case_id": 1, "event": "approve", "from_state": "submitted",
     "to_state": "delegated_approval", "data": {"payload": {"max_months": 12}}},
]  # fmt: skip

OLD_EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("event", sa.String()),
    sa.column("from_state", sa.String()),
    sa.column("to_state", sa.String()),
    sa.column("actor_id", sa.Integer()),
    sa.column("at", UTCDateTime()),
    sa.column("data", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
OLD_HEAD = sa.table("audit_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash"))


def old_digest(body: dict[str, Any]) -> str:
    """0001's hash: plain SHA-256 over the canonical row, id included."""
    content = {**body, "at": body["at"].isoformat()}
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def write_as_0001(conn: Connection) -> None:
    prev = "0" * 64
    for n, event in enumerate(RUN, start=1):
        body = {
            "id": n,
            "case_id": event["case_id"],
            "event": event["event"],
            "from_state": event.get("from_state"),
            "to_state": event.get("to_state"),
            "actor_id": 1,
            "at": datetime(2024, 9, n, 9, tzinfo=UTC),
            "data": event.get("data", {}),
            "prev_hash": prev,
        }
        prev = old_digest(body)
        conn.execute(sa.insert(OLD_EVENTS).values(**body, hash=prev))
    conn.execute(sa.delete(OLD_HEAD))
    conn.execute(sa.insert(OLD_HEAD).values(id=1, last_id=len(RUN), last_hash=prev))


@pytest.fixture
def audit_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migration reads the key through ``get_settings()``, as in production."""
    monkeypatch.setenv("COUNCILFLOW_AUDIT_KEY", KEY)
    get_settings.cache_clear()
    yield KEY
    get_settings.cache_clear()


@pytest.fixture
def at_0001(engine: Engine) -> Iterator[Connection]:
    """A connection on an empty database (a scratch schema on PostgreSQL) at revision 0001."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS audit_mig CASCADE"))
            conn.execute(text("CREATE SCHEMA audit_mig"))
            conn.execute(text("SET search_path TO audit_mig"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
            conn.execute(text("DROP TABLE IF EXISTS audit_head"))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        run(engine, conn, "0001")
        yield conn
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET search_path TO public"))
            conn.execute(text("DROP SCHEMA audit_mig CASCADE"))


def run(engine: Engine, conn: Connection, revision: str) -> None:
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def test_the_0001_chain_becomes_keyed_per_case_chains_that_verify(
    engine: Engine, at_0001: Connection, audit_key: str
) -> None:
    conn = at_0001
    write_as_0001(conn)
    run(engine, conn, "head")  # what 0002 wrote still verifies at head (0012 adds councils)

    assert "audit_head" not in inspect(conn).get_table_names()
    clock = FrozenClock(datetime(2024, 10, 1, 9, tzinfo=UTC))
    session = Session(bind=conn)
    ctx = Ctx(session, clock, Settings(audit_key=audit_key))
    result = verify(ctx)
    assert (result.ok, result.checked, result.checkpoints) == (True, len(RUN), 1), result
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [r.id for r in rows] == list(range(1, len(RUN) + 1))  # ids kept
    assert [(r.chain, r.seq) for r in rows] == [
        ("case:1", 1),
        ("council", 1),
        ("case:2", 1),
        ("case:1", 2),
        ("case:2", 2),
        ("case:1", 3),
        ("council", 2),
        ("case:1", 4),
    ]
    assert all(r.hash == audit.digest(r, audit_key) for r in rows)
    [first] = session.exec(select(AuditCheckpoint)).all()
    assert first.last_event_id == len(RUN)
    assert {(h["chain"], h["seq"]) for h in first.heads} == {
        ("case:1", 4),
        ("case:2", 2),
        ("council", 2),
    }

    # The trail goes on from there: a new id from the sequence, the next seq of the case.
    added = audit.append(ctx, event="note", at=clock.now(), actor_id=1, case_id=2)
    assert (added.id, added.chain, added.seq) == (len(RUN) + 1, "case:2", 3)
    assert verify(ctx).ok
    wrong = verify(Ctx(session, clock, Settings(audit_key="another key")))
    assert (wrong.ok, wrong.event_id) == (False, 1)
    session.close()
