"""Writing down what happened to a claimed reminder.

Every write is conditional on the row still being claimed by this worker: a worker whose lease
ran out (and whose reminders another worker has since claimed) cannot overwrite the newer
claim's outcome. Such a loss is counted, logged and left to the current holder.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col

from workflow.models import Reminder, ReminderStatus
from workflow.settings import Settings

S = ReminderStatus
log = logging.getLogger("councilflow.scheduler")

MAX_ERROR_CHARS = 1000


def backoff_delay(
    attempts: int, settings: Settings, rand: Callable[[], float] = random.random
) -> timedelta:
    """How long to wait before the next attempt after ``attempts`` failed ones.

    Exponential from ``backoff_base_seconds`` and capped at ``backoff_max_seconds``, with
    "equal jitter" (a random point in the upper half), so a receiver that was down is not hit
    by every retry at the same instant when it comes back, yet each wait is at least half the
    nominal one.
    """
    exponent = max(attempts - 1, 0)
    nominal = min(settings.backoff_max_seconds, settings.backoff_base_seconds * 2.0**exponent)
    return timedelta(seconds=nominal / 2 + rand() * nominal / 2)


def _mine(ids: Iterable[int], worker_id: str) -> ColumnElement[bool]:
    return and_(
        col(Reminder.id).in_(list(ids)),
        col(Reminder.status) == S.claimed.value,
        col(Reminder.claimed_by) == worker_id,
    )


def _apply(session: Session, ids: list[int], worker_id: str, **values: object) -> int:
    if not ids:
        return 0
    result = session.execute(
        update(Reminder)
        .where(_mine(ids, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def record_sent(session: Session, ids: list[int], worker_id: str, now: datetime) -> int:
    """Mark sent those still claimed by this worker; answers how many were."""
    return _apply(
        session,
        ids,
        worker_id,
        status=S.sent.value,
        sent_at=now,
        claimed_until=None,
        last_error=None,
        updated_at=now,
    )


def record_failure(
    session: Session,
    reminder_id: int,
    attempts: int,
    worker_id: str,
    now: datetime,
    error: str,
    settings: Settings,
    *,
    permanent: bool = False,
) -> str | None:
    """Schedule a retry with backoff, or dead-letter after ``max_attempts`` — or at once when
    the failure is ``permanent`` (no retry could succeed).

    Answers the status written, or None when the claim had been lost meanwhile.
    """
    error = error[:MAX_ERROR_CHARS]
    values: dict[str, object]
    if permanent or attempts >= settings.max_attempts:
        status, values = S.dead, {"last_error": error}
    else:
        fire_at = now + backoff_delay(attempts, settings)
        status, values = S.failed, {"last_error": error, "fire_at": fire_at}
    done = _apply(
        session,
        [reminder_id],
        worker_id,
        status=status.value,
        claimed_until=None,
        updated_at=now,
        **values,
    )
    return status.value if done else None


def record_closed(
    session: Session, ids: list[int], worker_id: str, now: datetime, status: str, reason: str
) -> int:
    """Close claimed reminders without sending them — ``cancelled`` (no longer worth sending)
    or ``dead`` (claimed too often without an outcome) — saying why."""
    return _apply(
        session,
        ids,
        worker_id,
        status=status,
        claimed_until=None,
        last_error=reason[:MAX_ERROR_CHARS],
        updated_at=now,
    )


def release(session: Session, ids: list[int], worker_id: str, now: datetime) -> int:
    """Hand back claimed reminders that were not attempted (the lease was running out).

    The attempt they were charged at claim time is given back, since nothing was tried.
    """
    return _apply(
        session,
        ids,
        worker_id,
        status=S.pending.value,
        claimed_by=None,
        claimed_until=None,
        attempts=col(Reminder.attempts) - 1,
        updated_at=now,
    )
