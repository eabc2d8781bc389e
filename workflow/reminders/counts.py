"""Counts for ``/metrics``: how many reminders are in each status, dead letters included.

One grouped query on the status index, so scraping stays cheap however long the table is.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from workflow.models import Reminder, ReminderStatus


def reminders_by_status(session: Session, council_id: int | None = None) -> dict[str, int]:
    """Every status, zero included, so a dashboard sees ``dead 0`` rather than no series.
    ``council_id``: one council's reminders only (None: the installation's, for the
    operator's scrape, whose series carry no council label)."""
    counts = {s.value: 0 for s in ReminderStatus}
    query = select(col(Reminder.status), func.count())
    if council_id is not None:
        query = query.where(Reminder.council_id == council_id)
    rows = session.exec(query.group_by(col(Reminder.status))).all()
    for status, n in rows:
        counts[status] = int(n)
    return counts
