"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from workflow import migrate
from workflow.councils import walls


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
        unwalled: dict[str, object] = {}
        if engine.dialect.name == "postgresql":
            # Every council-owned table is behind the wall once migrated, those made after 0012
            # (``walls.WALLED_LATER``) by their own migrations: security on, forced, and the
            # policy in place.
            rows = conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, EXISTS ("
                    " SELECT 1 FROM pg_policies p WHERE p.schemaname = 'migcheck'"
                    " AND p.tablename = c.relname AND p.policyname = :policy)"
                    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'migcheck' AND c.relkind = 'r'"
                ),
                {"policy": walls.POLICY},
            ).all()
            found = {r[0]: (r[1], r[2], r[3]) for r in rows}
            unwalled = {t: found.get(t) for t in walls.OWNED if found.get(t) != (True, True, True)}
            conn.execute(text("DROP SCHEMA migcheck CASCADE"))
            conn.execute(text("SET search_path TO public"))
    assert diff == []
    assert unwalled == {}
