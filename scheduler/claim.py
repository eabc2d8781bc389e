"""Claiming due reminders: the one step that decides which process sends what.

A claim is ``SELECT id … FOR UPDATE SKIP LOCKED LIMIT n`` then a conditional ``UPDATE`` of
exactly those rows, in one transaction committed before anything is sent. On PostgreSQL
``SKIP LOCKED`` lets several processes take disjoint batches without waiting on each other
(the single-statement ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` is
not used: PostgreSQL may plan it as a nested-loop semi join that rescans the locking subquery
for every outer row and so updates more than ``n`` rows — seen in EXPLAIN and in
``test_claims_take_the_oldest_first_in_batches``). On SQLite, where SQLAlchemy drops the
locking clause, every write transaction begins ``IMMEDIATE``, so claims are serialised and
the conditional update is just as exclusive.

Three sources are claimed in turn, each walking its own index in order, so no claim ever sorts
or loads the whole backlog: leases that ran out (a worker died holding them), failed reminders
whose backoff is over, and pending reminders whose moment has come.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, true, update
from sqlmodel import Session, col, select

from workflow.models import Reminder, ReminderStatus

S = ReminderStatus


def _due_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """The three kinds of claimable reminder, most overdue work first."""
    return [
        and_(col(Reminder.status) == S.claimed.value, col(Reminder.claimed_until) < now),
        and_(col(Reminder.status) == S.failed.value, col(Reminder.fire_at) <= now),
        and_(col(Reminder.status) == S.pending.value, col(Reminder.fire_at) <= now),
    ]


def _order_of(condition_index: int) -> Any:
    return col(Reminder.claimed_until) if condition_index == 0 else col(Reminder.fire_at)


def claim_batch(
    session: Session,
    *,
    now: datetime,
    worker_id: str,
    lease: timedelta,
    limit: int,
    council_id: int | None = None,
) -> list[int]:
    """Claim up to ``limit`` due reminders for ``worker_id``; answers their ids.

    Each claimed row gets ``claimed_until = now + lease`` and one more attempt. The caller
    commits before sending, so a crash after this point leaves the rows to be re-claimed when
    the lease runs out, never lost.

    ``council_id``: one council's reminders only (an admin's pass); None claims every
    council's, as the scheduler's own pass does (system work, issue 10).
    """
    claimed: list[int] = []
    for index, condition in enumerate(_due_conditions(now)):
        wanted = limit - len(claimed)
        if wanted <= 0:
            break
        ids = list(
            session.execute(
                select(col(Reminder.id))
                .where(condition)
                .where(true() if council_id is None else col(Reminder.council_id) == council_id)
                .order_by(_order_of(index))
                .limit(wanted)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not ids:
            continue
        result = session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(ids), condition)
            .values(
                status=S.claimed.value,
                claimed_by=worker_id,
                claimed_until=now + lease,
                attempts=col(Reminder.attempts) + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(ids):  # type: ignore[attr-defined]
            raise RuntimeError(f"claimed {result.rowcount} of {len(ids)} locked reminders")  # type: ignore[attr-defined]
        claimed.extend(ids)
    return claimed
