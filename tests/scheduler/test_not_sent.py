"""What must never go out: cancelled reminders, and reminders whose deadline closed or moved
after they were claimed."""

from __future__ import annotations

from datetime import date

import reminder_rows
from reminder_rows import Work
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.tick import run_tick
from workflow import demo
from workflow.clock import FrozenClock
from workflow.lifecycle.events import fire
from workflow.models import Reminder
from workflow.people.users import ensure_admin
from workflow.settings import Settings


def test_a_cancelled_reminder_is_never_claimed(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c)
        reminder_rows.reminder(ctx.session, ctx.now(), d, fire_at=ctx.now(), status="cancelled")
    assert run_tick(engine, clock, settings)["claimed"] == 0


def _due_then(work: Work, purpose: str = "reminder", **change: object) -> int:
    """A due reminder whose deadline then changes without planning touching the reminder
    (as when a transition lands between the claim and the send)."""
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c)
        rid = reminder_rows.reminder(
            ctx.session, ctx.now(), d, fire_at=ctx.now(), purpose=purpose
        ).id
        for key, value in change.items():
            setattr(d, key, value)
        ctx.session.add(d)
        assert rid is not None
        return rid


def _outcome(work: Work, rid: int) -> tuple[str, str | None]:
    row = reminder_rows.read(work, rid)
    return row.status, row.last_error


def test_a_reminder_for_a_deadline_already_done_is_cancelled_not_sent(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _due_then(work, status="done")
    result = run_tick(engine, clock, settings)
    assert (result["sent"], result["cancelled"]) == (0, 1)
    assert _outcome(work, rid) == ("cancelled", "not sent: the deadline is done")


def test_an_escalation_for_a_closed_deadline_is_cancelled(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _due_then(work, purpose="escalation", status="cancelled")
    assert run_tick(engine, clock, settings)["sent"] == 0
    assert _outcome(work, rid) == ("cancelled", "not sent: the deadline is cancelled")


def test_a_reminder_for_a_moved_deadline_is_cancelled(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _due_then(work, due_on=date(2024, 9, 12))
    assert run_tick(engine, clock, settings)["sent"] == 0
    assert _outcome(work, rid) == ("cancelled", "not sent: the deadline moved to 2024-09-12")


def test_a_withdrawn_case_sends_nothing_more(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        loaded = demo.load(ctx, ensure_admin(ctx, "cf_admin_token_for_tests"))
        assert loaded.sefton is not None and loaded.sefton.id is not None
        case_id, officer = loaded.sefton.id, loaded.users["officer"]
    with work() as ctx:
        fire(ctx, case_id, "withdraw", officer, {"reason": "procured instead"})
    clock.travel_to(clock.now().replace(year=2025))
    run_tick(engine, clock, settings)  # (the Oldham demo case's reminders do go out)
    with work() as ctx:
        left = ctx.session.exec(select(Reminder.status).where(Reminder.case_id == case_id)).all()
    assert left and set(left) == {"cancelled"}
