"""The scheduler inside ``councilflow serve``: APScheduler wakes the dispatcher on start (the
catch-up) and then on its interval; shutting down waits for the pass in hand."""

from __future__ import annotations

import time
from datetime import date

import reminder_rows
from processes import wait_until
from reminder_rows import Work
from sqlalchemy.engine import Engine

from scheduler.runner import InProcessScheduler
from workflow.clock import FrozenClock
from workflow.models import Case
from workflow.settings import Settings


def test_on_start_it_catches_up_then_keeps_going_until_shut_down(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(update={"dispatch_interval_seconds": 0.1})
    with work() as ctx:
        overdue = reminder_rows.due_reminder(ctx.session, ctx.now()).id
        ended = reminder_rows.case(
            ctx.session, ctx.now(), state="active", term_end=date(2024, 6, 30)
        ).id

    def status(rid: int | None) -> str:
        return reminder_rows.read(work, rid).status

    scheduler = InProcessScheduler(engine, clock, settings, worker_id="serve")
    scheduler.start()
    try:
        wait_until(lambda: status(overdue) == "sent", 15, "the catch-up")
        with work() as ctx:
            assert ctx.session.get(Case, ended).state == "expired"  # type: ignore[union-attr]
            later = reminder_rows.due_reminder(ctx.session, ctx.now()).id
        wait_until(lambda: status(later) == "sent", 15, "the next wake-up")
    finally:
        scheduler.shutdown()
    assert not scheduler.scheduler.running
    with work() as ctx:
        after = reminder_rows.due_reminder(ctx.session, ctx.now()).id
    time.sleep(0.3)
    assert status(after) == "pending"  # nothing runs once shut down
