"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from workflow import migrate


def test_migrations_match_models(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS migcheck CASCADE"))
            conn.execute(text("CREATE SCHEMA migcheck"))
            conn.execute(text("SET search_path TO migcheck"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
        config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = conn
        from alembic import command

        command.upgrade(config, "head")
        assert "audit_events" in inspect(conn).get_table_names()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA migcheck CASCADE"))
            conn.execute(text("SET search_path TO public"))
    assert diff == []
