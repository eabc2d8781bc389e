"""Counts for ``/metrics``: how many reminders are in each status, dead letters included.

One grouped query on the status index, so scraping stays cheap however long the table is.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from workflow.models import Reminder, ReminderStatus


def reminders_by_status(session: Session) -> dict[str, int]:
    """Every status, zero included, so a dashboard sees ``dead 0`` rather than no series."""
    counts = {s.value: 0 for s in ReminderStatus}
    rows = session.exec(
        select(col(Reminder.status), func.count()).group_by(col(Reminder.status))
    ).all()
    for status, n in rows:
        counts[status] = int(n)
    return counts
