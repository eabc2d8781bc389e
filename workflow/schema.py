"""Creating the schema outside Alembic: for tests and for a brand-new embedded database.

Production and ``make run`` use ``councilflow db upgrade`` (Alembic); a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from workflow import models  # (registers the tables)
from workflow.councils import walls
from workflow.db import system_work


def create_all(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for statement in walls.all_statements():
                connection.execute(text(statement))
    seed(engine)


FIRST_COUNCIL_NAME, FIRST_COUNCIL_SLUG = "First council", "first"


def seed(engine: Engine) -> None:
    """Rows every database must have: the first council (issue 10), which a new installation's
    people and the command line's work belong to until the operator adds others. Migration
    0012 makes the same row, holding whatever an installation had before councils."""
    with Session(engine) as session:
        system_work(session)
        if session.get(models.Council, models.FIRST_COUNCIL) is None:
            first = models.Council(
                name=FIRST_COUNCIL_NAME, slug=FIRST_COUNCIL_SLUG, created_at=datetime.now(UTC)
            )
            session.add(first)
        session.commit()
