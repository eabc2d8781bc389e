"""Keeping the ``Idempotency-Key`` records (written by ``api/idempotency.py``) from growing
for ever: each is purged once ``settings.idempotency_retention_hours`` have passed.

A client retries a POST whose answer it lost within seconds or minutes, so a record older
than the retention period replays nothing anyone will ask for. The scheduler pass calls
the purge (``scheduler/tick.py``); it lives here, with the table, so the scheduler never
reaches into ``api/`` (issue 14, item 9).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col

from workflow.context import Ctx
from workflow.models import IdempotencyRecord


def purge_idempotency_records(ctx: Ctx) -> int:
    """Delete every record older than the retention period; answer how many went."""
    cutoff = ctx.now() - timedelta(hours=ctx.settings.idempotency_retention_hours)
    result = ctx.session.execute(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < cutoff)
    )
    ctx.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
