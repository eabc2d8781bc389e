"""Automatic expiry through the tick: audited as the scheduler, once even when several run."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import reminder_rows
from reminder_rows import Work
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from scheduler.tick import run_tick
from workflow import audit
from workflow.clock import FrozenClock
from workflow.models import AuditEvent, Case, Reminder, User
from workflow.settings import Settings

YESTERDAY = date(2024, 6, 30)  # the fixtures' clock stands at 1 July 2024


def _active_case(work: Work, term_end: date = YESTERDAY) -> tuple[int, int]:
    """An active case with an open deadline and a reminder due now."""
    with work() as ctx:
        now = ctx.now()
        c = reminder_rows.case(ctx.session, now, state="active", term_end=term_end)
        d = reminder_rows.deadline(ctx.session, now, c, kind="agreement_end", due_on=term_end)
        r = reminder_rows.reminder(ctx.session, now, d, fire_at=now)
        assert c.id is not None and r.id is not None
        return c.id, r.id


def test_an_ended_term_is_expired_by_the_scheduler_and_its_reminders_cancelled(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    case_id, rid = _active_case(work)
    running, _ = _active_case(work, term_end=date(2024, 7, 1))  # ends today: not yet
    result = run_tick(engine, clock, settings)
    assert result["expired"] == [case_id]
    assert result["sent"] == 1  # the running case's reminder only
    with work() as ctx:
        assert ctx.session.get(Case, case_id).state == "expired"  # type: ignore[union-attr]
        assert ctx.session.get(Case, running).state == "active"  # type: ignore[union-attr]
        assert ctx.session.get(Reminder, rid).status == "cancelled"  # type: ignore[union-attr]
        event = ctx.session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.event == "expire")
        ).one()
        actor = ctx.session.get(User, event.actor_id)
        assert actor is not None and actor.is_system
        assert (event.from_state, event.to_state, event.at) == ("active", "expired", clock.now())
    assert run_tick(engine, clock, settings)["expired"] == []
    clock.advance(timedelta(days=1))
    assert run_tick(engine, clock, settings)["expired"] == [running]


def test_two_schedulers_at_once_expire_each_case_once(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    cases = sorted(_active_case(work)[0] for _ in range(12))
    start = threading.Barrier(2)
    results: list[dict[str, Any]] = []

    def scheduler(name: str) -> None:
        start.wait()
        results.append(run_tick(engine, clock, settings, worker_id=name))

    threads = [threading.Thread(target=scheduler, args=(f"s{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 2
    expired = [case for r in results for case in r["expired"]]
    assert sorted(expired) == cases  # every case once, whoever won it
    with work() as ctx:
        events = ctx.session.exec(
            select(AuditEvent.case_id).where(AuditEvent.event == "expire")
        ).all()
        assert sorted(events) == cases
        states = ctx.session.exec(select(Case.state).where(col(Case.id).in_(cases))).all()
        assert set(states) == {"expired"}
        assert audit.verify(ctx).ok
