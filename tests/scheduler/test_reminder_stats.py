"""The counts ``/metrics`` reads."""

from __future__ import annotations

import reminder_rows
from reminder_rows import Work

from workflow.reminders.counts import reminders_by_status


def test_every_status_is_counted_zero_included(work: Work) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c)
        for status in ("pending", "pending", "dead", "sent"):
            reminder_rows.reminder(ctx.session, ctx.now(), d, fire_at=ctx.now(), status=status)
    with work() as ctx:
        assert reminders_by_status(ctx.session) == {
            "pending": 2, "claimed": 0, "sent": 1, "failed": 0, "dead": 1, "cancelled": 0,
        }  # fmt: skip
