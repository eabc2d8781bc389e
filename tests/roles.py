"""Connecting as the service should on PostgreSQL: an ordinary role, bound by row-level
security (a superuser, as the test server's ``postgres`` is, passes every policy)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from workflow.db import make_engine

ROLE = f"councilflow_app_{os.getpid()}"


@contextmanager
def as_ordinary_role(owner: Engine, **engine_options: Any) -> Iterator[Engine]:
    """An engine on ``owner``'s database whose every connection acts as ``ROLE`` (no
    superuser, no BYPASSRLS), granted what the service needs on every table."""
    with owner.begin() as conn:
        if _exists(conn):  # left by a run that was killed
            conn.execute(text(f'DROP OWNED BY "{ROLE}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{ROLE}"'))
        conn.execute(text(f'CREATE ROLE "{ROLE}" NOSUPERUSER NOBYPASSRLS'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{ROLE}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{ROLE}"'))
    engine = make_engine(owner.url.render_as_string(hide_password=False), **engine_options)

    @event.listens_for(engine, "connect")
    def _as_role(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{ROLE}"')
        dbapi_connection.commit()

    try:
        yield engine
    finally:
        engine.dispose()
        with owner.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{ROLE}"'))
            conn.execute(text(f'DROP ROLE "{ROLE}"'))


def _exists(conn: Any) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}).first()
    return found is not None
