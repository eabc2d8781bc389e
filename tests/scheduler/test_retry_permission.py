"""Who may send a reminder again is the domain's decision (CONVENTIONS), not only the route's:
``retry_reminder`` itself refuses anyone but an admin, and a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reminder_rows
from reminder_rows import Work
from sqlmodel import func, select

from workflow.clock import FrozenClock
from workflow.errors import Forbidden
from workflow.models import AuditEvent, Reminder, ReminderStatus
from workflow.reminders.retry import retry_reminder

NOT_ADMINS = [
    ["officer"],
    ["democratic_services"],
    ["executive", "cabinet_member", "scrutiny"],
    ["viewer"],
]


def dead_reminder(work: Work) -> int:
    with work() as ctx:
        row = reminder_rows.due_reminder(ctx.session, ctx.now())
        row.status, row.attempts, row.last_error = ReminderStatus.dead, 5, "webhook answered 503"
        ctx.session.add(row)
        ctx.session.flush()
        assert row.id is not None
        return row.id


def state_of(work: Work, rid: int) -> tuple[object, ...]:
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None
        events = ctx.session.exec(select(func.count()).select_from(AuditEvent)).one()
        return (row.status, row.attempts, row.fire_at, row.updated_at, row.last_error, events)


@pytest.mark.parametrize("roles", NOT_ADMINS, ids=["+".join(r) for r in NOT_ADMINS])
def test_anyone_but_an_admin_is_refused_and_nothing_changes(
    work: Work, clock: FrozenClock, roles: list[str]
) -> None:
    rid = dead_reminder(work)
    with work() as ctx:
        caller = reminder_rows.user(ctx.session, ctx.now(), roles)
    before = state_of(work, rid)
    clock.advance(timedelta(hours=1))

    with work() as ctx, pytest.raises(Forbidden, match="only an admin"):
        retry_reminder(ctx, rid, caller)

    assert state_of(work, rid) == before
    assert before[0] == ReminderStatus.dead


def test_a_non_admin_cannot_learn_whether_a_reminder_exists(work: Work) -> None:
    with work() as ctx:
        caller = reminder_rows.user(ctx.session, ctx.now(), ["officer"])
    with work() as ctx, pytest.raises(Forbidden):
        retry_reminder(ctx, 424242, caller)


def test_an_admin_among_other_roles_may_retry(work: Work, clock: FrozenClock) -> None:
    rid = dead_reminder(work)
    with work() as ctx:
        admin = reminder_rows.user(ctx.session, ctx.now(), ["officer", "admin"])
    clock.advance(timedelta(hours=1))
    with work() as ctx:
        again = retry_reminder(ctx, rid, admin)
        assert (again.status, again.attempts, again.fire_at) == ("pending", 0, clock.now())
