"""Creating the schema outside Alembic: for tests and for a brand-new embedded database.

Production and ``make run`` use ``councilflow db upgrade`` (Alembic); a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from workflow import models  # noqa: F401  (registers the tables)


def create_all(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    seed(engine)


def seed(engine: Engine) -> None:
    """Rows every database must have. None since the audit trail became per-case chains
    (each starts from GENESIS on its first event); kept as the one place to add such rows."""
    with Session(engine) as session:
        session.commit()
