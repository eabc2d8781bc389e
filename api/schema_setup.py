"""Bringing the database to the current schema at start-up, so ``councilflow serve`` works
on a fresh SQLite file with nothing run before it.

A database whose tables were made by ``workflow.schema.create_all`` (the test fixtures) has
no Alembic version yet; it already matches the head revision (``tests/workflow/
test_migrations.py`` proves models and migrations agree), so it is stamped rather than
migrated, which would fail on tables that exist.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from workflow import migrate
from workflow.models import User


def prepare_database(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    if User.__tablename__ in tables and "alembic_version" not in tables:
        with engine.begin() as connection:
            config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
            config.attributes["connection"] = connection
            command.stamp(config, "head")
    migrate.upgrade(engine)
