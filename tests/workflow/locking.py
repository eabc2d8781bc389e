"""Seeing, without a timing guess, that one transaction is waiting on another's lock."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.engine import Engine


def wait_until_blocked(engine: Engine, timeout: float = 60) -> None:
    """Until another session of this database waits on a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as conn:
        while conn.execute(query).scalar_one() == 0:
            assert time.monotonic() < deadline, "the other transaction never waited"
            time.sleep(0.05)
            conn.rollback()
