"""Claims and leases: a dead worker's claim is taken over after its lease, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reminder_rows
from receivers import delivering_to, webhook_receiver
from reminder_rows import Work
from sqlalchemy.engine import Engine

from scheduler.claim import claim_batch
from scheduler.outcome import record_sent
from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.db import unit_of_work
from workflow.settings import Settings

LEASE = timedelta(seconds=300)


def _claim(engine: Engine, clock: FrozenClock, worker: str, limit: int = 100) -> list[int]:
    with unit_of_work(engine) as session:
        return claim_batch(session, now=clock.now(), worker_id=worker, lease=LEASE, limit=limit)


def test_a_dead_workers_claim_is_taken_over_after_the_lease(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now()).id
        assert rid is not None
    assert _claim(engine, clock, "dead-worker") == [rid]  # ... and then it dies

    assert run_tick(engine, clock, settings, "live")["claimed"] == 0  # lease still held
    clock.advance(LEASE - timedelta(seconds=1))
    assert run_tick(engine, clock, settings, "live")["claimed"] == 0
    clock.advance(timedelta(seconds=2))
    assert run_tick(engine, clock, settings, "live")["sent"] == 1
    row = reminder_rows.read(work, rid)
    assert (row.status, row.claimed_by, row.attempts) == ("sent", "live", 2)

    # Had the first worker only been slow, its late outcome must not overwrite the new one.
    with work() as ctx:
        assert record_sent(ctx.session, [rid], "dead-worker", ctx.now()) == 0
    assert reminder_rows.read(work, rid).claimed_by == "live"


def test_a_reminder_whose_holders_keep_dying_is_dead_lettered(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(update={"max_attempts": 2})
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now()).id
        assert rid is not None
    for n in range(2):
        assert _claim(engine, clock, f"dies-{n}") == [rid]
        clock.advance(LEASE + timedelta(seconds=1))
    result = run_tick(engine, clock, settings, "live")
    assert (result["sent"], result["dead"]) == (0, 1)
    row = reminder_rows.read(work, rid)
    assert row.status == "dead" and "claimed 3 times without an outcome" in (row.last_error or "")


def test_nothing_is_sent_once_the_lease_is_nearly_over(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(update={"claim_lease_seconds": 60})
    with work() as ctx:
        ids = [
            reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook").id
            for _ in range(2)
        ]

    def slow(_delivery: object) -> None:
        clock.advance(timedelta(seconds=55))  # the first send took most of the lease

    with webhook_receiver(now=clock.now, on_delivery=slow) as receiver:
        result = run_tick(engine, clock, delivering_to(settings, receiver), concurrency=1)
        assert (result["sent"], result["released"]) == (1, 1)
        released = reminder_rows.read(work, ids[1])
        assert (released.status, released.attempts, released.claimed_by) == ("pending", 0, None)
        assert run_tick(engine, clock, delivering_to(settings, receiver))["sent"] == 1
    assert receiver.keys() == [str(i) for i in ids]


def test_claims_take_the_oldest_first_in_batches(
    engine: Engine, clock: FrozenClock, work: Work
) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        ids = []
        for minutes in (5, 1, 3, 2, 4):
            d = reminder_rows.deadline(ctx.session, ctx.now(), c)
            ids.append(
                reminder_rows.reminder(
                    ctx.session, ctx.now(), d, fire_at=ctx.now() - timedelta(minutes=minutes)
                ).id
            )
    first = _claim(engine, clock, "w", limit=2)
    assert sorted(first) == sorted([ids[0], ids[4]])  # 5 and 4 minutes overdue
    assert len(_claim(engine, clock, "w", limit=10)) == 3


@pytest.mark.postgres_only
def test_concurrent_claims_skip_locked_rows_instead_of_waiting(
    engine: Engine, clock: FrozenClock, work: Work
) -> None:
    with work() as ctx:
        for _ in range(10):
            reminder_rows.due_reminder(ctx.session, ctx.now())
    with unit_of_work(engine) as first:
        mine = claim_batch(first, now=clock.now(), worker_id="a", lease=LEASE, limit=6)
        # ``first`` is still open and holds its row locks; a second worker goes round them.
        theirs = _claim(engine, clock, "b")
    assert len(mine) == 6 and len(theirs) == 4 and not set(mine) & set(theirs)
