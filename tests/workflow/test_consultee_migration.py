"""Migration 0015 (issue 12, fault 8): a delegation's consultees move from the JSON list
``delegations.consultee_ids`` (or, on rows older than it, the single ``consultee_id``) into
rows of ``delegation_consultees``, in Cabinet's order, and back again on a downgrade.

Two cases go to delegated approval on Fri 6 Sep 2024: one in consultation with the Cabinet
Member for Adult Social Care and the Cabinet Member for Finance, one with her alone. The
database is taken down to 0014 (the lists are written back), the second delegation is made to
look like a row from before 0007 (``consultee_ids`` null), and it is brought up to 0015.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from casework import APPROVED_AT, Work, approve_payload, case_of, new_case, to_cabinet
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from workflow import demo, migrate
from workflow.clock import FrozenClock
from workflow.lifecycle.bundle import load
from workflow.lifecycle.events import fire
from workflow.models import User, pk


@contextmanager
def alembic_on(engine: Engine) -> Iterator[tuple[Connection, Config]]:
    """Alembic on one transaction of this test database (made by ``create_all``, so at head),
    as ``migrate.upgrade`` runs it: on SQLite, which rebuilds a table to alter it, with
    foreign keys off while it does and checked whole before the commit."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
                config.attributes["connection"] = conn
                yield conn, config
                if sqlite:
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def _listed(value: object) -> list[int] | None:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]


def test_consultees_move_to_their_own_rows_and_back(
    engine: Engine, work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        cast = demo.Demo()
        finance = demo.DemoPerson(
            "finance_member",
            "Cllr Fin Finance (Cabinet Member for Finance)",
            "fin.finance@sefton.example.gov.uk",
            ["cabinet_member"],
        )
        demo.load_people(ctx, people["admin"], [finance], cast)
        fin = pk(cast.users["finance_member"].id)
        both, one = new_case(ctx, people), new_case(ctx, people)
    member = pk(people["cabinet_member"].id)
    for case_id in (both, one):
        to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        fire(ctx, both, "approve", people["clerk"], approve_payload(people, consultee_ids=[fin]))
        fire(ctx, one, "approve", people["clerk"], approve_payload(people))

    with alembic_on(engine) as (conn, config):
        command.stamp(config, "0015")
        command.downgrade(config, "0014")
        written_back = {
            case_id: (consultee_id, _listed(consultee_ids))
            for case_id, consultee_id, consultee_ids in conn.execute(
                text("SELECT case_id, consultee_id, consultee_ids FROM delegations")
            )
        }
        assert written_back == {both: (member, [member, fin]), one: (member, [member])}
        # A delegation recorded before 0007 named its one consultee in ``consultee_id`` only.
        conn.execute(
            text("UPDATE delegations SET consultee_ids = NULL WHERE case_id = :c"), {"c": one}
        )
        command.upgrade(config, "0015")
        rows = conn.execute(
            text(
                "SELECT case_id, user_id, position FROM delegation_consultees "
                "ORDER BY case_id, position"
            )
        ).all()
        assert [tuple(r) for r in rows] == [(both, member, 0), (both, fin, 1), (one, member, 0)]
        conn.execute(text("DROP TABLE alembic_version"))
    with work() as ctx:
        named = {
            case_id: delegation.consultees()
            for case_id in (both, one)
            if (delegation := load(ctx, case_of(ctx, case_id)).delegation) is not None
        }
    assert named == {both: [member, fin], one: [member]}
