"""Alembic environment: the URL comes from the one settings object (or the caller)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

from workflow import models  # noqa: F401  (registers the tables)
from workflow.db import make_engine
from workflow.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # A migration is system work: row-level security (0012) must not hide any
            # council's rows from a migration's own reads and updates.
            connection.execute(text("SELECT set_config('app.system', 'on', true)"))
        context.run_migrations()


run_migrations()
