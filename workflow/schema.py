"""Creating the schema outside Alembic: for tests and for a brand-new embedded database.

Production and ``make run`` use ``councilflow db upgrade`` (Alembic); a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from workflow import models  # noqa: F401  (registers the tables)
from workflow.audit import GENESIS
from workflow.models import AuditHead


def create_all(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    seed(engine)


def seed(engine: Engine) -> None:
    """Rows every database must have: the audit chain's head."""
    with Session(engine) as session:
        if session.get(AuditHead, 1) is None:
            session.add(AuditHead(id=1, last_id=0, last_hash=GENESIS))
        session.commit()
