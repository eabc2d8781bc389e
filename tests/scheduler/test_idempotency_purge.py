"""The scheduler pass purges idempotency records older than the retention setting (issue 14,
item 9): they were kept for ever."""

from __future__ import annotations

from datetime import timedelta

from reminder_rows import Work
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.models import IdempotencyRecord, User, pk
from workflow.settings import Settings


def _record(work: Work, key: str, age: timedelta) -> None:
    with work() as ctx:
        user = User(name="Sam", email=f"{key}@example.org", roles=["officer"], created_at=ctx.now())
        ctx.session.add(user)
        ctx.session.flush()
        ctx.session.add(
            IdempotencyRecord(
                user_id=pk(user.id),
                key=key,
                method="POST",
                path="/api/v1/cases",
                request_hash="0" * 64,
                status_code=201,
                response_body="{}",
                response_headers={},
                created_at=ctx.now() - age,
            )
        )


def test_the_pass_purges_records_past_the_retention_period(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    keep = settings.model_copy(update={"idempotency_retention_hours": 24})
    _record(work, "old", timedelta(hours=25))
    _record(work, "edge", timedelta(hours=23, minutes=59))
    _record(work, "new", timedelta(minutes=5))
    assert run_tick(engine, clock, keep)["idempotency_purged"] == 1
    with work() as ctx:
        left = ctx.session.exec(select(IdempotencyRecord.key)).all()
    assert sorted(left) == ["edge", "new"]
    clock.advance(timedelta(minutes=2))
    assert run_tick(engine, clock, keep)["idempotency_purged"] == 1
    assert run_tick(engine, clock, keep)["idempotency_purged"] == 0
