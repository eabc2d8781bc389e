"""``run_tick``: the pass the timer, the admin endpoint and the tests all run."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import reminder_rows
from reminder_rows import Work
from sqlalchemy.engine import Engine

from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.models import Reminder
from workflow.settings import Settings


def test_a_due_reminder_is_sent_once_and_marked_sent(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now()).id
    with caplog.at_level(logging.INFO, logger="councilflow.reminders"):
        first = run_tick(engine, clock, settings, worker_id="w1")
        second = run_tick(engine, clock, settings, worker_id="w1")
    assert (first["sent"], first["failed"], first["dead"], first["expired"]) == (1, 0, 0, [])
    assert second["sent"] == 0 and second["claimed"] == 0
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None
        assert (row.status, row.attempts, row.sent_at, row.claimed_by) == (
            "sent", 1, clock.now(), "w1",
        )  # fmt: skip
    lines = [r.getMessage() for r in caplog.records if r.name == "councilflow.reminders"]
    assert len(lines) == 1 and f'"reminder_id": {rid}' in lines[0]


def test_a_reminder_not_yet_due_waits(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c)
        reminder_rows.reminder(ctx.session, ctx.now(), d, fire_at=ctx.now() + timedelta(minutes=1))
    assert run_tick(engine, clock, settings)["claimed"] == 0
    clock.advance(timedelta(minutes=1))
    assert run_tick(engine, clock, settings)["sent"] == 1
