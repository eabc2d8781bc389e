"""Failure: retries with growing backoff, dead-lettering, and an admin's retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reminder_rows
from receivers import delivering_to, webhook_receiver
from reminder_rows import Work
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.outcome import backoff_delay
from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.errors import Conflict, NotFound
from workflow.models import AuditEvent
from workflow.reminders.retry import retry_reminder
from workflow.settings import Settings


def test_backoff_is_exponential_capped_and_jittered_in_the_upper_half() -> None:
    s = Settings(backoff_base_seconds=30, backoff_max_seconds=600)
    assert backoff_delay(1, s, rand=lambda: 0.0) == timedelta(seconds=15)
    assert backoff_delay(1, s, rand=lambda: 1.0) == timedelta(seconds=30)
    assert backoff_delay(3, s, rand=lambda: 1.0) == timedelta(seconds=120)
    assert backoff_delay(10, s, rand=lambda: 1.0) == timedelta(seconds=600)
    assert backoff_delay(10, s, rand=lambda: 0.0) == timedelta(seconds=300)


def test_a_failing_receiver_gets_retries_then_a_dead_letter_then_an_admin_retry(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(
        update={"max_attempts": 4, "backoff_base_seconds": 60, "backoff_max_seconds": 3600}
    )
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook").id
        assert rid is not None
        admin = reminder_rows.user(ctx.session, ctx.now(), ["admin"])
    answer = {"code": 503}
    with webhook_receiver(now=clock.now, status=lambda: answer["code"]) as receiver:
        settings = delivering_to(settings, receiver)
        waits = []
        for attempt in range(1, 4):
            assert run_tick(engine, clock, settings)["failed"] == 1
            row = reminder_rows.read(work, rid)
            assert (row.status, row.attempts) == ("failed", attempt)
            assert "webhook answered 503" in (row.last_error or "")
            waits.append(row.fire_at - clock.now())
            # Not before its time: a tick now claims nothing.
            assert run_tick(engine, clock, settings)["claimed"] == 0
            clock.travel_to(row.fire_at)
        nominal = [60 * 2**i for i in range(3)]
        for wait, n in zip(waits, nominal, strict=True):
            assert timedelta(seconds=n / 2) <= wait <= timedelta(seconds=n)
        assert waits[0] < waits[2]

        result = run_tick(engine, clock, settings)
        assert (result["failed"], result["dead"]) == (0, 1)
        row = reminder_rows.read(work, rid)
        assert (row.status, row.attempts) == ("dead", 4)
        clock.advance(timedelta(days=30))
        assert run_tick(engine, clock, settings)["claimed"] == 0  # dead stays dead

        answer["code"] = 200
        with work() as ctx:
            again = retry_reminder(ctx, rid, actor=admin)
            assert (again.status, again.attempts, again.fire_at) == ("pending", 0, clock.now())
        assert run_tick(engine, clock, settings)["sent"] == 1
    assert reminder_rows.read(work, rid).status == "sent"
    # Five deliveries in all, every one with the same idempotency key.
    assert receiver.keys() == [str(rid)] * 5
    with work() as ctx:
        audit = ctx.session.exec(
            select(AuditEvent).where(AuditEvent.event == "retry_reminder")
        ).one()
        assert audit.actor_id == admin.id and audit.data["previous_status"] == "dead"


def test_only_dead_or_failed_reminders_can_be_retried(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now()).id
        assert rid is not None
        admin = reminder_rows.user(ctx.session, ctx.now(), ["admin"])
    with work() as ctx, pytest.raises(Conflict, match="is pending"):
        retry_reminder(ctx, rid, admin)
    run_tick(engine, clock, settings)
    with work() as ctx, pytest.raises(Conflict, match="is sent"):
        retry_reminder(ctx, rid, admin)
    with work() as ctx, pytest.raises(NotFound):
        retry_reminder(ctx, rid + 1000, admin)
